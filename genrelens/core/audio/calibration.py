"""Spotify-scale descriptors from signal measures: small linear models fitted on real recordings.

Each descriptor is one regularised linear model over standardised measures (`model_inputs`;
`DESCRIPTOR_INPUTS` says which each reads), read through a link that keeps it in [0, 1]:

- `identity` (energy, danceability, valence): ridge regression on the value, clipped to [0, 1];
- `logit` (acousticness, speechiness): ridge regression on the log-odds of the value, because
  Spotify's values of these crowd near one end and spread over the other;
- `logistic` (instrumentalness): a logistic regression for "instrumental" (Spotify's value over
  0.5), whose probability is the estimate: Spotify's own values are nearly all near 0 or 1.

The coefficients and each descriptor's cross-validated fidelity live in
`genrelens/data/descriptor_calibration.json`, written by `scripts/fit_descriptors.py` (which says
how they were fitted); nothing here is fitted at run time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from genrelens.core.audio.descriptors import N_CONTRAST_BANDS, N_MFCC_MEANS, Measurements

CALIBRATION_PATH = Path(__file__).resolve().parents[2] / "data" / "descriptor_calibration.json"

DESCRIPTORS: tuple[str, ...] = (
    "energy",
    "danceability",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "valence",
)
LINKS: Mapping[str, str] = {
    "energy": "identity",
    "danceability": "identity",
    "valence": "identity",
    "acousticness": "logit",
    "speechiness": "logit",
    "instrumentalness": "logistic",
}


#: the signal measures every model may read
SIGNAL_INPUTS: tuple[str, ...] = (
    "loudness", "crest_db", "onset_rate", "onset_mean", "pulse_clarity", "beat_strength", "low_energy_rate",
    "flatness", "sub_bass_ratio", "log_zero_crossing_rate", "harmonic_share", "tonal_share", "pitch_motion",
    "syllabic_modulation", "timbre_change",
)
#: timbre summaries (spectral contrast per octave band, average MFCCs): on the development set they
#: lift valence (r 0.67 -> 0.71) and acousticness, and cost danceability and speechiness accuracy,
#: so only those two read them (docs/benchmarks/descriptors.md)
TIMBRE_INPUTS: tuple[str, ...] = (
    *(f"contrast_mean_{i}" for i in range(N_CONTRAST_BANDS)),
    *(f"contrast_std_{i}" for i in range(N_CONTRAST_BANDS)),
    *(f"mfcc_mean_{i + 1}" for i in range(N_MFCC_MEANS)),
)
#: how fast each MFCC 1-12 changes from frame to frame: lifts speechiness (r 0.75 -> 0.79 on the
#: development set) and nothing else, so only speechiness reads them
CHANGE_INPUTS: tuple[str, ...] = tuple(f"mfcc_change_{i + 1}" for i in range(N_MFCC_MEANS))
INPUTS: tuple[str, ...] = (*SIGNAL_INPUTS, *TIMBRE_INPUTS, *CHANGE_INPUTS)
#: which inputs each descriptor's model reads
DESCRIPTOR_INPUTS: Mapping[str, tuple[str, ...]] = {
    "energy": SIGNAL_INPUTS,
    "danceability": SIGNAL_INPUTS,
    "speechiness": (*SIGNAL_INPUTS, *CHANGE_INPUTS),
    "instrumentalness": SIGNAL_INPUTS,
    "acousticness": (*SIGNAL_INPUTS, *TIMBRE_INPUTS),
    "valence": (*SIGNAL_INPUTS, *TIMBRE_INPUTS),
}


def model_inputs(m: Measurements) -> dict[str, float]:
    """Every input a model may read. Logs where a measure spans decades (zero-crossing rate);
    a timbre summary left empty (measurements made without it) reads as zeros."""
    return {
        "loudness": m.loudness,
        "crest_db": m.crest_db,
        "onset_rate": m.onset_rate,
        "onset_mean": m.onset_mean,
        "pulse_clarity": m.pulse_clarity,
        "beat_strength": m.beat_strength,
        "low_energy_rate": m.low_energy_rate,
        "flatness": m.flatness,
        "sub_bass_ratio": m.sub_bass_ratio,
        "log_zero_crossing_rate": math.log(max(m.zero_crossing_rate, 1e-4)),
        "harmonic_share": m.harmonic_share,
        "tonal_share": m.tonal_share,
        "pitch_motion": m.pitch_motion,
        "syllabic_modulation": m.syllabic_modulation,
        "timbre_change": m.timbre_change,
        **_numbered("contrast_mean_", m.contrast_mean, N_CONTRAST_BANDS),
        **_numbered("contrast_std_", m.contrast_std, N_CONTRAST_BANDS),
        **_numbered("mfcc_mean_", m.mfcc_mean, N_MFCC_MEANS, first=1),
        **_numbered("mfcc_change_", m.mfcc_change, N_MFCC_MEANS, first=1),
    }


def _numbered(prefix: str, values: tuple[float, ...], n: int, *, first: int = 0) -> dict[str, float]:
    padded = (*values[:n], *(0.0,) * (n - len(values[:n])))
    return {f"{prefix}{i + first}": float(v) for i, v in enumerate(padded)}


@dataclass(frozen=True, slots=True)
class LinearModel:
    """y = link(intercept + sum(coef * (x - mean) / scale)) over `inputs`."""

    inputs: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    link: str

    def predict(self, values: Mapping[str, float]) -> float:
        z = self.intercept + sum(
            c * (_finite(values[name]) - mu) / sd
            for name, mu, sd, c in zip(self.inputs, self.mean, self.scale, self.coef, strict=True)
        )
        return round(_apply_link(z, self.link), 4)

    def to_json(self) -> dict[str, Any]:
        return {"inputs": list(self.inputs), "mean": list(self.mean), "scale": list(self.scale),
                "coef": list(self.coef), "intercept": self.intercept, "link": self.link}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearModel:
        return cls(tuple(data["inputs"]), tuple(data["mean"]), tuple(data["scale"]), tuple(data["coef"]),
                   float(data["intercept"]), str(data["link"]))


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0


def _apply_link(z: float, link: str) -> float:
    if link == "identity":
        return min(1.0, max(0.0, z)) if math.isfinite(z) else 0.0
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))  # logit and logistic both invert here


@dataclass(frozen=True, slots=True)
class Calibration:
    models: Mapping[str, LinearModel]
    fidelity: Mapping[str, Mapping[str, Any]]
    fitted_on: str


@lru_cache(maxsize=1)
def load(path: Path = CALIBRATION_PATH) -> Calibration:
    data = json.loads(path.read_text())
    return Calibration(
        models={name: LinearModel.from_json(spec) for name, spec in data["models"].items()},
        fidelity=data["fidelity"],
        fitted_on=data["fitted_on"],
    )


def estimate(m: Measurements) -> dict[str, float]:
    """The six descriptors on Spotify's scale, each in [0, 1]."""
    values = model_inputs(m)
    models = load().models
    return {name: models[name].predict(values) for name in DESCRIPTORS}


def fidelity() -> dict[str, dict[str, Any]]:
    """Per descriptor: cross-validated Pearson r and MAE against Spotify's values, the MAE of
    always answering the mean, and how many recordings that was measured on."""
    return {name: dict(values) for name, values in load().fidelity.items()}
