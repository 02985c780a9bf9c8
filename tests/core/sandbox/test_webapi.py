"""The Web API routes over real HTTP against a legacy-profile sandbox subprocess."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest_sandbox import SandboxHandle, user_token


def get(sandbox: SandboxHandle, path: str, token: str, **params: Any) -> requests.Response:
    url = path if path.startswith("http") else sandbox.api_base + path
    return requests.get(url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10)


@pytest.fixture
def app_token(legacy_sandbox: SandboxHandle) -> str:
    return legacy_sandbox.client_token()


@pytest.fixture
def ann(legacy_sandbox: SandboxHandle) -> str:
    token: str = user_token(legacy_sandbox, user="ann")["access_token"]
    return token


def test_search_finds_playlists_named_after_a_subgenre(legacy_sandbox, app_token):
    body = get(legacy_sandbox, "search", app_token, q="Dance Pop", type="playlist", limit=50).json()
    names = [p["name"].lower() for p in body["playlists"]["items"]]
    assert names and all("dance" in n and "pop" in n for n in names)
    assert names[0] == "dance pop"  # the exact name ranks first
    assert body["playlists"]["total"] == len(names)


def test_search_returns_one_paging_object_per_type(legacy_sandbox, app_token):
    body = get(legacy_sandbox, "search", app_token, q="love", type="track,artist,album,playlist").json()
    assert set(body) == {"tracks", "artists", "albums", "playlists"}
    for page in body.values():
        assert {"href", "items", "limit", "next", "offset", "previous", "total"} <= set(page)
        assert page["limit"] == 20  # the 2020 default


def test_search_pages_to_the_end_through_absolute_next_urls(legacy_sandbox, app_token):
    page = get(legacy_sandbox, "search", app_token, q="pop", type="playlist", limit=7).json()["playlists"]
    seen, total = [], page["total"]
    while True:
        seen += [p["id"] for p in page["items"]]
        if not page["next"]:
            break
        assert page["next"].startswith(legacy_sandbox.base_url + "/v1/search?")
        page = get(legacy_sandbox, page["next"], app_token).json()["playlists"]
    assert len(seen) == total == len(set(seen)) and total > 7
    assert page["previous"].startswith(legacy_sandbox.base_url)


def test_limits_above_the_endpoint_maximum_give_spotifys_400(legacy_sandbox, app_token):
    response = get(legacy_sandbox, "search", app_token, q="pop", type="track", limit=51)
    assert response.status_code == 400
    assert response.json() == {"error": {"status": 400, "message": "Invalid limit"}}
    assert get(legacy_sandbox, "search", app_token, q="pop", type="track", limit=50).status_code == 200


def test_playlist_items_page_to_the_last_page_with_item_and_track(legacy_sandbox, app_token):
    playlists = get(legacy_sandbox, "search", app_token, q="mix 2020", type="playlist").json()
    long_one = next(p for p in playlists["playlists"]["items"] if p["items"]["total"] > 100)
    page = get(legacy_sandbox, f"playlists/{long_one['id']}/items", app_token).json()
    assert page["limit"] == 100
    items = []
    while page:
        items += page["items"]
        page = get(legacy_sandbox, page["next"], app_token).json() if page["next"] else None
    assert len(items) == long_one["items"]["total"]
    assert all(i["item"] == i["track"] and i["item"]["type"] == "track" for i in items)
    assert {"added_at", "added_by", "is_local"} <= set(items[0])


def test_me_and_trailing_slash_tolerance(legacy_sandbox, ann):
    me = get(legacy_sandbox, "me/", ann).json()
    assert me["id"] == "ann" and me["display_name"] == "Ann Example"
    assert {"country", "email", "product", "followers"} <= set(me)  # legacy still has them


def test_client_credentials_token_cannot_read_user_endpoints(legacy_sandbox, app_token):
    response = get(legacy_sandbox, "me", app_token)
    assert response.status_code == 403
    assert response.json() == {"error": {"status": 403, "message": "Insufficient client scope"}}


def test_missing_and_unknown_tokens_get_401(legacy_sandbox):
    response = requests.get(legacy_sandbox.api_base + "tracks/abc", timeout=10)
    assert response.status_code == 401
    assert response.json() == {"error": {"status": 401, "message": "No token provided"}}
    response = get(legacy_sandbox, "me", "not-a-token")
    assert response.json() == {"error": {"status": 401, "message": "Invalid access token"}}


def test_search_paging_stops_at_offset_1000_like_spotify(legacy_sandbox, app_token):
    page = get(legacy_sandbox, "search", app_token, q="genre:pop", type="track", limit=50, offset=950).json()[
        "tracks"]
    assert page["total"] > 1000 and page["next"] is not None
    last = get(legacy_sandbox, page["next"], app_token).json()["tracks"]
    assert last["offset"] == 1000 and last["next"] is None
    beyond = get(legacy_sandbox, "search", app_token, q="genre:pop", type="track", offset=1001)
    assert beyond.status_code == 400
