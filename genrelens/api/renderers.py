"""JSON through orjson, and answers kept already rendered and compressed.

orjson writes a stored taste (about 50 KB) in a tenth of the time of the standard library's encoder.
A kept answer (genrelens/shared_cache.py, genrelens/api/kept.py) is kept as the JSON it renders to, gzip-compressed once
when it is kept: a hit is one Redis read handed to the response as it is, with no unpickling of a
nested document, no encoding and no compressing, which were the largest costs of a kept answer under
load (bench/bench_load.py). A client that does not accept gzip (rare: browsers all do) gets it
decompressed. In production nginx leaves a compressed response as it is instead of compressing the
JSON again on every request.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from typing import Any

import orjson
from django.http import HttpRequest
from django.utils.cache import patch_vary_headers
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_FALLBACK = JSONEncoder()
_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    """What orjson does not know (lazy translations, Decimal, querysets), as DRF would write it."""
    return _FALLBACK.default(value)


def json_bytes(value: Any) -> bytes:
    return orjson.dumps(value, default=_default, option=_OPTIONS)


#: as Django's GZipMiddleware reads Accept-Encoding
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
#: zlib's default: a 47 KiB taste (mostly numbers) to 19 KiB in about a millisecond, once per kept answer
_GZIP_LEVEL = 6


@dataclass(frozen=True, slots=True)
class Rendered:
    """A response body that is JSON already, gzip-compressed."""

    gzipped: bytes

    def json(self) -> bytes:
        return gzip.decompress(self.gzipped)


def rendered_or_none(value: Any) -> bytes | None:
    """A value as a kept body: its JSON, gzip-compressed (None stays None: nothing to keep)."""
    # mtime=0: the same answer compresses to the same bytes
    return None if value is None else gzip.compress(json_bytes(value), _GZIP_LEVEL, mtime=0)


def accepts_gzip(request: HttpRequest) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


class OrjsonRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: dict[str, Any] | None = None) -> bytes:
        if data is None:
            return b""
        context = renderer_context or {}
        if self.get_indent(accepted_media_type or "", context):  # ?indent asked for: DRF's own
            if isinstance(data, Rendered):
                data = orjson.loads(data.json())
            return super().render(data, accepted_media_type, renderer_context)
        if isinstance(data, Rendered):
            return _as_accepted(data, context)
        return json_bytes(data)


def _as_accepted(data: Rendered, context: dict[str, Any]) -> bytes:
    """The compressed body, marked so, to a client that accepts gzip; the JSON to any other."""
    request, response = context.get("request"), context.get("response")
    if response is None:
        return data.json()
    patch_vary_headers(response, ("Accept-Encoding",))
    if request is None or not accepts_gzip(request):
        return data.json()
    response["Content-Encoding"] = "gzip"
    return data.gzipped
