"""drf-spectacular hook: every operation documents the errors any endpoint can answer with.

The exception handler gives every error one shape (`Error`), and throttling, CSRF and the error
mappings apply to every view, so listing them once here keeps each view's declaration to what is
particular to it.
"""

from __future__ import annotations

from typing import Any

#: status -> when it happens (any endpoint)
COMMON_ERRORS: dict[str, str] = {
    "400": "a parameter is missing or malformed (the message names it)",
    "401": "log in with Spotify (not_logged_in) or log in again (reauth); details link to the login",
    "403": "the CSRF check failed on a write, or the resource belongs to someone else",
    "404": "no such track, job, link or model",
    "409": "restricted: Spotify does not allow this app to do this; details say what and why",
    "429": "too many requests from this client; wait and retry",
    "502": "Spotify or ReccoBeats failed or could not be reached",
    "503": "rate limited by Spotify; see Retry-After",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    error = {"$ref": "#/components/schemas/Error"}
    if "Error" not in result.get("components", {}).get("schemas", {}):
        return result
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/rest/") or path in ("/rest/schema", "/rest/docs"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, why in COMMON_ERRORS.items():
                responses.setdefault(status, {"description": why,
                                              "content": {"application/json": {"schema": error}}})
    return result
