"""Key and mode from constant-Q chroma matched against key profiles.

The CQT runs on an 11025 Hz copy of the signal (its top bin, B6, is under 2 kHz, so nothing is
lost) with three bins per semitone. The three sub-bins let us estimate tuning for free: whichever
third of a semitone holds the most energy over the track is taken as "in tune", so a band tuned a
quarter-tone flat still folds onto the right pitch classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
import numpy.typing as npt

from genrelens.core.audio.spectral import ANALYSIS_SR, resample

CQT_SR = 11025
CQT_HOP = 1024  # 93 ms: key and beat-level sections need no finer time resolution, and the CQT's
# cost grows with the number of frames
_BINS_PER_SEMITONE = 3
_OCTAVES = 5
_MIN_CQT_SAMPLES = 3 * CQT_SR
_FMIN = float(librosa.note_to_hz("C2")) * 2.0 ** (-1.0 / 36.0)  # sub-bin 1 of each semitone sits in tune

#: Krumhansl & Kessler (1982) probe-tone profiles, tonic first.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
#: below this correlation with the best of the 24 profiles there is no key worth reporting
MIN_KEY_CORRELATION = 0.6
#: chroma whose strongest class is this close to the average is flat: noise, drums, silence
_MIN_CHROMA_PEAKINESS = 0.15

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Tonality:
    key: int  # 0 = C ... 11 = B; -1 when not confident
    mode: int  # 1 major, 0 minor: the best-matching profile's, even when key is -1
    confidence: float  # correlation with the winning profile
    chroma: npt.NDArray[np.float32]  # (12, frames) at CQT_SR / CQT_HOP, for the structure analysis
    frame_rate: float


def chroma_cqt(y22: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    y = resample(y22, ANALYSIS_SR, CQT_SR)
    if len(y) < _MIN_CQT_SAMPLES:
        # the lowest octave's filters span about 1.5 s; shorter clips are zero-padded (silent
        # frames add nothing to the chroma profile) instead of letting the CQT warn and truncate
        y = np.pad(y, (0, _MIN_CQT_SAMPLES - len(y)))
    cqt = np.abs(
        librosa.cqt(
            y,
            sr=CQT_SR,
            hop_length=CQT_HOP,
            fmin=_FMIN,
            n_bins=12 * _BINS_PER_SEMITONE * _OCTAVES,
            bins_per_octave=12 * _BINS_PER_SEMITONE,
            tuning=0.0,
        )
    ).astype(np.float32)
    return _fold(cqt)


def _fold(cqt: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """36 bins per octave to 12 pitch classes, centred on the track's own tuning."""
    n_bins, n_frames = cqt.shape
    energy = cqt.sum(axis=1)
    phase = int(np.argmax([energy[j::_BINS_PER_SEMITONE].sum() for j in range(_BINS_PER_SEMITONE)]))
    shifted = np.roll(cqt, 1 - phase, axis=0)  # put the strongest sub-bin in the middle of each triple
    semis = shifted.reshape(n_bins // _BINS_PER_SEMITONE, _BINS_PER_SEMITONE, n_frames).sum(axis=1)
    return semis.reshape(_OCTAVES, 12, n_frames).sum(axis=0)


def key_from_chroma(chroma: npt.NDArray[np.float32]) -> tuple[int, int, float]:
    """(key, mode, correlation) of the profile rotation that best matches the track's mean chroma."""
    if chroma.size == 0:
        return -1, 1, 0.0
    frame_energy = chroma.sum(axis=0)
    if float(frame_energy.max()) <= 0:
        return -1, 1, 0.0
    # log compression keeps one loud sustained chord from outweighing the rest of the track
    profile = np.log1p(100.0 * chroma / frame_energy.max()).mean(axis=1).astype(np.float64)
    if (profile.max() - profile.mean()) / (profile.mean() + 1e-12) < _MIN_CHROMA_PEAKINESS:
        return -1, 1, 0.0
    scores = np.array([[_corr(profile, np.roll(p, k)) for k in range(12)] for p in (MINOR_PROFILE, MAJOR_PROFILE)])
    mode, key = np.unravel_index(int(np.argmax(scores)), scores.shape)
    best = float(scores[mode, key])
    return (int(key) if best >= MIN_KEY_CORRELATION else -1), int(mode), best


def _corr(a: FloatArray, b: FloatArray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    denom = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denom) if denom > 0 else 0.0


def analyse_tonality(y22: npt.NDArray[np.float32]) -> Tonality:
    chroma = chroma_cqt(y22)
    key, mode, conf = key_from_chroma(chroma)
    return Tonality(key, mode, conf, chroma, CQT_SR / CQT_HOP)
