"""Key and mode from constant-Q chroma matched against key profiles.

The CQT runs on an 11025 Hz copy of the signal (its top bin, B6, is under 2 kHz, so nothing is
lost) with three bins per semitone, centred on the track's own tuning. The tuning comes first,
from a cheaper CQT with a coarse hop: the spectral peaks' positions, interpolated between
bins, as a weighted circular mean of their offsets from the equal-tempered grid. Many real
recordings sit 0.2-0.5 semitone off A440 (tape speed, old pianos, a singer's own pitch; two in five of
the dev set's keyed clips); folded on a grid that far off, their chroma smears over two neighbouring
classes and the key lands a semitone away. On the dev set the best reading scores 68 (MIREX)
with the tuning estimate and 63 without it; the former default (Sha'ath's profiles, 4 octaves) 57.

The key is read from a second, whitened chroma of the three lowest octaves (C2-B4), where bass
lines and chords live: log magnitude minus its moving average across frequency removes the
spectral envelope (drums, timbre) and leaves the peaks of pitched notes; each frame then counts
once (L1-normalised), however loud, and the mean is matched against Albrecht and Shanahan's
profiles. Every choice here is scored leave-one-genre-out by bench/bench_audio_accuracy.py --cv.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import librosa
import numpy as np
import numpy.typing as npt
from scipy.ndimage import uniform_filter1d

from genrelens.core.audio import cqt_basis
from genrelens.core.audio.spectral import ANALYSIS_SR, resample

cqt_basis.install()

CQT_SR = 11025
CQT_HOP = 1024  # 93 ms: key and beat-level sections need no finer time resolution, and the CQT's
# cost grows with the number of frames
_BINS_PER_SEMITONE = 3
_OCTAVES = 5
_MIN_CQT_SAMPLES = 3 * CQT_SR
_HOP_STEP = 2 ** (_OCTAVES - 1)  # the CQT halves its hop for each octave below the top
_FMIN = float(librosa.note_to_hz("C2")) * 2.0 ** (-1.0 / 36.0)  # sub-bin 1 of each semitone sits in tune

#: Albrecht and Shanahan's (2013) key profiles, tonic first: pitch-class shares counted in a
#: corpus of real pieces, so chromatic notes weigh almost nothing. On tuned chroma they beat
#: Sha'ath's (KeyFinder), Krumhansl-Kessler's and Temperley's on the dev set in every fold
MAJOR_PROFILE = np.array([0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081])
MINOR_PROFILE = np.array([0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052])
#: Sha'ath's (2011, KeyFinder) profiles: Krumhansl-Kessler's adjusted for popular music; the
#: default before tuning estimation, kept for the benchmark's comparison
SHAATH_MAJOR = np.array([6.6, 2.0, 3.5, 2.3, 4.6, 4.0, 2.5, 5.2, 2.4, 3.7, 2.3, 3.4])
SHAATH_MINOR = np.array([6.5, 2.7, 3.5, 5.4, 2.6, 3.5, 2.5, 5.2, 4.0, 2.7, 4.3, 3.2])
#: octaves of the CQT the key is read from (C2-B4): melody and overtones above blur the harmony
_KEY_OCTAVES = 3
_TOP_KEY_OCTAVE_WEIGHT = 1.0
#: bins of the moving average the whitening subtracts: 8 semitones, narrower than an octave so
#: that a dense chord's own notes do not raise the floor they are measured against
_WHITENING_BINS = 8 * _BINS_PER_SEMITONE + 1
#: hop of the tuning CQT: a band's tuning does not change within a track, so a frame every 0.37 s
#: is enough; it lands within 0.03 semitone of the full-rate estimate on every dev-set clip and
#: saves a tenth of the CQT's cost (the three upper octaves alone, cheaper still, were up to 0.11 off
#: and cost the dev set a clip)
_TUNING_HOP = 4 * CQT_HOP
#: chroma whose strongest class is this close to the average is flat: noise, silence. White noise
#: reads about 0.01; distorted or drum-heavy real music (GTZAN hip-hop, metal, disco) 0.09-0.15,
#: which the former 0.15 wrongly refused a key
_MIN_CHROMA_PEAKINESS = 0.05
#: mean best correlation of the 24 profile rotations with a random profile (Gaussian, 20,000
#: draws; exponential or Dirichlet draws give 0.54-0.56). These spiky profiles fit anything
#: half-way, so the confidence counts only the fit above this chance level
CHANCE_CORRELATION = 0.53

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Tonality:
    key: int  # 0 = C ... 11 = B; -1 when the chroma is flat (drums, noise, silence)
    mode: int  # 1 major, 0 minor: the best-matching profile's
    confidence: float  # [0, 1]: the winning profile's fit above chance (see `key_confidence`); 0 with no key
    chroma: npt.NDArray[np.float32]  # (12, frames) for the structure analysis, `frame_rate` a second
    frame_rate: float


def cqt_magnitude(y22: npt.NDArray[np.float32], tuning: float | None = None) -> npt.NDArray[np.float32]:
    """(36 bins per octave x frames) from C2, the middle bin of each semitone on the track's tuning
    (semitones above A440; estimated when None)."""
    return tuned_cqt(y22, tuning)[0]


def tuned_cqt(y22: npt.NDArray[np.float32], tuning: float | None = None) -> tuple[npt.NDArray[np.float32], float]:
    """`cqt_magnitude` and its frames per second of the track."""
    if tuning is None:
        tuning = estimate_tuning(_cqt(_at_rate(y22, CQT_SR), _TUNING_HOP))
    # Rather than shift the bins by the track's tuning t, the track is resampled to CQT_SR * 2**(t/12)
    # and read as if at CQT_SR: t semitones lower, on the in-tune grid. The filters are then the
    # same for every track and built once per process (cqt_basis), and in seconds they are exactly
    # those of bins shifted by t. The hop in samples follows the rate, to the nearest multiple the
    # CQT can halve once per octave, so that a frame lasts within 0.8 % of CQT_HOP / CQT_SR seconds,
    # the timing the rhythm's and sections' settings were chosen on.
    rate = CQT_SR * 2.0 ** (tuning / 12.0)
    hop = _HOP_STEP * round(CQT_HOP * rate / CQT_SR / _HOP_STEP)
    return _cqt(_at_rate(y22, rate), hop), rate / hop


def _at_rate(y22: npt.NDArray[np.float32], rate: float) -> npt.NDArray[np.float32]:
    y = resample(y22, ANALYSIS_SR, rate)
    if len(y) < _MIN_CQT_SAMPLES:
        # the lowest octave's filters span about 1.5 s; shorter clips are zero-padded (silent
        # frames add nothing to the chroma profile) instead of letting the CQT warn and truncate
        y = np.pad(y, (0, _MIN_CQT_SAMPLES - len(y)))
    return y


def _cqt(y: npt.NDArray[np.float32], hop: int) -> npt.NDArray[np.float32]:
    return np.abs(
        librosa.cqt(
            y,
            sr=CQT_SR,
            hop_length=hop,
            fmin=_FMIN,
            n_bins=12 * _BINS_PER_SEMITONE * _OCTAVES,
            bins_per_octave=12 * _BINS_PER_SEMITONE,
            tuning=0.0,
        )
    ).astype(np.float32)


def estimate_tuning(cqt: npt.NDArray[np.float32]) -> float:
    """Semitones in [-0.5, 0.5) by which the track sits above equal temperament at A440, from a
    CQT whose middle sub-bin of each semitone is in tune at A440.

    Every local maximum of the whitened spectrum is placed between bins by a parabola through it
    and its neighbours; its offset from the nearest semitone is an angle on a circle (a quarter
    tone sharp and a quarter tone flat are the same distance from the grid), and the mean angle,
    weighted by peak height, is the tuning. 0 when there is no peak (silence)."""
    peaks = whiten(cqt, 12 * _BINS_PER_SEMITONE + 1)
    below, mid, above = peaks[:-2], peaks[1:-1], peaks[2:]
    is_peak = (mid > below) & (mid >= above) & (mid > 0)
    curvature = below - 2.0 * mid + above
    safe = np.where(np.abs(curvature) > 1e-9, curvature, 1.0)
    shift = np.where(np.abs(curvature) > 1e-9, 0.5 * (below - above) / safe, 0.0)
    semitones = (np.arange(1, len(peaks) - 1)[:, None] + shift) / _BINS_PER_SEMITONE - 1.0 / _BINS_PER_SEMITONE
    offset = semitones - np.round(semitones)
    weight = np.where(is_peak, mid, 0.0)
    mean = complex((weight * np.exp(2j * np.pi * offset)).sum())
    if abs(mean) <= 1e-12:
        return 0.0
    return float(np.angle(mean) / (2.0 * np.pi))


def whiten(cqt: npt.NDArray[np.float32], width: int) -> npt.NDArray[np.float64]:
    """Log magnitude above its moving average across `width` bins: the peaks of pitched notes,
    without the spectral envelope of drums and timbre."""
    peak = float(cqt.max()) if cqt.size else 0.0
    if peak <= 0:
        return np.zeros(cqt.shape)
    level = np.log1p(100.0 * cqt.astype(np.float64) / peak)
    return np.maximum(level - uniform_filter1d(level, width, axis=0, mode="nearest"), 0.0)


def chroma_cqt(y22: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return fold(cqt_magnitude(y22))


def fold(cqt: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """36 bins per octave (in tune) to 12 pitch classes."""
    n_bins, n_frames = cqt.shape
    semis = cqt.reshape(n_bins // _BINS_PER_SEMITONE, _BINS_PER_SEMITONE, n_frames).sum(axis=1)
    return semis.reshape(n_bins // (12 * _BINS_PER_SEMITONE), 12, n_frames).sum(axis=0)


def key_chroma(
    cqt: npt.NDArray[np.float32],
    *,
    octaves: int = _KEY_OCTAVES,
    top_weight: float = _TOP_KEY_OCTAVE_WEIGHT,
    width: int = _WHITENING_BINS,
    per_frame: Literal["sum", "max"] = "sum",
) -> npt.NDArray[np.float32]:
    """Whitened chroma of the lowest `octaves` octaves (the highest of them at `top_weight`), each
    frame scaled so that its classes sum to 1 (`per_frame="sum"`) or its strongest is 1 ("max")."""
    octave = 12 * _BINS_PER_SEMITONE
    low = whiten(cqt, width)[: octave * octaves]
    low[octave * (octaves - 1) :] *= top_weight
    chroma = fold(low.astype(np.float32))
    scale = chroma.sum(axis=0, keepdims=True) if per_frame == "sum" else chroma.max(axis=0, keepdims=True)
    return chroma / np.maximum(scale, 1e-9)


def is_flat(chroma: npt.NDArray[np.float32]) -> bool:
    """True when no pitch class stands out over the track: drums, noise, silence."""
    frame_energy = chroma.sum(axis=0) if chroma.size else np.zeros(1)
    if float(frame_energy.max()) <= 0:
        return True
    # log compression keeps one loud sustained chord from outweighing the rest of the track
    profile = np.log1p(100.0 * chroma / frame_energy.max()).mean(axis=1).astype(np.float64)
    return bool((profile.max() - profile.mean()) / (profile.mean() + 1e-12) < _MIN_CHROMA_PEAKINESS)


def key_from_chroma(
    chroma: npt.NDArray[np.float32], profiles: tuple[FloatArray, FloatArray] = (MAJOR_PROFILE, MINOR_PROFILE)
) -> tuple[int, int, float]:
    """(key, mode, correlation) of the profile rotation that best matches the mean of `chroma`
    (a `key_chroma`). Always a key: how sure it is, is the correlation."""
    if chroma.size == 0:
        return -1, 1, 0.0
    profile = chroma.mean(axis=1).astype(np.float64)
    major, minor = profiles
    scores = np.array([[_corr(profile, np.roll(p, k)) for k in range(12)] for p in (minor, major)])
    mode, key = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return int(key), int(mode), max(0.0, float(scores[mode, key]))


def _corr(a: FloatArray, b: FloatArray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    denom = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denom) if denom > 0 else 0.0


def analyse_tonality(y22: npt.NDArray[np.float32]) -> Tonality:
    cqt, frame_rate = tuned_cqt(y22)
    chroma = fold(cqt)
    key, mode, correlation = key_from_chroma(key_chroma(cqt))
    if is_flat(chroma):
        return Tonality(-1, mode, 0.0, chroma, frame_rate)
    return Tonality(key, mode, key_confidence(correlation), chroma, frame_rate)


def key_confidence(correlation: float) -> float:
    """0 for a fit no better than a random profile's (`CHANCE_CORRELATION`), 1 for a perfect one."""
    return float(np.clip((correlation - CHANCE_CORRELATION) / (1.0 - CHANCE_CORRELATION), 0.0, 1.0))
