"""Beats, tempo, meter and downbeats from the onset envelope.

Beats come from librosa's dynamic-programming tracker (Ellis 2007) run on the envelope we already
have, so no second STFT is made. Tempo is then measured from the beat times themselves: a
least-squares line through (beat number, time) over the whole track, which is far finer than the
tempogram's bin spacing (about 1.5 BPM near 120) the tracker starts from.
"""

from __future__ import annotations

from dataclasses import dataclass

import librosa
import numpy as np
import numpy.typing as npt

from genrelens.core.audio.spectral import ANALYSIS_SR, HOP, Spectra

FloatArray = npt.NDArray[np.float64]

#: a meter only wins over the 4/4 default when its accent contrast is this many times larger
_TRIPLE_MARGIN = 1.5
#: ...and the contrast itself clears this many standard deviations of the accent sequence
_MIN_CONTRAST = 1.0
#: a first tempo below this may be half the true one (see `_kick_between_beats`)
_DOUBLE_BELOW_BPM = 82.0
_DOUBLE_RATIO = 0.6
#: beat intervals varying more than this (coefficient of variation) are too unsteady to call 3/4
_STEADY_BEATS_CV = 0.05
#: low-band contrast (standard deviations) a 3/4 bar needs on its own; a clean 1-in-3 pattern
#: reaches about 2.1
_MIN_LOW_TRIPLE = 1.75
#: weight of harmonic change against rhythmic accent when placing the downbeat
_HARMONY_WEIGHT = 1.0
#: a first or last beat weaker than this share of the median beat is a tracker artefact
_EDGE_BEAT_RATIO = 0.3
#: width of the log-normal tempo prior around 120 BPM, in octaves. librosa uses 1.0; 0.7 keeps
#: rock patterns in 90-150 BPM (whose kick and snare repeat every 2 beats) from reading as half
#: tempo, and outside that band only moves a reading by an exact octave.
_PRIOR_OCTAVES = 0.7
#: autocorrelation window of the starting-tempo estimate: 384 frames, about 8.9 s (librosa's default)
_TEMPO_WINDOW = 384


@dataclass(frozen=True, slots=True)
class Rhythm:
    beat_frames: npt.NDArray[np.intp]
    beats: FloatArray  # seconds
    tempo: float  # BPM; 0.0 when no beat was found (as Spotify reports silence)
    time_signature: int
    downbeats: FloatArray


def beat_envelope(spectra: Spectra) -> npt.NDArray[np.float32]:
    """Full-band flux plus low-band flux, each scaled to unit standard deviation.

    Averaged over all mel bands, a kick drum is a few bands among 96 and the snare/clap on 2 and 4
    dominates, which pulls the tracker to half tempo on four-on-the-floor patterns; giving the low
    band equal weight restores the pulse the kick carries.
    """
    parts = [env / sd for env in (spectra.onset, spectra.low_onset) if (sd := float(env.std())) > 1e-9]
    return np.asarray(sum(parts), dtype=np.float32) if parts else np.zeros_like(spectra.onset)


def track_beats(spectra: Spectra) -> npt.NDArray[np.intp]:
    envelope = beat_envelope(spectra)
    if not np.any(envelope > 0):
        return np.zeros(0, dtype=np.intp)
    slow = estimate_tempo(envelope)
    frames = _dp_beats(envelope, slow)
    if 0 < slow < _DOUBLE_BELOW_BPM and _kick_between_beats(spectra, frames):
        frames = _dp_beats(envelope, 2 * slow)
    return frames


def _dp_beats(envelope: npt.NDArray[np.float32], bpm: float) -> npt.NDArray[np.intp]:
    # Only weak beats at either end are removed afterwards (librosa 0.11's trim=True sometimes
    # dropped the second half of a short clip).
    frames = dp_beat_frames(envelope, bpm, frame_rate=ANALYSIS_SR / HOP)
    if len(frames) < 3:
        return frames
    strength = _peaks(envelope, frames)
    strong = np.flatnonzero(strength >= _EDGE_BEAT_RATIO * float(np.median(strength)))
    return frames[strong[0] : strong[-1] + 1] if len(strong) else frames[:0]


def dp_beat_frames(
    envelope: npt.NDArray[np.floating], bpm: float, *, frame_rate: float, tightness: float = 100.0
) -> npt.NDArray[np.intp]:
    """Ellis (2007) dynamic-programming beat tracker, the algorithm of librosa.beat.beat_track
    (with trim=False), in plain numpy.

    Why not call librosa: importing librosa.beat compiles its numba gufuncs (one of them with
    caching off) in every new process, about 4 s, which every pool worker and every CLI run would
    pay. The recursion only looks back between half a beat and two beats, so blocks of half a
    beat depend only on earlier blocks and each block is one vectorised step.
    """
    fpb = float(np.round(frame_rate * 60.0 / bpm))
    if fpb < 1 or len(envelope) == 0:
        return np.zeros(0, dtype=np.intp)
    onset = envelope.astype(np.float64)
    onset = onset / (onset.std(ddof=1) + 1e-30) if len(onset) > 1 else onset
    window = np.exp(-0.5 * (np.arange(-fpb, fpb + 1) * 32.0 / fpb) ** 2)
    local = np.convolve(onset, window, mode="same")[: len(onset)] if len(onset) >= len(window) else onset
    backlink, cumscore = _beat_dp(local, fpb, tightness)
    return _backtrack(local, backlink, cumscore)


def _beat_dp(local: FloatArray, fpb: float, tightness: float) -> tuple[npt.NDArray[np.intp], FloatArray]:
    n = len(local)
    half = int(np.round(fpb / 2))
    offsets = np.arange(max(half, 1), int(2 * fpb) + 1)  # nearest predecessor first, as librosa scans
    penalty = tightness * (np.log(offsets) - np.log(fpb)) ** 2
    cumscore = np.empty(n)
    backlink = np.full(n, -1, dtype=np.intp)
    step = max(half, 1)
    for start in range(0, n, step):
        rows = np.arange(start, min(start + step, n))
        locs = rows[:, None] - offsets[None, :]
        scores = np.where(locs >= 0, cumscore[np.maximum(locs, 0)] - penalty, -np.inf)
        best = scores.argmax(axis=1)  # first maximum in nearest-first order, like librosa's strict ">"
        found = np.isfinite(scores[np.arange(len(rows)), best])
        cumscore[rows] = local[rows] + np.where(found, scores[np.arange(len(rows)), best], 0.0)
        backlink[rows] = np.where(found, locs[np.arange(len(rows)), best], -1)
    # before the first frame that clears 1 % of the peak score, nothing links back (no beat yet)
    above = np.flatnonzero(local >= 0.01 * local.max())
    backlink[: above[0] if len(above) else n] = -1
    return backlink, cumscore


def _backtrack(local: FloatArray, backlink: npt.NDArray[np.intp], cumscore: FloatArray) -> npt.NDArray[np.intp]:
    """Follow back-links from the last strong local maximum of the cumulative score."""
    padded = np.pad(cumscore, 1, mode="edge")
    is_max = (cumscore > padded[:-2]) & (cumscore >= padded[2:])
    if not is_max.any():
        return np.zeros(0, dtype=np.intp)
    threshold = 0.5 * float(np.median(cumscore[is_max]))
    candidates = np.flatnonzero(is_max & (cumscore >= threshold))
    tail = int(candidates[-1]) if len(candidates) else len(cumscore) - 1
    beats = []
    while tail >= 0:
        beats.append(tail)
        tail = int(backlink[tail])
    frames = np.array(beats[::-1], dtype=np.intp)
    # librosa drops beats on frames where the smoothed onset is zero (before the music starts)
    positive = np.flatnonzero(local > 0)
    if len(positive) == 0:
        return frames[:0]
    return frames[(frames >= positive[0]) & (frames <= positive[-1])]


def estimate_tempo(envelope: npt.NDArray[np.float32], *, stride: int = 8) -> float:
    """The tracker's starting tempo: librosa's estimate (mean of the local autocorrelations of 8 s
    windows, each normalised to its lag-0 value, weighted by a log-normal prior around 120 BPM,
    here 0.7 octaves wide), evaluated on every `stride`-th window. Neighbouring windows overlap
    by 99 %, so skipping seven of eight leaves the mean unchanged and saves most of the cost."""
    win = _TEMPO_WINDOW
    padded = np.pad(envelope.astype(np.float64), win // 2, mode="linear_ramp")
    windows = np.lib.stride_tricks.sliding_window_view(padded, win)[::stride] * np.hanning(win)
    spec = np.fft.rfft(windows, n=2 * win, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :win]
    peak = ac.max(axis=1, keepdims=True)
    mean_ac = (ac / np.where(peak > 0, peak, 1.0)).mean(axis=0)
    bpms = librosa.tempo_frequencies(win, sr=ANALYSIS_SR, hop_length=HOP)
    with np.errstate(divide="ignore"):
        logprior = -0.5 * ((np.log2(bpms) - np.log2(120.0)) / _PRIOR_OCTAVES) ** 2
    logprior[bpms >= 320.0] = -np.inf
    return float(bpms[int(np.argmax(np.log1p(1e6 * mean_ac) + logprior))])


def _kick_between_beats(spectra: Spectra, frames: npt.NDArray[np.intp]) -> bool:
    """True when the low band hits halfway between beats about as hard as on them: a kick on
    every beat (four on the floor) under a half-speed backbeat the tracker locked onto."""
    if len(frames) < 8:
        return False
    mids = (frames[:-1] + frames[1:]) // 2
    on = _peaks(spectra.low_onset, frames[:-1])
    between = _peaks(spectra.low_onset, mids)
    return bool(np.median(between) >= _DOUBLE_RATIO * np.median(on) > 0)


def _peaks(env: npt.NDArray[np.float32], frames: npt.NDArray[np.intp]) -> FloatArray:
    padded = np.pad(env, 2)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 5)
    return windows[np.clip(frames, 0, len(env) - 1)].max(axis=1).astype(np.float64)


def tempo_from_beats(times: FloatArray) -> float:
    """BPM from a line fitted through beat times; beats the tracker skipped or doubled are absorbed
    by numbering beats by elapsed periods rather than by position in the list."""
    if len(times) < 3:
        return 0.0
    intervals = np.diff(times)
    period = float(np.median(intervals))
    if period <= 0:
        return 0.0
    index = np.concatenate([[0.0], np.cumsum(np.round(intervals / period))])
    keep = np.concatenate([[True], np.round(intervals / period) >= 1])
    if len(times) >= 8:  # the tracker places the first and last beat least reliably (window edges)
        keep[0] = keep[-1] = False
    slope = np.polyfit(index[keep], times[keep], 1)[0]
    return float(60.0 / slope) if slope > 0 else 0.0


def beat_accents(spectra: Spectra, frames: npt.NDArray[np.intp]) -> FloatArray:
    """How strongly each beat is marked: the low-band level just after it (a kick or a bass note
    is loud there, a snare or hat is not) plus the full-band onset, each standardised.

    The level, not the flux, for the low band: flux in dB rises just as much for the faint
    low-frequency leakage of a hi-hat as for a kick, since both climb out of the same floor.
    """
    full = _peaks(spectra.onset, frames)
    # Clipped so that one outlier (the first hit after digital silence has a huge flux) cannot
    # outvote a whole track's pattern.
    return np.clip(2.0 * low_accents(spectra, frames) + _standardise(full), -4.0, 4.0).astype(np.float64)


def low_accents(spectra: Spectra, frames: npt.NDArray[np.intp]) -> FloatArray:
    """Standardised low-band level at each beat; the kick's level peaks a frame or two after its onset."""
    return _standardise(_peaks(spectra.low_level, frames + 2))


def _standardise(x: FloatArray) -> FloatArray:
    if len(x) < 2:
        return np.zeros_like(x)
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 1e-9 else np.zeros_like(x)


def meter_contrast(accents: FloatArray, meter: int) -> tuple[float, int]:
    """Best (mean accent of one bar position minus the others' mean) and that position."""
    best, phase = 0.0, 0
    for p in range(meter):
        on = accents[p::meter]
        off = np.delete(accents, np.arange(p, len(accents), meter))
        if len(on) and len(off):
            c = float(on.mean() - off.mean())
            if c > best:
                best, phase = c, p
    return best, phase


def meter_and_downbeats(
    accents: FloatArray, beats: FloatArray, changes: FloatArray | None = None, low: FloatArray | None = None
) -> tuple[int, FloatArray]:
    """3 when every third beat stands out clearly more than any 2- or 4-beat pattern; else 4.

    The meter comes from the rhythm alone. The downbeat is placed by the low band (`low`) plus
    `changes` (harmonic change arriving at each beat): a rock beat puts its kick on 1 and 3 alike,
    a house beat on every beat, and only the chords, which change on the bar line, tell them apart.
    """
    if len(accents) < 13:
        return 4, beats[:1]
    # Skip the first beat (its onset comes out of silence and dwarfs the rest) and use a multiple
    # of 12 beats, so every position of a 2-, 3- or 4-beat bar is counted equally often.
    unit = 12 if len(accents) > 24 else 6  # short clips: balance 2- and 3-beat bars, keep more beats
    usable = slice(1, 1 + unit * ((len(accents) - 1) // unit))
    c3, _ = meter_contrast(accents[usable], 3)
    c4, _ = meter_contrast(accents[usable], 4)
    c2, _ = meter_contrast(accents[usable], 2)
    sd = float(accents[usable].std()) or 1.0
    # Beats that wobble (a tracker fighting a tempo it cannot hold, e.g. half of a very fast one)
    # slip through the bar in a 3-beat cycle of their own; only steady beats may vote for 3.
    intervals = np.diff(beats)
    steady = float(intervals.std() / intervals.mean()) < _STEADY_BEATS_CV
    # ...and the bass/kick must carry the 3-beat pattern by itself (the "oom" of oom-pah-pah):
    # beats phasing against a frame grid can fake a weaker 3-cycle in the mixed accents.
    oom = low is None or meter_contrast(low[usable], 3)[0] > _MIN_LOW_TRIPLE
    meter = 3 if steady and oom and c3 > _MIN_CONTRAST * sd and c3 > _TRIPLE_MARGIN * max(c4, c2) else 4
    # The bar's first beat is where the bass/kick and the chords move, not where the accents are:
    # snare and clap accent the backbeat (2 and 4), so the full-band part stays out of this.
    cue = low if low is not None else accents
    combined = cue if changes is None else cue + _HARMONY_WEIGHT * changes
    _, phase = meter_contrast(combined[usable], meter)
    return meter, beats[(1 + phase) % meter :: meter]


def harmonic_change(chroma: npt.NDArray[np.float32], chroma_rate: float, beats: FloatArray) -> FloatArray:
    """Per beat, how different the chroma of the beat starting there is from the previous beat's
    (cosine distance, standardised); 0 for the first beat."""
    if len(beats) < 3:
        return np.zeros(len(beats))
    edges = np.concatenate([beats, [beats[-1] + float(np.median(np.diff(beats)))]])
    idx = np.clip((edges * chroma_rate).astype(int), 0, chroma.shape[1])
    csum = np.concatenate([np.zeros((12, 1)), np.cumsum(chroma, axis=1, dtype=np.float64)], axis=1)
    per_beat = (csum[:, idx[1:]] - csum[:, idx[:-1]]) / np.maximum(np.diff(idx), 1)
    unit = per_beat / (np.linalg.norm(per_beat, axis=0, keepdims=True) + 1e-12)
    distance = np.concatenate([[0.0], 1.0 - (unit[:, 1:] * unit[:, :-1]).sum(axis=0)])
    return _standardise(distance)


def analyse_rhythm(spectra: Spectra, chroma: npt.NDArray[np.float32] | None = None, chroma_rate: float = 0.0) -> Rhythm:
    frames = track_beats(spectra)
    beats = librosa.frames_to_time(frames, sr=ANALYSIS_SR, hop_length=HOP).astype(np.float64)
    tempo = tempo_from_beats(beats)
    changes = harmonic_change(chroma, chroma_rate, beats) if chroma is not None and chroma_rate > 0 else None
    signature, downbeats = meter_and_downbeats(
        beat_accents(spectra, frames), beats, changes, low_accents(spectra, frames)
    )
    return Rhythm(frames, beats, tempo, signature, downbeats)
