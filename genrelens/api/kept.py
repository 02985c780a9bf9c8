"""Kept answers, and serving them before DRF, as Django's cache middleware serves a page before its view.

A kept answer (genrelens/shared_cache.py) is the JSON it renders to, gzip-compressed once when it is
kept (genrelens/api/renderers.py). Once the Redis reads were down to two, most of what a kept request
still cost was DRF's own work per request: wrapping the request, negotiating, running the
authentication, permission and throttle classes, finalizing and rendering the response: 0.15 ms of
CPU a kept request in-process (liked tracks 1.07 ms through DRF, 0.92 here, the constant view of
bench/bench_load.py 0.44 in that run; docs/scale.md). And a logged-in caller's answer is read in the
same round trip to Redis as the session (genrelens/accounts/sessions.py), since a round trip cost a
loaded worker more than all that CPU.

So a `KeptApi` view says how its GET answer is filed (`kept_key`, read from the plain request) and a
GET is tried here first: the view's own permission and throttle classes decide, and a kept answer
that is current goes out with the headers DRF gives it. Everything else goes through DRF as before,
which answers it as the API answers everything: no answer kept yet, a caller the permissions
refuse, a bad parameter, an Accept header or `?format=` asking for anything but JSON, an error. The
throttles count a request once, whichever path answers it. tests/api/test_kept_fast_path.py holds
both paths to the same responses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from genrelens import shared_cache
from genrelens.api.negotiation import JSON_FIRST
from genrelens.api.renderers import Rendered, accepts_gzip, rendered_or_none


@dataclass(frozen=True, slots=True)
class KeptKey:
    """How an answer is filed: its name, the scopes whose writes retire it, what else names it, and
    how long it is kept at most."""

    name: str
    scopes: list[str]
    params: list[object]
    seconds: int = field(compare=False)


def kept_json(key: KeptKey, build: Callable[[], Any]) -> Rendered | None:
    """`shared_cache.answer` for a response body: `build()`'s value (None: nothing to keep), rendered
    once and kept as JSON."""
    body = shared_cache.answer(name=key.name, scopes=key.scopes, params=key.params, seconds=key.seconds,
                               build=lambda: rendered_or_none(build()))
    return None if body is None else Rendered(body)


class KeptApi(APIView):
    """An endpoint whose GET answer is kept: `kept_key` says how it is filed, from the plain request
    and the id of the user it is for (None: anonymous), raising the API's errors as the view would,
    or None where nothing is kept for this request."""

    #: the throttles' verdict when the kept path counted this request already (one wait per refusal,
    #: as DRF's check_throttles collects them; empty: allowed)
    _throttle_waits: list[float | None] | None = None

    def kept_key(self, request: HttpRequest | Request, user_id: Any) -> KeptKey | None:
        raise NotImplementedError

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "GET":
            response = self._kept_response(request)
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    def check_throttles(self, request: Request) -> None:
        if self._throttle_waits is None:
            super().check_throttles(request)
        elif self._throttle_waits:  # refused on the kept path: refused here, not counted twice
            self.throttled(request, max((w for w in self._throttle_waits if w is not None), default=None))

    def _kept_response(self, request: HttpRequest) -> HttpResponse | None:
        if not _asks_for_json(request):
            return None
        session = request.session
        guess = getattr(session, "user_id_guess", lambda: None)()
        try:
            key = self.kept_key(request, guess)
        except APIException:
            return None
        if key is not None and hasattr(session, "also_read"):  # one round trip for the session and answer
            session.also_read(shared_cache.keys_of(name=key.name, scopes=key.scopes, params=key.params))
        user = request.user
        if user.is_authenticated and not user.is_active:  # DRF's authentication reads them as anonymous
            return None
        try:
            if not all(p.has_permission(request, self) for p in self.get_permissions()):
                return None
            if user.pk != guess:  # a guess the session belied, or none: filed for the user it names
                key = self.kept_key(request, user.pk)
        except APIException:
            return None
        if key is None:
            return None
        self._throttle_waits = [t.wait() for t in self.get_throttles() if not t.allow_request(request, self)]
        if self._throttle_waits:
            return None
        try:
            body = shared_cache.kept(name=key.name, scopes=key.scopes, params=key.params,
                                     fetched=getattr(session, "also_found", None))
        except Exception:  # the shared cache is down: DRF's path meets it again and answers the error
            return None
        return None if body is None else self._respond(request, Rendered(body))

    def _respond(self, request: HttpRequest, body: Rendered) -> HttpResponse:
        gzipped = accepts_gzip(request)
        response = HttpResponse(body.gzipped if gzipped else body.json(), content_type="application/json")
        # as DRF's finalize_response and then the renderer would set them
        headers = dict(self.default_response_headers)
        patch_vary_headers(response, [headers.pop("Vary")] if "Vary" in headers else [])
        for name, value in headers.items():
            response[name] = value
        patch_vary_headers(response, ("Accept-Encoding",))
        if gzipped:
            response["Content-Encoding"] = "gzip"
        return response


def _asks_for_json(request: HttpRequest) -> bool:
    return (request.META.get("HTTP_ACCEPT", "") in JSON_FIRST
            and api_settings.URL_FORMAT_OVERRIDE not in request.GET)
