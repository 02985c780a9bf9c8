"""The two kinds of endpoint, so every view states who may call it (the default is closed).

`PublicApi`: anyone (catalog search, analyses, public taste, share links, uploads to one's session).
`UserApi`: a logged-in user (with Spotify, or a guest who imported listening data); others get 401
`not_logged_in` with the login URL.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from genrelens.api.exceptions import NotLoggedIn


class LoggedIn(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise NotLoggedIn()
        return True


class PublicApi(APIView):
    permission_classes = [AllowAny]


class UserApi(APIView):
    permission_classes = [LoggedIn]


class NoSuchEndpoint(PublicApi):
    """Last under /rest/: a path no endpoint matches (a job id that is no UUID, a typo) gets the API's
    JSON 404 like every other error, not Django's HTML page a client cannot parse."""

    def http_method_not_allowed(self, request: Request, *args: Any, **kwargs: Any) -> None:
        raise NotFound(f"no endpoint at {request.path}")
