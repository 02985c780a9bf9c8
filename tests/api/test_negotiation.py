"""The negotiation shortcut answers what DRF's own negotiation answers, for every header it takes."""

from __future__ import annotations

import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from genrelens.api.negotiation import JSON_FIRST, JsonFirstNegotiation
from genrelens.api.renderers import OrjsonRenderer

RENDERERS = [OrjsonRenderer(), BrowsableAPIRenderer()]


@pytest.mark.parametrize("accept", [*sorted(JSON_FIRST), "text/html", "application/json; indent=2",
                                    "text/html,application/xhtml+xml,*/*;q=0.8"])
@pytest.mark.parametrize("query", ["", "?format=api", "?format=json"])
def test_the_shortcut_chooses_as_drf_does(accept: str, query: str) -> None:
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    request = Request(APIRequestFactory().get("/rest/taste" + query, **headers))
    assert _choice(JsonFirstNegotiation(), request) == _choice(DefaultContentNegotiation(), request)


def _choice(negotiation: DefaultContentNegotiation, request: Request) -> object:
    try:
        renderer, media_type = negotiation.select_renderer(request, RENDERERS)
    except NotAcceptable:  # e.g. ?format=api with Accept: application/json
        return NotAcceptable
    return type(renderer), media_type
