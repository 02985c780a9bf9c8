"""Logging in with Spotify from a browser: /rest/auth/login sends the browser to Spotify (state and
PKCE kept server-side, as the CLI login does), /connect finishes it, links the Spotify account to a
Django user and starts the session, and /rest/auth/logout ends it.

A refused consent, a replayed or expired state and a failed code exchange end in a 401 that says
what happened and links to a fresh login: a JSON error for API clients, a small page for browsers.
"""

from __future__ import annotations

import logging

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from genrelens.accounts.backends import PATH
from genrelens.accounts.services import account_for_user, account_logout, account_user, login_complete, login_start
from genrelens.api import shapes
from genrelens.api.clients import configured_settings
from genrelens.api.views import PublicApi
from genrelens.core.errors import GenrelensError, ReauthRequired, UpstreamError

log = logging.getLogger(__name__)


class LoginApi(PublicApi):
    @extend_schema(parameters=[OpenApiParameter("next", str, description="app path to return to (default /)")],
                   responses={302: OpenApiResponse(description="to Spotify's authorize page"), 409: shapes.Error})
    def get(self, request: Request) -> HttpResponse:
        url = login_start(settings=configured_settings(), next_path=request.query_params.get("next", "/"))
        return HttpResponseRedirect(url)


class LogoutApi(PublicApi):
    @extend_schema(request=None, responses={204: OpenApiResponse(description="logged out")})
    def post(self, request: Request) -> Response:
        if request.user.is_authenticated:
            account = account_for_user(user=request.user)
            if account is not None:
                account_logout(account=account)
        logout(request._request)
        return Response(status=204)


@never_cache
@require_GET
def connect(request: HttpRequest) -> HttpResponse:
    """Spotify's redirect URI: finish the login and go back to the app."""
    try:
        account, next_path = login_complete(settings=configured_settings(),
                                            redirected_url=request.build_absolute_uri())
    except (ReauthRequired, UpstreamError) as exc:
        message = str(exc) if isinstance(exc, ReauthRequired) else "Spotify did not accept the login"
        return _failed(request, message)
    except GenrelensError as exc:
        log.warning("login failed: %s", exc)
        return _failed(request, "the login could not be completed")
    login(request, account_user(account=account), backend=PATH)
    return HttpResponseRedirect(next_path)


def _failed(request: HttpRequest, message: str) -> HttpResponse:
    reconnect = reverse("api:auth-login")
    if "text/html" in request.headers.get("Accept", ""):
        return render(request, "api/login_failed.html", {"message": message, "reconnect_url": reconnect}, status=401)
    return JsonResponse({"error": {"status": 401, "code": "reauth", "message": message,
                                   "details": {"reconnect_url": reconnect}}}, status=401)
