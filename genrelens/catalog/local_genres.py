"""The active genre model's local companion (genrelens/core/ml/local_model.py), loaded as safely as
the active model: from the model directory only, and only the bytes whose sha256 the registered
card records; and the choice, made once for every screen, of which model scores a local track.

The companion comes only inside a registered card (`genrelens train` -> `model_register`), whose
registration renews the shared cache's "model" and "catalog" scopes: nothing here writes."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from genrelens.catalog.models import TrainedModel
from genrelens.catalog.models_on_disk import model_artifact_path
from genrelens.core.errors import GenrelensError
from genrelens.core.ml.artifacts import ArtifactError, LoadedModel, load_model
from genrelens.core.ml.local_claims import measured_agreement

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LocalBasis:
    """What genres for features estimated from a file come from, and how far to trust them."""

    companion: LoadedModel | None  # None: the active model scores them
    #: {"top1", "top2", "recordings"}: how often such a top genre matched the one from Spotify's
    #: features for the same recordings
    agreement: dict[str, Any]

    def model_id(self, record: TrainedModel) -> str:
        return self.companion.model_id if self.companion is not None else record.version


def local_basis(record: TrainedModel) -> LocalBasis:
    """The companion when the benchmark found it the more accurate on local features (`basis` in
    genrelens/data/local_genre_agreement.json) and it loads, else the active model; each with the
    agreement measured for it (the companion's as measured when it was trained, in its card)."""
    measured = measured_agreement()
    companion = local_model_for(record) if measured["basis"] != "active-model" else None
    if companion is not None:
        trained = record.card["local_model"]["agreement"]
        return LocalBasis(companion, {k: trained[k] for k in ("top1", "top2", "recordings")})
    scores = measured["agreement"]["active-model"]
    return LocalBasis(None, {"top1": scores["top1"], "top2": scores["top2"], "recordings": int(measured["n"])})


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
