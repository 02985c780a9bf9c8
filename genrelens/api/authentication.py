"""Session authentication that checks CSRF on every unsafe request, anonymous ones included.

DRF's SessionAuthentication checks CSRF only once a user is logged in. Anonymous callers write too
(uploads, which belong to their session), so a forged cross-site form must be refused for them as
well. A safe request (GET, HEAD) is not checked at all, where DRF runs Django's CSRF check on it for
a logged-in user only to accept it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request


class CsrfSessionAuthentication(SessionAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            self.enforce_csrf(request)
        user = getattr(request._request, "user", None)  # as DRF's, without its second CSRF check
        if not user or not user.is_active:
            return None
        return (user, None)


class CsrfSessionScheme(OpenApiAuthenticationExtension):
    """Documents the session cookie in the OpenAPI schema."""

    target_class = CsrfSessionAuthentication
    name = "sessionCookie"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
