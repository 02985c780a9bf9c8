"""The active genre model's local companion (genrelens/core/ml/local_model.py), loaded as safely as
the active model: from the model directory only, and only the bytes whose sha256 the registered
card records."""

from __future__ import annotations

import functools
import logging

from genrelens.catalog.models import TrainedModel
from genrelens.catalog.models_on_disk import model_artifact_path
from genrelens.core.errors import GenrelensError
from genrelens.core.ml.artifacts import ArtifactError, LoadedModel, load_model

log = logging.getLogger(__name__)


def local_model_for(record: TrainedModel) -> LoadedModel | None:
    """The companion named in the record's card, or None when it has none (a model trained before
    companions existed, or on local analyses) or it cannot be loaded (logged)."""
    entry = record.card.get("local_model")
    if not entry:
        return None
    try:
        folder = model_artifact_path(record=record).parent
        path = folder / str(entry["file"])
        if path.name != entry["file"] or not path.resolve().is_relative_to(folder):
            raise ArtifactError(f"local model {entry['file']!r} is not a file in the model directory; refused")
        return _load(str(path), str(entry["sha256"]))
    except (GenrelensError, KeyError, OSError) as exc:
        log.warning("model %s: its local companion cannot be loaded: %s", record.version, exc)
        return None


@functools.lru_cache(maxsize=4)
def _load(path: str, sha256: str) -> LoadedModel:
    """Cached like the active model (unpickling per request would dominate); the key holds the
    sha256 the registered card vouches for, so a retrained companion is loaded and checked anew."""
    return load_model(path, expected_sha256=sha256)
