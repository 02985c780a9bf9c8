"""The local genre model: the genre model's companion for tracks whose features come from local
analysis of an audio file rather than from Spotify.

Local estimates of Spotify's descriptors are noisy (each has a measured error against Spotify's
values, docs/benchmarks/descriptors.md), and a model trained on Spotify's exact values reads that
noise as signal. This model is trained on the same songs as the active model, on the features
local analysis gives (every audio feature but liveness, which is never estimated), with each
estimated descriptor perturbed by its measured local error: `NOISE_COPIES` copies of every song,
each with fresh Gaussian noise; `BAG` such models on independent draws, averaged. It reads a
track's estimates stretched back onto Spotify's spread (`Stretch`), the spread it learnt on. Its
labels are the active model's top-1 genres on the clean songs (`TARGETS`), not the playlist
genres: the claim is judged by its agreement with the active model on Spotify's values, so it
learns to guess that model's answer from noisy features.
bench/bench_descriptors.py measures how often its top genre on local estimates agrees with the
genre model's top genre on Spotify's values for the same recordings, with the noise levels fitted
out-of-fold, and writes the noise levels fitted on every recording with that agreement to
genrelens/data/local_genre_agreement.json, which this module reads.

Framework-free like `train.py`: `genrelens train` calls `train_local_model` after the active model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from tqdm.auto import tqdm

from genrelens.core.ml.artifacts import LoadedModel, save_model
from genrelens.core.ml.candidates import SEED, build_pipeline
from genrelens.core.ml.preprocess import PreparedData

#: what local analysis gives (liveness is never estimated, so the model must not lean on it)
LOCAL_FEATURES: tuple[str, ...] = ("danceability", "energy", "loudness", "speechiness", "acousticness",
                                   "instrumentalness", "valence", "tempo", "duration_ms")
#: the learner: LightGBM, the one the agreement was measured with (bench/bench_descriptors.py)
LOCAL_CANDIDATE = "lightgbm"
#: every song this many times, each with fresh noise
NOISE_COPIES = 5
#: how the shipped companion perturbs the songs: "gaussian" (an independent draw per descriptor,
#: `NoiseModel`) or "residuals" (whole measured error vectors of real recordings, `ResidualNoise`;
#: measured no better, docs/benchmarks/descriptors.md)
NOISE_KIND = "gaussian"
#: what it learns: "hard" (the active model's top-1 on the clean features, `teacher_labels`: the
#: agreement it is judged on is with that model, not with the playlist genres) or "genre" (the
#: songs' playlist genres; round 4's recipe, kept for the bench's comparison)
TARGETS = "hard"
#: descriptors whose noise is drawn on the log-odds scale: their values crowd near 0 (speechiness)
#: or near both ends (acousticness, instrumentalness), where an additive error would leave [0, 1]
LOGIT_SCALE: frozenset[str] = frozenset({"speechiness", "acousticness", "instrumentalness"})
_EPS = 0.005
#: what the companion reads for each estimated descriptor: "variance-matched" (the estimates
#: stretched back onto Spotify's spread, `Stretch`; round 10) or "as-estimated" (as they come)
INPUTS_KIND = "variance-matched"
#: companions trained on independent noise draws (seeds SEED, SEED + 1, ...) whose probabilities
#: are averaged: one draw moves the agreement by up to 4 points (bench/bench_companion_seeds.py)
BAG = 4
#: the local model's entry in local_genre_agreement.json, alone and pooled with the active model
LOCAL_KEY = "local-model"
POOLED_KEY = "pooled-model"


@dataclass(frozen=True, slots=True)
class NoiseModel:
    """Per estimated descriptor, the standard deviation of its local error, on its own scale
    (log-odds for `LOGIT_SCALE`, the value itself otherwise); and the measured tempo errors,
    log2(local tempo / Spotify's tempo) of real recordings, drawn as they are: a tempo reading is
    mostly right or off by an octave (half or double), a jump no Gaussian smear describes."""

    sd: Mapping[str, float]
    tempo_log2: tuple[float, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any], tempo_log2: Sequence[float] = ()) -> NoiseModel:
        return cls({str(k): float(v) for k, v in data.items()}, tuple(float(v) for v in tempo_log2))

    def perturb(self, X: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """A copy of `X` with every descriptor this model knows moved by a fresh draw of its error,
        and the tempo scaled by one drawn tempo error."""
        out = X.copy()
        for name, sd in self.sd.items():
            if name not in out or sd <= 0:
                continue
            values = out[name].to_numpy(dtype=np.float64)
            noise = rng.normal(0.0, sd, len(values))
            if name in LOGIT_SCALE:
                out[name] = 1.0 / (1.0 + np.exp(-(_logit(values) + noise)))
            else:
                out[name] = values + noise
            out.loc[np.isnan(values), name] = np.nan  # a missing value stays missing
        if self.tempo_log2 and "tempo" in out:
            drawn = np.asarray(self.tempo_log2)[rng.integers(0, len(self.tempo_log2), len(out))]
            out["tempo"] = out["tempo"].to_numpy(dtype=np.float64) * np.exp2(drawn)
        return out


@dataclass(frozen=True, slots=True)
class ResidualNoise:
    """Joint local errors of real recordings: per recording, its local estimate minus Spotify's value
    for every descriptor in `columns`, on each descriptor's noise scale. Each perturbed row gets
    one whole recording's residual vector, drawn at random, so the errors' biases and their
    correlations between descriptors are kept (a Gaussian per descriptor keeps neither)."""

    columns: tuple[str, ...]
    residuals: tuple[tuple[float, ...], ...]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ResidualNoise:
        return cls(tuple(data["columns"]), tuple(tuple(float(v) for v in row) for row in data["values"]))

    def to_json(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "values": [list(row) for row in self.residuals]}

    def perturb(self, X: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
        """A copy of `X` with each row moved by one randomly drawn recording's errors."""
        out = X.copy()
        table = np.asarray(self.residuals, dtype=np.float64).reshape(-1, len(self.columns))
        drawn = table[rng.integers(0, len(table), len(X))]
        for j, name in enumerate(self.columns):
            if name in out:
                out[name] = _moved(out[name].to_numpy(dtype=np.float64), drawn[:, j], name)
        return out


@dataclass(frozen=True, slots=True)
class Stretch:
    """Per estimated descriptor, the line on its noise scale that gives the estimates of the
    development recordings Spotify's mean and spread for the same recordings.

    The estimates are regressions: each pulls its values towards the middle, to a spread about r
    times Spotify's, while the companion learns from Spotify's values plus noise, a wider spread.
    Read as they come, a track's estimates crowd the middle of what the companion learnt, where the
    genres overlap most; stretched, they spread as its songs did. The line keeps each descriptor's
    ranking (so its r) and widens its errors, which the companion is trained with (`measure_noise`
    on the stretched estimates).
    `lines`: name -> (estimates' mean, their standard deviation, Spotify's mean, its standard
    deviation), on the descriptor's noise scale (log-odds for `LOGIT_SCALE`)."""

    lines: Mapping[str, tuple[float, float, float, float]]

    @classmethod
    def measure(cls, spotify: pd.DataFrame, local: pd.DataFrame) -> Stretch:
        """The lines of every descriptor both frames have, from the recordings where both are known."""
        lines = {}
        for name in spotify.columns.intersection(local.columns):
            truth = _scaled(spotify[name].to_numpy(dtype=np.float64), str(name))
            estimate = _scaled(local[name].to_numpy(dtype=np.float64), str(name))
            keep = np.isfinite(truth) & np.isfinite(estimate)
            if keep.sum() > 1 and estimate[keep].std() > 0:
                lines[str(name)] = (round(float(estimate[keep].mean()), 6), round(float(estimate[keep].std()), 6),
                                    round(float(truth[keep].mean()), 6), round(float(truth[keep].std()), 6))
        return cls(lines)

    @classmethod
    def from_json(cls, data: Mapping[str, Mapping[str, float]]) -> Stretch:
        return cls({str(name): (float(v["estimate_mean"]), float(v["estimate_sd"]), float(v["spotify_mean"]),
                                float(v["spotify_sd"])) for name, v in data.items()})

    def to_json(self) -> dict[str, dict[str, float]]:
        keys = ("estimate_mean", "estimate_sd", "spotify_mean", "spotify_sd")
        return {name: dict(zip(keys, line, strict=True)) for name, line in self.lines.items()}

    def apply(self, X: pd.DataFrame) -> pd.DataFrame:
        """A copy of `X` with every descriptor it has a line for stretched (missing stays missing)."""
        out = X.copy()
        for name, (mean, sd, spotify_mean, spotify_sd) in self.lines.items():
            if name in out:
                z = spotify_mean + (_scaled(out[name].to_numpy(dtype=np.float64), name) - mean) * spotify_sd / sd
                out[name] = 1.0 / (1.0 + np.exp(-z)) if name in LOGIT_SCALE else np.clip(z, 0.0, 1.0)
        return out


def _scaled(values: np.ndarray, name: str) -> np.ndarray:
    return _logit(values) if name in LOGIT_SCALE else values


def _moved(values: np.ndarray, error: np.ndarray, name: str) -> np.ndarray:
    """`values` plus `error` on the descriptor's noise scale; a missing value stays missing."""
    moved = 1.0 / (1.0 + np.exp(-(_logit(values) + error))) if name in LOGIT_SCALE else values + error
    return np.where(np.isnan(values), np.nan, moved)


def noisy_copies(X: pd.DataFrame, y: np.ndarray, noise: NoiseModel | ResidualNoise, *, copies: int = NOISE_COPIES,
                 seed: int = SEED) -> tuple[pd.DataFrame, np.ndarray]:
    """`copies` perturbed copies of the rows, stacked, and their labels."""
    rng = np.random.default_rng(seed)
    frames = [noise.perturb(X, rng) for _ in range(copies)]
    return pd.concat(frames, ignore_index=True), np.tile(np.asarray(y), copies)


def teacher_labels(teacher: Any, X: pd.DataFrame) -> np.ndarray:
    """The labels the companion learns when it imitates `teacher` (the active model) rather than the
    playlist genres: its top-1 on the clean features."""
    proba = np.asarray(teacher.predict_proba(X))
    classes = np.asarray(teacher.classes_ if hasattr(teacher, "classes_") else teacher.classes)
    return np.asarray(classes[proba.argmax(axis=1)])


def fit_local(X: pd.DataFrame, y: np.ndarray, noise: NoiseModel | ResidualNoise, *,
              columns: Sequence[str] = LOCAL_FEATURES, copies: int = NOISE_COPIES, seed: int = SEED,
              teacher: Any = None, targets: str = "hard") -> Pipeline:
    """The local model's pipeline fitted on noisy copies of `X[columns]`; labelled by `teacher`'s
    predictions on the clean rows when one is given (`teacher_labels`), else by `y`."""
    if teacher is not None and targets == "hard":
        y = teacher_labels(teacher, X)
    Xn, yn = noisy_copies(X[list(columns)], y, noise, copies=copies, seed=seed)
    return build_pipeline(LOCAL_CANDIDATE).fit(Xn, yn)


class Companion:
    """The companion as shipped since round 10: `BAG` pipelines, each trained on its own noise
    draw, that read a track's estimates after `stretch` and answer with their mean probabilities
    (bagging over the noise: steadier than one draw, and measured more often in agreement,
    docs/benchmarks/companion-seeds.md)."""

    def __init__(self, pipelines: Sequence[Pipeline], stretch: Stretch) -> None:
        self.pipelines, self.stretch = list(pipelines), stretch
        self.classes_ = self.pipelines[0].classes_
        # averaging is column by column: trained on the same songs, every pipeline has these classes
        if any(list(p.classes_) != list(self.classes_) for p in self.pipelines):
            raise ValueError("the companion's pipelines disagree on the classes")

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        stretched = self.stretch.apply(X)
        return np.asarray(np.mean([p.predict_proba(stretched) for p in self.pipelines], axis=0))


def fit_companion(X: pd.DataFrame, y: np.ndarray, noise: NoiseModel | ResidualNoise, stretch: Stretch, *,
                  columns: Sequence[str] = LOCAL_FEATURES, bag: int = BAG, seed: int = SEED,
                  teacher: Any = None, targets: str = "hard", progress: bool = False, n_jobs: int = 1) -> Companion:
    """`bag` local pipelines (`fit_local`, seeds `seed`, `seed` + 1, ...) reading through `stretch`,
    `n_jobs` at a time. `noise` must be the errors of the stretched estimates, the inputs the
    companion will read."""
    if teacher is not None and targets == "hard":
        y = teacher_labels(teacher, X)  # once for every draw: they learn the same labels

    def draw(i: int) -> Pipeline:
        return fit_local(X, y, noise, columns=columns, seed=seed + i)

    # threads suffice: LightGBM trains outside the GIL, and each draw has its own seed, so the
    # pipelines are the same however many run at once
    with ThreadPoolExecutor(max_workers=max(1, n_jobs)) as pool:
        pipelines = list(tqdm(pool.map(draw, range(bag)), total=bag, desc="local companion (noise draws)",
                              disable=not progress))
    return Companion(pipelines, stretch)


def measure_residuals(spotify: pd.DataFrame, local: pd.DataFrame) -> ResidualNoise:
    """Per recording with every shared descriptor known, local estimate minus Spotify's value on
    each descriptor's noise scale (rounded: a small table, stored as it is measured)."""
    columns = [str(c) for c in spotify.columns.intersection(local.columns)]
    truth = np.column_stack([_scaled(spotify[n].to_numpy(dtype=np.float64), n) for n in columns])
    errors = np.column_stack([_scaled(local[n].to_numpy(dtype=np.float64), n) for n in columns]) - truth
    table = errors[np.isfinite(errors).all(axis=1)]
    return ResidualNoise(tuple(columns), tuple(tuple(round(float(v), 4) for v in row) for row in table))


def measure_noise(spotify: pd.DataFrame, local: pd.DataFrame) -> NoiseModel:
    """Root-mean-square difference between local estimates and Spotify's values of the same
    recordings, per descriptor both share, on each descriptor's noise scale; for tempo, when both
    have it, every recording's log2(local / Spotify's) (rounded: a small table, stored as measured)."""
    sd = {}
    for name in spotify.columns.intersection(local.columns).drop("tempo", errors="ignore"):
        a, b = spotify[name].to_numpy(dtype=np.float64), local[name].to_numpy(dtype=np.float64)
        if name in LOGIT_SCALE:
            a, b = _logit(a), _logit(b)
        keep = np.isfinite(a) & np.isfinite(b)
        if keep.any():
            sd[str(name)] = round(float(np.sqrt(np.mean((a[keep] - b[keep]) ** 2))), 4)
    tempo_log2: tuple[float, ...] = ()
    if "tempo" in spotify and "tempo" in local:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.log2(local["tempo"].to_numpy(dtype=np.float64) / spotify["tempo"].to_numpy(dtype=np.float64))
        tempo_log2 = tuple(round(float(v), 4) for v in ratio[np.isfinite(ratio)])
    return NoiseModel(sd, tempo_log2)


def _logit(values: np.ndarray) -> np.ndarray:
    clipped = np.clip(values, _EPS, 1.0 - _EPS)
    return np.asarray(np.log(clipped / (1.0 - clipped)), dtype=np.float64)


def pool(local: np.ndarray, active: np.ndarray, weight: float) -> np.ndarray:
    """Log-linear pooling: per row, the weighted geometric mean of the companion's probabilities
    (`1 - weight`) and the active model's (`weight`), renormalised. `weight` 0 is the companion."""
    logs = (1.0 - weight) * np.log(np.asarray(local) + 1e-9) + weight * np.log(np.asarray(active) + 1e-9)
    pooled = np.exp(logs - logs.max(axis=1, keepdims=True))
    return np.asarray(pooled / pooled.sum(axis=1, keepdims=True))


class PooledCompanion:
    """The companion pooled with the active model's reading of the same local estimates (`pool`).

    The two err differently: the companion was trained as if each estimate were Spotify's value
    plus noise, while the estimates are regressions, shrunk towards the middle, which the active
    model takes at their word. Pooled with the weight `bench/bench_descriptors.py` chose out of
    fold, they agreed with the genre from Spotify's values more often than either alone in rounds
    7 to 9; a companion reading stretched estimates (`Stretch`) agrees more often alone, so it is
    pooled only when the benchmark's `basis` says so. Saved as the companion's pipeline, so every
    reader of the companion gets the pooled probabilities.
    """

    def __init__(self, companion: Companion, active: Pipeline, active_features: Sequence[str], weight: float) -> None:
        self.companion, self.active, self.weight = companion, active, float(weight)
        # the active model's own inputs: those local analysis never gives (liveness, perhaps the
        # release year) reach its imputer as missing, as they do when it scores a local track alone
        self.active_features = list(active_features)
        self.classes_ = companion.classes_

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        order = [list(self.active.classes_).index(c) for c in self.classes_]
        active = np.asarray(self.active.predict_proba(X.reindex(columns=self.active_features)))[:, order]
        return pool(np.asarray(self.companion.predict_proba(X)), active, self.weight)


def can_train_local(data: PreparedData) -> bool:
    """Only a genre model with every local feature gets a companion (the caller leaves out a model
    trained on local analyses, `--source local`, which already learnt from local estimates)."""
    return data.label == "genre" and set(LOCAL_FEATURES) <= set(data.X.columns)


def shipped_noise(measured: Mapping[str, Any]) -> NoiseModel | ResidualNoise:
    """The noise the shipped companion is trained with, from local_genre_agreement.json."""
    if NOISE_KIND == "residuals":
        return ResidualNoise.from_json(measured["residuals"])
    return NoiseModel.from_json(measured["noise"], measured.get("tempo_log2", ()))


def train_local_model(data: PreparedData, parent_card: Mapping[str, Any], measured: Mapping[str, Any],
                      out_dir: Path, *, teacher: Any = None, progress: bool = False,
                      n_jobs: int = 1) -> LoadedModel:
    """Fit and save the local model beside the active one (`<parent id>-local.joblib` + card).

    `measured` is genrelens/data/local_genre_agreement.json: the local errors it is trained with and
    the agreement measured for it, both copied into its card. `teacher` is the trained active model,
    whose top-1 genres on the songs it learns (`TARGETS`); without one it learns the playlist genres.
    """
    noise = shipped_noise(measured)
    stretch = Stretch.from_json(measured.get("stretch", {}))  # none measured: the estimates as they come
    targets = TARGETS if teacher is not None else "genre"
    companion = fit_companion(data.X, data.y, noise, stretch, teacher=teacher, targets=targets, progress=progress,
                              n_jobs=n_jobs)
    pipeline: Companion | PooledCompanion = companion
    key = shown_key(measured, pooled=teacher is not None)
    if key == POOLED_KEY:
        # the active model's fitted pipeline without its temperature: what the benchmark pooled with
        weight = float(measured["pooling"]["weight"])
        pipeline = PooledCompanion(companion, teacher.pipeline, teacher.features, weight)
    card = {
        "model_id": f"{parent_card['model_id']}-local",
        "created_at": parent_card.get("created_at"),
        "label": data.label,
        "classes": data.classes,
        "features": list(LOCAL_FEATURES),
        "feature_set": "local",
        "dataset": dict(parent_card.get("dataset", {})),
        "candidate": LOCAL_CANDIDATE,
        "companion_of": parent_card["model_id"],
        "training": {"noise_kind": NOISE_KIND, "noise": _noise_summary(noise), "logit_scale": sorted(LOGIT_SCALE),
                     "copies": NOISE_COPIES, "targets": targets, "seeds": list(range(SEED, SEED + BAG)),
                     "inputs": INPUTS_KIND if stretch.lines else "as-estimated", "stretch": stretch.to_json(),
                     "rows": len(data.y),
                     **({"pooled_with": {"model": parent_card["model_id"], "weight": measured["pooling"]["weight"]}}
                        if key == POOLED_KEY else {})},
        "agreement": local_agreement(measured, key),
        "library_versions": parent_card.get("library_versions", {}),
    }
    model = LoadedModel(pipeline, None, card)
    save_model(model, out_dir)
    return model


def _noise_summary(noise: NoiseModel | ResidualNoise) -> dict[str, Any]:
    """For the card: Gaussian levels as they are; residuals as their count, mean and spread per
    descriptor (the table itself is in local_genre_agreement.json)."""
    if isinstance(noise, NoiseModel):
        return {**noise.sd, **_tempo_summary(noise.tempo_log2)}
    table = np.asarray(noise.residuals, dtype=np.float64).reshape(-1, len(noise.columns))
    return {"recordings": len(table), **{name: {"mean": round(float(table[:, j].mean()), 4),
                                                "sd": round(float(table[:, j].std()), 4)}
                                         for j, name in enumerate(noise.columns)}}


def _tempo_summary(tempo_log2: Sequence[float]) -> dict[str, Any]:
    """The tempo errors in a card: how many recordings, and the share off by about an octave."""
    if not tempo_log2:
        return {}
    octave = float(np.mean(np.abs(np.abs(np.asarray(tempo_log2)) - 1.0) < 0.1))
    return {"tempo": {"recordings": len(tempo_log2), "octave_errors": round(octave, 3)}}


def shown_key(measured: Mapping[str, Any], *, pooled: bool = True) -> str:
    """Which companion `genrelens train` saves: pooled with the active model when the benchmark
    found that the more accurate (`basis`) and the active model is at hand, else the companion alone."""
    return POOLED_KEY if pooled and measured.get("basis") == POOLED_KEY else LOCAL_KEY


def local_agreement(measured: Mapping[str, Any], key: str = LOCAL_KEY) -> dict[str, Any]:
    """The local model's measured agreement with the genre model on Spotify's values."""
    scores = measured["agreement"][key]
    return {"top1": scores["top1"], "top2": scores["top2"], "recordings": int(measured["n"]),
            "protocol": measured.get("protocol", "")}


def companion_key(model: LoadedModel) -> str:
    """The agreement entry a saved companion was measured as: alone, or pooled with its active model."""
    return POOLED_KEY if model.card.get("training", {}).get("pooled_with") else LOCAL_KEY


def card_entry(model: LoadedModel) -> dict[str, Any]:
    """What the active model's card records about its companion: the file, its sha256 (so loading
    it is vouched for by the registered card, as the active artifact is), features and agreement."""
    return {"model_id": model.model_id, "file": model.card["artifact"]["file"],
            "sha256": model.card["artifact"]["sha256"], "features": model.features,
            "agreement": model.card["agreement"]}


def local_row(features: Mapping[str, float | int | None]) -> pd.DataFrame:
    """One local track's features as the local model reads them (missing values as NaN)."""
    return pd.DataFrame([{n: _nan(features.get(n)) for n in LOCAL_FEATURES}])


def _nan(value: float | int | None) -> float:
    return math.nan if value is None else float(value)


def ranked(classes: Sequence[str], proba: np.ndarray) -> dict[str, float]:
    return {str(c): float(p) for c, p in sorted(zip(classes, proba, strict=True), key=lambda kv: -kv[1])}
