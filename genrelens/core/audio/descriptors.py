"""The signal measures the six estimated descriptors are built from.

`calibration.py` turns them into energy, danceability, speechiness, acousticness,
instrumentalness and valence on Spotify's scale; docs/audio-features.md says what each measure
captures and how well each descriptor agrees with Spotify's. Every measure is finite on any input
(silence and clips too short to measure give 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import librosa
import numpy as np
import numpy.typing as npt
import scipy.fft
import scipy.ndimage
import scipy.sparse

from genrelens.core.audio.spectral import ANALYSIS_SR, N_FFT, N_MELS, Spectra

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Measurements:
    """Signal measurements the estimates are built from (kept for inspection and tests)."""

    loudness: float  # integrated LUFS
    loudness_range: float  # LU, spread (95th - 10th percentile) of 3 s loudness
    crest_db: float  # peak over RMS of the whole track
    onset_rate: float  # onset peaks per second
    pulse_clarity: float  # [0, 1], autocorrelation of the onset envelope at the best beat lag
    beat_regularity: float  # [0, 1], 1 = perfectly even inter-beat intervals
    low_energy_rate: float  # share of frames quieter than half their surrounding second's mean
    centroid_hz: float
    centroid_variation: float  # coefficient of variation of the centroid over loud frames
    flatness: float  # median spectral flatness (0 tonal .. 1 noise)
    sub_bass_ratio: float  # energy share below 90 Hz
    pitch_glide_rate: float  # share of frames whose tonal 500-4000 Hz spectrum slides up or down
    tempo: float
    key: int
    mode: int
    # measures the calibrated estimates read (see calibration.py and docs/audio-features.md)
    tonal_share: float  # share of 300-4000 Hz frames with a clear, steady harmonic spectrum
    pitch_motion: float  # of those, the share whose harmonics moved by 20-80 cents in 46 ms
    syllabic_modulation: float  # share of the voice band's level modulation at 3-8 Hz
    onset_mean: float  # mean spectral-flux onset strength (dB per frame)
    beat_strength: float  # onset strength on the tracked beats over its mean
    harmonic_share: float  # share of mel energy that median filtering assigns to sustained tones
    zero_crossing_rate: float  # sign changes per sample of the 22050 Hz mono signal
    timbre_change: float  # mean absolute frame-to-frame change of MFCC 1-6 over loud frames
    # timbre summaries valence and acousticness read (empty tuples read as zeros)
    contrast_mean: tuple[float, ...] = ()  # spectral contrast per octave band (dB), mean over frames
    contrast_std: tuple[float, ...] = ()  # and its spread over frames
    mfcc_mean: tuple[float, ...] = ()  # MFCC 1-12 averaged over the loud frames
    # what speechiness reads besides the signal measures
    mfcc_change: tuple[float, ...] = ()  # mean absolute frame-to-frame change of each MFCC 1-12


def _clip(x: float) -> float:
    return 0.0 if not math.isfinite(x) else min(1.0, max(0.0, x))


# --- measurements -------------------------------------------------------------------------------


def pulse_clarity(envelope: npt.NDArray[np.float32], frame_rate: float) -> float:
    """Highest normalised autocorrelation of the onset envelope at lags of 40-200 BPM."""
    x = envelope.astype(np.float64) - float(envelope.mean())
    if len(x) < 4 or float(np.dot(x, x)) <= 0:
        return 0.0
    n = 1 << int(np.ceil(np.log2(2 * len(x))))
    spec = np.fft.rfft(x, n)
    ac = np.fft.irfft(spec * np.conj(spec), n)[: len(x)]
    lo, hi = int(frame_rate * 60 / 200), min(len(x) - 1, int(frame_rate * 60 / 40))
    if hi <= lo:
        return 0.0
    return _clip(float(ac[lo : hi + 1].max() / ac[0]))


def beat_regularity(beats: FloatArray) -> float:
    if len(beats) < 4:
        return 0.0
    ibi = np.diff(beats)
    return _clip(1.0 - 5.0 * float(ibi.std() / ibi.mean()))


def low_energy_rate(frame_energy: FloatArray, frame_rate: float) -> float:
    if len(frame_energy) < 4:
        return 0.0
    rms = np.sqrt(frame_energy)
    width = max(1, min(int(frame_rate), len(frame_energy)))
    local = np.convolve(rms, np.ones(width) / width, mode="same")
    loud = local > 1e-6
    return float(np.mean(rms[loud] < 0.5 * local[loud])) if loud.any() else 0.0


def spectral_stats(spectra: Spectra) -> tuple[float, float, float, float]:
    """(centroid Hz, centroid variation, median flatness, sub-bass share) over the loud frames.

    Flatness is taken on the 96 mel bands (already in dB) rather than the 1025 STFT bins: the same
    tonal-versus-noisy contrast, without a logarithm of the whole spectrogram.
    """
    power = spectra.power
    freqs = np.linspace(0, ANALYSIS_SR / 2, N_FFT // 2 + 1).astype(np.float32)
    total = power.sum(axis=0, dtype=np.float64)
    loud = total > max(float(total.max()) * 1e-4, 1e-10)
    if not loud.any():
        return 0.0, 0.0, 0.0, 0.0
    t = total[loud]
    centroid = (freqs @ power)[loud] / t
    n_sub = int(np.searchsorted(freqs, 90.0))
    sub = power[:n_sub].sum(axis=0, dtype=np.float64)[loud] / t
    mel_power = 10.0 ** (spectra.mel_db[:, loud].astype(np.float64) / 10.0)
    flatness = np.exp(np.log(mel_power).mean(axis=0)) / mel_power.mean(axis=0)
    weights = t / t.sum()
    mean_c = float(weights @ centroid)
    variation = float(np.sqrt(weights @ (centroid - mean_c) ** 2) / mean_c) if mean_c > 0 else 0.0
    return mean_c, variation, float(np.median(flatness)), float(weights @ sub)


def pitch_glide_rate(spectra: Spectra) -> float:
    """Share of frame pairs whose tonal 500-4000 Hz log spectrum matches the previous frame's best
    when shifted by 1-4 bins (11-43 Hz): pitch moving between frames, as in vibrato and portamento.

    Only tonal frames count (band flatness under 0.05 and a shifted match above 0.7), so noise
    and drum decays, which also decorrelate from frame to frame, do not read as gliding pitch.
    """
    freqs = np.linspace(0, ANALYSIS_SR / 2, N_FFT // 2 + 1)
    rows = np.flatnonzero((freqs >= 500.0) & (freqs <= 4000.0))
    starts = np.arange(0, spectra.n_frames - 1, _GLIDE_PAIR_STRIDE)  # a sample of frame pairs is enough
    if len(starts) < 2:
        return 0.0
    prev, prev_flat = _centred_log(spectra.power[rows[0] : rows[-1] + 1, starts])
    cur, _ = _centred_log(spectra.power[rows[0] : rows[-1] + 1, starts + 1])
    scores = np.stack([_lag_correlation(prev, cur, lag) for lag in range(-_MAX_GLIDE_BINS, _MAX_GLIDE_BINS + 1)])
    tonal = (prev_flat < 0.05) & (scores.max(axis=0) > 0.7)
    gliding = tonal & (scores.argmax(axis=0) != _MAX_GLIDE_BINS)
    return float(gliding.mean())


def _centred_log(band: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Per-frame mean-removed log spectrum, and each frame's spectral flatness."""
    log_band = np.log(band + np.float32(1e-10))
    mean_log = log_band.mean(axis=0)
    flatness = np.exp(mean_log) / (band.mean(axis=0) + np.float32(1e-20))
    return log_band - mean_log, flatness


_MAX_GLIDE_BINS = 4
_GLIDE_PAIR_STRIDE = 4


def _lag_correlation(prev: npt.NDArray[np.float32], cur: npt.NDArray[np.float32], lag: int) -> npt.NDArray[np.float32]:
    """Per-frame correlation of `cur` with `prev` shifted up by `lag` bins (down when negative)."""
    if lag > 0:
        a, b = prev[:-lag], cur[lag:]
    elif lag < 0:
        a, b = prev[-lag:], cur[:lag]
    else:
        a, b = prev, cur
    num = (a * b).sum(axis=0)
    den = np.sqrt((a * a).sum(axis=0) * (b * b).sum(axis=0)) + np.float32(1e-9)
    return np.asarray(num / den, dtype=np.float32)


def loudness_range(block_energies: FloatArray) -> float:
    """EBU R128-style range on 3 s windows built from the 400 ms blocks (100 ms apart)."""
    if len(block_energies) < 30:
        return 0.0
    short = np.convolve(block_energies, np.ones(27) / 27, mode="valid")
    with np.errstate(divide="ignore"):
        lufs = -0.691 + 10 * np.log10(short)
    lufs = lufs[lufs > -70.0]
    if len(lufs) < 2:
        return 0.0
    rel = lufs[lufs > -0.691 + 10 * math.log10(float(np.mean(10 ** ((lufs + 0.691) / 10)))) - 20.0]
    return float(np.percentile(rel, 95) - np.percentile(rel, 10)) if len(rel) > 1 else 0.0


def crest_db(samples: npt.NDArray[np.float32]) -> float:
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    return 20 * math.log10(peak / rms) if rms > 0 and peak > 0 else 0.0


# --- measures for the calibrated estimates ------------------------------------------------------

#: the voice band on a log-frequency axis: sung vowels put most of their harmonics here
_VOICE_LO_HZ, _VOICE_HI_HZ, _CENTS_PER_BIN = 300.0, 4000.0, 20.0
#: frames compared are 2 hops (46 ms) apart: vibrato and glides move a voice's harmonics by
#: 20-80 cents in that time, where a held instrument note does not move at all
_MOTION_GAP = 2
_MAX_MOTION_BINS = 4
_TONAL_FLATNESS = 0.1
_TONAL_MATCH = 0.6


@lru_cache(maxsize=1)
def _log_frequency_map() -> scipy.sparse.csr_matrix:
    """Linear interpolation of STFT bins onto a 20-cent grid from 300 to 4000 Hz.

    On a log axis a change of pitch shifts every harmonic by the same number of bins, so one lag
    of a cross-correlation captures it; on the STFT's linear axis each harmonic moves differently.
    """
    freqs = np.linspace(0, ANALYSIS_SR / 2, N_FFT // 2 + 1)
    n = int(math.log2(_VOICE_HI_HZ / _VOICE_LO_HZ) * 1200 / _CENTS_PER_BIN)
    position = np.interp(_VOICE_LO_HZ * 2 ** (np.arange(n) * _CENTS_PER_BIN / 1200), freqs, np.arange(len(freqs)))
    left = np.floor(position).astype(np.intp)
    frac = position - left
    rows = np.repeat(np.arange(n), 2)
    cols = np.stack([left, left + 1], axis=1).ravel()
    weights = np.stack([1.0 - frac, frac], axis=1).ravel().astype(np.float32)
    return scipy.sparse.csr_matrix((weights, (rows, cols)), shape=(n, len(freqs)))


def voice_band_motion(spectra: Spectra) -> tuple[float, float]:
    """(tonal share, pitch motion) of the 300-4000 Hz band, the fluctogram idea of Lehner et al.
    (2014, "On the reduction of false positives in singing voice detection").

    Frame pairs 46 ms apart are tonal when the band is not noise-like (flatness under 0.1) and the
    pair's spectra match well (correlation over 0.6) at some shift of 0-80 cents. Pitch motion is
    the share of tonal pairs whose best match is a non-zero shift: a singing voice keeps moving
    (vibrato, glides), most instruments hold each note.
    """
    band = np.asarray(_log_frequency_map() @ spectra.power[:, ::_MOTION_GAP], dtype=np.float32)
    if band.shape[1] < 3:
        return 0.0, 0.0
    centred, flatness = _centred_log(band)
    prev, cur = centred[:, :-1], centred[:, 1:]
    scores = np.stack([_lag_correlation(prev, cur, lag) for lag in range(-_MAX_MOTION_BINS, _MAX_MOTION_BINS + 1)])
    tonal = (flatness[:-1] < _TONAL_FLATNESS) & (scores.max(axis=0) > _TONAL_MATCH)
    moving = tonal & (scores.argmax(axis=0) != _MAX_MOTION_BINS)
    n_tonal = int(tonal.sum())
    return float(tonal.mean()), float(moving.sum() / n_tonal) if n_tonal else 0.0


def syllabic_modulation(spectra: Spectra) -> float:
    """Share of the 0.5-20 Hz modulation power of the voice band's level that lies at 3-8 Hz,
    the rate of syllables in speech and rap (Houtgast & Steeneken's modulation spectrum)."""
    centres = librosa.mel_frequencies(N_MELS + 2, fmax=ANALYSIS_SR / 2)[1:-1]
    level = spectra.mel_db[(centres > _VOICE_LO_HZ) & (centres < 3000.0)].mean(axis=0, dtype=np.float64)
    if len(level) < 16:
        return 0.0
    power = np.abs(np.fft.rfft((level - level.mean()) * np.hanning(len(level)))) ** 2
    freqs = np.fft.rfftfreq(len(level), 1.0 / spectra.frame_rate)
    total = float(power[(freqs >= 0.5) & (freqs <= 20.0)].sum())
    return float(power[(freqs >= 3.0) & (freqs <= 8.0)].sum()) / total if total > 0 else 0.0


def harmonic_share(spectra: Spectra) -> float:
    """Share of mel energy in sustained tones: Fitzgerald's (2010) median-filter separation with
    soft (Wiener) masks, horizontal over 5 frames against vertical over 17 bands.

    Every 4th frame (93 ms apart) is enough for a share over the whole track and makes the
    filters about 7 times cheaper; 5 of those frames span the 0.4 s a held note must last.
    """
    mel = 10.0 ** (spectra.mel_db[:, ::_HPSS_STRIDE] / np.float32(10.0))
    total = float(mel.sum(dtype=np.float64))
    if total <= 0 or mel.shape[1] < 5:
        return 0.0
    harmonic = scipy.ndimage.median_filter(mel, size=(1, 5)) ** 2
    percussive = scipy.ndimage.median_filter(mel, size=(17, 1)) ** 2
    mask = harmonic / (harmonic + percussive + np.float32(1e-20))
    return float((mel * mask).sum(dtype=np.float64) / total)


_HPSS_STRIDE = 4


def beat_strength(onset: npt.NDArray[np.float32], beat_frames: npt.NDArray[np.intp]) -> float:
    frames = beat_frames[beat_frames < len(onset)]
    mean = float(onset.mean()) if len(onset) else 0.0
    return float(onset[frames].mean()) / mean if len(frames) > 2 and mean > 0 else 0.0


def zero_crossing_rate(y: npt.NDArray[np.float32]) -> float:
    return float(np.count_nonzero(np.diff(np.signbit(y)))) / len(y) if len(y) > 1 else 0.0


def mfcc_change(spectra: Spectra) -> tuple[float, ...]:
    """Mean absolute frame-to-frame change of each of MFCC 1-12 over the loud frames (23 ms apart).

    Speech and rap change their formants with every syllable, and the higher coefficients (the
    finer spectral envelope) tell fast articulation from sung vowels held over a bar; on the
    development set these 12 lift speechiness (cross-validated r 0.75 -> 0.79).
    """
    total = spectra.power.sum(axis=0, dtype=np.float64)
    loud = total > max(float(total.max()) * 1e-4, 1e-10) if total.size else total > 0
    if int(loud.sum()) < 3:
        return (0.0,) * N_MFCC_MEANS
    mfcc = scipy.fft.dct(spectra.mel_db[:, loud], axis=0, type=2, norm="ortho")[1 : 1 + N_MFCC_MEANS]
    return _finite_tuple(np.abs(np.diff(mfcc, axis=1)).mean(axis=1))


def timbre_change(changes: tuple[float, ...]) -> float:
    """Mean frame-to-frame change of MFCC 1-6 (from `mfcc_change`): fast formant changes
    (syllables) make it large, sustained chords small."""
    return float(np.mean(changes[:6])) if changes else 0.0


#: spectral contrast is read on every 2nd frame (46 ms apart): a mean and spread over the track
#: need no finer grid, and it halves the cost of the per-band sort
_CONTRAST_STRIDE = 2
N_CONTRAST_BANDS = 7  # librosa's six octave bands from 200 Hz plus the band below
N_MFCC_MEANS = 12


def spectral_contrast(spectra: Spectra) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """(mean, spread) over frames of the peak-to-valley level difference in each octave band
    (Jiang et al. 2002, "Music type classification by spectral contrast feature"): clear tones
    over a quiet floor give a high contrast, dense distorted or noisy mixes a low one."""
    if spectra.n_frames < 2 * _CONTRAST_STRIDE:
        zeros = (0.0,) * N_CONTRAST_BANDS
        return zeros, zeros
    magnitude = np.sqrt(spectra.power[:, ::_CONTRAST_STRIDE])
    contrast = librosa.feature.spectral_contrast(S=magnitude, sr=ANALYSIS_SR, n_fft=N_FFT)
    return _finite_tuple(contrast.mean(axis=1)), _finite_tuple(contrast.std(axis=1))


def mfcc_means(spectra: Spectra) -> tuple[float, ...]:
    """MFCC 1-12 (orthonormal DCT of the mel dB) averaged over the loud frames: the track's
    average spectral envelope, without the overall level (MFCC 0)."""
    total = spectra.power.sum(axis=0, dtype=np.float64)
    loud = total > max(float(total.max()) * 1e-4, 1e-10) if total.size else total > 0
    if int(loud.sum()) < 3:
        return (0.0,) * N_MFCC_MEANS
    mfcc = scipy.fft.dct(spectra.mel_db[:, loud], axis=0, type=2, norm="ortho")[1 : 1 + N_MFCC_MEANS]
    return _finite_tuple(mfcc.mean(axis=1))


def _finite_tuple(values: npt.ArrayLike) -> tuple[float, ...]:
    return tuple(float(v) if math.isfinite(float(v)) else 0.0 for v in np.asarray(values, dtype=np.float64))
