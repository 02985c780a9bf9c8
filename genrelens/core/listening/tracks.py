"""Plays grouped into the tracks they are of: by Spotify id when a row has one, else by normalised
artist and title (the catalog's match key), merged into the id when any row names both."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from genrelens.core.listening.types import Kind, Play
from genrelens.core.providers.dataset import name_key


@dataclass(slots=True)
class ListenedTrack:
    identity: str  # the Spotify id, or "name:<artist>|<title>" normalised
    artist: str
    title: str
    album: str = ""
    spotify_id: str | None = None
    duration_ms: int | None = None
    plays: int = 0  # streams and scrobbles, however short
    counted: int = 0  # plays that count: 30 s or more, every scrobble
    ms_played: int = 0
    in_library: bool = False  # liked or in a playlist

    @property
    def name_key(self) -> str:
        key = name_key([self.artist], self.title)
        return "|".join(key) if key else ""

    def add(self, play: Play) -> None:
        if play.kind is Kind.LIBRARY:
            self.in_library = True
        else:
            self.plays += 1
            self.counted += play.counted
            self.ms_played += play.ms_played or 0
        self.duration_ms = self.duration_ms or play.duration_ms
        self.album = self.album or play.album
        self.artist, self.title = self.artist or play.artist, self.title or play.title


def listened_tracks(plays: Iterable[Play]) -> list[ListenedTrack]:
    """One ListenedTrack per track played or kept, in order of first appearance."""
    plays = list(plays)
    ids_by_name: dict[str, str] = {}
    for play in plays:
        if play.spotify_id and (key := name_key([play.artist], play.title)) is not None:
            ids_by_name.setdefault("|".join(key), play.spotify_id)
    tracks: dict[str, ListenedTrack] = {}
    for play in plays:
        identity = _identity(play, ids_by_name)
        if identity is None:
            continue
        track = tracks.get(identity)
        if track is None:
            track = tracks[identity] = ListenedTrack(identity=identity, artist=play.artist, title=play.title,
                                                     spotify_id=identity if not identity.startswith("name:")
                                                     else None)
        track.add(play)
    return list(tracks.values())


def _identity(play: Play, ids_by_name: dict[str, str]) -> str | None:
    if play.spotify_id:
        return play.spotify_id
    key = name_key([play.artist], play.title)
    if key is None:
        return None
    joined = "|".join(key)
    return ids_by_name.get(joined) or f"name:{joined}"
