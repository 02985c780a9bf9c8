"""Audio features from ReccoBeats, by Spotify track id (no key, batches of 40).

ReccoBeats measures 11 of the 13 features; `duration_ms` is copied from the TrackRef (Spotify's
track object) and `time_signature` stays unknown.
"""

from __future__ import annotations

from collections.abc import Sequence

from genrelens.core.providers.base import FeatureProvider
from genrelens.core.providers.spotify import group_by_spotify_id
from genrelens.core.reccobeats import BATCH_SIZE, ReccoBeatsClient
from genrelens.core.types import AudioFeatures, SourcedFeatures, TrackRef


class ReccoBeatsProvider(FeatureProvider):
    name = "reccobeats"
    batch_size = BATCH_SIZE

    def __init__(self, reccobeats_client: ReccoBeatsClient) -> None:
        self.client = reccobeats_client

    def fetch(self, tracks: Sequence[TrackRef]) -> list[SourcedFeatures]:
        groups = group_by_spotify_id(tracks)
        if not groups:
            return []
        found = self.client.audio_features(list(groups))
        out: list[SourcedFeatures] = []
        for spotify_id, measured in found.items():
            if measured.is_empty:
                continue
            how = {k: "measured" for k, v in measured.as_dict().items() if v is not None}
            for ref in groups.get(spotify_id, []):
                features = measured.merged_with(AudioFeatures(duration_ms=ref.duration_ms))
                out.append(
                    SourcedFeatures(
                        track_key=ref.key,
                        features=features,
                        source=self.name,
                        source_version="v1",
                        how=how | ({"duration_ms": "measured"} if ref.duration_ms is not None else {}),
                    )
                )
        return out
