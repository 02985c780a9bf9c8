"""Audio features from Spotify's own endpoint, for apps that still have it (legacy/extended quota).

Apps created after 2024-11-27 get 403: the adapter raises EndpointRestricted and the chain moves on.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from genrelens.core.providers.base import FeatureProvider
from genrelens.core.types import AudioFeatures, SourcedFeatures, TrackRef

if TYPE_CHECKING:  # the adapter imports spotipy; only load it when this provider is built
    from genrelens.core.spotify.client import SpotifyClient


def group_by_spotify_id(tracks: Sequence[TrackRef]) -> dict[str, list[TrackRef]]:
    """Spotify id -> the refs carrying it (two genrelens keys may point at one Spotify track)."""
    groups: dict[str, list[TrackRef]] = {}
    for ref in tracks:
        if ref.spotify_id:
            groups.setdefault(ref.spotify_id, []).append(ref)
    return groups


class ByIdProvider(FeatureProvider):
    """A provider that looks features up by Spotify track id, one `lookup` call per batch."""

    source_version: ClassVar[str] = ""

    @abstractmethod
    def lookup(self, spotify_ids: list[str]) -> Mapping[str, AudioFeatures]:
        """Features for the ids the service knows; unknown ids absent."""

    def complete(self, features: AudioFeatures, ref: TrackRef) -> AudioFeatures:
        """Fill what the service does not measure from the track itself (nothing, by default)."""
        return features

    def fetch(self, tracks: Sequence[TrackRef]) -> list[SourcedFeatures]:
        groups = group_by_spotify_id(tracks)
        if not groups:
            return []
        out: list[SourcedFeatures] = []
        for spotify_id, measured in self.lookup(list(groups)).items():
            if measured.is_empty:
                continue
            for ref in groups.get(spotify_id, []):
                features = self.complete(measured, ref)
                how = {k: "measured" for k, v in features.as_dict().items() if v is not None}
                out.append(SourcedFeatures(track_key=ref.key, features=features, source=self.name,
                                           source_version=self.source_version, how=how))
        return out


class SpotifyFeaturesProvider(ByIdProvider):
    name = "spotify"
    batch_size = 100  # GET /audio-features takes at most 100 ids
    source_version = "web-api-v1"

    def __init__(self, spotify_client: SpotifyClient) -> None:
        self.client = spotify_client

    def lookup(self, spotify_ids: list[str]) -> Mapping[str, AudioFeatures]:
        return self.client.audio_features(spotify_ids)
