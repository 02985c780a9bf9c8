"""Django's AuthenticationMiddleware, taking the logged-in user kept beside the session.

The kept copy (genrelens.accounts.sessions) is used only when the session names that user, through
an allowed backend, with a session hash the user still matches; anything else goes through Django's
own get_user (which handles fallback secrets and cycles the key), and the user it finds is kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject


def _kept(request: HttpRequest) -> Any:
    session = request.session
    kept_user = getattr(session, "kept_user", None)
    user = kept_user() if kept_user is not None else None
    if user is None:
        return None
    if (str(user.pk) != str(session.get(auth.SESSION_KEY))
            or session.get(auth.BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS
            or not constant_time_compare(session.get(auth.HASH_SESSION_KEY) or "", user.get_session_auth_hash())):
        return None
    return user


def get_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        user = _kept(request)
        if user is None:
            user = auth.get_user(request)
            keep_user = getattr(request.session, "keep_user", None)
            if user.is_authenticated and keep_user is not None:
                keep_user(user)
        note_user_id = getattr(request.session, "note_user_id", None)
        if note_user_id is not None:  # the next request on this session reads its answer with it
            note_user_id(user.pk)
        request._cached_user = user  # type: ignore[attr-defined]  # as Django's middleware does
    return request._cached_user  # type: ignore[attr-defined]


class KeptUserAuthenticationMiddleware(AuthenticationMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)  # its checks, and request.auser
        request.user = SimpleLazyObject(lambda: get_user(request))
