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
    keys = _NameKeys()
    ids_by_name: dict[str, str] = {}
    for play in plays:
        if play.spotify_id and (key := keys(play.artist, play.title)):
            ids_by_name.setdefault(key, play.spotify_id)
    tracks: dict[str, ListenedTrack] = {}
    for play in plays:
        identity = play.spotify_id or _by_name(keys(play.artist, play.title), ids_by_name)
        if identity is None:
            continue
        track = tracks.get(identity)
        if track is None:
            track = tracks[identity] = ListenedTrack(identity=identity, artist=play.artist, title=play.title,
                                                     spotify_id=play.spotify_id or ids_by_name.get(
                                                         keys(play.artist, play.title)))
        track.add(play)
    return list(tracks.values())


class _NameKeys:
    """`name_key` joined, once per distinct (artist, title): ten years of plays repeat them a lot."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], str] = {}

    def __call__(self, artist: str, title: str) -> str:
        found = self.known.get((artist, title))
        if found is None:
            key = name_key([artist], title)
            found = self.known[(artist, title)] = "|".join(key) if key else ""
        return found


def _by_name(key: str, ids_by_name: dict[str, str]) -> str | None:
    if not key:
        return None
    return ids_by_name.get(key) or f"name:{key}"
