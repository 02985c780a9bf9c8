"""The Spotify Web API as genrelens uses it: typed calls, paging, batching, one retry policy.

Build a client with `app_client(settings)` (client credentials) or
`user_client(settings, cache_handler)` (the user's own token). Every call goes through spotipy
2.26.0 pointed at `settings.api_base`, with spotipy's own retries off (a plain session without a
retry adapter, spotify-api-2026.md §2.3) and our `RetryPolicy` around each request.

Errors callers see: `RateLimited`, `ReauthRequired`, `EndpointRestricted` (the app may not use
this endpoint; remembered in `client.capabilities`), and `UpstreamError` for anything else.

Safe to share between threads: spotipy keeps no per-call state, requests' connection pool is
thread-safe, and the capability record and request counter are guarded by locks.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal, TypeVar

import requests
import spotipy
from spotipy.cache_handler import CacheHandler, MemoryCacheHandler
from spotipy.exceptions import SpotifyException
from spotipy.oauth2 import SpotifyOauthError

from genrelens.core.errors import EndpointRestricted, ReauthRequired, UpstreamError
from genrelens.core.spotify.auth import AppAuth, UserAuth, UserPkceAuth, make_user_auth, oauth_error
from genrelens.core.spotify.capabilities import DEVMODE_SEARCH_LIMIT, Capabilities
from genrelens.core.spotify.models import (
    Album,
    Artist,
    Category,
    MalformedResponse,
    NowPlaying,
    Playlist,
    PlaylistItem,
    RecentPlay,
    SavedTrack,
    SkipCounts,
    Track,
    User,
    parse_album,
    parse_artist,
    parse_audio_features,
    parse_category,
    parse_now_playing,
    parse_paging,
    parse_playlist,
    parse_playlist_item,
    parse_recent_play,
    parse_saved_track,
    parse_track,
    parse_user,
    playable_track,
)
from genrelens.core.spotify.retry import RetryPolicy, parse_retry_after
from genrelens.core.spotify.settings import SpotifySettings
from genrelens.core.spotify.wire import CountingSession, RequestCounter
from genrelens.core.types import AudioFeatures

T = TypeVar("T")
# spotipy logs every HTTP error at ERROR before we decide it was expected (a 403 we degrade on, a
# 429 we wait out); without a handler Python's last-resort handler would print those to stderr.
# A NullHandler silences that fallback while an app's own logging config still receives them.
logging.getLogger("spotipy").addHandler(logging.NullHandler())
TimeRange = Literal["short_term", "medium_term", "long_term"]
SearchKind = Literal["track", "artist", "album", "playlist"]

TIME_RANGES: tuple[str, ...] = ("short_term", "medium_term", "long_term")
#: documented maxima per request (spotify-api-2026.md §2.7)
PAGE_LIMIT = 50
TRACKS_BATCH = 50
ARTISTS_BATCH = 50
AUDIO_FEATURES_BATCH = 100
#: recently-played answers at most 50 plays per request, and Spotify keeps only the last 50
RECENT_MAX = 50
#: Spotify refuses search offsets above 1000
SEARCH_OFFSET_MAX = 1000
#: statuses with which Spotify closes an endpoint to an app (2024/2026 restrictions)
_RESTRICTED = (403, 404)


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def unique_ids(ids: Iterable[str | None]) -> list[str]:
    """Drop None/empty ids (local files) and duplicates, keeping first-seen order.

    spotipy crashes inside `re.search` on a None id (spotipy#1156), so they never reach it.
    """
    seen: dict[str, None] = {}
    for track_id in ids:
        if track_id:
            seen.setdefault(track_id, None)
    return list(seen)


class SpotifyClient:
    """Typed access to the Spotify Web API for one app (and optionally one user)."""

    def __init__(
        self,
        *,
        settings: SpotifySettings,
        auth: AppAuth | UserAuth | UserPkceAuth,
        session: CountingSession,
        policy: RetryPolicy,
        capabilities: Capabilities | None = None,
    ) -> None:
        self.settings = settings
        self._auth = auth
        self._session = session
        self._policy = policy
        # retries=0 as a second safety: with our own session spotipy mounts no retry adapter anyway
        self._sp = spotipy.Spotify(
            auth_manager=auth,
            requests_session=session,
            requests_timeout=settings.timeout,
            retries=0,
            status_retries=0,
        )
        self._sp.prefix = settings.api_prefix
        self._caps = capabilities or Capabilities()
        self._lock = threading.Lock()
        # token refreshes: when N threads see the same expired token, one refreshes and the rest
        # just retry; the generation tells a thread whether a refresh happened after it sent
        self._refresh_lock = threading.Lock()
        self._token_generation = 0
        self._sent_with = threading.local()
        self._forbidden_playlists: set[str] = set()
        self._user_id: str | None = None
        self._me_lock = threading.Lock()

    # -- bookkeeping ---------------------------------------------------------------------------

    @property
    def is_app(self) -> bool:
        """True for client-credentials clients, which have no user and own no playlists."""
        return isinstance(self._auth, AppAuth)

    @property
    def capabilities(self) -> Capabilities:
        with self._lock:
            return self._caps

    @property
    def requests(self) -> RequestCounter:
        """HTTP requests sent upstream, by endpoint template (token requests and retries included)."""
        return self._session.counter

    def _learn(self, **changes: Any) -> None:
        with self._lock:
            current = self._caps
            updated = dataclasses.replace(current, **changes)
            if updated != current:
                self._caps = updated

    def _require(self, capability: str, endpoint: str) -> None:
        if self.capabilities.closed(capability):
            raise EndpointRestricted(endpoint)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> SpotifyClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- one request -----------------------------------------------------------------------------

    def _call(self, endpoint: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One spotipy call under the retry policy, with spotipy's exceptions translated to ours."""

        def attempt() -> Any:
            self._sent_with.generation = self._token_generation
            try:
                return fn(*args, **kwargs)
            except SpotifyException as exc:
                raise _failure(endpoint, exc) from exc
            except SpotifyOauthError as exc:
                raise oauth_error(exc, endpoint) from exc
            except requests.RequestException as exc:
                raise UpstreamError(f"{endpoint}: {exc}", status=None, endpoint=endpoint) from exc

        return self._policy.run(endpoint, attempt, refresh=self._refresh)

    def _refresh(self) -> None:
        sent_with = getattr(self._sent_with, "generation", -1)
        with self._refresh_lock:
            if self._token_generation != sent_with:
                return  # another thread already replaced the token this request was sent with
            self._force_refresh()
            self._token_generation += 1

    def _force_refresh(self) -> None:
        try:
            self._auth.force_refresh()
        except SpotifyOauthError as exc:
            raise oauth_error(exc, "token refresh") from exc
        except requests.RequestException as exc:
            raise UpstreamError(f"token refresh: {exc}", status=None, endpoint="accounts/api/token") from exc

    def _pages(self, endpoint: str, first: Any, key: str | None) -> Iterator[list[Any]]:
        """Item lists of `first` and of every page after it, following the absolute `next` URLs."""
        page = first
        while page is not None:
            body = page[key] if key and isinstance(page, dict) and key in page else page
            items, nxt, _total = parse_paging(body, endpoint)
            yield items
            if nxt is None:
                return
            page = self._call(endpoint, self._sp.next, body)

    def _collect(self, endpoint: str, first: Any, key: str | None, max_items: int | None) -> list[Any]:
        out: list[Any] = []
        for items in self._pages(endpoint, first, key):
            out.extend(items)
            if max_items is not None and len(out) >= max_items:
                return out[:max_items]
        return out

    # -- user ------------------------------------------------------------------------------------

    def me(self) -> User:
        user = parse_user(self._call("me", self._sp.me))
        self._user_id = user.id
        return user

    def now_playing(self) -> NowPlaying | None:
        """What the user is listening to; None when nothing plays (Spotify answers 204)."""
        body = self._call("me/player/currently-playing", self._sp.currently_playing, additional_types="track,episode")
        return parse_now_playing(body)

    def recently_played(self, *, limit: int = RECENT_MAX, before: int | None = None, after: int | None = None
                        ) -> list[RecentPlay]:
        """The user's last plays, newest first (Spotify keeps 50), in one request.

        `before`/`after` are Unix milliseconds (a `RecentPlay.played_at_ms`): plays older than,
        or the `limit` plays just after, that moment. Needs the `user-read-recently-played` scope;
        a token without it (a login from before genrelens asked for it) raises ReauthRequired.
        """
        if not 1 <= limit <= RECENT_MAX:
            raise ValueError(f"limit must be between 1 and {RECENT_MAX}, got {limit}")
        if before is not None and after is not None:
            raise ValueError("give before or after, not both")
        endpoint = "me/player/recently-played"
        try:
            body = self._call(endpoint, self._sp.current_user_recently_played, limit=limit, before=before, after=after)
        except UpstreamError as exc:
            if exc.status == 403 and not self.is_app:
                raise ReauthRequired("Spotify refused the listening history: log in again to grant "
                                     "user-read-recently-played") from exc
            raise
        rows, _next, _total = parse_paging(body, endpoint)
        skipped = SkipCounts()
        return [p for p in (parse_recent_play(row, skipped) for row in rows) if p is not None]

    def top_tracks(self, time_range: TimeRange = "medium_term", *, max_items: int | None = None) -> list[Track]:
        if time_range not in TIME_RANGES:
            raise ValueError(f"time_range must be one of {', '.join(TIME_RANGES)}, got {time_range!r}")
        first = self._call("me/top/tracks", self._sp.current_user_top_tracks, limit=PAGE_LIMIT, time_range=time_range)
        skipped = SkipCounts()
        rows = self._collect("me/top/tracks", first, None, max_items)
        return [t for t in (playable_track(row, skipped) for row in rows) if t is not None]

    def saved_tracks(self, *, max_items: int | None = None) -> tuple[list[SavedTrack], SkipCounts]:
        first = self._call("me/tracks", self._sp.current_user_saved_tracks, limit=PAGE_LIMIT)
        skipped = SkipCounts()
        rows = self._collect("me/tracks", first, None, max_items)
        saved = [s for s in (parse_saved_track(row, skipped) for row in rows) if s is not None]
        return saved, skipped

    def saved_tracks_page(self, *, offset: int, limit: int) -> tuple[list[SavedTrack], int]:
        """One slice of the user's liked tracks and how many there are in all.

        Spotify pages hold at most 50, so a slice of `limit` costs ceil(limit / 50) requests,
        whatever its offset: an app can walk 5,000 liked tracks in pages without re-reading the start.
        """
        saved: list[SavedTrack] = []
        total = 0
        skipped = SkipCounts()
        position = offset
        while position < offset + limit:
            size = min(PAGE_LIMIT, offset + limit - position)
            body = self._call("me/tracks", self._sp.current_user_saved_tracks, limit=size, offset=position)
            rows, _next, found_total = parse_paging(body, "me/tracks")
            total = found_total if found_total is not None else position + len(rows)
            saved.extend(s for s in (parse_saved_track(row, skipped) for row in rows) if s is not None)
            position += size
            if len(rows) < size or position >= total:
                break
        return saved, total

    # -- search ----------------------------------------------------------------------------------

    def search_tracks(self, query: str, *, max_items: int | None = None) -> list[Track]:
        return [parse_track(row) for row in self._search(query, "track", max_items)]

    def search_artists(self, query: str, *, max_items: int | None = None) -> list[Artist]:
        return [parse_artist(row) for row in self._search(query, "artist", max_items)]

    def search_albums(self, query: str, *, max_items: int | None = None) -> list[Album]:
        return [parse_album(row) for row in self._search(query, "album", max_items)]

    def search_playlists(self, query: str, *, max_items: int | None = None, market: str | None = None
                         ) -> list[Playlist]:
        return [parse_playlist(row) for row in self._search(query, "playlist", max_items, market)]

    def _search(self, query: str, kind: SearchKind, max_items: int | None, market: str | None = None) -> list[Any]:
        """Raw non-null results; paging stops at max_items or Spotify's offset ceiling."""
        if not query.strip():
            raise ValueError("search needs a non-empty query")
        cap = SEARCH_OFFSET_MAX if max_items is None else min(max_items, SEARCH_OFFSET_MAX)
        first = self._search_first(query, kind, cap, market)
        rows: list[Any] = []
        for items in self._pages("search", first, kind + "s"):
            # null entries appear for market-restricted content and in playlist results (doc §3)
            rows.extend(row for row in items if row is not None)
            if len(rows) >= cap or not items:
                break
        return rows[:cap]

    def _search_first(self, query: str, kind: SearchKind, cap: int, market: str | None = None) -> Any:
        limit = max(1, min(self.capabilities.search_limit, cap))
        try:
            return self._call("search", self._sp.search, q=query, limit=limit, offset=0, type=kind, market=market)
        except UpstreamError as exc:
            # dev-mode apps (Feb 2026) get 400 "Invalid limit" above 10: learn it once, then ask again
            if exc.status == 400 and "limit" in str(exc).lower() and limit > DEVMODE_SEARCH_LIMIT:
                self._learn(search_limit=DEVMODE_SEARCH_LIMIT)
                return self._call("search", self._sp.search, q=query, limit=DEVMODE_SEARCH_LIMIT, offset=0,
                                  type=kind, market=market)
            raise

    # -- browse ----------------------------------------------------------------------------------

    def categories(self, *, max_items: int | None = None) -> list[Category]:
        endpoint = "browse/categories"
        self._require("categories", endpoint)
        first = self._restricted_call("categories", endpoint, self._sp.categories, limit=PAGE_LIMIT)
        rows = self._collect(endpoint, first, "categories", max_items)
        return [parse_category(row) for row in rows if row is not None]

    def category_playlists(self, category_id: str, *, max_items: int | None = None) -> list[Playlist]:
        """Playlists of a category; null entries (seen in the wild) are dropped."""
        endpoint = "browse/categories/{id}/playlists"
        self._require("category_playlists", endpoint)
        first = self._restricted_call(
            "category_playlists", endpoint, self._sp.category_playlists, category_id=category_id, limit=PAGE_LIMIT
        )
        rows = self._collect(endpoint, first, "playlists", max_items)
        return [parse_playlist(row) for row in rows if row is not None]

    def _restricted_call(self, capability: str, endpoint: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """A call to an endpoint Spotify may have closed for this app: a 403/404 closes it for good."""
        try:
            body = self._call(endpoint, fn, **kwargs)
        except UpstreamError as exc:
            if exc.status in _RESTRICTED:
                self._learn(**{capability: False})
                raise EndpointRestricted(endpoint, exc.status) from exc
            raise
        self._learn(**{capability: True})
        return body

    # -- playlists -------------------------------------------------------------------------------

    def playlist(self, playlist_id: str) -> Playlist:
        """Playlist metadata. A 404 is an unknown or (dev mode) Spotify-owned playlist: UpstreamError."""
        return parse_playlist(self._call("playlists/{id}", self._sp.playlist, playlist_id, fields=None))

    def user_playlists(self, *, max_items: int | None = None) -> list[Playlist]:
        """The current user's own and followed playlists (GET /me/playlists)."""
        first = self._call("me/playlists", self._sp.current_user_playlists, limit=PAGE_LIMIT)
        rows = self._collect("me/playlists", first, None, max_items)
        return [parse_playlist(row) for row in rows if row is not None]

    def playlist_items(
        self, playlist: str | Playlist, *, max_items: int | None = None
    ) -> tuple[list[PlaylistItem], SkipCounts]:
        """Tracks of a playlist, skipping (and counting) null entries, local files and episodes.

        Dev-mode apps may only read playlists the user owns or collaborates on. Once a 403 was
        seen, a playlist known not to be the user's (a `Playlist` record, or any playlist for an
        app-level client) is refused without asking; a bare id is still tried, as it may be theirs.
        """
        pid = playlist.id if isinstance(playlist, Playlist) else playlist
        endpoint = "playlists/{id}/items"
        if self.capabilities.closed("playlist_items_any") and not self._may_read_items(playlist):
            raise EndpointRestricted(endpoint)
        try:
            first = self._call(endpoint, self._sp.playlist_items, pid, limit=PAGE_LIMIT)
        except UpstreamError as exc:
            if exc.status == 403:
                with self._lock:
                    self._forbidden_playlists.add(pid)
                self._learn(playlist_items_any=False)
                raise EndpointRestricted(endpoint, 403) from exc
            raise
        if self.is_app or (isinstance(playlist, Playlist) and not self._is_mine(playlist)):
            self._learn(playlist_items_any=True)
        skipped = SkipCounts()
        rows = self._collect(endpoint, first, None, max_items)
        items = [i for i in (parse_playlist_item(row, skipped) for row in rows) if i is not None]
        return items, skipped

    def _may_read_items(self, playlist: str | Playlist) -> bool:
        pid = playlist.id if isinstance(playlist, Playlist) else playlist
        with self._lock:
            if pid in self._forbidden_playlists:
                return False
        if self.is_app:
            return False
        return self._is_mine(playlist) if isinstance(playlist, Playlist) else True

    def _is_mine(self, playlist: Playlist) -> bool:
        if self.is_app:
            return False
        if self._user_id is None:
            # one /me for the client's lifetime, even when a pool of threads asks at once
            with self._me_lock:
                if self._user_id is None:
                    self.me()
        return playlist.collaborative or playlist.owner_id == self._user_id

    # -- albums, tracks, artists -----------------------------------------------------------------

    def album(self, album_id: str) -> Album:
        return parse_album(self._call("albums/{id}", self._sp.album, album_id))

    def album_tracks(self, album: str | Album, *, max_items: int | None = None) -> list[Track]:
        """Simplified tracks; their album fields come from `album` (pass the record to fill names)."""
        record = album if isinstance(album, Album) else Album(id=album, name="")
        first = self._call("albums/{id}/tracks", self._sp.album_tracks, record.id, limit=PAGE_LIMIT)
        rows = self._collect("albums/{id}/tracks", first, None, max_items)
        return [parse_track(row, album=record) for row in rows if row is not None and row.get("id")]

    def track(self, track_id: str) -> Track | None:
        """One full track by id (one request); None when Spotify does not know it."""
        row = self._single("tracks", self._sp.track, track_id)
        return None if row is None else parse_track(row)

    def tracks(self, ids: Iterable[str | None]) -> list[Track]:
        """Full tracks, 50 per request; one request per id where the batch endpoint is closed."""
        rows = self._lookup(unique_ids(ids), "batch_tracks", "tracks", TRACKS_BATCH, self._sp.tracks, self._sp.track)
        return [parse_track(row) for row in rows]

    def artists(self, ids: Iterable[str | None]) -> list[Artist]:
        """Full artists, 50 per request; one request per id where the batch endpoint is closed."""
        rows = self._lookup(
            unique_ids(ids), "batch_artists", "artists", ARTISTS_BATCH, self._sp.artists, self._sp.artist
        )
        return [parse_artist(row) for row in rows]

    def _lookup(
        self,
        ids: list[str],
        capability: str,
        key: str,
        size: int,
        batch: Callable[[Sequence[str]], Any],
        single: Callable[[str], Any],
    ) -> list[Any]:
        rows: list[Any] = []
        for chunk in chunked(ids, size):
            if not self.capabilities.closed(capability):
                try:
                    body = self._call(f"{key}?ids", batch, list(chunk))
                except UpstreamError as exc:
                    if exc.status not in _RESTRICTED:
                        raise
                    # Feb 2026: dev-mode apps lost the multi-get endpoints; fall back for good
                    self._learn(**{capability: False})
                else:
                    self._learn(**{capability: True})
                    found = body.get(key) if isinstance(body, dict) else None
                    if not isinstance(found, list):
                        raise MalformedResponse(key, f"batch answer without a {key!r} list")
                    rows.extend(row for row in found if row is not None)
                    continue
            rows.extend(row for row in (self._single(key, single, one) for one in chunk) if row is not None)
        return rows

    def _single(self, key: str, single: Callable[[str], Any], one: str) -> Any:
        try:
            return self._call(f"{key}/{{id}}", single, one)
        except UpstreamError as exc:
            if exc.status in (400, 404):
                return None  # unknown id: a batch answer would have had a null here too
            raise

    # -- audio features --------------------------------------------------------------------------

    def audio_features(self, ids: Iterable[str | None]) -> dict[str, AudioFeatures]:
        """Features by track id, 100 ids per request; unknown ids are absent from the result.

        Closed to apps created after 2024-11-27 (403): raises EndpointRestricted, remembered.
        """
        endpoint = "audio-features"
        self._require("audio_features", endpoint)
        found: dict[str, AudioFeatures] = {}
        for chunk in chunked(unique_ids(ids), AUDIO_FEATURES_BATCH):
            rows = self._restricted_call("audio_features", endpoint, _audio_features_raw, sp=self._sp, ids=chunk)
            if not isinstance(rows, list):
                raise MalformedResponse(endpoint, "no audio_features list")
            for row in rows:
                if row is not None:
                    track_id, features = parse_audio_features(row)
                    found[track_id] = features
        return found


def _audio_features_raw(*, sp: spotipy.Spotify, ids: Sequence[str]) -> Any:
    try:
        return sp.audio_features(list(ids))
    except TypeError:
        # spotipy does `"audio_features" in None` on an empty 2xx body
        raise MalformedResponse("audio-features", "empty body") from None


def _failure(endpoint: str, exc: SpotifyException) -> UpstreamError:
    headers = exc.headers or {}
    retry_after = parse_retry_after(headers.get("Retry-After")) if hasattr(headers, "get") else None
    message = str(exc.msg).split("\n")[-1].strip() if exc.msg else ""
    return UpstreamError(
        f"{endpoint}: HTTP {exc.http_status} {message}".strip(),
        status=exc.http_status,
        endpoint=endpoint,
        retry_after=retry_after,
        reason=exc.reason,
    )


# -- factories -------------------------------------------------------------------------------------


def _policy(settings: SpotifySettings, sleep: Callable[[float], None] | None) -> RetryPolicy:
    if sleep is None:
        return RetryPolicy(retry_after_cap=settings.retry_after_cap, max_retries=settings.max_retries)
    return RetryPolicy(retry_after_cap=settings.retry_after_cap, max_retries=settings.max_retries, sleep=sleep)


def app_client(
    settings: SpotifySettings,
    *,
    cache_handler: CacheHandler | None = None,
    capabilities: Capabilities | None = None,
    sleep: Callable[[float], None] | None = None,
) -> SpotifyClient:
    """A client-credentials client (no user): search, catalogue lookups, legacy audio features.

    The app token is cached in `cache_handler` (in memory by default; never a `.cache` file).
    """
    session = CountingSession()
    auth = AppAuth(settings, cache_handler or MemoryCacheHandler(), session)
    return SpotifyClient(
        settings=settings, auth=auth, session=session, policy=_policy(settings, sleep), capabilities=capabilities
    )


def user_client(
    settings: SpotifySettings,
    cache_handler: CacheHandler,
    *,
    scope: str | Iterable[str] | None = None,
    capabilities: Capabilities | None = None,
    sleep: Callable[[float], None] | None = None,
) -> SpotifyClient:
    """A client acting as the user whose token `cache_handler` holds (one handler per user).

    Raises ReauthRequired at once when the handler holds no token (or one lacking `scope`), so
    spotipy never gets the chance to start its interactive login.
    """
    token = cache_handler.get_cached_token()
    if not token or not token.get("access_token"):
        raise ReauthRequired("no Spotify token stored for this user: log in first")
    session = CountingSession()
    auth = make_user_auth(settings, cache_handler, session, scope)
    try:
        valid = auth.validate_token(token)  # refreshes an expired token, so it may go to the network
    except SpotifyOauthError as exc:
        raise oauth_error(exc, "token refresh") from exc
    except requests.RequestException as exc:
        raise UpstreamError(f"token refresh: {exc}", status=None, endpoint="accounts/api/token") from exc
    if valid is None:
        raise ReauthRequired("the stored Spotify token lacks the requested scope: log in again")
    return SpotifyClient(
        settings=settings, auth=auth, session=session, policy=_policy(settings, sleep), capabilities=capabilities
    )
