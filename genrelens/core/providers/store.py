"""An in-memory FeatureStore: for the CLI working on files, and for tests.

The web app uses the database-backed store of the catalog app; both keep one row per
(track, source) so provenance is never overwritten by a later provider.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from genrelens.core.types import SourcedFeatures


class MemoryFeatureStore:
    """Implements `FeatureStore`: (track key, source) -> SourcedFeatures."""

    def __init__(self, items: Sequence[SourcedFeatures] = ()) -> None:
        self._rows: dict[tuple[str, str], SourcedFeatures] = {}
        self._lock = threading.Lock()
        self.save_features(items)

    def keys_with_features(self, keys: Sequence[str]) -> set[str]:
        with self._lock:
            have = {key for key, _source in self._rows}
        return have.intersection(keys)

    def save_features(self, items: Sequence[SourcedFeatures]) -> None:
        with self._lock:
            for item in items:
                # a newer answer from the same source replaces the older; other sources stay
                self._rows[(item.track_key, item.source)] = item

    def features_for(self, key: str) -> list[SourcedFeatures]:
        with self._lock:
            return [row for (k, _s), row in self._rows.items() if k == key]

    def rows(self) -> list[SourcedFeatures]:
        with self._lock:
            return list(self._rows.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._rows)
