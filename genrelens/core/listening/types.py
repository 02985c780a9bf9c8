"""The records every listening format is read into, and the error a bad file raises."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from genrelens.core.errors import GenrelensError

#: how a taste counts its tracks: by their counted plays, or each once
WEIGHTING_CHOICES = ("plays", "tracks")
#: Spotify counts a stream from 30 s on (what its charts and royalties count); so do we
COUNTED_PLAY_MS = 30_000


class Source(StrEnum):
    """Where a taste comes from: one stored taste per user and source."""

    SPOTIFY_EXPORT = "spotify_export"
    LASTFM = "lastfm"
    PLAYLISTS = "playlists"
    LOCAL = "local"  # analysed audio files (no plays; genrelens/jobs/taste_import.py:taste_from_local)


class Kind(StrEnum):
    STREAM = "stream"  # a play with its time played (Spotify's histories)
    SCROBBLE = "scrobble"  # a play Last.fm counted (it scrobbles after half a track or 4 minutes)
    LIBRARY = "library"  # a track kept (liked, in a playlist): no listening time at all


class ExportInvalid(GenrelensError):
    """A file of an export cannot be read; the message names the file and, where known, the entry."""


@dataclass(frozen=True, slots=True)
class Play:
    """One listening event or library entry. Deliberately nothing else: the export's IP addresses,
    user agents, platforms and countries are never read into it, so they cannot be stored."""

    source: Source
    kind: Kind
    artist: str
    title: str
    album: str = ""
    spotify_id: str | None = None
    played_at: datetime | None = None  # UTC, when the stream ended; None for library entries
    ms_played: int | None = None  # None when the source does not say (Last.fm, library)
    duration_ms: int | None = None  # the track's length, when the file has it (Exportify)

    @property
    def counted(self) -> bool:
        """A play that counts for the listening-weighted taste."""
        if self.kind is Kind.STREAM:
            return (self.ms_played or 0) >= COUNTED_PLAY_MS
        return self.kind is Kind.SCROBBLE


@dataclass(slots=True)
class ParsedFile:
    name: str
    format: str  # "extended_history", "account_history", "library", "playlists", "lastfm", "exportify"
    plays: list[Play] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> rows left out


@dataclass(slots=True)
class ParsedExport:
    files: list[ParsedFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # files that hold no listening data

    @property
    def plays(self) -> list[Play]:
        return [p for f in self.files for p in f.plays]

    @property
    def skipped(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.skipped)
        return total

    def summary(self) -> dict[str, object]:
        return {"files": {f.name: {"format": f.format, "rows": len(f.plays), "skipped": dict(f.skipped)}
                          for f in self.files},
                "ignored": list(self.ignored), "plays": sum(len(f.plays) for f in self.files),
                "skipped": dict(self.skipped)}
