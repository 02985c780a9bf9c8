"""The taste view's hand-written check of source and weighting answers as the TasteChoice serializer
(the POST body's schema) does, for query strings and JSON bodies alike. (A JSON null is refused by
that serializer, ShareInput, before the view reads the body.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from genrelens.api.taste import TasteChoice, _choice

CASES: list[dict[str, Any]] = [
    {}, {"source": "lastfm"}, {"source": "  local "}, {"source": ""}, {"source": "   "}, {"source": 5},
    {"source": True}, {"source": {"a": 1}}, {"weighting": "plays"}, {"weighting": "tracks"},
    {"weighting": "minutes"}, {"weighting": ""}, {"weighting": 1}, {"source": "spotify", "weighting": "x"},
]


def _serializer(data: Any) -> object:
    choice = TasteChoice(data=data)
    if not choice.is_valid():
        return {k: [str(m) for m in v] for k, v in choice.errors.items()}
    return choice.validated_data.get("source"), choice.validated_data.get("weighting")


def _ours(data: Any) -> object:
    try:
        return _choice(data)
    except ValidationError as error:
        return {k: [str(m) for m in v] for k, v in error.detail.items()}  # type: ignore[union-attr]


@pytest.mark.parametrize("data", CASES)
def test_a_json_body_is_checked_as_the_serializer_checks_it(data: dict[str, Any]) -> None:
    assert _ours(data) == _serializer(data)


@pytest.mark.parametrize("query", ["", "source=lastfm", "source=", "source=+local+", "source=+++", "weighting=plays",
                                   "weighting=minutes", "weighting=", "source=a&source=b", "weighting=plays&source=x"])
def test_a_query_string_is_checked_as_the_serializer_checks_it(query: str) -> None:
    data = QueryDict(query)
    assert _ours(data) == _serializer(data)
