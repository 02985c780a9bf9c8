"""The sandbox's normal answers conform to an independent description of Spotify's Web API.

Every GET route the sandbox serves is called over HTTP, in both profiles, with ordinary inputs,
and each 2xx body is validated against the response schema of the matching operation in
sonallux/spotify-web-api's `fixed-spotify-open-api.yml` (vendored under tests/data/spotify-openapi,
applied as `spotify_openapi` explains). Endpoints that development-mode apps lost answer 403/404 in
devmode-2026 instead; those are exactly the operations the description marks deprecated.

Not asked for here, because the description has no room for them although Spotify sends them:
`null` entries (playlist items, search results, category playlists: see the fault knobs and
docs/sandbox.md) and 204 from currently-playing (not among the operation's responses).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from genrelens.core.sandbox.webapi import ROUTES
from tests.conftest_sandbox import SandboxHandle
from tests.core.sandbox.spotify_openapi import (
    SPEC_COMMIT,
    SPEC_PATH,
    SPEC_SHA256,
    NonConformingResponse,
    check,
    openapi_for,
    operation_deprecated,
    spec_for,
)

#: Shares of playlist items turned into local files and episodes, so those shapes are checked too.
ODD_ITEMS = {"local_items": 0.25, "episode_items": 0.25}


@dataclass(frozen=True)
class World:
    """Ids a request needs, found through the sandbox's controls and its own API."""

    track_ids: list[str]
    album_id: str
    artist_ids: list[str]
    category_id: str
    own_playlist: str
    foreign_playlist: str


@dataclass(frozen=True)
class Case:
    """One GET call: the sandbox's route, the description's path, how to make the URL."""

    template: str
    spec_path: str
    path: Callable[[World], str]
    params: Callable[[World], dict[str, Any]] = lambda world: {}
    app_token: bool = False  # client credentials instead of ann's user token
    devmode_status: int | None = None  # what devmode-2026 answers instead of 200
    faults: dict[str, Any] = field(default_factory=dict)
    name: str = ""

    @property
    def id(self) -> str:
        return self.name or self.template.removeprefix("/v1/")


def _ids(world: World) -> dict[str, Any]:
    return {"ids": ",".join(world.track_ids)}


CASES = (
    Case("/v1/search", "/search", lambda w: "search", app_token=True,
         params=lambda w: {"q": "love", "type": "track,artist,album,playlist"}),
    Case("/v1/me", "/me", lambda w: "me"),
    Case("/v1/me/player/currently-playing", "/me/player/currently-playing",
         lambda w: "me/player/currently-playing", params=lambda w: {"additional_types": "track,episode"}),
    Case("/v1/me/player/recently-played", "/me/player/recently-played",
         lambda w: "me/player/recently-played", params=lambda w: {"limit": 50}),
    Case("/v1/me/top/{type}", "/me/top/tracks", lambda w: "me/top/tracks", name="me/top/tracks",
         params=lambda w: {"time_range": "short_term", "limit": 50}),
    Case("/v1/me/top/{type}", "/me/top/artists", lambda w: "me/top/artists", name="me/top/artists",
         params=lambda w: {"limit": 50}),
    Case("/v1/me/tracks", "/me/tracks", lambda w: "me/tracks", params=lambda w: {"limit": 50, "market": "US"}),
    Case("/v1/me/playlists", "/me/playlists", lambda w: "me/playlists", params=lambda w: {"limit": 50}),
    Case("/v1/browse/categories", "/browse/categories", lambda w: "browse/categories",
         params=lambda w: {"limit": 50}, devmode_status=404),
    Case("/v1/browse/categories/{id}", "/browse/categories/{category_id}",
         lambda w: f"browse/categories/{w.category_id}", devmode_status=404),
    Case("/v1/browse/categories/{id}/playlists", "/browse/categories/{category_id}/playlists",
         lambda w: f"browse/categories/{w.category_id}/playlists", devmode_status=404),
    Case("/v1/playlists/{id}", "/playlists/{playlist_id}", lambda w: f"playlists/{w.own_playlist}",
         name="playlists/{own}", params=lambda w: {"additional_types": "track,episode"}, faults=ODD_ITEMS),
    Case("/v1/playlists/{id}", "/playlists/{playlist_id}", lambda w: f"playlists/{w.foreign_playlist}",
         name="playlists/{foreign}"),
    Case("/v1/playlists/{id}/items", "/playlists/{playlist_id}/items",
         lambda w: f"playlists/{w.own_playlist}/items", faults=ODD_ITEMS,
         params=lambda w: {"additional_types": "track,episode", "market": "US"}),
    Case("/v1/playlists/{id}/tracks", "/playlists/{playlist_id}/tracks",
         lambda w: f"playlists/{w.own_playlist}/tracks", devmode_status=403, faults=ODD_ITEMS,
         params=lambda w: {"additional_types": "track,episode"}),
    Case("/v1/albums/{id}", "/albums/{id}", lambda w: f"albums/{w.album_id}"),
    Case("/v1/albums/{id}/tracks", "/albums/{id}/tracks", lambda w: f"albums/{w.album_id}/tracks",
         params=lambda w: {"market": "US"}),
    Case("/v1/tracks", "/tracks", lambda w: "tracks", devmode_status=403,
         params=lambda w: {"ids": ",".join(w.track_ids[:50])}),
    Case("/v1/tracks/{id}", "/tracks/{id}", lambda w: f"tracks/{w.track_ids[0]}", params=lambda w: {"market": "US"}),
    Case("/v1/artists", "/artists", lambda w: "artists", devmode_status=403,
         params=lambda w: {"ids": ",".join(w.artist_ids)}),
    Case("/v1/artists/{id}", "/artists/{id}", lambda w: f"artists/{w.artist_ids[0]}"),
    Case("/v1/audio-features", "/audio-features", lambda w: "audio-features", params=_ids, devmode_status=403),
    Case("/v1/audio-features/{id}", "/audio-features/{id}", lambda w: f"audio-features/{w.track_ids[0]}",
         devmode_status=403),
    Case("/v1/audio-analysis/{id}", "/audio-analysis/{id}", lambda w: f"audio-analysis/{w.track_ids[0]}",
         devmode_status=403),
)


@pytest.fixture(params=["legacy_sandbox", "devmode_sandbox"], ids=["legacy", "devmode"])
def sandbox(request: pytest.FixtureRequest) -> SandboxHandle:
    handle: SandboxHandle = request.getfixturevalue(request.param)
    return handle


_WORLDS: dict[str, World] = {}


def world_of(sandbox: SandboxHandle, token: str) -> World:
    """The same for every test of one sandbox process: its catalog never changes."""
    if sandbox.base_url not in _WORLDS:
        _WORLDS[sandbox.base_url] = _find_world(sandbox, token)
    return _WORLDS[sandbox.base_url]


def _find_world(sandbox: SandboxHandle, token: str) -> World:
    examples = sandbox.catalog_info()["examples"]
    users = {u["id"]: u for u in sandbox.users()}
    # ann's longest own playlist spans several pages, so odd items surely land on the first
    own = max(users["ann"]["owns"], key=lambda p: _get(sandbox, f"playlists/{p}", token).json()["items"]["total"])
    found = _get(sandbox, "search", token, q="hits", type="playlist", limit=10).json()["playlists"]["items"]
    foreign = next(p["id"] for p in found if p and p["owner"]["id"] not in ("ann", "spotify"))
    liked = [_get(sandbox, "me/tracks", token, limit=50, offset=offset).json()["items"] for offset in (0, 50)]
    return World(
        # 100 tracks, the most audio-features takes at once, so rarer values get checked too
        track_ids=[entry["track"]["id"] for page in liked for entry in page],
        album_id=examples["album_ids"][0],
        artist_ids=examples["artist_ids"],
        category_id=_plain_category(sandbox, token) if sandbox.profile == "legacy" else examples["category_ids"][0],
        own_playlist=own,
        foreign_playlist=foreign,
    )


def _plain_category(sandbox: SandboxHandle, token: str) -> str:
    """A category without the null playlist entries Spotify sometimes sends (see the docstring)."""
    categories = _get(sandbox, "browse/categories", token, limit=50).json()["categories"]["items"]
    for category in reversed(categories):
        playlists = _get(sandbox, f"browse/categories/{category['id']}/playlists", token, limit=50).json()
        if None not in playlists["playlists"]["items"]:
            return str(category["id"])
    raise AssertionError("every category has null playlist entries")


def _get(sandbox: SandboxHandle, path: str, token: str, **params: Any) -> requests.Response:
    url = path if path.startswith("http") else sandbox.api_base + path
    return requests.get(url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_every_route_the_sandbox_serves_has_a_case() -> None:
    assert {case.template for case in CASES} == {template for template, _ in ROUTES}


def test_the_description_is_the_vendored_one_unchanged_with_its_errata_applied_on_load() -> None:
    assert hashlib.sha256(SPEC_PATH.read_bytes()).hexdigest() == SPEC_SHA256
    readme = (SPEC_PATH.parent / "README.md").read_text(encoding="utf-8")
    assert SPEC_COMMIT in readme and SPEC_SHA256 in readme
    spec = spec_for("legacy", "http://127.0.0.1:1/v1/")
    assert spec["info"]["version"] == "2026.5.31"
    assert spec["servers"] == [{"url": "http://127.0.0.1:1/v1"}]
    mapping = spec["components"]["schemas"]["PlaylistTrackObject"]["properties"]["item"]["discriminator"]["mapping"]
    assert mapping == {"track": "#/components/schemas/PlaylistTrackOrLocalObject",
                       "episode": "#/components/schemas/EpisodeObject"}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_answers_conform_to_the_openapi_description(sandbox: SandboxHandle, case: Case) -> None:
    user_token = sandbox.user_token("ann")["access_token"]
    world = world_of(sandbox, user_token)
    if case.faults:
        sandbox.set_faults(**case.faults)
    token = sandbox.client_token() if case.app_token else user_token
    response = _get(sandbox, case.path(world), token, **case.params(world))
    refused = sandbox.profile == "devmode-2026" and case.devmode_status is not None
    # what dev mode refuses is what the description deprecates, and nothing else
    assert operation_deprecated(case.spec_path) is (case.devmode_status is not None)
    if refused:
        assert response.status_code == case.devmode_status, response.text[:300]
        return
    assert response.status_code == 200, response.text[:300]
    check(openapi_for(sandbox.profile, sandbox.api_base), response)
    if case.faults:
        _assert_odd_items_were_checked(response.json())


def _assert_odd_items_were_checked(body: dict[str, Any]) -> None:
    page = body["items"] if isinstance(body["items"], dict) else body  # a playlist nests its first page
    kinds = {"local" if entry["is_local"] else entry["item"]["type"] for entry in page["items"]}
    assert kinds == {"local", "episode", "track"}, kinds


def test_a_deprecated_field_in_devmode_is_reported(devmode_sandbox: SandboxHandle) -> None:
    """The checker itself: a real dev-mode album with `label` added fails, and says where."""
    token = devmode_sandbox.user_token("ann")["access_token"]
    album = devmode_sandbox.catalog_info()["examples"]["album_ids"][0]
    response = _get(devmode_sandbox, f"albums/{album}", token)
    openapi = openapi_for("devmode-2026", devmode_sandbox.api_base)
    check(openapi, response)
    with pytest.raises(NonConformingResponse, match="at label: deprecated field sent to a dev-mode app"):
        check(openapi, response, body={**response.json(), "label": "Sandbox Records"})


def test_a_local_file_is_held_to_the_track_schema_except_its_nulls(legacy_sandbox: SandboxHandle) -> None:
    """The checker itself: the local-file erratum keeps checking required album fields."""
    token = legacy_sandbox.user_token("ann")["access_token"]
    own = next(u for u in legacy_sandbox.users() if u["id"] == "ann")["owns"][0]
    legacy_sandbox.set_faults(local_items=1.0)
    response = _get(legacy_sandbox, f"playlists/{own}/items", token)
    openapi = openapi_for("legacy", legacy_sandbox.api_base)
    check(openapi, response)
    body = response.json()
    assert all(entry["item"]["id"] is None for entry in body["items"])
    for entry in body["items"]:
        del entry["item"]["album"]["total_tracks"]
    with pytest.raises(NonConformingResponse, match=r"at items/\*/item/album: 'total_tracks' is a required"):
        check(openapi, response, body=body)
