"""The six estimated features (energy, danceability, speechiness, acousticness, instrumentalness,
valence), each a documented blend of signal measurements mapped into [0, 1].

Spotify never published how it computed these, so they are estimates that order tracks sensibly,
not reproductions; docs/audio-features.md gives the method and limits of each. Every blend is a
weighted mean of sub-scores that are themselves clipped to [0, 1], so the result is in [0, 1] by
construction and never NaN (empty or silent input yields the sub-scores' neutral values).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from genrelens.core.audio.spectral import ANALYSIS_SR, N_FFT, Spectra

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


def _clip(x: float) -> float:
    return 0.0 if not math.isfinite(x) else min(1.0, max(0.0, x))


def _ramp(x: float, lo: float, hi: float) -> float:
    return _clip((x - lo) / (hi - lo))


def _blend(parts: list[tuple[float, float]]) -> float:
    total = sum(w for _, w in parts)
    return round(_clip(sum(_clip(v) * w for v, w in parts) / total), 4)


def energy(m: Measurements) -> float:
    return _blend(
        [
            (_ramp(m.loudness, -35.0, -6.0), 0.5),
            (_ramp(m.onset_rate, 0.5, 6.0), 0.2),
            (_ramp(m.flatness, 0.0, 0.25), 0.15),
            (_ramp(-m.crest_db, -22.0, -8.0), 0.15),  # compressed (low crest) masters sound more intense
        ]
    )


def danceability(m: Measurements) -> float:
    tempo_fit = math.exp(-0.5 * (math.log2(m.tempo / 118.0) / 0.35) ** 2) if m.tempo > 0 else 0.0
    return _blend(
        [(m.pulse_clarity, 0.45), (tempo_fit, 0.2), (m.beat_regularity, 0.2), (_ramp(m.sub_bass_ratio, 0.0, 0.3), 0.15)]
    )


def speechiness(m: Measurements) -> float:
    # Scheirer & Slaney (1997): speech has many low-energy frames (pauses between syllables and
    # words) and no steady pulse. Either cue alone also fires on sparse drums or on a click track,
    # so the main term is their product: pauses *and* no pulse.
    pauses = _ramp(m.low_energy_rate, 0.15, 0.45)
    no_pulse = 1.0 - _ramp(m.pulse_clarity, 0.35, 0.75)
    return round(_clip(0.8 * pauses * no_pulse + 0.2 * pauses * 0.5), 4)


def acousticness(m: Measurements) -> float:
    electronic = _blend(
        [
            (_ramp(m.loudness, -30.0, -7.0), 0.35),
            (_ramp(-m.loudness_range, -15.0, -3.0), 0.2),  # heavy bus compression leaves little range
            (_ramp(m.sub_bass_ratio, 0.05, 0.35), 0.25),
            (_ramp(m.flatness, 0.02, 0.3), 0.2),
        ]
    )
    return round(1.0 - electronic, 4)


def instrumentalness(m: Measurements, speech: float) -> float:
    # A voice shows up either as speech (pauses, no pulse) or as singing: harmonics whose pitch is
    # always moving (vibrato, glides between notes), where most instruments hold a steady pitch per
    # note. The louder of the two cues decides.
    voice = max(_ramp(speech, 0.3, 0.7), _ramp(m.pitch_glide_rate, 0.05, 0.3))
    return round(_clip(1.0 - voice), 4)


def valence(m: Measurements, energy_value: float) -> float:
    # Major mode, faster tempo and brighter timbre are the cues listeners most consistently read as
    # positive (Gabrielsson & Lindstrom 2010); energy adds arousal, which Spotify's valence tracks.
    return _blend(
        [
            (0.5 if m.key < 0 else float(m.mode == 1), 0.3),
            (_ramp(m.tempo, 70.0, 160.0), 0.25),
            (_ramp(m.centroid_hz, 800.0, 3000.0), 0.25),
            (energy_value, 0.2),
        ]
    )


def estimate(m: Measurements) -> dict[str, float]:
    e = energy(m)
    s = speechiness(m)
    return {
        "energy": e,
        "danceability": danceability(m),
        "speechiness": s,
        "acousticness": acousticness(m),
        "instrumentalness": instrumentalness(m, s),
        "valence": valence(m, e),
    }


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
