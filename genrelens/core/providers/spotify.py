"""Audio features from Spotify's own endpoint, for apps that still have it (legacy/extended quota).

Apps created after 2024-11-27 get 403: the adapter raises EndpointRestricted and the chain moves on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from genrelens.core.providers.base import FeatureProvider
from genrelens.core.types import SourcedFeatures, TrackRef

if TYPE_CHECKING:  # the adapter imports spotipy; only load it when this provider is built
    from genrelens.core.spotify.client import SpotifyClient


def group_by_spotify_id(tracks: Sequence[TrackRef]) -> dict[str, list[TrackRef]]:
    """Spotify id -> the refs carrying it (two genrelens keys may point at one Spotify track)."""
    groups: dict[str, list[TrackRef]] = {}
    for ref in tracks:
        if ref.spotify_id:
            groups.setdefault(ref.spotify_id, []).append(ref)
    return groups


class SpotifyFeaturesProvider(FeatureProvider):
    name = "spotify"
    batch_size = 100  # GET /audio-features takes at most 100 ids

    def __init__(self, spotify_client: SpotifyClient) -> None:
        self.client = spotify_client

    def fetch(self, tracks: Sequence[TrackRef]) -> list[SourcedFeatures]:
        groups = group_by_spotify_id(tracks)
        if not groups:
            return []
        found = self.client.audio_features(list(groups))
        out: list[SourcedFeatures] = []
        for spotify_id, features in found.items():
            if features.is_empty:
                continue
            how = {k: "measured" for k, v in features.as_dict().items() if v is not None}
            out.extend(
                SourcedFeatures(
                    track_key=ref.key, features=features, source=self.name, source_version="web-api-v1", how=how
                )
                for ref in groups.get(spotify_id, [])
            )
        return out
