"""The feature-provider seam: one interface, many sources of audio features.

Spotify stopped serving audio features to new apps, so genrelens asks several providers in a
configured order. Each provider answers for the tracks it can; the chain (`chain.py`) asks the
next provider only for what is still missing and stores every answer with its source.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar, Protocol

from genrelens.core.types import SourcedFeatures, TrackRef


class FeatureProvider(ABC):
    """A source of audio features.

    `fetch` returns features only for the tracks it can answer; tracks it does not know are
    simply absent from the result (never a row of Nones). Transient trouble raises
    `ProviderError(permanent=False)`; a source that is closed to this app raises
    `EndpointRestricted` so the chain can skip it for the rest of the run.
    """

    #: registry name and the provenance prefix of what this provider stores
    name: ClassVar[str]
    #: how many tracks one call of `fetch` should receive at most (the chain batches for it)
    batch_size: ClassVar[int] = 100

    @abstractmethod
    def fetch(self, tracks: Sequence[TrackRef]) -> list[SourcedFeatures]:
        """Features for as many of `tracks` as this provider knows."""


class FeatureStore(Protocol):
    """Where the chain keeps what providers answered (the catalog database, in the app)."""

    def keys_with_features(self, keys: Sequence[str]) -> set[str]:
        """The subset of track keys that already have features from any source."""
        ...

    def save_features(self, items: Sequence[SourcedFeatures]) -> None:
        """Store each answer as its own (track, source) row; never overwrite another source."""
        ...
