"""The devmode-2026 profile: what a new development-mode app gets from Spotify today."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest_sandbox import SandboxHandle, user_token


def get(sandbox: SandboxHandle, path: str, token: str, **params: Any) -> requests.Response:
    url = path if path.startswith("http") else sandbox.api_base + path
    return requests.get(url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture
def ann(devmode_sandbox: SandboxHandle) -> str:
    token: str = user_token(devmode_sandbox, user="ann")["access_token"]
    return token


@pytest.fixture
def examples(devmode_sandbox: SandboxHandle) -> dict[str, Any]:
    result: dict[str, Any] = devmode_sandbox.catalog_info()["examples"]
    return result


def owned_and_foreign(sandbox: SandboxHandle, user: str) -> tuple[str, str]:
    users = {u["id"]: u for u in sandbox.users()}
    owned = users[user]["owns"][0]
    foreign = next(p for u, info in users.items() if u != user for p in info["owns"]
                   if p not in users[user]["collaborates"])
    return owned, foreign


def test_audio_features_are_403_without_a_message(devmode_sandbox, ann, examples):
    ids = ",".join(examples["track_ids"])
    for path in ("audio-features", f"audio-features/{examples['track_ids'][0]}"):
        response = get(devmode_sandbox, path, ann, ids=ids)
        assert response.status_code == 403
        assert response.json() == {"error": {"status": 403}}


def test_categories_and_category_playlists_are_404(devmode_sandbox, ann, examples):
    category = examples["category_ids"][0]
    for path in ("browse/categories", f"browse/categories/{category}", f"browse/categories/{category}/playlists"):
        response = get(devmode_sandbox, path, ann)
        assert response.status_code == 404
        assert response.json() == {"error": {"status": 404, "message": "Resource not found"}}


def test_batch_tracks_and_artists_are_403(devmode_sandbox, ann, examples):
    for path, key in (("tracks/", "track_ids"), ("artists/", "artist_ids")):
        response = get(devmode_sandbox, path, ann, ids=",".join(examples[key]))
        assert response.status_code == 403
        assert response.json() == {"error": {"status": 403, "message": "Forbidden"}}


def test_single_track_and_artist_still_work_without_deprecated_fields(devmode_sandbox, ann, examples):
    track = get(devmode_sandbox, f"tracks/{examples['track_ids'][0]}", ann).json()
    assert track["external_ids"]["isrc"]  # kept by the March 2026 revert
    assert not {"popularity", "preview_url", "available_markets"} & set(track)
    artist = get(devmode_sandbox, f"artists/{examples['artist_ids'][0]}", ann).json()
    assert not {"genres", "popularity", "followers"} & set(artist)


def test_me_drops_the_deprecated_fields(devmode_sandbox, ann):
    me = get(devmode_sandbox, "me", ann).json()
    assert me["id"] == "ann" and me["account_id"]
    assert not {"country", "email", "product", "followers", "explicit_content"} & set(me)


def test_playlist_items_only_for_owned_playlists(devmode_sandbox, ann):
    owned, foreign = owned_and_foreign(devmode_sandbox, "ann")
    page = get(devmode_sandbox, f"playlists/{owned}/items", ann).json()
    assert page["limit"] == 20 and page["items"]
    assert all("item" in i and "track" in i for i in page["items"])
    response = get(devmode_sandbox, f"playlists/{foreign}/items", ann)
    assert response.status_code == 403
    assert response.json() == {"error": {"status": 403, "message": "Forbidden"}}
    # The playlist object itself is readable, without its items ("only available for playlists
    # owned by the current user or [...] a collaborator", says the OpenAPI description).
    playlist = get(devmode_sandbox, f"playlists/{foreign}", ann).json()
    assert playlist["id"] == foreign and "items" not in playlist and "tracks" not in playlist


def test_collaborators_may_read_items(devmode_sandbox, ann):
    users = {u["id"]: u for u in devmode_sandbox.users()}
    shared = users["ann"]["collaborates"][0]
    assert get(devmode_sandbox, f"playlists/{shared}/items", ann).status_code == 200


def test_client_credentials_cannot_read_playlist_items(devmode_sandbox):
    owned, _ = owned_and_foreign(devmode_sandbox, "ann")
    response = get(devmode_sandbox, f"playlists/{owned}/items", devmode_sandbox.client_token())
    assert response.status_code == 403


def test_spotify_owned_playlists_are_404(devmode_sandbox, ann, examples):
    playlist = examples["spotify_owned_playlist_ids"][0]
    for path in (f"playlists/{playlist}", f"playlists/{playlist}/items"):
        response = get(devmode_sandbox, path, ann)
        assert response.status_code == 404
        assert response.json() == {"error": {"status": 404, "message": "Resource not found"}}


def test_legacy_tracks_path_is_gone(devmode_sandbox, ann):
    owned, _ = owned_and_foreign(devmode_sandbox, "ann")
    response = get(devmode_sandbox, f"playlists/{owned}/tracks", ann)
    assert response.status_code == 403


def test_search_limit_is_ten_with_a_default_of_five(devmode_sandbox, ann):
    page = get(devmode_sandbox, "search", ann, q="genre:pop", type="track").json()["tracks"]
    assert page["limit"] == 5 and len(page["items"]) == 5
    assert len(get(devmode_sandbox, "search", ann, q="genre:pop", type="track", limit=10).json()["tracks"][
        "items"]) == 10
    response = get(devmode_sandbox, "search", ann, q="pop", type="track", limit=11)
    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "message": "Invalid limit"}}


def test_items_limit_is_fifty(devmode_sandbox, ann):
    owned, _ = owned_and_foreign(devmode_sandbox, "ann")
    assert get(devmode_sandbox, f"playlists/{owned}/items", ann, limit=50).status_code == 200
    assert get(devmode_sandbox, f"playlists/{owned}/items", ann, limit=51).status_code == 400


def test_the_user_endpoints_still_work(devmode_sandbox, ann):
    assert get(devmode_sandbox, "me/tracks", ann, limit=50).json()["total"] == 120
    assert get(devmode_sandbox, "me/top/tracks", ann, time_range="short_term").json()["items"]
    assert get(devmode_sandbox, "me/playlists", ann).json()["total"] >= 3
