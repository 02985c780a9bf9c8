"""Session authentication that checks CSRF on every unsafe request, anonymous ones included.

DRF's SessionAuthentication checks CSRF only once a user is logged in. Anonymous callers write too
(uploads, which belong to their session), so a forged cross-site form must be refused for them as
well.
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
        return super().authenticate(request)


class CsrfSessionScheme(OpenApiAuthenticationExtension):
    """Documents the session cookie in the OpenAPI schema."""

    target_class = CsrfSessionAuthentication
    name = "sessionCookie"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
