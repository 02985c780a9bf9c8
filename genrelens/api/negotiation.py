"""DRF's content negotiation, with a shortcut for what nearly every caller asks for.

DRF parses the Accept header and matches it against each renderer on every request, about a tenth
of a kept answer's own cost (bench/bench_load.py). A caller that accepts anything, or JSON first,
and names no format gets the first renderer (JSON) with its own media type, which is what DRF's
negotiation answers for those headers; any other request goes through DRF's negotiation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request

#: Accept headers whose first choice is JSON or anything: fetch's default, JSON clients', axios'
JSON_FIRST = frozenset({"", "*/*", "application/json", "application/json, text/plain, */*",
                         "application/json, */*"})


class JsonFirstNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request: Request, renderers: Sequence[Any],
                        format_suffix: str | None = None) -> tuple[Any, str]:
        if (renderers and renderers[0].media_type == "application/json" and not format_suffix
                and request.META.get("HTTP_ACCEPT", "") in JSON_FIRST
                and self.settings.URL_FORMAT_OVERRIDE not in request.query_params):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
