"""Fitting and cross-validating the descriptor models of `calibration.py` (scikit-learn).

Kept apart from `calibration.py` so that analysing a file never imports scikit-learn: only
`scripts/fit_descriptors.py` and `bench/bench_descriptors.py` fit.

Protocol: 5-fold cross-validation grouped by artist (a recording without a known artist is its own
group), repeated with 5 different assignments of groups to folds; scores are the means over the
repeats. Every model has one fixed regularisation strength, chosen before looking at its score, so
there is no inner tuning loop to nest.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import pearsonr
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GroupKFold

from genrelens.core.audio.calibration import DESCRIPTOR_INPUTS, DESCRIPTORS, INPUTS, LINKS, LinearModel, model_inputs
from genrelens.core.audio.descriptors import Measurements

FloatArray = npt.NDArray[np.float64]

#: ridge penalty on standardised inputs per input read: 10 for the 15 signal measures (about 65
#: training recordings per fold), growing with the number of inputs so that a model reading the
#: 26 timbre summaries too is shrunk as hard per coefficient
RIDGE_ALPHA_PER_INPUT = 10.0 / 15.0
#: inverse penalty of the instrumental/not classifier; classes weighted to balance (few instrumentals)
LOGISTIC_C = 1.0
#: Spotify values are clipped to this margin before taking log-odds
_LOGIT_EPS = 0.005
INSTRUMENTAL_ABOVE = 0.5
N_FOLDS = 5
N_REPEATS = 5


@dataclass(frozen=True, slots=True)
class Fidelity:
    r: float
    mae: float
    mae_mean_predictor: float
    n: int
    predictions: FloatArray  # out-of-fold, averaged over the repeats

    def to_json(self) -> dict[str, float | int | str]:
        return {"r": round(self.r, 3), "mae": round(self.mae, 4),
                "mae_mean_predictor": round(self.mae_mean_predictor, 4), "n": self.n,
                "protocol": f"{N_FOLDS}-fold CV grouped by artist, {N_REPEATS} repeats"}


def fit(name: str, X: FloatArray, y: FloatArray, inputs: Sequence[str]) -> LinearModel:
    """One descriptor's model on all rows (X: one column per input, raw measures)."""
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    Z = (X - mean) / scale
    link = LINKS[name]
    if link == "logistic":
        clf = LogisticRegression(C=LOGISTIC_C, class_weight="balanced", max_iter=2000)
        clf.fit(Z, (y > INSTRUMENTAL_ABOVE).astype(int))
        coef, intercept = clf.coef_[0], float(clf.intercept_[0])
    else:
        target = _logit(y) if link == "logit" else y
        reg = Ridge(alpha=RIDGE_ALPHA_PER_INPUT * len(inputs)).fit(Z, target)
        coef, intercept = reg.coef_, float(reg.intercept_)
    return LinearModel(tuple(inputs), _floats(mean), _floats(scale), _floats(coef), round(intercept, 6), link)


def cross_validate(name: str, X: FloatArray, y: FloatArray, groups: Sequence[str], inputs: Sequence[str]) -> Fidelity:
    """Out-of-fold predictions of `fit`, and their r and MAE against `y` beside the MAE of
    predicting each test fold with its training folds' mean."""
    preds = np.zeros((N_REPEATS, len(y)))
    means = np.zeros((N_REPEATS, len(y)))
    for repeat, folds in enumerate(grouped_folds(groups)):
        for train, test in folds:
            model = fit(name, X[train], y[train], inputs)
            preds[repeat, test] = [model.predict(dict(zip(inputs, row, strict=True))) for row in X[test]]
            means[repeat, test] = y[train].mean()
    r = float(np.mean([pearsonr(p, y)[0] for p in preds]))
    mae = float(np.mean(np.abs(preds - y)))
    return Fidelity(r=r, mae=mae, mae_mean_predictor=float(np.mean(np.abs(means - y))), n=len(y),
                    predictions=preds.mean(axis=0))


def grouped_folds(groups: Sequence[str]) -> list[list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]]:
    """N_REPEATS fold assignments; each repeat shuffles which groups share a fold (seeded)."""
    labels = np.asarray(groups)
    unique = np.unique(labels)
    out = []
    for repeat in range(N_REPEATS):
        order = np.random.default_rng(repeat).permutation(len(unique))
        relabel = dict(zip(unique, order, strict=True))
        coded = np.array([relabel[g] for g in labels])
        out.append(list(GroupKFold(N_FOLDS).split(np.zeros(len(labels)), groups=coded)))
    return out


def _logit(y: FloatArray) -> FloatArray:
    p = np.clip(y, _LOGIT_EPS, 1.0 - _LOGIT_EPS)
    return np.log(p / (1.0 - p))


def _floats(values: npt.ArrayLike) -> tuple[float, ...]:
    return tuple(round(float(v), 6) if math.isfinite(float(v)) else 0.0 for v in np.asarray(values).ravel())


# --- the development set ------------------------------------------------------------------------

#: Spotify values at or above this count as rap/spoken for the speechiness check
RAP_SPEECHINESS = 0.2
#: measurement columns are prefixed: features.csv has Spotify's own loudness, tempo, key and mode
MEASURE_PREFIX = "m_"


def dev_groups(frame: pd.DataFrame) -> list[str]:
    """Artist where the source named one, else the track: same-artist recordings share a fold."""
    artist = frame["artist"].fillna("").astype(str).str.split(";").str[0].str.strip().str.casefold()
    track = "track:" + frame["track_name"].astype(str)
    return [a if a else t for a, t in zip(artist, track, strict=True)]


def measure_dev_set(dev_dir: Path, *, cache: Path | None = None, workers: int = 2) -> pd.DataFrame:
    """features.csv joined with each recording's measurements (an `m_` column per Measurements field).

    Measuring 111 recordings takes minutes on a busy 2-core machine, so the measures are cached
    under `cache`, keyed by the analyser version: a change to the analysis makes a new file.
    """
    from genrelens.core.audio.analyze import ANALYSER_VERSION

    # the analyser version and the measures taken: a new measure must not read an old cache
    cache_key = ANALYSER_VERSION + "|" + ",".join(Measurements.__dataclass_fields__)
    features = pd.read_csv(dev_dir / "features.csv")
    path = None
    if cache is not None:
        tag = hashlib.sha256(cache_key.encode()).hexdigest()[:10]
        path = cache / f"dev-measures-{tag}.csv"
        if path.is_file():
            return features.merge(pd.read_csv(path), on="spotify_id", validate="one_to_one")
    files = [dev_dir / f for f in features["audio_file"]]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        rows = list(pool.map(_measure_one, files))
    measures = pd.DataFrame(rows).assign(spotify_id=features["spotify_id"].to_numpy())
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        measures.to_csv(path, index=False)
    return features.merge(measures, on="spotify_id", validate="one_to_one")


def _measure_one(path: Path) -> dict[str, float]:
    from genrelens.core.audio.analyze import measure_decoded
    from genrelens.core.audio.decode import decode

    m = measure_decoded(decode(path))
    row: dict[str, float] = {}
    for name in m.__dataclass_fields__:
        value = getattr(m, name)
        if isinstance(value, tuple):  # one column per element: name_0, name_1, ...
            row.update({f"{MEASURE_PREFIX}{name}_{i}": float(v) for i, v in enumerate(value)})
        else:
            row[MEASURE_PREFIX + name] = float(value)
    return row


def input_matrix(frame: pd.DataFrame) -> FloatArray:
    """The model inputs of every row, computed through `model_inputs` as analysis does."""
    rows = [model_inputs(measurements_of(row)) for _, row in frame.iterrows()]
    return np.array([[r[name] for name in INPUTS] for r in rows], dtype=np.float64)


def measurements_of(row: pd.Series) -> Measurements:
    """The Measurements of one row of `measure_dev_set`."""
    values: dict[str, Any] = {}
    for name, spec in Measurements.__dataclass_fields__.items():
        if MEASURE_PREFIX + name in row.index:
            values[name] = float(row[MEASURE_PREFIX + name])
        elif spec.default == ():  # a tuple measure, stored as name_0, name_1, ...
            columns = sorted((c for c in row.index if str(c).startswith(f"{MEASURE_PREFIX}{name}_")),
                             key=lambda c: int(str(c).rsplit("_", 1)[1]))
            values[name] = tuple(float(row[c]) for c in columns)
    values["key"], values["mode"] = int(values["key"]), int(values["mode"])
    return Measurements(**values)


def fit_all(
    frame: pd.DataFrame, *, keep_predictions: bool = False
) -> tuple[dict[str, LinearModel], dict[str, dict[str, Any]]]:
    """Every descriptor's model (fitted on all its rows) and its cross-validated fidelity; with
    `keep_predictions`, each fidelity also holds "_predictions", the out-of-fold values of the rows
    that have the descriptor."""
    X_all, groups = input_matrix(frame), dev_groups(frame)
    models: dict[str, LinearModel] = {}
    fidelity: dict[str, dict[str, Any]] = {}
    for name in DESCRIPTORS:
        rows = frame[name].notna().to_numpy()
        inputs = DESCRIPTOR_INPUTS[name]
        columns = [INPUTS.index(i) for i in inputs]
        X, y = X_all[rows][:, columns], frame.loc[rows, name].to_numpy(dtype=np.float64)
        g = [grp for grp, keep in zip(groups, rows, strict=True) if keep]
        result = cross_validate(name, X, y, g, inputs)
        fidelity[name] = {**result.to_json(), **_checks(name, y, result.predictions)}
        if keep_predictions:
            fidelity[name]["_predictions"] = result.predictions
        models[name] = fit(name, X, y, inputs)
    return models, fidelity


def _checks(name: str, truth: FloatArray, predicted: FloatArray) -> dict[str, float]:
    """The issue's targets that are not r or MAE, on the out-of-fold predictions."""
    if name == "instrumentalness":
        sung, instrumental = truth <= INSTRUMENTAL_ABOVE, truth > INSTRUMENTAL_ABOVE
        return {"sung_read_below_half": round(float(np.mean(predicted[sung] < 0.5)), 3),
                "instrumental_read_above_half": round(float(np.mean(predicted[instrumental] > 0.5)), 3),
                "n_instrumental": int(instrumental.sum())}
    if name == "speechiness":
        rap = truth >= RAP_SPEECHINESS
        return {"mean_rap": round(float(predicted[rap].mean()), 4),
                "mean_other": round(float(predicted[~rap].mean()), 4), "n_rap": int(rap.sum())}
    return {}
