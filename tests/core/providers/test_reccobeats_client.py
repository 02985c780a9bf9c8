"""The ReccoBeats client over real HTTP against the sandbox's ReccoBeats routes."""

import math

import pytest

from genrelens.core.errors import RateLimited, UpstreamError
from genrelens.core.reccobeats import ReccoBeatsClient, parse_features_response, spotify_id_from_href
from genrelens.core.spotify import RetryPolicy, app_client
from tests.core.spotify.sandbox_helpers import Sleeps, count, settings_for

ROUTE = "GET /reccobeats/v1/audio-features"


@pytest.fixture(params=["legacy_sandbox", "devmode_sandbox"], ids=["legacy", "devmode"])
def sandbox(request):
    return request.getfixturevalue(request.param)


def catalog_track_ids(sandbox, n):
    return [t.id for t in app_client(settings_for(sandbox)).search_tracks("e", max_items=n)]


def test_batches_of_40_map_back_through_href_and_leave_unknown_ids_out(sandbox):
    ids = catalog_track_ids(sandbox, 100)
    unknown = sandbox.catalog_info()["examples"]["reccobeats_unknown_track_ids"]
    client = ReccoBeatsClient.from_settings(settings_for(sandbox))
    sandbox.reset_stats()
    features = client.audio_features([*ids, *unknown, None, ids[0], "spotify:track:x", "not an id"])
    asked = len(set(ids) | set(unknown))
    assert count(sandbox, ROUTE) == math.ceil(asked / 40)
    assert client.requests.by_endpoint() == {ROUTE: math.ceil(asked / 40)}
    assert not set(unknown) & set(features)
    assert set(features) <= set(ids) and len(features) >= 0.7 * len(ids)
    one = next(iter(features.values()))
    assert one.time_signature is None and one.duration_ms is None
    assert one.tempo is not None and one.key is not None and 0 <= one.energy <= 1


def test_numbers_differ_slightly_from_spotifys(legacy_sandbox):
    ids = catalog_track_ids(legacy_sandbox, 40)
    spotify = app_client(settings_for(legacy_sandbox)).audio_features(ids)
    recco = ReccoBeatsClient.from_settings(settings_for(legacy_sandbox)).audio_features(ids)
    both = set(spotify) & set(recco)
    assert both
    diffs = [abs(spotify[i].energy - recco[i].energy) for i in both]
    assert max(diffs) < 0.2 and any(d > 0 for d in diffs)


def test_429_and_5xx_share_the_spotify_retry_policy(sandbox):
    ids = catalog_track_ids(sandbox, 10)
    sleeps = Sleeps()
    client = ReccoBeatsClient.from_settings(settings_for(sandbox), sleep=sleeps)
    sandbox.set_faults(script=[{"path": "/reccobeats/v1/audio-features", "status": 429, "count": 1, "retry_after": 1},
                               {"path": "/reccobeats/v1/audio-features", "status": 500, "count": 1}])
    assert client.audio_features(ids)
    assert sleeps[0] == 1.0 and len(sleeps) == 2
    sandbox.set_faults(script=[{"path": "/reccobeats/v1/audio-features", "status": 429, "count": 1,
                                "retry_after": 600}])
    with pytest.raises(RateLimited):
        client.audio_features(ids)


def test_unreachable_service_is_a_transient_error():
    sleeps = Sleeps()
    client = ReccoBeatsClient("http://127.0.0.1:9/v1", timeout=2, policy=RetryPolicy(max_retries=1, sleep=sleeps))
    with pytest.raises(UpstreamError) as info:
        client.audio_features(["4uLU6hMCjMI75M1A2tKUQC"])
    assert info.value.status is None and not info.value.permanent and len(sleeps) == 1


def test_href_parsing_and_bad_bodies():
    assert spotify_id_from_href("https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC") == "4uLU6hMCjMI75M1A2tKUQC"
    assert spotify_id_from_href("https://open.spotify.com/intl-de/track/abc") == "abc"
    assert spotify_id_from_href("https://example.com/x") is None and spotify_id_from_href(None) is None
    with pytest.raises(UpstreamError, match="content"):
        parse_features_response({"items": []}, {"a"})
    twice = {"content": [{"href": "https://open.spotify.com/track/a", "energy": 0.1},
                         {"href": "https://open.spotify.com/track/a", "energy": 0.9},
                         {"href": "https://open.spotify.com/track/zzz", "energy": 0.5}]}
    assert parse_features_response(twice, {"a"})["a"].energy == 0.1
