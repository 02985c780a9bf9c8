"""The fixed grid every taste distribution is drawn on: one range per feature, 256 points.

A fixed grid (not one fitted to the data) is what makes two tastes comparable point by point: a
user's energy density and rock's are sampled at the same 256 energies, so their overlap is a sum.

The ranges cover where real values live; values outside still count in counts, medians, means and
percentiles, and still add their kernel's tail to the density, but the density is drawn (and
normalised) only inside the range. Choices:

- the seven 0..1 features (danceability ... valence): 0..1;
- loudness: -60..5 dB, the range the importer accepts (Spotify's is about -60..0; some masters peak
  above 0);
- tempo: 0..250 BPM (the importer accepts up to 300; faster tracks are rare and usually doubled);
- duration_ms: 0..600,000 ms (10 minutes); longer tracks lie off the drawn range;
- key, mode, time_signature (whole numbers): ranges whose 256 points land on every whole number,
  so a narrow kernel bump at 4/4 is sampled at its peak: key -0.75..12 (steps of 0.05, pitch
  classes 0..11; Spotify's -1 "no key found" counts as unknown), mode 0..1 (steps of 1/255),
  time_signature -0.5..8 (steps of 1/30, Spotify's 0..7).
"""

from __future__ import annotations

import numpy as np

from genrelens.core.taste.errors import TasteInputError
from genrelens.core.types import FEATURE_NAMES, UNIT_FEATURES

GRID_POINTS: int = 256

#: Whole-number features: their distributions are also given as exact frequencies per value.
DISCRETE_FEATURES: tuple[str, ...] = ("key", "mode", "time_signature")

_RANGES: dict[str, tuple[float, float]] = {
    **{name: (0.0, 1.0) for name in UNIT_FEATURES},
    "loudness": (-60.0, 5.0),
    "tempo": (0.0, 250.0),
    "duration_ms": (0.0, 600_000.0),
    "key": (-0.75, 12.0),
    "mode": (0.0, 1.0),
    "time_signature": (-0.5, 8.0),
}

_UNITS: dict[str, str] = {"loudness": "dB", "tempo": "BPM", "duration_ms": "ms", "key": "pitch class"}

#: The whole values each discrete feature can take (what its frequencies are listed over).
DISCRETE_VALUES: dict[str, tuple[int, ...]] = {
    "key": tuple(range(12)),
    "mode": (0, 1),
    "time_signature": tuple(range(8)),
}


def _check_feature(feature: str) -> None:
    if feature not in _RANGES:
        raise TasteInputError(f"unknown feature {feature!r}; expected one of {', '.join(FEATURE_NAMES)}")


def feature_range(feature: str) -> tuple[float, float]:
    """The (low, high) ends of `feature`'s grid, in its own units (see the module docstring)."""
    _check_feature(feature)
    return _RANGES[feature]


def feature_unit(feature: str) -> str:
    """The unit of `feature`'s values ("" for the 0..1 features and mode)."""
    _check_feature(feature)
    return _UNITS.get(feature, "")


def feature_grid(feature: str, points: int = GRID_POINTS) -> np.ndarray:
    """`points` evenly spaced values from the low to the high end of `feature`'s range."""
    if points < 2:
        raise TasteInputError(f"a grid needs at least 2 points, not {points}")
    low, high = feature_range(feature)
    return np.linspace(low, high, points)


def grid_spec(feature: str, points: int = GRID_POINTS) -> dict[str, float | int | str]:
    """The grid as stored in documents: enough to rebuild it with numpy.linspace(min, max, points)."""
    low, high = feature_range(feature)
    return {"min": low, "max": high, "points": points, "unit": feature_unit(feature)}
