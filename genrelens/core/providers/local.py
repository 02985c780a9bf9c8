"""Features computed from the user's own audio files ("local"): always available, offline, no quota.

The provider answers for tracks whose key is "local:<sha256>" and whose file it was told about
(`local_paths`, key -> path; the catalog knows where each local track's file lives). The file is
re-hashed before its features are trusted: if the audio at that path changed since it was
catalogued, it is no longer the track the key names, and the track is left unanswered.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from genrelens.core.audio.analyze import ANALYSER_VERSION, AnalysisResult
from genrelens.core.audio.identity import KEY_PREFIX
from genrelens.core.audio.pool import analyze_paths
from genrelens.core.providers.base import FeatureProvider
from genrelens.core.types import SourcedFeatures, TrackRef

log = logging.getLogger(__name__)


class LocalAudioProvider(FeatureProvider):
    """Analyses local files on request. `local_workers` > 1 analyses a batch in a process pool."""

    name = "local"
    #: about a minute of work per batch on one core for typical 3-4 minute tracks
    batch_size = 32

    def __init__(self, local_paths: Mapping[str, str | Path], local_workers: int = 1) -> None:
        self._paths = {key: Path(path) for key, path in local_paths.items()}
        self._workers = max(1, local_workers)

    def fetch(self, tracks: Sequence[TrackRef]) -> list[SourcedFeatures]:
        wanted = {t.key: self._paths[t.key] for t in tracks if t.key.startswith(KEY_PREFIX) and t.key in self._paths}
        if not wanted:
            return []
        by_path = {str(path): key for key, path in wanted.items()}
        results = analyze_paths(list(wanted.values()), workers=self._workers, progress=False)
        return [item for r in results if (item := self._accept(r, by_path.get(r.path))) is not None]

    def _accept(self, result: AnalysisResult, key: str | None) -> SourcedFeatures | None:
        if key is None:
            return None
        if result.error is not None:
            log.warning("local features for %s unavailable: %s", key, result.error)
            return None
        if result.track_key != key:
            log.warning(
                "%s no longer holds the audio of %s (now %s); not answering", result.path, key, result.track_key
            )
            return None
        return SourcedFeatures(
            track_key=key,
            features=result.features,
            source=self.name,
            source_version=ANALYSER_VERSION,
            how=dict(result.how),
        )
