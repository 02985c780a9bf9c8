"""Audio features from ReccoBeats, by Spotify track id (no key, batches of 40).

ReccoBeats measures 11 of the 13 features; `duration_ms` is copied from the TrackRef (Spotify's
track object) and `time_signature` stays unknown.
"""

from __future__ import annotations

from collections.abc import Mapping

from genrelens.core.providers.spotify import ByIdProvider
from genrelens.core.reccobeats import BATCH_SIZE, ReccoBeatsClient
from genrelens.core.types import AudioFeatures, TrackRef


class ReccoBeatsProvider(ByIdProvider):
    name = "reccobeats"
    batch_size = BATCH_SIZE
    source_version = "v1"

    def __init__(self, reccobeats_client: ReccoBeatsClient) -> None:
        self.client = reccobeats_client

    def lookup(self, spotify_ids: list[str]) -> Mapping[str, AudioFeatures]:
        return self.client.audio_features(spotify_ids)

    def complete(self, features: AudioFeatures, ref: TrackRef) -> AudioFeatures:
        # ReccoBeats has no duration; the track object's is as measured as Spotify's own
        return features.merged_with(AudioFeatures(duration_ms=ref.duration_ms))
