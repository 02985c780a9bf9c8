"""Loading a registered model's artifact: only from GENRELENS_MODEL_DIR, only the bytes registered.

A joblib artifact is a pickle, and unpickling runs code. So the path a TrainedModel row names must
resolve inside the model directory (a row edited to point elsewhere is refused), and the file's
sha256 must equal the one recorded at registration before a byte of it is unpickled.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from genrelens.catalog.models import TrainedModel
from genrelens.core.ml.artifacts import ArtifactError, LoadedModel, load_model


def recorded_path(path: str) -> tuple[str, Path]:
    """What a TrainedModel row records for the artifact at `path`, and the file itself: inside
    GENRELENS_MODEL_DIR the path relative to it, so a var directory that is moved, copied or
    restored elsewhere keeps its models (an absolute path would point outside the new model
    directory, where loading refuses it); elsewhere the path as given (refused at load)."""
    root = Path(settings.GENRELENS_MODEL_DIR).resolve()
    artifact = (root / path).resolve()
    return (str(artifact.relative_to(root)) if artifact.is_relative_to(root) else path), artifact


def model_artifact_path(*, record: TrainedModel) -> Path:
    """The record's artifact, resolved (symlinks too) and confined to GENRELENS_MODEL_DIR."""
    root = Path(settings.GENRELENS_MODEL_DIR).resolve()
    path = Path(record.path)
    path = (path if path.is_absolute() else root / path).resolve()
    if not path.is_relative_to(root):
        raise ArtifactError(f"model {record.version}: its artifact is outside the model directory; refused")
    return path


def trained_model_load(*, record: TrainedModel) -> LoadedModel:
    if not record.sha256:
        raise ArtifactError(f"model {record.version} has no recorded sha256: register it again with `genrelens train`")
    return load_model(model_artifact_path(record=record), expected_sha256=record.sha256)
