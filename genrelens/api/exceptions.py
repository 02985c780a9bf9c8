"""One exception handler shapes every API error as {"error": {"status", "code", "message", "details"}}.

The core raises its own errors (genrelens.core.errors); this is the one place that decides what
each means to an HTTP client:

| core error                    | status | code           | details                    |
|-------------------------------|--------|----------------|----------------------------|
| EndpointRestricted            | 409    | restricted     | {what, why}                |
| RateLimited                   | 503    | rate_limited   | {retry_after} + header     |
| ReauthRequired                | 401    | reauth         | {reconnect_url}            |
| NotLoggedIn (API)             | 401    | not_logged_in  | {login_url}                |
| UpstreamError 404             | 404    | not_found      |                            |
| UpstreamError 400             | 400    | invalid        |                            |
| other UpstreamError           | 502    | upstream       |                            |
| NotFound                      | 404    | not_found      |                            |
| any other GenrelensError      | 400    | invalid        |                            |

Messages are plain sentences for people; they never carry tokens, secrets or server paths.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from genrelens.core.errors import (
    EndpointRestricted,
    GenrelensError,
    NotFound,
    RateLimited,
    ReauthRequired,
    UpstreamError,
)

log = logging.getLogger(__name__)

#: why each Spotify endpoint may be closed to this app (spotify-api-2026.md §1)
_WHY: dict[str, str] = {
    "browse/categories": "Spotify removed browse categories for development-mode apps on 2026-02-11.",
    "browse/categories/{id}/playlists": "Spotify closed category playlists to new apps on 2024-11-27.",
    "audio-features": "Spotify closed audio features to new apps on 2024-11-27; features come from other "
                      "providers.",
    "audio-analysis": "Spotify closed audio analysis to new apps on 2024-11-27.",
    "playlists/{id}/items": "Development-mode apps may read only playlists the user owns or collaborates on "
                            "(since 2026-02-11).",
}


class NotLoggedIn(exceptions.APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "log in with Spotify to use this"
    default_code = "not_logged_in"


class Restricted(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "restricted"

    def __init__(self, what: str, why: str) -> None:
        super().__init__(f"{what} is not available to this app: {why}")
        self.what, self.why = what, why


class RateLimitedError(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "rate_limited"

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Spotify asked us to slow down; try again in {math.ceil(retry_after)} s")
        self.retry_after = max(1, math.ceil(retry_after))


class Reauth(exceptions.APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code = "reauth"


class Upstream(exceptions.APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_code = "upstream"


def restriction_why(endpoint: str) -> str:
    return _WHY.get(endpoint, "Spotify refuses this endpoint to this app.")


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(str(exc))
    if isinstance(exc, EndpointRestricted):
        return Restricted(exc.endpoint, restriction_why(exc.endpoint))
    if isinstance(exc, RateLimited):
        return RateLimitedError(exc.retry_after)
    if isinstance(exc, ReauthRequired):
        return Reauth(f"{exc} Reconnect with Spotify.")
    if isinstance(exc, UpstreamError):
        return _upstream(exc)
    if isinstance(exc, NotFound):
        return exceptions.NotFound(str(exc))
    if isinstance(exc, GenrelensError):
        return exceptions.ValidationError({"non_field_errors": [str(exc)]})
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def _upstream(exc: UpstreamError) -> Exception:
    if exc.status == 404:
        return exceptions.NotFound("Spotify does not know that id")
    if exc.status == 400:
        return exceptions.ValidationError({"non_field_errors": ["Spotify refused the request as malformed"]})
    if exc.status == 429 and exc.retry_after:
        return RateLimitedError(exc.retry_after)
    # the upstream's own text can hold URLs with tokens; it goes to the log, not to the client
    log.warning("upstream failure: %s", exc)
    what = "could not be reached" if exc.status is None else f"answered HTTP {exc.status}"
    return Upstream(f"{_service(exc.endpoint)} {what}; try again later")


def _service(endpoint: str) -> str:
    return "ReccoBeats" if "reccobeats" in endpoint.lower() else "Spotify"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "the request body is too large"
    default_code = "too_large"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _translate(exc)
    response = drf_handler(exc, context)
    if response is None:
        return None
    details = _details(exc, response)
    response.data = {"error": {"status": response.status_code, "code": _code(exc),
                               "message": _message(exc, details), "details": details}}
    if isinstance(exc, RateLimitedError):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _details(exc: Exception, response: Response) -> Any:
    if isinstance(exc, exceptions.ValidationError):
        return response.data
    if isinstance(exc, Restricted):
        return {"what": exc.what, "why": exc.why}
    if isinstance(exc, RateLimitedError):
        return {"retry_after": exc.retry_after}
    if isinstance(exc, Reauth):
        return {"reconnect_url": reverse("api:auth-login")}
    if isinstance(exc, NotLoggedIn):
        return {"login_url": reverse("api:auth-login")}
    return None


def _code(exc: Exception) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        return codes if isinstance(codes, str) else exc.default_code
    return "error"


def _message(exc: Exception, details: Any) -> str:
    if isinstance(exc, exceptions.ValidationError) and isinstance(details, dict):
        field, problems = next(iter(details.items()))
        text = problems[0] if isinstance(problems, list) and problems else problems
        return str(text) if field == "non_field_errors" else f"{field}: {text}"
    if isinstance(exc, exceptions.ValidationError) and isinstance(details, list) and details:
        return str(details[0])
    if isinstance(exc, exceptions.APIException):
        return str(exc.detail)
    return str(exc) or "error"
