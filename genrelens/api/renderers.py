"""JSON through orjson, and answers kept already rendered.

orjson writes a stored taste (about 50 KB) in a tenth of the time of the standard library's encoder.
A kept answer (genrelens/shared_cache.py) is kept as the JSON it renders to: a hit is one Redis read
handed to the response as it is, with no unpickling of a nested document and no encoding, which were
the largest costs of a kept taste under load (bench/bench_load.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from genrelens.shared_cache import answer

_FALLBACK = JSONEncoder()
_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    """What orjson does not know (lazy translations, Decimal, querysets), as DRF would write it."""
    return _FALLBACK.default(value)


def json_bytes(value: Any) -> bytes:
    return orjson.dumps(value, default=_default, option=_OPTIONS)


@dataclass(frozen=True, slots=True)
class Rendered:
    """A response body that is JSON already."""

    body: bytes


def kept_json(*, name: str, scopes: Sequence[str], params: Sequence[object],
              build: Callable[[], Any], seconds: int) -> Rendered | None:
    """`shared_cache.answer` for a response body: `build()`'s value (None: nothing to keep), rendered
    once and kept as JSON."""
    body = answer(name=name, scopes=scopes, params=params, seconds=seconds,
                  build=lambda: _rendered_or_none(build()))
    return None if body is None else Rendered(body)


def _rendered_or_none(value: Any) -> bytes | None:
    return None if value is None else json_bytes(value)


class OrjsonRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: dict[str, Any] | None = None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):  # ?indent asked for: DRF's own
            if isinstance(data, Rendered):
                data = orjson.loads(data.body)
            return super().render(data, accepted_media_type, renderer_context)
        if isinstance(data, Rendered):
            return data.body
        return json_bytes(data)
