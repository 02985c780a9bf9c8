"""The one time-frequency front end every descriptor shares.

Analysis runs on a mono mix at 22050 Hz: everything the features look at (beats, timbre, chroma
up to B6) lives below 11 kHz, and halving the rate halves every transform. One STFT is computed
and reused for the onset envelope, the mel bands, MFCCs and the spectral statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import librosa
import numpy as np
import numpy.typing as npt
import scipy.fft
import soxr

ANALYSIS_SR = 22050
N_FFT = 2048
HOP = 512
N_MELS = 96
#: mel bands below this frequency carry the kick drum and bass (used for accents and downbeats)
LOW_BAND_HZ = 150.0

Array = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Spectra:
    """What the descriptors read. Frames are `HOP` samples apart at `ANALYSIS_SR`."""

    y: Array  # mono signal at ANALYSIS_SR
    power: Array  # |STFT|^2, shape (1 + N_FFT // 2, frames)
    mel_db: Array  # (N_MELS, frames), dB relative to the track's loudest bin, floor -80 dB
    onset: Array  # spectral-flux onset strength, one value per frame
    pulse: Array  # the same flux, median over bands: what beats and tempo are tracked on
    low_onset: Array  # the same over the bands below LOW_BAND_HZ
    low_level: Array  # mean dB of the bands below LOW_BAND_HZ (how loud kick and bass are)

    @property
    def n_frames(self) -> int:
        return int(self.power.shape[1])

    @property
    def frame_rate(self) -> float:
        return ANALYSIS_SR / HOP


def resample(y: Array, sr: float, target: float = ANALYSIS_SR) -> Array:
    """soxr's "HQ" preset: band-limited and about 20x faster than librosa's default for this job."""
    if sr == target:
        return y
    return np.asarray(soxr.resample(y, sr, target, quality="HQ"), dtype=np.float32)


@lru_cache(maxsize=2)
def _window() -> Array:
    return np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann, as librosa uses


@lru_cache(maxsize=2)
def _mel_basis() -> Array:
    return librosa.filters.mel(sr=ANALYSIS_SR, n_fft=N_FFT, n_mels=N_MELS).astype(np.float32)


def power_spectrogram(y: Array, *, block: int = 512) -> Array:
    """Centred (zero-padded), Hann-windowed STFT power, computed in blocks of frames so the windowed
    copies stay in cache instead of materialising a (frames x 2048) matrix for the whole track."""
    padded = np.pad(y, N_FFT // 2)
    n_frames = 1 + (len(padded) - N_FFT) // HOP if len(padded) >= N_FFT else 0
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:n_frames]
    out = np.empty((N_FFT // 2 + 1, n_frames), dtype=np.float32)
    win = _window()
    for start in range(0, n_frames, block):
        spec = scipy.fft.rfft(frames[start : start + block] * win, axis=1)
        out[:, start : start + block] = (spec.real**2 + spec.imag**2).T
    return out


def onset_strength(db: Array, *, median: bool = False) -> Array:
    """Mean (or median) positive first difference across bands (spectral flux), as librosa's onset_strength.

    The flux is delayed by N_FFT / (2 HOP) frames, as librosa does: in dB a sound jumps out of
    the floor as soon as it enters the edge of a centred window, half a window before its onset.
    """
    n = db.shape[1]
    delay = 1 + N_FFT // (2 * HOP)
    out = np.zeros(n, dtype=np.float32)
    if n > delay:
        rise = np.maximum(0.0, np.diff(db, axis=1))
        flux = np.median(rise, axis=0) if median else rise.mean(axis=0)
        out[delay:] = flux[: n - delay]
    return out


def analyse_spectra(y: Array) -> Spectra:
    power = power_spectrogram(y)
    mel = _mel_basis() @ power
    mel_db = librosa.power_to_db(mel, ref=float(mel.max()) if mel.size and mel.max() > 0 else 1.0, top_db=80.0)
    mel_db = mel_db.astype(np.float32)
    n_low = int(np.searchsorted(librosa.mel_frequencies(N_MELS + 2, fmax=ANALYSIS_SR / 2)[1:-1], LOW_BAND_HZ))
    return Spectra(
        y=y,
        power=power,
        mel_db=mel_db,
        onset=onset_strength(mel_db),
        # librosa's beat_track aggregates by median: a rise in most bands at once (a beat) counts,
        # one loud band (a melody note, a bass slide) does not; on the real clips of the dev set this
        # alone lifted tempo Acc1 by about 8 points and beat F by 3
        pulse=onset_strength(mel_db, median=True),
        low_onset=onset_strength(mel_db[: max(n_low, 2)]),
        low_level=mel_db[: max(n_low, 2)].mean(axis=0),
    )
