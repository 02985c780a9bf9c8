"""Dataclasses shared across the core: the vocabulary every module speaks."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: The 13 Spotify-style audio features, in the order Spotify documented them.
FEATURE_NAMES: tuple[str, ...] = (
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "duration_ms",
    "time_signature",
)

#: Features defined on [0, 1].
UNIT_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
)

#: Features that are whole numbers.
INT_FEATURES: tuple[str, ...] = ("key", "mode", "duration_ms", "time_signature")


@dataclass(frozen=True, slots=True)
class AudioFeatures:
    """One track's audio features in Spotify's schema; any field may be unknown (None)."""

    danceability: float | None = None
    energy: float | None = None
    key: int | None = None
    loudness: float | None = None
    mode: int | None = None
    speechiness: float | None = None
    acousticness: float | None = None
    instrumentalness: float | None = None
    liveness: float | None = None
    valence: float | None = None
    tempo: float | None = None
    duration_ms: int | None = None
    time_signature: int | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AudioFeatures:
        """Pick the 13 features out of any mapping (an API response, a CSV row); NaN becomes None."""
        values: dict[str, Any] = {}
        for name in FEATURE_NAMES:
            raw = data.get(name)
            if raw is None or (isinstance(raw, float) and math.isnan(raw)):
                values[name] = None
            elif name in INT_FEATURES:
                values[name] = round(float(raw))
            else:
                values[name] = float(raw)
        return cls(**values)

    def as_dict(self) -> dict[str, float | int | None]:
        return dataclasses.asdict(self)

    def merged_with(self, other: AudioFeatures) -> AudioFeatures:
        """Fill this record's unknown fields from `other` (used to add duration from a track object)."""
        mine = self.as_dict()
        theirs = other.as_dict()
        filled: dict[str, Any] = {k: mine[k] if mine[k] is not None else theirs[k] for k in FEATURE_NAMES}
        return AudioFeatures(**filled)

    @property
    def is_empty(self) -> bool:
        return all(v is None for v in self.as_dict().values())


@dataclass(frozen=True, slots=True)
class TrackRef:
    """What a feature provider needs to know about a track to look it up."""

    key: str  # genrelens' own track key (a Spotify id, or "local:<sha>" for local files)
    spotify_id: str | None = None
    title: str = ""
    artists: tuple[str, ...] = ()
    duration_ms: int | None = None
    isrc: str | None = None


@dataclass(frozen=True, slots=True)
class SourcedFeatures:
    """Features together with where they came from: provenance is never dropped."""

    track_key: str
    features: AudioFeatures
    source: str  # "spotify", "reccobeats", "dataset:<name>", "local"
    source_version: str = ""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    how: Mapping[str, str] = field(default_factory=dict)  # feature -> "measured" | "estimated"


@dataclass(frozen=True, slots=True)
class GenreLabel:
    genre: str
    subgenre: str = ""
    playlist_id: str | None = None
