import pytest

from genrelens.core.errors import ConfigurationError
from genrelens.core.spotify.capabilities import Capabilities


def test_round_trips_through_a_dict():
    caps = Capabilities(audio_features=False, playlist_items_any=True, search_limit=10)
    assert Capabilities.from_dict(caps.as_dict()) == caps
    assert caps.closed("audio_features") and not caps.closed("playlist_items_any")
    assert not Capabilities().closed("categories")  # unknown is not closed


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"audio_feature": False}, "unknown capability keys: audio_feature"),
        ({"categories": "no"}, "must be true, false or null"),
        ({"search_limit": 0}, "search_limit"),
        ({"search_limit": 500}, "search_limit"),
    ],
)
def test_bad_persisted_records_are_rejected(data, message):
    with pytest.raises(ConfigurationError, match=message):
        Capabilities.from_dict(data)
