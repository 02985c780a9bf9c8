"""The catalog database behind the core's feature seams.

`CatalogFeatureStore` is the provider chain's `FeatureStore`; `CatalogDatasetLookup` is the
dataset provider's `DatasetFeatureLookup`. Both answer a whole batch with one query per
`BATCH` keys, never one query per track.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from genrelens.catalog.models import AudioFeatures
from genrelens.catalog.services import BATCH, sourced_features_save
from genrelens.core.providers.dataset import DatasetCandidate, NameKey
from genrelens.core.types import FEATURE_NAMES, SourcedFeatures
from genrelens.core.types import AudioFeatures as Features


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


class CatalogFeatureStore:
    """Implements the chain's FeatureStore on the AudioFeatures table (one row per track and source)."""

    def keys_with_features(self, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(list(keys)):
            found.update(AudioFeatures.objects.filter(track__key__in=chunk)
                         .values_list("track__key", flat=True).distinct())
        return found

    def save_features(self, items: Sequence[SourcedFeatures]) -> None:
        sourced_features_save(items=items)


class CatalogDatasetLookup:
    """Implements DatasetFeatureLookup: features that imported datasets brought, by id or by name."""

    _values = ("source", "source_version", "track__spotify_id", "track__duration_ms", "track__match_key",
               *FEATURE_NAMES)

    def _rows(self, **filters: object) -> list[dict[str, object]]:
        return list(AudioFeatures.objects.filter(source__startswith="dataset:", **filters)
                    .order_by("id").values(*self._values))

    @staticmethod
    def _candidate(row: Mapping[str, object]) -> DatasetCandidate:
        duration = row["track__duration_ms"]
        return DatasetCandidate(
            features=Features.from_mapping(row),
            source=str(row["source"]),
            duration_ms=int(duration) if isinstance(duration, int) else None,
            spotify_id=str(row["track__spotify_id"]) or None,
            source_version=str(row["source_version"]),
        )

    def by_spotify_ids(self, ids: Sequence[str]) -> Mapping[str, DatasetCandidate]:
        found: dict[str, DatasetCandidate] = {}
        for chunk in _chunks(list(ids)):
            for row in self._rows(track__spotify_id__in=chunk):
                found.setdefault(str(row["track__spotify_id"]), self._candidate(row))
        return found

    def by_names(self, keys: Sequence[NameKey]) -> Mapping[NameKey, Sequence[DatasetCandidate]]:
        wanted = {"|".join(k): k for k in keys}
        found: dict[NameKey, list[DatasetCandidate]] = {}
        for chunk in _chunks(list(wanted)):
            for row in self._rows(track__match_key__in=chunk):
                found.setdefault(wanted[str(row["track__match_key"])], []).append(self._candidate(row))
        return found
