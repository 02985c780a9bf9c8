"""Parsing query parameters: Spotify ids in any form people paste, pages, choices.

Each reads the plain Django request as well as DRF's (genrelens/api/kept.py reads it before DRF
does). Each parser raises a DRF ValidationError naming the parameter, which the exception handler turns
into a 400 whose message says which parameter was wrong and why.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.http import HttpRequest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

_BASE62 = re.compile(r"[0-9A-Za-z]{22}")
#: open.spotify.com/track/ID, /intl-de/track/ID, /embed/track/ID, each with an optional ?si=...
_URL_PATH = re.compile(r"^/(?:intl-[a-z-]+/|embed/)?(?P<kind>[a-z]+)/(?P<id>[0-9A-Za-z]{22})/?$")


def spotify_id(request: HttpRequest | Request, param: str, *, kind: str) -> str:
    """A base62 id from a bare id, a `spotify:KIND:ID` URI or an open.spotify.com/KIND/ID URL."""
    raw = required(request, param)
    found = parse_spotify_id(raw, kind=kind)
    if found is None:
        raise ValidationError({param: [f"not a Spotify {kind} id, spotify:{kind}:... URI or "
                                       f"open.spotify.com/{kind}/... URL"]})
    return found


def parse_spotify_id(raw: str, *, kind: str) -> str | None:
    text = raw.strip()
    if _BASE62.fullmatch(text):
        return text
    parts = text.split(":")
    if len(parts) == 3 and parts[0] == "spotify" and parts[1] == kind and _BASE62.fullmatch(parts[2]):
        return parts[2]
    url = urlsplit(text)
    if url.scheme in ("http", "https") and url.hostname == "open.spotify.com":
        match = _URL_PATH.match(url.path)
        if match and match["kind"] == kind:
            return match["id"]
    return None


def required(request: HttpRequest | Request, param: str) -> str:
    value = request.GET.get(param, "").strip()
    if not value:
        raise ValidationError({param: ["this parameter is required"]})
    return value


def choice(request: HttpRequest | Request, param: str, choices: tuple[str, ...], default: str) -> str:
    value = request.GET.get(param, default)
    if value not in choices:
        raise ValidationError({param: [f"must be one of {', '.join(choices)}"]})
    return value


def whole(request: HttpRequest | Request, param: str, *, default: int, minimum: int, maximum: int) -> int:
    raw = request.GET.get(param)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({param: ["must be a whole number"]}) from None
    if not minimum <= value <= maximum:
        raise ValidationError({param: [f"must be between {minimum} and {maximum}"]})
    return value
