"""The blog's endpoints against the real sandbox, in both profiles: data, or a plain 409."""

from __future__ import annotations

import math

import pytest

from genrelens.catalog.models import AudioFeatures
from tests.api.conftest import WebApp

pytestmark = pytest.mark.django_db(transaction=True)

FEATURES = {"danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
            "instrumentalness", "liveness", "valence", "tempo", "duration_ms", "time_signature"}


def assert_track_page(page: dict, *, minimum: int = 1) -> None:
    assert len(page["items"]) >= minimum, page
    for item in page["items"]:
        assert set(item["features"] or {}) in (FEATURES, set())
        assert (item["features"] is None) == (item["feature_source"] is None) == (item["features_note"] is not None)
    assert page["coverage"]["tracks"] == len(page["items"])


def test_every_user_endpoint_answers_with_data_or_a_plain_409(anyweb: WebApp) -> None:
    browser = anyweb.logged_in("ann")
    devmode = anyweb.sandbox.profile == "devmode-2026"
    assert browser.get("/rest/me").json()["user"]["spotify_id"] == "ann"
    for time_range in ("short_term", "medium_term", "long_term"):
        top = browser.get("/rest/toptracks", params={"time_range": time_range, "limit": 20})
        assert top.status_code == 200, top.text
        assert_track_page(top.json())
    liked = browser.get("/rest/likedtracks", params={"limit": 30}).json()
    assert_track_page(liked, minimum=30)
    assert liked["total"] >= 30 and liked["next_offset"] == 30
    second = browser.get("/rest/likedtracks", params={"offset": 30, "limit": 30}).json()
    assert not {i["id"] for i in second["items"]} & {i["id"] for i in liked["items"]}
    # features came through the chain: Spotify's in the 2020 profile, ReccoBeats' in dev mode
    sources = {i["feature_source"] for i in liked["items"] if i["feature_source"]}
    assert sources == ({"reccobeats"} if devmode else {"spotify"})

    categories = browser.get("/rest/categories")
    if devmode:
        assert categories.status_code == 409
        error = categories.json()["error"]
        assert error["code"] == "restricted" and "2026-02-11" in error["details"]["why"]
    else:
        first = categories.json()["items"][0]["id"]
        playlists = browser.get("/rest/playlists", params={"category_id": first}).json()["items"]
        assert playlists
        tracks = browser.get("/rest/playlist_tracks", params={"playlist_id": playlists[0]["id"], "limit": 10})
        assert_track_page(tracks.json())

    mine = browser.get("/rest/myplaylists").json()["items"]
    own = next(p for p in mine if p["is_mine"])
    assert_track_page(browser.get("/rest/playlist_tracks", params={"playlist_id": own["id"]}).json())
    others = [p for p in mine if not p["is_mine"]]
    if devmode and others:
        refused = browser.get("/rest/playlist_tracks", params={"playlist_id": others[0]["id"]})
        assert refused.status_code == 409 and "owns" in refused.json()["error"]["details"]["why"]

    album_id = liked["items"][0]["album_id"]
    assert_track_page(browser.get("/rest/album_tracks", params={"album_id": f"spotify:album:{album_id}"}).json())
    assert browser.checked > 10


def test_search_uses_spotify_when_logged_in_and_pages_of_ten_in_dev_mode(anyweb: WebApp) -> None:
    browser = anyweb.logged_in("ann")
    word = browser.get("/rest/likedtracks", params={"limit": 1}).json()["items"][0]["name"].split()[0]
    before = anyweb.sandbox.stats()["by_endpoint"].get("GET /v1/search", 0)
    found = browser.get("/rest/search", params={"q": word, "type": "track", "limit": 20}).json()
    assert found["source"] == "spotify" and found["tracks"]
    assert found["tracks"][0]["top_genre"] is None or found["tracks"][0]["top_genre"]["probability"] > 0
    searches = anyweb.sandbox.stats()["by_endpoint"]["GET /v1/search"] - before
    # 21 results (20 + one to know there is more): 1 page of 50, or 3 pages of 10 (+1 to learn the limit)
    assert searches <= (4 if anyweb.sandbox.profile == "devmode-2026" else 1)
    for kind in ("artist", "album"):
        answer = browser.get("/rest/search", params={"q": word, "type": kind}).json()
        assert answer["type"] == kind and isinstance(answer[kind + "s"], list)


def test_without_a_login_search_reads_the_imported_catalog(web: WebApp) -> None:
    from genrelens.catalog.models import Track

    Track.objects.create(key="4uLU6hMCjMI75M1A2tKUQC", spotify_id="4uLU6hMCjMI75M1A2tKUQC", name="Never Gonna",
                         artist_names="Rick Astley")
    found = web.browser().get("/rest/search", params={"q": "rick"}).json()
    assert found["source"] == "catalog" and [t["name"] for t in found["tracks"]] == ["Never Gonna"]
    assert found["tracks"][0]["features"] is None and "no provider" in found["tracks"][0]["features_note"]


def test_user_endpoints_without_a_login_say_so(web: WebApp) -> None:
    browser = web.browser()
    for path in ("/rest/toptracks", "/rest/likedtracks", "/rest/nowplaying", "/rest/myplaylists"):
        answer = browser.get(path)
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "not_logged_in", path
        assert answer.json()["error"]["details"]["login_url"] == "/rest/auth/login"


@pytest.mark.parametrize("bad", ["abc", "spotify:album:4uLU6hMCjMI75M1A2tKUQC", "https://evil.example/track/x",
                                 "4uLU6hMCjMI75M1A2tKUQ!"])
def test_ids_that_are_not_spotify_track_ids_are_a_400_naming_the_parameter(web: WebApp, bad: str) -> None:
    answer = web.browser().get("/rest/analysis", params={"track_id": bad})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("track_id:")


@pytest.mark.parametrize("form", ["{id}", "spotify:track:{id}", "https://open.spotify.com/track/{id}?si=abc",
                                  "https://open.spotify.com/intl-de/track/{id}"])
def test_ids_are_accepted_as_base62_uris_or_urls(web: WebApp, form: str) -> None:
    browser = web.logged_in("ann")
    track_id = browser.get("/rest/likedtracks", params={"limit": 1}).json()["items"][0]["id"]
    answer = browser.get("/rest/analysis", params={"track_id": form.format(id=track_id)})
    assert answer.status_code == 200, answer.text
    assert answer.json()["track"]["id"] == track_id


def test_nowplaying_is_204_when_nothing_plays_and_a_beat_estimate_otherwise(web: WebApp) -> None:
    browser = web.logged_in("ann")
    answer = browser.get("/rest/nowplaying")
    assert answer.status_code in (200, 204)
    if answer.status_code == 200:
        body = answer.json()
        assert body["track"]["id"]
        estimate = body["rhythm_estimate"]
        assert estimate is None or abs(estimate["beat_ms"] - 60_000 / estimate["tempo"]) < 1e-6


def test_a_page_of_liked_tracks_asks_for_features_in_batches_not_per_track(web: WebApp) -> None:
    browser = web.logged_in("ann")
    web.sandbox.reset_stats()
    page = browser.get("/rest/likedtracks", params={"limit": 500}).json()
    stats = web.sandbox.stats()["by_endpoint"]
    n = page["total"]
    assert len(page["items"]) == n > 100
    assert stats["GET /v1/me/tracks"] == math.ceil(n / 50)  # pages of 50
    assert stats["GET /v1/audio-features"] == math.ceil(n / 100)  # 100 ids per request
    assert AudioFeatures.objects.filter(source="spotify").count() == n
    web.sandbox.reset_stats()
    browser.get("/rest/likedtracks", params={"limit": 500})
    assert "GET /v1/audio-features" not in web.sandbox.stats()["by_endpoint"]  # already stored
