"""Scoring helpers shared by bench_model.py and bench_model_tried.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from genrelens.core.ml.calibration import check_calibration
from genrelens.core.ml.metrics import score_probabilities
from genrelens.core.ml.preprocess import PreparedData
from genrelens.core.ml.selection import FitParams, Split, cross_val_proba, fold_accuracies

Make = Callable[[], Any]


def row_from_proba(
    name: str, data: PreparedData, proba: np.ndarray, splits: list[Split], protocol: str
) -> dict[str, Any]:
    folds = fold_accuracies(data.y, proba, data.classes, splits)
    scores = score_probabilities(data.y, proba, data.classes)
    calibration = check_calibration(data.y, proba, data.classes, splits)
    return {
        "model": name, "features": data.feature_set, "protocol": protocol,
        "accuracy": folds.mean(), "fold_min": folds.min(), "fold_max": folds.max(), "fold_std": folds.std(),
        "macro_f1": scores["macro_f1"], "log_loss": scores["log_loss"], "ece": scores["ece"],
        "ece_temperature_cv": calibration.ece_after, "top3": scores["top3"],
    }


def cv_row(
    name: str, make: Make, data: PreparedData, splits: list[Split], protocol: str, params: FitParams | None = None
) -> dict[str, Any]:
    proba = cross_val_proba(make, data.X, data.y, splits, data.classes, params=params)
    return row_from_proba(name, data, proba, splits, protocol)


def baseline_rows(data: PreparedData, splits: list[Split]) -> list[dict[str, Any]]:
    k = len(data.classes)
    majority = []
    for train, test in splits:
        values, counts = np.unique(data.y[train], return_counts=True)
        majority.append(float((data.y[test] == values[counts.argmax()]).mean()))
    common = {"features": "-", "protocol": "grouped", "macro_f1": np.nan, "ece": np.nan, "ece_temperature_cv": np.nan}
    return [
        {**common, "model": "random guess (uniform)", "accuracy": 1 / k, "fold_min": 1 / k, "fold_max": 1 / k,
         "fold_std": 0.0, "log_loss": float(np.log(k)), "top3": min(3, k) / k},
        {**common, "model": "majority class of the training fold", "accuracy": float(np.mean(majority)),
         "fold_min": min(majority), "fold_max": max(majority), "fold_std": float(np.std(majority)),
         "log_loss": np.nan, "top3": np.nan},
    ]
