"""Integrated loudness per ITU-R BS.1770-4 (K-weighting, 400 ms blocks, absolute and relative gates).

Our own implementation because pyloudnorm loops over blocks in Python and filters with lfilter one
channel at a time (about 0.5 s for 3 minutes of stereo); this one filters all channels in one
`sosfilt` call and gates with array sums. The filters are designed for any sample rate from the
analogue prototype libebur128 uses, which reproduces the coefficients printed in BS.1770 at 48 kHz.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import signal as sps

#: Spotify's loudness lives in [-60, 0]; silence is clamped to the floor instead of -inf.
FLOOR_LUFS = -60.0
_ABSOLUTE_GATE = -70.0
_RELATIVE_GATE = -10.0
#: BS.1770 channel weights by position (L, R, C, LFE, Ls, Rs); LFE does not count.
_WEIGHTS_6 = (1.0, 1.0, 1.0, 0.0, 1.41, 1.41)
_WEIGHTS_5 = (1.0, 1.0, 1.0, 1.41, 1.41)
_STEPS_PER_CHUNK = 50

FloatArray = npt.NDArray[np.float64]


def k_weighting_sos(sr: int) -> npt.NDArray[np.float64]:
    """The two K-weighting stages (head shelf, then RLB high-pass) as second-order sections."""
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sr)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf_b = [(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    shelf_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sr)
    d = 1.0 + k / q + k * k
    hp_b = [1.0, -2.0, 1.0]
    hp_a = [1.0, 2.0 * (k * k - 1.0) / d, (1.0 - k / q + k * k) / d]
    return np.array([shelf_b + shelf_a, hp_b + hp_a])


def block_energies(samples: npt.NDArray[np.floating], sr: int) -> npt.NDArray[np.float64]:
    """Weighted mean-square energy of each 400 ms block (75 % overlap), summed over channels."""
    x = samples[:, None] if samples.ndim == 1 else samples
    sos = k_weighting_sos(sr).astype(np.float32)
    step = round(0.1 * sr)
    n_steps = x.shape[0] // step
    if n_steps < 4:  # shorter than one gating block: measure what there is as a single block
        filtered = sps.sosfilt(sos, np.ascontiguousarray(x.T, dtype=np.float32), axis=-1).astype(np.float64)
        return np.array([float(np.mean(filtered**2, axis=1) @ _weights(x.shape[1]))])
    per_step = _weights(x.shape[1]) @ _step_energies(x, sos, step, n_steps)
    return np.convolve(per_step, np.ones(4), mode="valid") / (4 * step)


def _step_energies(x: npt.NDArray[np.floating], sos: npt.NDArray[np.float32], step: int, n_steps: int) -> FloatArray:
    """Sum of squared K-weighted samples per channel and 100 ms step, filtered 5 s at a time.

    Chunks (carrying the filter state across) keep memory flat for hour-long files, and each
    chunk is copied channels-first in float32: scipy's float32 sosfilt is ~6x faster than float64,
    and its error on the mean square is below 1e-4 relative (0.0005 dB).
    """
    channels = x.shape[1]
    state = np.zeros((sos.shape[0], channels, 2), dtype=np.float32)
    out = np.empty((channels, n_steps))
    for a in range(0, n_steps, _STEPS_PER_CHUNK):
        b = min(n_steps, a + _STEPS_PER_CHUNK)
        chunk = np.ascontiguousarray(x[a * step : b * step].T, dtype=np.float32)
        filtered, state = sps.sosfilt(sos, chunk, axis=-1, zi=state)
        body = filtered.reshape(channels, b - a, step)
        out[:, a:b] = np.einsum("cns,cns->cn", body, body)
    return out


def _weights(channels: int) -> npt.NDArray[np.float64]:
    table = _WEIGHTS_6 if channels == 6 else _WEIGHTS_5
    return np.array([table[c] if c < len(table) else 1.0 for c in range(channels)])


def energy_to_lufs(energy: npt.NDArray[np.float64] | float) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore"):
        return np.asarray(-0.691 + 10.0 * np.log10(energy))


def gated_loudness(blocks: npt.NDArray[np.float64]) -> float:
    """BS.1770 gating of block energies; clamped to [-60, 0] and never -inf."""
    loud = energy_to_lufs(blocks)
    kept = blocks[loud >= _ABSOLUTE_GATE]
    if kept.size == 0:
        return FLOOR_LUFS
    relative = float(energy_to_lufs(kept.mean())) + _RELATIVE_GATE
    kept = blocks[loud >= max(relative, _ABSOLUTE_GATE)]
    value = float(energy_to_lufs(kept.mean()))
    return min(0.0, max(FLOOR_LUFS, value))


def integrated_loudness(samples: npt.NDArray[np.floating], sr: int) -> float:
    """Integrated loudness in LUFS of (frames,) or (frames, channels) audio, in [-60, 0]."""
    return gated_loudness(block_energies(samples, sr))
