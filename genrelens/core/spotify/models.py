"""Typed records for what genrelens reads from the Spotify Web API, with one parser per shape.

Parsers validate just what we use and fail with `UpstreamError` naming the field, so a changed
API shows up as a clear error instead of a KeyError three calls later. Fields Spotify marked
deprecated in 2026 (popularity, genres, followers, country, email, product...) are optional:
dev-mode apps no longer receive them (spotify-api-2026.md §1.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from genrelens.core.errors import UpstreamError
from genrelens.core.types import AudioFeatures, TrackRef

JSON = Mapping[str, Any]


class MalformedResponse(UpstreamError):
    """A 2xx body that does not have the shape Spotify documents."""

    def __init__(self, what: str, detail: str) -> None:
        super().__init__(f"unexpected {what} from the API: {detail}", status=None, endpoint=what)
        # a malformed body will not improve by asking again
        self.permanent = True


# ---------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True, slots=True)
class ArtistRef:
    """A simplified artist as nested in tracks and albums."""

    id: str | None
    name: str


@dataclass(frozen=True, slots=True)
class Artist:
    """https://developer.spotify.com/documentation/web-api/reference/get-an-artist"""

    id: str
    name: str
    genres: tuple[str, ...] = ()
    popularity: int | None = None
    followers: int | None = None


@dataclass(frozen=True, slots=True)
class Album:
    """https://developer.spotify.com/documentation/web-api/reference/get-an-album"""

    id: str
    name: str
    album_type: str = ""
    release_date: str = ""
    release_date_precision: str = ""
    total_tracks: int | None = None
    artists: tuple[ArtistRef, ...] = ()

    @property
    def release_year(self) -> int | None:
        head = self.release_date[:4]
        return int(head) if head.isdigit() else None


@dataclass(frozen=True, slots=True)
class Track:
    """https://developer.spotify.com/documentation/web-api/reference/get-track

    Also holds simplified tracks (album tracks), whose album fields are filled from the album.
    """

    id: str
    name: str
    artists: tuple[ArtistRef, ...]
    duration_ms: int | None
    album_id: str = ""
    album_name: str = ""
    release_date: str = ""
    isrc: str | None = None
    popularity: int | None = None
    explicit: bool = False

    @property
    def artist_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.artists)

    def to_ref(self) -> TrackRef:
        """What a feature provider needs to look this track up."""
        return TrackRef(
            key=self.id,
            spotify_id=self.id,
            title=self.name,
            artists=self.artist_names,
            duration_ms=self.duration_ms,
            isrc=self.isrc,
        )


@dataclass(frozen=True, slots=True)
class User:
    """https://developer.spotify.com/documentation/web-api/reference/get-current-users-profile"""

    id: str
    display_name: str
    account_id: str | None = None
    country: str | None = None
    email: str | None = None
    product: str | None = None


@dataclass(frozen=True, slots=True)
class Playlist:
    """https://developer.spotify.com/documentation/web-api/reference/get-playlist"""

    id: str
    name: str
    owner_id: str
    owner_name: str = ""
    description: str = ""
    collaborative: bool = False
    public: bool | None = None
    total: int | None = None
    snapshot_id: str = ""

    @property
    def owned_by_spotify(self) -> bool:
        return self.owner_id == "spotify"


@dataclass(frozen=True, slots=True)
class PlaylistItem:
    """https://developer.spotify.com/documentation/web-api/reference/get-playlists-items"""

    track: Track
    added_at: str = ""
    added_by: str | None = None


@dataclass(frozen=True, slots=True)
class SavedTrack:
    """https://developer.spotify.com/documentation/web-api/reference/get-users-saved-tracks"""

    track: Track
    added_at: str = ""


@dataclass(frozen=True, slots=True)
class RecentPlay:
    """https://developer.spotify.com/documentation/web-api/reference/get-recently-played

    `played_at` is Spotify's ISO 8601 timestamp; `played_at_ms` the same instant in Unix
    milliseconds, the unit of the endpoint's `before`/`after` cursors.
    """

    track: Track
    played_at: str
    played_at_ms: int
    context_uri: str | None = None
    context_type: str | None = None


@dataclass(frozen=True, slots=True)
class NowPlaying:
    """https://developer.spotify.com/documentation/web-api/reference/get-the-users-currently-playing-track

    `track` is None while an episode or an ad plays (`kind` says which).
    """

    is_playing: bool
    progress_ms: int | None
    kind: str
    track: Track | None
    timestamp: int | None = None
    context_uri: str | None = None


@dataclass(frozen=True, slots=True)
class Category:
    """https://developer.spotify.com/documentation/web-api/reference/get-categories"""

    id: str
    name: str


@dataclass(slots=True)
class SkipCounts:
    """What a list call left out: null entries, local files (id null) and podcast episodes."""

    null: int = 0
    local: int = 0
    episodes: int = 0

    @property
    def total(self) -> int:
        return self.null + self.local + self.episodes

    def add(self, other: SkipCounts) -> None:
        self.null += other.null
        self.local += other.local
        self.episodes += other.episodes


# ---------------------------------------------------------------------------------------------
# field helpers


def _obj(value: Any, what: str) -> JSON:
    if not isinstance(value, Mapping):
        raise MalformedResponse(what, f"expected an object, got {type(value).__name__}")
    return value


def _str(obj: JSON, key: str, what: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise MalformedResponse(what, f"field {key!r} missing or not a string")
    return value


def _opt_str(obj: JSON, key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else None


def _opt_int(obj: JSON, key: str) -> int | None:
    value = obj.get(key)
    # bool is an int in Python; a true/false here is not a count
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _list(obj: JSON, key: str, what: str) -> list[Any]:
    value = obj.get(key)
    if not isinstance(value, list):
        raise MalformedResponse(what, f"field {key!r} missing or not a list")
    return value


# ---------------------------------------------------------------------------------------------
# parsers, one per shape


def parse_artist_ref(data: Any) -> ArtistRef:
    obj = _obj(data, "artist")
    return ArtistRef(id=_opt_str(obj, "id"), name=_opt_str(obj, "name") or "")


def parse_artist(data: Any) -> Artist:
    obj = _obj(data, "artist")
    genres = obj.get("genres")
    followers = obj.get("followers")
    return Artist(
        id=_str(obj, "id", "artist"),
        name=_opt_str(obj, "name") or "",
        genres=tuple(g for g in genres if isinstance(g, str)) if isinstance(genres, list) else (),
        popularity=_opt_int(obj, "popularity"),
        followers=_opt_int(followers, "total") if isinstance(followers, Mapping) else None,
    )


def parse_album(data: Any) -> Album:
    obj = _obj(data, "album")
    return Album(
        id=_str(obj, "id", "album"),
        name=_opt_str(obj, "name") or "",
        album_type=_opt_str(obj, "album_type") or "",
        release_date=_opt_str(obj, "release_date") or "",
        release_date_precision=_opt_str(obj, "release_date_precision") or "",
        total_tracks=_opt_int(obj, "total_tracks"),
        artists=tuple(parse_artist_ref(a) for a in obj.get("artists") or [] if a is not None),
    )


def parse_track(data: Any, *, album: Album | None = None) -> Track:
    """A full track, or a simplified one (album tracks) when `album` is given."""
    obj = _obj(data, "track")
    nested = obj.get("album")
    album_obj: JSON = nested if isinstance(nested, Mapping) else {}
    external = obj.get("external_ids")
    return Track(
        id=_str(obj, "id", "track"),
        name=_opt_str(obj, "name") or "",
        artists=tuple(parse_artist_ref(a) for a in _list(obj, "artists", "track") if a is not None),
        duration_ms=_opt_int(obj, "duration_ms"),
        album_id=album.id if album else _opt_str(album_obj, "id") or "",
        album_name=album.name if album else _opt_str(album_obj, "name") or "",
        release_date=album.release_date if album else _opt_str(album_obj, "release_date") or "",
        isrc=_opt_str(external, "isrc") if isinstance(external, Mapping) else None,
        popularity=_opt_int(obj, "popularity"),
        explicit=bool(obj.get("explicit", False)),
    )


def parse_user(data: Any) -> User:
    obj = _obj(data, "user")
    return User(
        id=_str(obj, "id", "user"),
        display_name=_opt_str(obj, "display_name") or "",
        account_id=_opt_str(obj, "account_id"),
        country=_opt_str(obj, "country"),
        email=_opt_str(obj, "email"),
        product=_opt_str(obj, "product"),
    )


def parse_playlist(data: Any) -> Playlist:
    """A full or simplified playlist; `items` replaced the deprecated `tracks` summary in 2026."""
    obj = _obj(data, "playlist")
    owner = _obj(obj.get("owner") or {}, "playlist owner")
    summary = obj.get("items") if isinstance(obj.get("items"), Mapping) else obj.get("tracks")
    public = obj.get("public")
    return Playlist(
        id=_str(obj, "id", "playlist"),
        name=_opt_str(obj, "name") or "",
        owner_id=_opt_str(owner, "id") or "",
        owner_name=_opt_str(owner, "display_name") or "",
        description=_opt_str(obj, "description") or "",
        collaborative=bool(obj.get("collaborative", False)),
        public=public if isinstance(public, bool) else None,
        total=_opt_int(summary, "total") if isinstance(summary, Mapping) else None,
        snapshot_id=_opt_str(obj, "snapshot_id") or "",
    )


def parse_category(data: Any) -> Category:
    obj = _obj(data, "category")
    return Category(id=_str(obj, "id", "category"), name=_opt_str(obj, "name") or "")


def playable_track(entry: Any, skipped: SkipCounts) -> Track | None:
    """The track inside a list entry, or None (counted in `skipped`) for null/local/episode entries."""
    if entry is None:
        skipped.null += 1
        return None
    obj = _obj(entry, "track")
    if obj.get("type") == "episode":
        skipped.episodes += 1
        return None
    if obj.get("is_local") or obj.get("id") is None:
        skipped.local += 1
        return None
    return parse_track(obj)


def parse_playlist_item(data: Any, skipped: SkipCounts) -> PlaylistItem | None:
    """Read `item` first (2026 name), then the deprecated `track` duplicate."""
    if data is None:
        skipped.null += 1
        return None
    obj = _obj(data, "playlist item")
    entry = obj["item"] if "item" in obj else obj.get("track")
    if obj.get("is_local") and entry is not None:
        skipped.local += 1
        return None
    track = playable_track(entry, skipped)
    if track is None:
        return None
    added_by = obj.get("added_by")
    return PlaylistItem(
        track=track,
        added_at=_opt_str(obj, "added_at") or "",
        added_by=_opt_str(added_by, "id") if isinstance(added_by, Mapping) else None,
    )


def parse_saved_track(data: Any, skipped: SkipCounts) -> SavedTrack | None:
    """Saved tracks still use `track` (not `item`) in 2026."""
    if data is None:
        skipped.null += 1
        return None
    obj = _obj(data, "saved track")
    track = playable_track(obj.get("track"), skipped)
    return SavedTrack(track=track, added_at=_opt_str(obj, "added_at") or "") if track else None


def parse_recent_play(data: Any, skipped: SkipCounts) -> RecentPlay | None:
    """One play of the listening history; local files and null tracks are counted and skipped."""
    if data is None:
        skipped.null += 1
        return None
    obj = _obj(data, "recently played item")
    track = playable_track(obj.get("track"), skipped)
    if track is None:
        return None
    played_at = _str(obj, "played_at", "recently played item")
    context = obj.get("context")
    return RecentPlay(
        track=track,
        played_at=played_at,
        played_at_ms=_unix_ms(played_at),
        context_uri=_opt_str(context, "uri") if isinstance(context, Mapping) else None,
        context_type=_opt_str(context, "type") if isinstance(context, Mapping) else None,
    )


def _unix_ms(timestamp: str) -> int:
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedResponse("recently played item", f"played_at {timestamp!r} is not ISO 8601") from None
    if moment.tzinfo is None:
        raise MalformedResponse("recently played item", f"played_at {timestamp!r} has no time zone")
    return round(moment.timestamp() * 1000)


def parse_now_playing(data: Any) -> NowPlaying | None:
    """None stands for Spotify's 204: nothing is playing (or no active device)."""
    if data is None:
        return None
    obj = _obj(data, "currently playing")
    item = obj.get("item")
    kind = _opt_str(obj, "currently_playing_type") or "unknown"
    track = None
    if isinstance(item, Mapping) and item.get("type", "track") == "track" and item.get("id"):
        track = parse_track(item)
    context = obj.get("context")
    return NowPlaying(
        is_playing=bool(obj.get("is_playing", False)),
        progress_ms=_opt_int(obj, "progress_ms"),
        kind=kind,
        track=track,
        timestamp=_opt_int(obj, "timestamp"),
        context_uri=_opt_str(context, "uri") if isinstance(context, Mapping) else None,
    )


def parse_audio_features(data: Any) -> tuple[str, AudioFeatures]:
    """https://developer.spotify.com/documentation/web-api/reference/get-several-audio-features"""
    obj = _obj(data, "audio features")
    track_id = _str(obj, "id", "audio features")
    try:
        return track_id, AudioFeatures.from_mapping(obj)
    except (TypeError, ValueError) as exc:
        raise MalformedResponse("audio features", f"{track_id}: {exc}") from None


def parse_paging(data: Any, what: str) -> tuple[list[Any], str | None, int | None]:
    """(items, absolute next URL or None, total) of a paging object."""
    obj = _obj(data, what)
    nxt = obj.get("next")
    return _list(obj, "items", what), nxt if isinstance(nxt, str) and nxt else None, _opt_int(obj, "total")
