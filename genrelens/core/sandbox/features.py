"""Drawing audio features that follow the real per-genre distributions (feature_profiles.json).

A Gaussian copula: correlated standard normals (the genre's correlation matrix) are turned into
uniforms and then into values through the genre's quantiles, so each feature keeps its real, often
skewed, marginal shape (instrumentalness is mostly ~0) and features keep moving together (energy
with loudness). Sub-genres shift and scale that shape to their own mean and std.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

PROFILES_PATH = Path(__file__).with_name("feature_profiles.json")

#: The shared data's genres differ from the blog's taxonomy: map each taxonomy genre to a profile.
GENRE_TO_PROFILE = {"pop": "pop", "hip hop": "rap", "rock": "rock", "edm": "edm", "latin": "latin",
                    "metal": "rock"}
#: Metal has no profile of its own: it is drawn as rock, then pushed louder, faster, darker and less
#: danceable (additive shifts in feature units; an assumption, not derived from data).
METAL_SHIFT = {"danceability": -0.12, "energy": 0.12, "loudness": 2.0, "valence": -0.12, "tempo": 8.0,
               "acousticness": -0.08}
#: The shared data lacks key, mode and time signature: these are Spotify-wide shares from the
#: 2020 blog's full dataset, approximately (an assumption stated in docs/sandbox.md). Real data
#: also held time signatures 0 and 1 ("no meter found"), outside the 3-7 that Spotify's OpenAPI
#: description allows; the sandbox keeps to the description and counts that share as 3.
KEY_SHARES = (0.11, 0.12, 0.09, 0.03, 0.07, 0.08, 0.08, 0.10, 0.07, 0.09, 0.07, 0.09)
MODE_MAJOR_SHARE = 0.565
TIME_SIGNATURES = ((4, 0.91), (3, 0.065), (5, 0.025))
SKEWED = ("speechiness", "acousticness", "instrumentalness", "liveness")
LOG_EPSILON = 1e-6
BOUNDS = {"tempo": (40.0, 240.0), "loudness": (-40.0, 1.5), "duration_ms": (45_000.0, 900_000.0),
          "track_popularity": (0.0, 100.0)}


@dataclass(frozen=True, slots=True)
class PairProfile:
    """What is needed to draw tracks of one (genre, sub-genre) pair of the taxonomy."""

    columns: tuple[str, ...]
    probabilities: np.ndarray
    quantiles: np.ndarray  # columns x probabilities
    zero_share: np.ndarray  # per audio column: share of exact zeros
    chol: np.ndarray  # Cholesky factor of the audio-feature correlation matrix
    shift: np.ndarray  # per audio column: added after scaling
    scale: np.ndarray  # per audio column
    mean: np.ndarray


@cache
def load_profiles(path: Path = PROFILES_PATH) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def pair_profile(genre: str, subgenre: str) -> PairProfile:
    data = load_profiles()
    base = GENRE_TO_PROFILE.get(genre, "pop")
    stats = data["genres"][base]
    audio = tuple(data["audio_columns"])
    columns = audio + tuple(data["meta_columns"])
    mean = np.array(stats["mean"][: len(audio)], dtype=float)
    std = np.array(stats["std"][: len(audio)], dtype=float)
    sub = data["subgenres"].get(f"{base}/{subgenre}")
    target_mean = np.array(sub["mean"], dtype=float) if sub else mean.copy()
    target_std = np.array(sub["std"], dtype=float) if sub else std.copy()
    if genre == "metal":
        for name, delta in METAL_SHIFT.items():
            target_mean[audio.index(name)] += delta
    scale = np.where(std > 0, target_std / np.where(std > 0, std, 1.0), 1.0)
    shift = target_mean - mean * scale
    for j, name in enumerate(audio):
        if name in SKEWED:
            # Mostly-zero features keep their zeros only if scaled, not shifted: an added offset
            # would lift every ~0 value and ruin the shape that matters most.
            scale[j] = target_mean[j] / mean[j] if mean[j] > 0 else 1.0
            shift[j] = 0.0
    return PairProfile(
        columns=columns,
        probabilities=np.array(data["probabilities"], dtype=float),
        quantiles=np.array(stats["quantiles"], dtype=float),
        zero_share=np.array(stats["zero_share"], dtype=float),
        chol=_cholesky(_corr_matrix(stats["corr_upper"], len(audio))),
        shift=shift,
        scale=scale,
        mean=mean,
    )


def draw(profile: PairProfile, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """n tracks' worth of every profile column, plus key, mode and time_signature."""
    n_audio = profile.chol.shape[0]
    normals = rng.standard_normal((n, n_audio)) @ profile.chol.T
    uniforms = np.concatenate([_phi(normals), rng.random((n, len(profile.columns) - n_audio))], axis=1)
    out: dict[str, np.ndarray] = {}
    for j, name in enumerate(profile.columns):
        values = _quantile_function(name, uniforms[:, j], profile.probabilities, profile.quantiles[j])
        if j < n_audio:
            values = values * profile.scale[j] + profile.shift[j]
            values[uniforms[:, j] < profile.zero_share[j]] = 0.0
        out[name] = _clip(name, values)
    out["key"] = rng.choice(12, size=n, p=np.array(KEY_SHARES) / sum(KEY_SHARES)).astype(float)
    out["mode"] = (rng.random(n) < MODE_MAJOR_SHARE).astype(float)
    sigs, shares = zip(*TIME_SIGNATURES, strict=True)
    out["time_signature"] = rng.choice(np.array(sigs, dtype=float), size=n, p=np.array(shares) / sum(shares))
    return out


def _quantile_function(name: str, u: np.ndarray, probabilities: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Interpolate between the quantile knots; skewed features in log space, where their values
    spread over orders of magnitude (instrumentalness: 0, 1e-5, 5e-3, 0.5)."""
    if name not in SKEWED:
        return np.asarray(np.interp(u, probabilities, knots))
    logged = np.log(np.clip(knots, 0.0, None) + LOG_EPSILON)
    return np.asarray(np.exp(np.interp(u, probabilities, logged)) - LOG_EPSILON)


def _corr_matrix(upper: list[float], size: int) -> np.ndarray:
    matrix = np.eye(size)
    rows, cols = np.triu_indices(size, k=1)
    matrix[rows, cols] = upper
    matrix[cols, rows] = upper
    return matrix


def _cholesky(matrix: np.ndarray) -> np.ndarray:
    # Rounded correlations may leave the matrix slightly indefinite: clip eigenvalues and renormalise.
    values, vectors = np.linalg.eigh(matrix)
    fixed = vectors @ np.diag(np.clip(values, 1e-6, None)) @ vectors.T
    d = np.sqrt(np.diag(fixed))
    return np.asarray(np.linalg.cholesky(fixed / np.outer(d, d)))


_erf = np.vectorize(math.erf, otypes=[float])


def _phi(x: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + _erf(x / math.sqrt(2.0))))


def _clip(name: str, values: np.ndarray) -> np.ndarray:
    low, high = BOUNDS.get(name, (0.0, 1.0))
    if name == "release_year":
        low, high = 1950.0, 2020.0
    return np.clip(values, low, high)
