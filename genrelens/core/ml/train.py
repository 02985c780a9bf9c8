"""`train`: preprocessing, model selection, the calibration check, the final refit, the artifact.

This is the function the `genrelens train` command calls. It is framework-free: a DataFrame in,
files and a `TrainResult` out; registering the model in the database is the caller's job.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from genrelens.core.ml.artifacts import LoadedModel, library_versions, new_model_id, save_model
from genrelens.core.ml.calibration import CalibrationCheck, check_calibration
from genrelens.core.ml.candidates import SEED, THREADED_CANDIDATES, build_pipeline
from genrelens.core.ml.local_claims import measured_agreement
from genrelens.core.ml.local_model import can_train_local, card_entry, train_local_model
from genrelens.core.ml.metrics import baselines, confusion, per_class
from genrelens.core.ml.preprocess import PreparedData, PreprocessConfig, prepare
from genrelens.core.ml.selection import SelectionResult, fit_params, select_model


@dataclass(slots=True)
class TrainResult:
    """Everything a caller may want to show or store after training."""

    model: LoadedModel
    selection: SelectionResult
    calibration: CalibrationCheck
    data: PreparedData
    artifact_path: Path
    card_path: Path
    seconds: float

    @property
    def card(self) -> dict[str, Any]:
        return self.model.card

    def summary(self) -> pd.DataFrame:
        """The score summary table (one row per candidate and parameter set), best first."""
        return self.selection.summary()


def _refit(candidate: str, params: dict[str, Any], data: PreparedData, n_jobs: int) -> Pipeline:
    # The final fit runs alone, so it may use every core we were given (folds no longer compete).
    pipeline = build_pipeline(candidate, params)
    if candidate in THREADED_CANDIDATES:
        pipeline.set_params(model__n_jobs=n_jobs)
    with threadpool_limits(limits=n_jobs):
        pipeline.fit(data.X, data.y, **fit_params(candidate, data))
    if candidate in THREADED_CANDIDATES:
        # Predictions are served one request at a time: a second OpenMP thread only adds wake-up
        # latency (measured: 10 ms vs 2.8 ms per track on a busy 2-core machine).
        pipeline.set_params(model__n_jobs=1)
    return pipeline


def _protocol(selection: SelectionResult) -> dict[str, Any]:
    return {
        "cv": StratifiedGroupKFold.__name__,
        "n_splits": selection.n_splits,
        "groups": "primary artist (first of `artists`, else `track_artist`), case-folded",
        "shuffle_seed": SEED,
        "search": selection.search,
        "selection_metric": "mean out-of-fold accuracy over artist-grouped folds",
        "random_split_shown": "StratifiedKFold, same seed, for comparison only",
    }


def _metrics(data: PreparedData, selection: SelectionResult, calibration: CalibrationCheck) -> dict[str, Any]:
    best = selection.best
    grouped = dict(best.grouped)
    grouped["fold_accuracy"] = best.grouped_folds.tolist()
    # Out-of-fold answers: what the model gets right and confuses on artists it never saw, which is
    # what the app's model page shows (an in-sample matrix would flatter it).
    oof_pred = np.asarray(data.classes)[best.oof_proba.argmax(axis=1)]
    grouped["confusion"] = confusion(data.y, oof_pred, data.classes)
    grouped["per_class"] = per_class(data.y, oof_pred, data.classes)
    if calibration.applied:
        grouped["ece_calibrated"] = calibration.ece_after
        grouped["log_loss_calibrated"] = calibration.log_loss_after
    # The quick search scores random splits for the blog's best model only; say which model it was.
    compared = next((s for s in [best, *selection.scores] if s.random_folds is not None), None)
    random = {} if compared is None or compared.random_folds is None else {
        "candidate": compared.candidate,
        "grouped_accuracy": float(compared.grouped_folds.mean()),
        "accuracy": float(compared.random_folds.mean()),
        "fold_accuracy": compared.random_folds.tolist(),
    }
    return {"grouped": grouped, "random": random, "baselines": baselines(data.y, data.classes)}


def _summary_records(selection: SelectionResult) -> list[dict[str, Any]]:
    # NaN (no random-split score) becomes null: NaN is not valid JSON.
    records = selection.summary().to_dict("records")
    return [{str(k): (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()} for r in records]


def build_card(
    data: PreparedData,
    selection: SelectionResult,
    calibration: CalibrationCheck,
    *,
    dataset_name: str,
    dataset_sha256: str,
    config: PreprocessConfig,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    values, counts = np.unique(data.y, return_counts=True)
    return {
        "model_id": new_model_id(data.label, now),
        "created_at": now.isoformat(),
        "label": data.label,
        "classes": data.classes,
        "class_counts": {str(v): int(c) for v, c in zip(values, counts, strict=True)},
        "features": data.features,
        "feature_set": data.feature_set,
        "dataset": {"name": dataset_name, "sha256": dataset_sha256, "rows_used": len(data.y)},
        "preprocessing": {"config": config.as_dict(), "steps": data.steps},
        "protocol": _protocol(selection),
        "candidate": selection.best.candidate,
        "params": selection.best.params,
        "metrics": _metrics(data, selection, calibration),
        "calibration": calibration.as_dict(),
        "selection": _summary_records(selection),
        "selection_notes": selection.notes,
        "library_versions": library_versions(),
    }


def train(
    frame: pd.DataFrame,
    *,
    label: str = "genre",
    search: str = "quick",
    feature_set: str = "auto",
    dataset_name: str,
    dataset_sha256: str,
    out_dir: Path | str,
    progress: bool = True,
    preprocess: PreprocessConfig | None = None,
    candidates: Sequence[str] | None = None,
    n_splits: int = 5,
    n_jobs: int = 2,
    local_companion: bool = True,
) -> TrainResult:
    """Select, check calibration, refit on all rows, save `<model_id>.joblib` + `.json` in out_dir.

    A genre model trained on Spotify-scale features also gets its local companion
    (`<model_id>-local`, local_model.py), for tracks whose features come from local analysis;
    pass `local_companion=False` when the frame's features are local estimates already."""
    started = time.perf_counter()
    config = preprocess or PreprocessConfig()
    data = prepare(frame, label=label, feature_set=feature_set, config=config)
    selection = select_model(
        data, search=search, candidates=candidates, n_splits=n_splits, n_jobs=n_jobs, progress=progress
    )
    calibration = check_calibration(data.y, selection.best.oof_proba, data.classes, selection.splits)
    pipeline = _refit(selection.best.candidate, selection.best.params, data, n_jobs)
    card = build_card(
        data, selection, calibration, dataset_name=dataset_name, dataset_sha256=dataset_sha256, config=config
    )
    model = LoadedModel(pipeline, calibration.temperature if calibration.applied else None, card)
    if local_companion and can_train_local(data):  # before saving: the card vouches for its companion's file
        # the companion imitates this model: its agreement with it is what the analysis reports
        companion = train_local_model(data, card, measured_agreement(), Path(out_dir), teacher=model,
                                      progress=progress, n_jobs=n_jobs)
        card["local_model"] = card_entry(companion)
    artifact, card_path = save_model(model, Path(out_dir))
    return TrainResult(model, selection, calibration, data, artifact, card_path, time.perf_counter() - started)

