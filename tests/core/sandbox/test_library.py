"""Remaining Web API routes: user library, now playing, browse, albums, batches, audio features."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from genrelens.core.sandbox.catalog import Track
from genrelens.core.sandbox.webapi import _position_in
from tests.conftest_sandbox import SandboxHandle, user_token


def get(sandbox: SandboxHandle, path: str, token: str, **params: Any) -> requests.Response:
    url = path if path.startswith("http") else sandbox.api_base + path
    return requests.get(url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture
def ann(legacy_sandbox: SandboxHandle) -> str:
    token: str = user_token(legacy_sandbox, user="ann")["access_token"]
    return token


@pytest.fixture
def app_token(legacy_sandbox: SandboxHandle) -> str:
    return legacy_sandbox.client_token()


@pytest.fixture
def examples(legacy_sandbox: SandboxHandle) -> dict[str, Any]:
    result: dict[str, Any] = legacy_sandbox.catalog_info()["examples"]
    return result


def test_idle_user_gets_204_with_an_empty_body(legacy_sandbox):
    cem = user_token(legacy_sandbox, user="cem")["access_token"]
    response = get(legacy_sandbox, "me/player/currently-playing", cem)
    assert response.status_code == 204 and response.content == b""


def test_progress_advances_with_wall_time(legacy_sandbox, ann):
    first = get(legacy_sandbox, "me/player/currently-playing", ann).json()
    time.sleep(0.2)
    second = get(legacy_sandbox, "me/player/currently-playing", ann).json()
    assert first["is_playing"] and first["currently_playing_type"] == "track"
    assert first["context"]["type"] == "playlist"
    if first["item"]["id"] == second["item"]["id"]:
        assert second["progress_ms"] - first["progress_ms"] >= 200
    assert 0 <= second["progress_ms"] < second["item"]["duration_ms"]


def test_the_next_track_plays_when_the_current_one_ends(legacy_sandbox, ann):
    first = get(legacy_sandbox, "me/player/currently-playing", ann).json()
    remaining_s = (first["item"]["duration_ms"] - first["progress_ms"]) / 1000
    legacy_sandbox.advance_clock(remaining_s + 1)
    second = get(legacy_sandbox, "me/player/currently-playing", ann).json()
    assert second["item"]["id"] != first["item"]["id"]
    assert 1000 <= second["progress_ms"] < 5000


def test_position_wraps_into_the_next_track_and_around_the_context():
    tracks = {i: Track(i, i, [], "", duration_ms=1000 * (n + 1), isrc="", popularity=0)
              for n, i in enumerate(("a", "b", "c"))}
    order = ["a", "b", "c"]
    assert _position_in(order, tracks, 500) == (tracks["a"], 500)
    assert _position_in(order, tracks, 1200) == (tracks["b"], 200)
    assert _position_in(order, tracks, 6000 + 2500) == (tracks["b"], 1500)


def test_top_tracks_differ_by_time_range(legacy_sandbox, ann):
    lists = {r: [t["id"] for t in get(legacy_sandbox, "me/top/tracks", ann, time_range=r, limit=50).json()[
        "items"]] for r in ("short_term", "medium_term", "long_term")}
    assert all(len(v) == 50 for v in lists.values())
    assert lists["short_term"] != lists["medium_term"] != lists["long_term"]
    bad = get(legacy_sandbox, "me/top/tracks", ann, time_range="forever")
    assert bad.status_code == 400


def test_saved_tracks_use_the_track_key_with_added_at(legacy_sandbox, ann):
    page = get(legacy_sandbox, "me/tracks", ann, limit=50, offset=100).json()
    assert page["total"] == 120 and len(page["items"]) == 20 and page["next"] is None
    item = page["items"][0]
    assert set(item) == {"added_at", "track"} and item["track"]["type"] == "track"


def test_user_scopes_are_checked(legacy_sandbox):
    narrow = user_token(legacy_sandbox, user="ann", scope="user-read-private")["access_token"]
    response = get(legacy_sandbox, "me/tracks", narrow)
    assert response.status_code == 403
    assert response.json() == {"error": {"status": 403, "message": "Insufficient client scope"}}


def test_my_playlists_list_owned_and_collaborative(legacy_sandbox, ann):
    page = get(legacy_sandbox, "me/playlists", ann, limit=50).json()
    owners = {p["owner"]["id"] for p in page["items"]}
    assert owners == {"ann", "ben"} and any(p["collaborative"] for p in page["items"])


def test_categories_page_and_category_playlists_contain_nulls(legacy_sandbox, app_token):
    page = get(legacy_sandbox, "browse/categories", app_token).json()["categories"]
    assert page["limit"] == 20 and page["total"] > 20 and page["next"]
    pop = next(c for c in page["items"] if c["name"] == "Pop")
    body = get(legacy_sandbox, f"browse/categories/{pop['id']}/playlists", app_token).json()
    assert body["message"] and None in body["playlists"]["items"]
    assert body["playlists"]["total"] == len(body["playlists"]["items"])


def test_album_and_album_tracks(legacy_sandbox, app_token, examples):
    album = get(legacy_sandbox, f"albums/{examples['album_ids'][0]}", app_token).json()
    assert album["release_date_precision"] in ("day", "month", "year")
    assert album["tracks"]["total"] == album["total_tracks"]
    tracks = get(legacy_sandbox, f"albums/{album['id']}/tracks/", app_token).json()
    assert [t["id"] for t in tracks["items"]] == [t["id"] for t in album["tracks"]["items"]][:20]
    assert "album" not in tracks["items"][0] and "popularity" not in tracks["items"][0]


def test_batch_tracks_and_artists_keep_order_and_null_unknown(legacy_sandbox, app_token, examples):
    ids = [*examples["track_ids"][:2], "unknown0000000000000000", examples["track_ids"][2]]
    tracks = get(legacy_sandbox, "tracks/", app_token, ids=",".join(ids)).json()["tracks"]
    assert [t and t["id"] for t in tracks] == [ids[0], ids[1], None, ids[3]]
    too_many = get(legacy_sandbox, "artists/", app_token, ids=",".join(examples["artist_ids"] * 11))
    assert too_many.status_code == 400
    artists = get(legacy_sandbox, "artists", app_token, ids=",".join(examples["artist_ids"])).json()
    assert [a["id"] for a in artists["artists"]] == examples["artist_ids"]
    assert "genres" in artists["artists"][0]


def test_audio_features_keep_order_with_null_slots(legacy_sandbox, app_token, examples):
    ids = [examples["track_ids"][1], "unknown0000000000000000", examples["track_ids"][0]]
    features = get(legacy_sandbox, "audio-features/", app_token, ids=",".join(ids)).json()["audio_features"]
    assert features[1] is None and [features[0]["id"], features[2]["id"]] == [ids[0], ids[2]]
    one = features[0]
    assert 0 <= one["danceability"] <= 1 and isinstance(one["key"], int) and one["type"] == "audio_features"
    assert one["duration_ms"] > 0 and one["time_signature"] in (3, 4, 5)
    assert get(legacy_sandbox, f"audio-features/{ids[0]}", app_token).json() == one
    assert get(legacy_sandbox, "audio-features", app_token, ids=",".join(ids * 34)).status_code == 400


def test_unknown_and_malformed_ids(legacy_sandbox, app_token):
    assert get(legacy_sandbox, "tracks/unknown0000000000000000", app_token).status_code == 404
    response = get(legacy_sandbox, "tracks/not-an-id!", app_token)
    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "message": "Invalid base62 id"}}


def test_unknown_route_is_counted_under_a_placeholder(legacy_sandbox, app_token):
    assert get(legacy_sandbox, "recommendations", app_token).status_code == 404
    assert legacy_sandbox.stats()["by_endpoint"]["GET /v1/<unknown>"] == 1
