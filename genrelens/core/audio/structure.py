"""Section boundaries: peaks of Foote's checkerboard novelty on a beat-synchronous self-similarity
matrix of chroma (harmony) and MFCCs (timbre).

Working per beat keeps the matrix small (about 400 x 400 for a 3-minute song) and makes a
section change land on a beat. Tracks without a beat fall back to half-second steps.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.fft
from scipy import signal as sps

FloatArray = npt.NDArray[np.float64]

#: half-width of the checkerboard kernel, in units (beats): four bars of 4/4, so that a chord
#: progression repeating within four bars reads as one texture, not as a string of changes
KERNEL_HALF = 16
#: no two boundaries closer than this many units
MIN_SECTION_UNITS = 16
#: novelty is a correlation-like score in [-1, 1]; a boundary needs at least this much contrast
#: between the 4 bars before and the 4 bars after it
MIN_NOVELTY = 0.3
_FALLBACK_STEP_S = 0.5


def unit_bounds(beats: FloatArray, duration: float) -> FloatArray:
    """Edges of the analysis units: beat times, or a half-second grid when there are too few beats."""
    if len(beats) >= 2 * KERNEL_HALF:
        return np.concatenate([[0.0], beats, [duration]])
    return np.arange(0.0, duration + _FALLBACK_STEP_S, _FALLBACK_STEP_S)


def pool_frames(features: npt.NDArray[np.float32], frame_rate: float, bounds: FloatArray) -> FloatArray:
    """Mean of the feature frames falling into each unit [bounds[i], bounds[i+1])."""
    idx = np.clip((bounds * frame_rate).astype(int), 0, features.shape[1])
    csum = np.concatenate([np.zeros((features.shape[0], 1)), np.cumsum(features, axis=1, dtype=np.float64)], axis=1)
    counts = np.maximum(np.diff(idx), 1)
    return np.asarray((csum[:, idx[1:]] - csum[:, idx[:-1]]) / counts)


def mfcc_from_mel_db(mel_db: npt.NDArray[np.float32], n: int = 13) -> npt.NDArray[np.float32]:
    return np.asarray(scipy.fft.dct(mel_db, axis=0, type=2, norm="ortho")[1:n], dtype=np.float32)


def novelty(features: FloatArray) -> FloatArray:
    """Foote (2000) novelty: correlate a Gaussian-tapered checkerboard kernel along the diagonal."""
    x = features - features.mean(axis=1, keepdims=True)
    x = x / (np.linalg.norm(x, axis=0, keepdims=True) + 1e-9)
    ssm = x.T @ x
    n, k = ssm.shape[0], KERNEL_HALF
    sign = np.sign(np.arange(-k, k) + 0.5)
    taper = sps.windows.gaussian(2 * k, std=k / 2)
    kernel = np.outer(sign * taper, sign * taper)
    kernel /= np.abs(kernel).sum() / 2  # perfect contrast (+1 within, -1 across) scores 1
    padded = np.pad(ssm, k, mode="constant")
    out = np.zeros(n)
    for i in range(n):
        out[i] = float((padded[i : i + 2 * k, i : i + 2 * k] * kernel).sum())
    return out


def section_starts(
    chroma: npt.NDArray[np.float32],
    chroma_rate: float,
    mfcc: npt.NDArray[np.float32],
    mfcc_rate: float,
    beats: FloatArray,
    duration: float,
) -> list[float]:
    """Start times (s) of each section; the first is always 0.0."""
    bounds = unit_bounds(beats, duration)
    if len(bounds) < 2 * KERNEL_HALF + 2:
        return [0.0]
    harmony = _unit_norm(pool_frames(chroma, chroma_rate, bounds))
    timbre = _unit_norm(pool_frames(mfcc, mfcc_rate, bounds))
    feats = np.vstack([harmony, timbre])
    curve = novelty(feats)
    if curve.max() <= 0:
        return [0.0]
    peaks, _ = sps.find_peaks(curve, distance=MIN_SECTION_UNITS, height=MIN_NOVELTY)
    # Near either end the kernel hangs over the zero padding and reads silence as contrast, so a
    # boundary needs a full kernel on both sides (intros/outros under four bars are not split off).
    peaks = peaks[(peaks >= KERNEL_HALF) & (peaks <= len(curve) - KERNEL_HALF)]
    return [0.0] + [round(float(bounds[p]), 3) for p in peaks]


def _unit_norm(x: FloatArray) -> FloatArray:
    """Each dimension to zero mean, unit variance, so chroma and MFCC weigh the same."""
    sd = x.std(axis=1, keepdims=True)
    return (x - x.mean(axis=1, keepdims=True)) / np.where(sd > 1e-9, sd, 1.0)
