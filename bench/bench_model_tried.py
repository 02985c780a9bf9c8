"""Variants of the standalone LightGBM measured on the same grouped splits, kept out of the product
because they did not earn their place (or, for popularity, cannot be served); the ensemble is what
did. See docs/model.md."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from tqdm.auto import tqdm

from bench.bench_model_common import cv_row, row_from_proba
from genrelens.core.ml.candidates import SEED, build_pipeline
from genrelens.core.ml.preprocess import PreparedData, prepare
from genrelens.core.ml.selection import Split, cross_val_proba, grouped_splits


def _vote(candidate: str, params: dict[str, Any]) -> Any:
    pipeline = build_pipeline(candidate, params)
    forest = RandomForestClassifier(n_estimators=300, min_samples_leaf=2, random_state=SEED, n_jobs=1)
    pipeline.steps[-1] = ("model", VotingClassifier([("forest", forest), ("ours", pipeline.steps[-1][1])],
                                                    voting="soft"))
    return pipeline


def _calibrated(candidate: str, params: dict[str, Any], method: str) -> Any:
    pipeline = build_pipeline(candidate, params)
    pipeline.steps[-1] = ("model", CalibratedClassifierCV(pipeline.steps[-1][1], method=method, cv=3))
    return pipeline


def _hierarchical(frame: pd.DataFrame, audio: PreparedData, splits: list[Split], candidate: str,
                  params: dict[str, Any]) -> np.ndarray:
    """Average of the genre model and a sub-genre model whose probabilities are summed per genre."""
    sub = prepare(frame, label="subgenre", feature_set="audio")
    if len(sub.y) != len(audio.y) or not (sub.meta["track_id"] == audio.meta["track_id"]).all():
        raise RuntimeError("genre and sub-genre rows do not align; the hierarchical variant needs them to")
    make = lambda: build_pipeline(candidate, params)  # noqa: E731
    genre_proba = cross_val_proba(make, audio.X, audio.y, splits, audio.classes)
    sub_proba = cross_val_proba(make, sub.X, sub.y, splits, sub.classes)
    parent = pd.Series(audio.y, index=sub.y).groupby(level=0).agg(lambda s: s.mode().iloc[0])
    summed = np.zeros_like(genre_proba)
    for j, subgenre in enumerate(sub.classes):
        summed[:, audio.classes.index(parent[subgenre])] += sub_proba[:, j]
    return np.asarray((genre_proba + summed) / 2)


#: LightGBM settings tried around the chosen one (each overrides the chosen params).
_LGBM_VARIANTS: tuple[dict[str, Any], ...] = (
    {"class_weight": "balanced"},
    {"objective": "multiclassova"},
    {"extra_trees": True, "n_estimators": 1200, "learning_rate": 0.03},
    {"learning_rate": 0.01, "n_estimators": 1200},
    {"num_leaves": 7, "n_estimators": 1500, "min_child_samples": 20},
    {"num_leaves": 31, "min_child_samples": 100, "n_estimators": 700},
)


def _variant(candidate: str, params: dict[str, Any], variant: dict[str, Any]) -> Any:
    return lambda: build_pipeline(candidate, {**params, **variant})


def tried_rows(frame: pd.DataFrame, candidate: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    audio = prepare(frame, feature_set="audio")
    splits = grouped_splits(audio.y, audio.groups)
    features = [*audio.features, "release_year", "track_popularity"]
    popularity = prepare(frame, features=features)
    popularity.feature_set = "audio+year+popularity"
    jobs = [
        ("soft vote: RandomForest(300) + lightgbm", lambda: _vote(candidate, params), audio),
        ("lightgbm + CalibratedClassifierCV(isotonic)", lambda: _calibrated(candidate, params, "isotonic"), audio),
        ("lightgbm + CalibratedClassifierCV(sigmoid)", lambda: _calibrated(candidate, params, "sigmoid"), audio),
        ("lightgbm + popularity (deprecated by Spotify)", lambda: build_pipeline(candidate, params), popularity),
    ]
    if candidate == "lightgbm":
        jobs += [(f"lightgbm {v}", _variant(candidate, params, v), audio) for v in _LGBM_VARIANTS]
    rows = [cv_row(name, make, data, splits, "grouped") for name, make, data in tqdm(jobs, desc="tried")]
    blend = _hierarchical(frame, audio, splits, candidate, params)
    rows.append(row_from_proba("lightgbm averaged with a sub-genre lightgbm summed per genre", audio, blend, splits,
                               "grouped"))
    return rows
