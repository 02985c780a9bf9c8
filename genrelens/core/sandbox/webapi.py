"""The Spotify Web API under /v1/, in the legacy (2020) and devmode-2026 profiles.

Behaviour follows ../shared/docs/spotify-api-2026.md: paging objects with absolute links, per-endpoint
limits, the 2024/2026 restrictions of development-mode apps, and the error bodies clients see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from genrelens.core.sandbox.analysis import audio_analysis
from genrelens.core.sandbox.catalog import SPOTIFY_USER_ID, TIME_RANGES, Playlist, Track, User, unit_hash
from genrelens.core.sandbox.control import AccessToken
from genrelens.core.sandbox.http import HttpError, Request, Response, Router, json_response
from genrelens.core.sandbox.search import SearchIndex
from genrelens.core.sandbox.shapes import Shapes

if TYPE_CHECKING:
    from genrelens.core.sandbox.app import SandboxApp

SEARCH_TYPES = ("track", "artist", "album", "playlist")
ID_PATTERN = re.compile(r"^[0-9A-Za-z]+$")
INSUFFICIENT_SCOPE = "Insufficient client scope"
MAX_SEARCH_OFFSET = 1000


@dataclass(frozen=True, slots=True)
class Limits:
    default: int
    maximum: int


def _limits(app: SandboxApp) -> dict[str, Limits]:
    # 2020: search 20/50 and playlist tracks 100/100; 2026 dev mode: search 5/10, playlist items 20/50.
    legacy = app.legacy
    return {
        "search": Limits(20, 50) if legacy else Limits(5, 10),
        "playlist_items": Limits(100, 100) if legacy else Limits(20, 50),
        "list": Limits(20, 50),
    }


class WebApi:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.catalog = app.catalog
        self.limits = _limits(app)
        self.index = SearchIndex(app.catalog)

    # --- plumbing -------------------------------------------------------------------------------
    def shapes(self, request: Request) -> Shapes:
        return Shapes(self.catalog, legacy=self.app.legacy, base_url=request.base_url)

    def token(self, request: Request) -> AccessToken:
        header = request.headers.get("authorization", "")
        if not header:
            raise HttpError(401, "No token provided")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise HttpError(400, "Only valid bearer authentication supported")
        info, expired = self.app.state.lookup_access(value.strip())
        if info is None:
            raise HttpError(401, "Invalid access token")
        if expired:
            raise HttpError(401, "The access token expired")
        return info

    def user(self, request: Request, *any_of_scopes: str) -> User:
        """The token's user; client-credentials tokens get 403 like a user token lacking scope."""
        info = self.token(request)
        if info.user_id is None:
            raise HttpError(403, INSUFFICIENT_SCOPE)
        if any_of_scopes and not info.scope.intersection(any_of_scopes):
            raise HttpError(403, INSUFFICIENT_SCOPE)
        return self.catalog.users[info.user_id]

    def page_args(self, request: Request, kind: str) -> tuple[int, int]:
        limits = self.limits[kind]
        limit = _int_param(request, "limit", limits.default, "Invalid limit")
        offset = _int_param(request, "offset", 0, "Invalid offset")
        if not 1 <= limit <= limits.maximum:
            raise HttpError(400, "Invalid limit")
        if offset < 0 or (kind == "search" and offset > MAX_SEARCH_OFFSET):
            raise HttpError(400, "Invalid offset")
        return limit, offset

    def paging(self, request: Request, items: list[Any], total: int, limit: int, offset: int,
               path: str | None = None, max_offset: int | None = None) -> dict[str, Any]:
        """A paging object whose links are absolute and keep every other query parameter.

        With `max_offset` (search), `next` stops where a further offset would be refused, even
        when `total` is larger, as Spotify's does.
        """
        path = path or request.path
        keep = {k: ",".join(v) for k, v in request.params.items() if k not in ("limit", "offset")}

        def link(at: int) -> str:
            return request.url(path, {**keep, "offset": at, "limit": limit})

        return {
            "href": link(offset),
            "items": items,
            "limit": limit,
            "next": link(offset + limit) if offset + limit < total and (
                max_offset is None or offset + limit <= max_offset) else None,
            "offset": offset,
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "total": total,
        }

    def find(self, table: dict[str, Any], item_id: str) -> Any:
        if not ID_PATTERN.match(item_id):
            raise HttpError(400, "Invalid base62 id")
        found = table.get(item_id)
        if found is None:
            raise HttpError(404, "Resource not found")
        return found

    def ids_param(self, request: Request, maximum: int) -> list[str]:
        raw = ",".join(request.params.get("ids", []))
        ids = [i.strip() for i in raw.split(",") if i.strip()]
        if not ids:
            raise HttpError(400, "invalid request")
        if len(ids) > maximum:
            raise HttpError(400, "Too many ids requested")
        return ids

    # --- search ---------------------------------------------------------------------------------
    def search(self, request: Request) -> Response:
        self.token(request)
        query = (request.param("q") or request.param("query") or "").strip()
        if not query:
            raise HttpError(400, "No search query")
        types = [t.strip() for t in (request.param("type") or "").split(",") if t.strip()]
        if not types or any(t not in SEARCH_TYPES for t in types):
            raise HttpError(400, "Bad search type field")
        limit, offset = self.page_args(request, "search")
        shapes = self.shapes(request)
        null_share = self.app.state.null_search_share()
        out = {}
        for kind in types:
            matches = self.index.search(kind, query)
            items: list[dict[str, Any] | None] = []
            for position, item_id in enumerate(matches[offset : offset + limit], start=offset):
                # Spotify's playlist search results sometimes hold nulls; stable per query/position.
                gone = kind == "playlist" and unit_hash("search", query.lower(), position) < null_share
                items.append(None if gone else self._render(shapes, kind, item_id))
            out[f"{kind}s"] = self.paging(request, items, len(matches), limit, offset,
                                          max_offset=MAX_SEARCH_OFFSET)
        return json_response(out)

    def _render(self, shapes: Shapes, kind: str, item_id: str) -> dict[str, Any]:
        if kind == "track":
            return shapes.track(self.catalog.tracks[item_id])
        if kind == "artist":
            return shapes.artist(self.catalog.artists[item_id])
        if kind == "album":
            return shapes.simple_album(self.catalog.albums[item_id])
        return shapes.simple_playlist(self.catalog.playlists[item_id])

    # --- the current user -----------------------------------------------------------------------
    def me(self, request: Request) -> Response:
        return json_response(self.shapes(request).me(self.user(request)))

    def currently_playing(self, request: Request) -> Response:
        user = self.user(request, "user-read-currently-playing", "user-read-playback-state")
        if user.playing is None:
            return Response(204)
        kind, context_id = user.playing
        track_ids = self.catalog.context_tracks(kind, context_id)
        if not track_ids:
            return Response(204)
        now_ms = int(self.app.state.now() * 1000)
        elapsed = now_ms - int(self.app.started * 1000) + user.playing_offset_ms
        track, progress = _position_in(track_ids, self.catalog.tracks, elapsed)
        shapes = self.shapes(request)
        return json_response({
            "timestamp": now_ms,
            "context": shapes.context(kind, context_id),
            "progress_ms": progress,
            "is_playing": True,
            "item": shapes.track(track, request.param("market")),
            "currently_playing_type": "track",
            "actions": {"disallows": {"resuming": True}},
        })

    def recently_played(self, request: Request) -> Response:
        """Cursor paging over the last plays, newest first, as Spotify pages them.

        `before` (ms): the newest `limit` plays older than it; `after` (ms): the `limit` plays
        just after it (still listed newest first). `next` continues in the same direction.
        """
        user = self.user(request, "user-read-recently-played")
        limit = _int_param(request, "limit", 20, "Invalid limit")
        if not 1 <= limit <= self.limits["list"].maximum:
            raise HttpError(400, "Invalid limit")
        before = _int_param(request, "before", -1, "Invalid before cursor")
        after = _int_param(request, "after", -1, "Invalid after cursor")
        if before >= 0 and after >= 0:
            raise HttpError(400, "Only one of before or after may be given")
        if after >= 0:
            newer = [p for p in user.played if p.played_at_ms > after]
            chosen = newer[-limit:]
            more = {"after": chosen[0].played_at_ms} if len(newer) > limit else None
        else:
            older = [p for p in user.played if before < 0 or p.played_at_ms < before]
            chosen = older[:limit]
            more = {"before": chosen[-1].played_at_ms} if len(older) > limit else None
        shapes = self.shapes(request)
        market = request.param("market")
        keep = {k: ",".join(v) for k, v in request.params.items()}
        return json_response({
            "href": request.url(request.path, keep),
            "items": [{"track": shapes.track(self.catalog.tracks[p.track_id], market),
                       "played_at": _iso_ms(p.played_at_ms), "context": shapes.context(*p.context)}
                      for p in chosen],
            "limit": limit,
            "next": request.url(request.path, {**more, "limit": limit}) if more else None,
            # Spotify sends no cursors on an empty page
            "cursors": {"after": str(chosen[0].played_at_ms), "before": str(chosen[-1].played_at_ms)}
            if chosen else None,
        })

    def top(self, request: Request) -> Response:
        user = self.user(request, "user-top-read")
        kind = request.path_args["type"]
        if kind not in ("tracks", "artists"):
            raise HttpError(404, "Service not found")
        time_range = request.param("time_range") or "medium_term"
        if time_range not in TIME_RANGES:
            raise HttpError(400, "Invalid time range")
        limit, offset = self.page_args(request, "list")
        shapes = self.shapes(request)
        track_ids = user.top.get(time_range, [])
        if kind == "tracks":
            items = [shapes.track(self.catalog.tracks[t]) for t in track_ids[offset : offset + limit]]
            return json_response(self.paging(request, items, len(track_ids), limit, offset))
        artist_ids = list(dict.fromkeys(a for t in track_ids for a in self.catalog.tracks[t].artist_ids))
        items = [shapes.artist(self.catalog.artists[a]) for a in artist_ids[offset : offset + limit]]
        return json_response(self.paging(request, items, len(artist_ids), limit, offset))

    def saved_tracks(self, request: Request) -> Response:
        user = self.user(request, "user-library-read")
        limit, offset = self.page_args(request, "list")
        shapes = self.shapes(request)
        market = request.param("market")
        items = [{"added_at": added, "track": shapes.track(self.catalog.tracks[t], market)}
                 for t, added in user.liked[offset : offset + limit]]
        return json_response(self.paging(request, items, len(user.liked), limit, offset))

    def my_playlists(self, request: Request) -> Response:
        info = self.token(request)
        user = self.user(request)
        limit, offset = self.page_args(request, "list")
        visible = [p for p in self.catalog.playlists_of(user.id) if _listable(p, user.id, info.scope)]
        shapes = self.shapes(request)
        items = [shapes.simple_playlist(p) for p in visible[offset : offset + limit]]
        return json_response(self.paging(request, items, len(visible), limit, offset))

    # --- browse ---------------------------------------------------------------------------------
    def _require_categories(self) -> None:
        if not self.app.legacy:
            raise HttpError(404, "Resource not found")

    def categories(self, request: Request) -> Response:
        self.token(request)
        self._require_categories()
        limit, offset = self.page_args(request, "list")
        every = list(self.catalog.categories.values())
        shapes = self.shapes(request)
        items = [shapes.category(c) for c in every[offset : offset + limit]]
        return json_response({"categories": self.paging(request, items, len(every), limit, offset)})

    def category(self, request: Request) -> Response:
        self.token(request)
        self._require_categories()
        category = self.find(self.catalog.categories, request.path_args["id"])
        return json_response(self.shapes(request).category(category))

    def category_playlists(self, request: Request) -> Response:
        self.token(request)
        self._require_categories()
        category = self.find(self.catalog.categories, request.path_args["id"])
        limit, offset = self.page_args(request, "list")
        shapes = self.shapes(request)
        chosen = category.playlist_ids[offset : offset + limit]
        items = [shapes.simple_playlist(self.catalog.playlists[p]) if p else None for p in chosen]
        page = self.paging(request, items, len(category.playlist_ids), limit, offset)
        return json_response({"message": "Popular Playlists", "playlists": page})

    # --- playlists ------------------------------------------------------------------------------
    def _playlist(self, request: Request, info: AccessToken) -> Playlist:
        playlist: Playlist = self.find(self.catalog.playlists, request.path_args["id"])
        if not self.app.legacy and playlist.owner_id == SPOTIFY_USER_ID:
            # Nov 2024: Spotify-owned editorial/algorithmic playlists answer 404 to dev-mode apps.
            raise HttpError(404, "Resource not found")
        if not playlist.public and not _is_member(playlist, info.user_id):
            raise HttpError(404, "Resource not found")
        return playlist

    def _may_read_items(self, playlist: Playlist, info: AccessToken) -> bool:
        return self.app.legacy or _is_member(playlist, info.user_id)

    def playlist(self, request: Request) -> Response:
        info = self.token(request)
        playlist = self._playlist(request, info)
        page = None
        if self._may_read_items(playlist, info):
            limit = self.limits["playlist_items"].maximum
            page = self._items_page(request, playlist, limit, 0, f"/v1/playlists/{playlist.id}/items")
        return json_response(self.shapes(request).playlist(playlist, page))

    def playlist_items(self, request: Request) -> Response:
        info = self.token(request)
        playlist = self._playlist(request, info)
        if not self._may_read_items(playlist, info):
            raise HttpError(403, "Forbidden")
        limit, offset = self.page_args(request, "playlist_items")
        return json_response(self._items_page(request, playlist, limit, offset))

    def playlist_tracks(self, request: Request) -> Response:
        if not self.app.legacy:
            self.token(request)
            # Feb 2026: /tracks was renamed to /items; spotipy 2.25 still calling it got 403 (#1229).
            raise HttpError(403, "Forbidden")
        return self.playlist_items(request)

    def _items_page(self, request: Request, playlist: Playlist, limit: int, offset: int,
                    path: str | None = None) -> dict[str, Any]:
        shapes = self.shapes(request)
        types = set((request.param("additional_types") or "track").split(","))
        shares = self.app.state.item_shares()
        items = [
            self._item(shapes, playlist, position, playlist.track_ids[position], shares, types,
                       request.param("market"))
            for position in range(offset, min(offset + limit, len(playlist.track_ids)))
        ]
        return self.paging(request, items, len(playlist.track_ids), limit, offset, path)

    def _item(self, shapes: Shapes, playlist: Playlist, position: int, track_id: str,
              shares: tuple[float, float, float], types: set[str], market: str | None) -> dict[str, Any]:
        track = self.catalog.tracks[track_id]
        kind = _item_kind(playlist.id, position, shares)
        body: dict[str, Any] | None
        if kind == "null":
            body = None
        elif kind == "local":
            body = shapes.local_track(track)
        elif kind == "episode":
            # Episodes only come back when the client asked for them; otherwise the slot is null.
            body = shapes.episode(playlist.id, position) if "episode" in types else None
        else:
            body = shapes.track(track, market)
        added = datetime.fromisoformat(playlist.added_at.replace("Z", "+00:00")) + timedelta(hours=position)
        return {
            "added_at": added.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "added_by": shapes.user_ref(playlist.owner_id),
            "is_local": kind == "local",
            "primary_color": None,
            # `item` replaced `track` in Feb 2026; both are sent, as the real API does.
            "item": body,
            "track": body,
        }

    # --- albums, tracks, artists, features ------------------------------------------------------
    def album(self, request: Request) -> Response:
        self.token(request)
        album = self.find(self.catalog.albums, request.path_args["id"])
        shapes = self.shapes(request)
        limit = 50
        items = [shapes.simple_track(self.catalog.tracks[t]) for t in album.track_ids[:limit]]
        page = self.paging(request, items, len(album.track_ids), limit, 0, f"/v1/albums/{album.id}/tracks")
        return json_response(shapes.album(album, page))

    def album_tracks(self, request: Request) -> Response:
        self.token(request)
        album = self.find(self.catalog.albums, request.path_args["id"])
        limit, offset = self.page_args(request, "list")
        shapes = self.shapes(request)
        items = [shapes.simple_track(self.catalog.tracks[t], request.param("market"))
                 for t in album.track_ids[offset : offset + limit]]
        return json_response(self.paging(request, items, len(album.track_ids), limit, offset))

    def track(self, request: Request) -> Response:
        self.token(request)
        track = self.find(self.catalog.tracks, request.path_args["id"])
        return json_response(self.shapes(request).track(track, request.param("market")))

    def several_tracks(self, request: Request) -> Response:
        self.token(request)
        self._require_batch()
        shapes = self.shapes(request)
        ids = self.ids_param(request, 50)
        tracks = [self.catalog.tracks.get(i) for i in ids]
        return json_response({"tracks": [shapes.track(t) if t else None for t in tracks]})

    def artist(self, request: Request) -> Response:
        self.token(request)
        return json_response(self.shapes(request).artist(self.find(self.catalog.artists,
                                                                   request.path_args["id"])))

    def several_artists(self, request: Request) -> Response:
        self.token(request)
        self._require_batch()
        shapes = self.shapes(request)
        ids = self.ids_param(request, 50)
        artists = [self.catalog.artists.get(i) for i in ids]
        return json_response({"artists": [shapes.artist(a) if a else None for a in artists]})

    def _require_batch(self) -> None:
        if not self.app.legacy:
            # Feb 2026 removed the several-ids endpoints for dev mode. We answer 403 (what restricted
            # endpoints answer elsewhere); the spec does not say which status Spotify uses.
            raise HttpError(403, "Forbidden")

    def _require_features(self) -> None:
        if not self.app.legacy:
            raise HttpError(403, None)  # Spotify's body here has no message at all

    def audio_features(self, request: Request) -> Response:
        self.token(request)
        self._require_features()
        shapes = self.shapes(request)
        ids = self.ids_param(request, 100)
        tracks: list[Track | None] = [self.catalog.tracks.get(i) for i in ids]
        return json_response({"audio_features": [shapes.audio_features(t) if t else None for t in tracks]})

    def audio_analysis(self, request: Request) -> Response:
        self.token(request)
        self._require_features()  # closed to dev-mode apps together with audio features (Nov 2024)
        track = self.find(self.catalog.tracks, request.path_args["id"])
        analysis = audio_analysis(track)
        if analysis is None:
            raise HttpError(404, "analysis not found")
        return json_response(analysis)

    def audio_features_one(self, request: Request) -> Response:
        self.token(request)
        self._require_features()
        track = self.find(self.catalog.tracks, request.path_args["id"])
        features = self.shapes(request).audio_features(track)
        if features is None:
            raise HttpError(404, "analysis not found")
        return json_response(features)


def _int_param(request: Request, name: str, default: int, message: str) -> int:
    raw = request.param(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise HttpError(400, message) from None


def _iso_ms(ms: int) -> str:
    """Spotify's played_at: ISO 8601 in UTC with milliseconds, e.g. 2026-11-20T11:58:03.123Z."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _is_member(playlist: Playlist, user_id: str | None) -> bool:
    return user_id is not None and (playlist.owner_id == user_id or user_id in playlist.collaborator_ids)


def _listable(playlist: Playlist, user_id: str, scope: frozenset[str]) -> bool:
    if playlist.collaborative:
        owner_private = playlist.owner_id == user_id and "playlist-read-private" in scope
        return "playlist-read-collaborative" in scope or owner_private
    return playlist.public or "playlist-read-private" in scope


def _item_kind(playlist_id: str, position: int, shares: tuple[float, float, float]) -> str:
    """Stable per (playlist, position), so paging twice gives the same broken items."""
    null, local, episode = shares
    roll = unit_hash("item", playlist_id, position)
    if roll < null:
        return "null"
    if roll < null + local:
        return "local"
    if roll < null + local + episode:
        return "episode"
    return "track"


def _position_in(track_ids: list[str], tracks: dict[str, Track], elapsed_ms: int) -> tuple[Track, int]:
    """Which track of a looping context plays `elapsed_ms` after it started, and how far into it."""
    total = sum(tracks[t].duration_ms for t in track_ids)
    remaining = elapsed_ms % total
    for track_id in track_ids:
        duration = tracks[track_id].duration_ms
        if remaining < duration:
            return tracks[track_id], remaining
        remaining -= duration
    return tracks[track_ids[-1]], 0


#: Every GET route of the Web API and the WebApi method answering it (the conformance test
#: checks that it calls each of them).
ROUTES: tuple[tuple[str, str], ...] = (
    ("/v1/search", "search"),
    ("/v1/me", "me"),
    ("/v1/me/player/currently-playing", "currently_playing"),
    ("/v1/me/player/recently-played", "recently_played"),
    ("/v1/me/top/{type}", "top"),
    ("/v1/me/tracks", "saved_tracks"),
    ("/v1/me/playlists", "my_playlists"),
    ("/v1/browse/categories", "categories"),
    ("/v1/browse/categories/{id}", "category"),
    ("/v1/browse/categories/{id}/playlists", "category_playlists"),
    ("/v1/playlists/{id}", "playlist"),
    ("/v1/playlists/{id}/items", "playlist_items"),
    ("/v1/playlists/{id}/tracks", "playlist_tracks"),
    ("/v1/albums/{id}", "album"),
    ("/v1/albums/{id}/tracks", "album_tracks"),
    ("/v1/tracks", "several_tracks"),
    ("/v1/tracks/{id}", "track"),
    ("/v1/artists", "several_artists"),
    ("/v1/artists/{id}", "artist"),
    ("/v1/audio-features", "audio_features"),
    ("/v1/audio-features/{id}", "audio_features_one"),
    ("/v1/audio-analysis/{id}", "audio_analysis"),
)


def register(router: Router, app: SandboxApp) -> None:
    api = WebApi(app)
    for template, method in ROUTES:
        router.add("GET", template, getattr(api, method))
