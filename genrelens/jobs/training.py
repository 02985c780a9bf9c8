"""Training a genre model, for `genrelens train` and the `train` job alike."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from genrelens.catalog.services import model_register
from genrelens.core.ml.train import TrainResult, train
from genrelens.jobs.datasets import resolve_dataset, resolve_local


@dataclass(frozen=True, slots=True)
class TrainOptions:
    dataset: str | None = None
    label: str = "genre"
    search: str = "quick"
    features: str = "auto"
    source: str = "dataset"
    label_from: str = "tag"


def model_train_and_register(options: TrainOptions, *, progress: bool = False) -> tuple[TrainResult, str]:
    """Select, train, check and save a model, and make it the active one; returns it and its version."""
    dataset = (resolve_local(options.label_from) if options.source == "local"
               else resolve_dataset(options.dataset))
    result = train(dataset.frame, label=options.label, search=options.search, feature_set=options.features,
                   dataset_name=dataset.name, dataset_sha256=dataset.sha256,
                   out_dir=Path(settings.GENRELENS_MODEL_DIR), progress=progress,
                   # features of the user's own files are local estimates already: no companion
                   local_companion=options.source != "local")
    registered = model_register(card=result.card, path=str(result.artifact_path))
    return result, registered.version


def model_train(options: TrainOptions) -> dict[str, Any]:
    """The job's result: the new model's version and its card's metrics."""
    result, version = model_train_and_register(options)
    metrics = json.loads(json.dumps(result.card.get("metrics", {}), default=str))
    return {"model": version, "seconds": round(result.seconds, 1), "metrics": metrics}
