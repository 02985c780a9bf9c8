"""What the current Spotify app is allowed to do, learnt from the answers it gets.

A dev-mode app created after 2026-02-11 loses audio features, categories, batch track/artist
lookups, items of playlists it does not own and search pages above 10 (spotify-api-2026.md §1).
Rather than configuring that, the adapter learns it from the first 403/404/400 and remembers it,
so callers degrade at once instead of hammering a closed door. The record is plain data: persist
`as_dict()` (e.g. in the database next to the app's credentials) and `from_dict()` it back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genrelens.core.errors import ConfigurationError

#: Spotify's search page limit before (legacy) and after (dev mode, Feb 2026) the restrictions
LEGACY_SEARCH_LIMIT = 50
DEVMODE_SEARCH_LIMIT = 10

_FLAGS = (
    "audio_features",
    "categories",
    "category_playlists",
    "playlist_items_any",
    "batch_tracks",
    "batch_artists",
)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """None = not tried yet, True = seen working, False = seen refused (do not ask again)."""

    audio_features: bool | None = None
    categories: bool | None = None
    category_playlists: bool | None = None
    #: items of playlists the user neither owns nor collaborates on (own ones always work)
    playlist_items_any: bool | None = None
    batch_tracks: bool | None = None
    batch_artists: bool | None = None
    search_limit: int = LEGACY_SEARCH_LIMIT

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Capabilities:
        """Restore a persisted record; unknown keys are an error (a typo would silently reset)."""
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigurationError(f"unknown capability keys: {', '.join(sorted(unknown))}")
        for name in _FLAGS:
            if name in data and data[name] is not None and not isinstance(data[name], bool):
                raise ConfigurationError(f"capability {name!r} must be true, false or null, got {data[name]!r}")
        limit = data.get("search_limit", LEGACY_SEARCH_LIMIT)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= LEGACY_SEARCH_LIMIT:
            raise ConfigurationError(f"search_limit must be a whole number in 1..50, got {limit!r}")
        return cls(**dict(data))

    def closed(self, name: str) -> bool:
        return getattr(self, name) is False
