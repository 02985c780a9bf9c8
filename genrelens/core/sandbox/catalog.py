"""The sandbox's in-memory catalog: plain records plus the indexes the routes need.

A catalog is built once at startup (synthetic or from a dataset file) and is read-only afterwards,
so request threads share it without locks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SPOTIFY_USER_ID = "spotify"
TIME_RANGES: tuple[str, ...] = ("short_term", "medium_term", "long_term")


def make_id(*parts: object) -> str:
    """A 22-character base62 id (Spotify's shape) that depends only on `parts`."""
    digest = int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest(), "big")
    chars = []
    for _ in range(22):
        digest, rem = divmod(digest, 62)
        chars.append(BASE62[rem])
    return "".join(chars)


def unit_hash(*parts: object) -> float:
    """A number in [0, 1) that depends only on `parts`: stable per-item decisions without an RNG."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


@dataclass(slots=True)
class Artist:
    id: str
    name: str
    genres: list[str] = field(default_factory=list)
    popularity: int = 0
    followers: int = 0


@dataclass(slots=True)
class Album:
    id: str
    name: str
    artist_ids: list[str]
    release_date: str  # "2019-05-10", "2019-05" or "2019"
    album_type: str = "album"
    track_ids: list[str] = field(default_factory=list)

    @property
    def release_date_precision(self) -> str:
        return {10: "day", 7: "month"}.get(len(self.release_date), "year")


@dataclass(slots=True)
class Track:
    id: str
    name: str
    artist_ids: list[str]
    album_id: str
    duration_ms: int
    isrc: str
    popularity: int
    track_number: int = 1
    explicit: bool = False
    genre: str = ""
    subgenre: str = ""
    #: Spotify's audio features for this track (feature name -> value; None where unknown), or None
    #: when Spotify has none at all.
    features: dict[str, float | None] | None = None


@dataclass(slots=True)
class Playlist:
    id: str
    name: str
    owner_id: str
    track_ids: list[str]
    description: str = ""
    public: bool = True
    collaborative: bool = False
    collaborator_ids: list[str] = field(default_factory=list)
    added_at: str = "2020-05-01T12:00:00Z"

    @property
    def snapshot_id(self) -> str:
        return make_id("snapshot", self.id, len(self.track_ids))


@dataclass(slots=True)
class Category:
    id: str
    name: str
    playlist_ids: list[str | None]  # None: a null entry, as Spotify sometimes sends


@dataclass(frozen=True, slots=True)
class Play:
    """One entry of a user's listening history (GET /me/player/recently-played)."""

    track_id: str
    played_at_ms: int  # Unix time in milliseconds, as the endpoint's cursors count
    context: tuple[str, str]  # ("playlist" or "album", id)


@dataclass(slots=True)
class User:
    id: str
    display_name: str
    email: str = ""
    country: str = "US"
    product: str = "premium"
    followers: int = 0
    is_sandbox_user: bool = True  # False for playlist curators who cannot log in
    liked: list[tuple[str, str]] = field(default_factory=list)  # (track id, added_at), newest first
    top: dict[str, list[str]] = field(default_factory=dict)  # time_range -> track ids
    #: What the user is playing: a context ("playlist"/"album", id) whose tracks loop; None = idle.
    playing: tuple[str, str] | None = None
    #: Where in the context the user was when the sandbox started (ms from the context's start).
    playing_offset_ms: int = 0
    #: The last plays, newest first; Spotify keeps the last 50.
    played: list[Play] = field(default_factory=list)


@dataclass(slots=True)
class Catalog:
    artists: dict[str, Artist] = field(default_factory=dict)
    albums: dict[str, Album] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)
    playlists: dict[str, Playlist] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    source: str = "synthetic"

    def owner_name(self, user_id: str) -> str:
        user = self.users.get(user_id)
        return user.display_name if user else user_id

    def sandbox_users(self) -> list[User]:
        return [u for u in self.users.values() if u.is_sandbox_user]

    def playlists_of(self, user_id: str) -> list[Playlist]:
        """Playlists a user owns or collaborates on (what /me/playlists lists)."""
        return [
            p for p in self.playlists.values() if p.owner_id == user_id or user_id in p.collaborator_ids
        ]

    def context_tracks(self, kind: str, context_id: str) -> list[str]:
        if kind == "playlist":
            return self.playlists[context_id].track_ids
        return self.albums[context_id].track_ids

    def counts(self) -> dict[str, int]:
        return {
            "artists": len(self.artists),
            "albums": len(self.albums),
            "tracks": len(self.tracks),
            "playlists": len(self.playlists),
            "playlist_entries": sum(len(p.track_ids) for p in self.playlists.values()),
            "users": len(self.sandbox_users()),
            "categories": len(self.categories),
            "tracks_with_features": sum(1 for t in self.tracks.values() if t.features),
        }

    def validate(self) -> None:
        """Fail at startup, not mid-request, if a builder produced dangling references."""
        for track in self.tracks.values():
            if track.album_id not in self.albums or any(a not in self.artists for a in track.artist_ids):
                raise ValueError(f"track {track.id} points at an unknown album or artist")
        for playlist in self.playlists.values():
            if playlist.owner_id not in self.users:
                raise ValueError(f"playlist {playlist.id} has an unknown owner {playlist.owner_id}")
            if any(t not in self.tracks for t in playlist.track_ids):
                raise ValueError(f"playlist {playlist.id} lists an unknown track")
