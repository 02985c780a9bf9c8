"""Synthetic music with known truth: drum patterns, click tracks, cadences, speech-like sound.

The accuracy tests, the benchmark and the demo folder all use these generators, so the truth a
test checks against (beat times, key, meter) is returned next to the signal rather than guessed.
Everything is deterministic for a given `seed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import signal as sps

Signal = npt.NDArray[np.float32]

PITCH_CLASSES: tuple[str, ...] = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


@dataclass(frozen=True, slots=True)
class Synth:
    """A synthesised signal (mono, float32) and the beat times it was built on."""

    samples: Signal
    sr: int
    beats: tuple[float, ...] = ()
    downbeats: tuple[float, ...] = ()


def _decay(n: int, sr: int, tau: float) -> npt.NDArray[np.float64]:
    return np.exp(-np.arange(n) / (sr * tau))


def kick(sr: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    n = int(0.35 * sr)
    t = np.arange(n) / sr
    # A falling pitch sweep is what makes a synthetic kick read as a kick (and gives low-band onsets).
    freq = 50.0 + 90.0 * np.exp(-t / 0.04)
    phase = 2 * np.pi * np.cumsum(freq) / sr
    return np.sin(phase) * _decay(n, sr, 0.12)


def snare(sr: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    n = int(0.2 * sr)
    noise = sps.lfilter(*sps.butter(2, [1000 / (sr / 2), min(8000 / (sr / 2), 0.95)], "band"), rng.standard_normal(n))
    tone = 0.5 * np.sin(2 * np.pi * 185.0 * np.arange(n) / sr)
    return (0.8 * noise + tone) * _decay(n, sr, 0.05)


def hat(sr: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    n = int(0.06 * sr)
    noise = sps.lfilter(*sps.butter(2, min(6000 / (sr / 2), 0.9), "high"), rng.standard_normal(n))
    return 0.4 * noise * _decay(n, sr, 0.012)


def click(sr: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    n = int(0.03 * sr)
    return np.sin(2 * np.pi * 1000.0 * np.arange(n) / sr) * _decay(n, sr, 0.005)


def _place(out: npt.NDArray[np.float64], sound: npt.NDArray[np.float64], at: float, sr: int, gain: float) -> None:
    start = round(at * sr)
    if start >= len(out):
        return
    end = min(len(out), start + len(sound))
    out[start:end] += gain * sound[: end - start]


def _beat_grid(bpm: float, duration: float, beats_per_bar: int) -> tuple[npt.NDArray[np.float64], int]:
    period = 60.0 / bpm
    n = int(np.floor((duration - 0.4) / period)) + 1
    return np.arange(n, dtype=np.float64) * period + 0.1, beats_per_bar


def drum_pattern(bpm: float, duration: float, *, style: str = "rock", sr: int = 22050, seed: int = 0) -> Synth:
    """A drum loop. Styles: "rock" (kick 1+3, snare 2+4, eighth hats), "four_on_the_floor"
    (kick every beat, clap 2+4, off-beat hats), "waltz" (kick on 1, snare on 2 and 3, in 3/4)."""
    rng = np.random.default_rng(seed)
    meter = 3 if style == "waltz" else 4
    beats, _ = _beat_grid(bpm, duration, meter)
    period = 60.0 / bpm
    out = np.zeros(int(duration * sr))
    sounds = {"k": kick(sr, rng), "s": snare(sr, rng), "h": hat(sr, rng)}
    for i, t in enumerate(beats):
        pos = i % meter
        for name, gain in _hits(style, pos):
            _place(out, sounds[name], t, sr, gain)
        if style != "waltz":
            _place(out, sounds["h"], t + period / 2, sr, 0.5)
    return Synth(_normalise(out, 0.7), sr, tuple(beats), tuple(beats[::meter]))


def _hits(style: str, pos: int) -> list[tuple[str, float]]:
    if style == "rock":
        return [("k", 1.0), ("h", 0.6)] if pos in (0, 2) else [("s", 0.9), ("h", 0.6)]
    if style == "four_on_the_floor":
        return [("k", 1.0)] + ([("s", 0.7)] if pos in (1, 3) else [])
    if style == "waltz":
        return [("k", 1.0), ("h", 0.3)] if pos == 0 else [("s", 0.35), ("h", 0.3)]
    raise ValueError(f"unknown drum style {style!r}; use rock, four_on_the_floor or waltz")


def click_track(bpm: float, duration: float, *, sr: int = 22050, jitter: float = 0.0, seed: int = 0) -> Synth:
    """Clicks on every beat, louder on each bar's first; `jitter` (s) moves each click at random."""
    rng = np.random.default_rng(seed)
    beats, _ = _beat_grid(bpm, duration, 4)
    if jitter:
        beats = beats + rng.uniform(-jitter, jitter, len(beats))
    out = np.zeros(int(duration * sr))
    sound = click(sr, rng)
    for i, t in enumerate(beats):
        _place(out, sound, t, sr, 1.0 if i % 4 == 0 else 0.6)
    return Synth(_normalise(out, 0.8), sr, tuple(beats), tuple(beats[::4]))


def midi_hz(note: float) -> float:
    return float(440.0 * 2.0 ** ((note - 69) / 12))


def tone(freqs: list[float], dur: float, sr: int, *, partials: int = 6) -> npt.NDArray[np.float64]:
    """A chord of harmonic tones with a soft attack and release (like a bowed or organ-ish sound)."""
    t = np.arange(int(dur * sr)) / sr
    out = np.zeros_like(t)
    for f in freqs:
        for h in range(1, partials + 1):
            if f * h < sr / 2 * 0.9:
                out += np.sin(2 * np.pi * f * h * t) / h
    env = np.minimum(1.0, np.minimum(t / 0.02, (dur - t) / 0.05).clip(0))
    return out * env


def cadence(key: int, mode: int, *, sr: int = 22050, chord_dur: float = 0.75, repeats: int = 2) -> Synth:
    """I-IV-V-I (major) or i-iv-V-i (minor, harmonic leading tone) in `key` (0 = C), with a bass root."""
    third = 4 if mode == 1 else 3
    root = 48 + key  # C3 + key
    chords = [(0, third, 7), (5, 5 + (4 if mode == 1 else 3), 12), (7, 11, 14), (0, third, 7)]
    parts = []
    for _ in range(repeats):
        for a, b, c in chords:
            notes = [root + a, root + b, root + c, root + 12 + a]
            freqs = [midi_hz(n) for n in notes] + [midi_hz(root + a - 12)]
            parts.append(tone(freqs, chord_dur, sr))
    return Synth(_normalise(np.concatenate(parts), 0.5), sr)


def speech_like(duration: float, *, sr: int = 22050, seed: int = 0) -> Synth:
    """Voiced syllables (gliding pitch, changing formants, about 4 per second) with pauses between words.

    Not speech, but it has what tells speech from music to a signal-level detector: syllabic energy
    modulation near 4 Hz, frequent low-energy gaps, no steady pitch and no beat.
    """
    rng = np.random.default_rng(seed)
    out = np.zeros(int(duration * sr))
    t = 0.1
    while t < duration - 0.5:
        for _ in range(int(rng.integers(2, 6))):
            syl = float(rng.uniform(0.15, 0.3))
            _place(out, _syllable(syl, sr, rng), t, sr, 1.0)
            t += syl + float(rng.uniform(0.02, 0.08))
        t += float(rng.uniform(0.2, 0.6))
    return Synth(_normalise(out, 0.6), sr)


def _syllable(dur: float, sr: int, rng: np.random.Generator) -> npt.NDArray[np.float64]:
    n = int(dur * sr)
    f0 = np.linspace(rng.uniform(110, 160), rng.uniform(90, 140), n)
    pulses = (np.diff(np.floor(np.cumsum(f0) / sr), prepend=0.0) > 0).astype(float)
    voiced = np.zeros(n)
    for formant in (rng.uniform(300, 800), rng.uniform(900, 2200), rng.uniform(2400, 3000)):
        b, a = sps.iirpeak(formant / (sr / 2), 8.0)
        voiced += sps.lfilter(b, a, pulses)
    env = np.sin(np.pi * np.arange(n) / n) ** 2
    return voiced * env


def sung_line(duration: float, *, sr: int = 22050, seed: int = 0) -> Synth:
    """A voice-like melody: notes of 0.5-0.9 s joined by glides, 5.5 Hz vibrato of +/-50 cents,
    15 harmonics through vowel-like formants. What a singer adds over a backing track."""
    rng = np.random.default_rng(seed)
    n = int(duration * sr)
    t = np.arange(n) / sr
    midi = np.zeros(n)
    pos = 0.0
    while pos < duration:
        length = float(rng.uniform(0.5, 0.9))
        midi[int(pos * sr) : int((pos + length) * sr)] = 57 + int(rng.choice([0, 2, 4, 5, 7, 9, 12]))
        pos += length
    midi = sps.lfilter([0.005], [1.0, -0.995], midi)  # portamento: ~10 ms glide into each note
    midi += 0.5 * np.sin(2 * np.pi * 5.5 * t)
    phase = 2 * np.pi * np.cumsum(440.0 * 2 ** ((midi - 69) / 12)) / sr
    voice = sum(np.sin(h * phase) / h for h in range(1, 16))
    for formant in (700.0, 1200.0, 2600.0):
        b, a = sps.iirpeak(formant / (sr / 2), 5.0)
        voice = voice + 2.0 * sps.lfilter(b, a, voice)
    return Synth(_normalise(np.asarray(voice), 0.8), sr)


def song(duration: float, *, bpm: float = 120.0, key: int = 9, mode: int = 0, sr: int = 22050, seed: int = 0) -> Synth:
    """Drums, a chord progression and a bass line: a stand-in for a whole track (used by the benchmark)."""
    drums = drum_pattern(bpm, duration, style="rock", sr=sr, seed=seed)
    bar = 4 * 60.0 / bpm
    prog = cadence(key, mode, sr=sr, chord_dur=bar, repeats=1).samples
    reps = int(np.ceil(len(drums.samples) / len(prog)))
    harmony = np.tile(prog, reps)[: len(drums.samples)]
    shift = int(0.1 * sr)  # the drums start 100 ms in; keep the chords on the bar lines
    harmony = np.concatenate([np.zeros(shift), harmony[:-shift]])
    mix = 0.6 * drums.samples + 0.5 * harmony
    return Synth(_normalise(mix, 0.8), sr, drums.beats, drums.downbeats)


def sectioned(part: float = 20.0, *, sr: int = 22050, seed: int = 0) -> tuple[Synth, tuple[float, ...]]:
    """A-B-A: a rock groove in C major, then four-on-the-floor under A-minor pads, then A again.
    Returns the signal and the true section starts (0, part, 2 * part)."""
    a = song(part, bpm=120, key=0, mode=1, sr=sr, seed=seed).samples
    drums = drum_pattern(120, part, style="four_on_the_floor", sr=sr, seed=seed + 1).samples
    pads = cadence(9, 0, sr=sr, chord_dur=2.0, repeats=3).samples
    b = 0.5 * drums + 0.5 * np.resize(pads, len(drums))
    return Synth(np.concatenate([a, b, a]).astype(np.float32), sr), (0.0, part, 2 * part)


def sine(freq: float, duration: float, *, sr: int = 48000, dbfs: float = -20.0, channels: int = 2) -> Signal:
    """A sine whose peak is `dbfs` dB below full scale, on every channel; shape (frames, channels)."""
    t = np.arange(int(duration * sr)) / sr
    x = (10 ** (dbfs / 20)) * np.sin(2 * np.pi * freq * t)
    return np.repeat(x[:, None], channels, axis=1).astype(np.float32)


def _normalise(x: npt.NDArray[np.float64], peak: float) -> Signal:
    m = float(np.max(np.abs(x))) if len(x) else 0.0
    return (x * (peak / m) if m > 0 else x).astype(np.float32)


def write_audio(path: Path, samples: npt.NDArray[np.floating], sr: int, *, block: int = 65536) -> None:
    """Write any format soundfile knows, in blocks.

    libsndfile 1.2.2 crashes the process (segfault) when a few minutes of Ogg/Vorbis arrive in one
    write call; blocks of 64k frames avoid it and cost nothing for the other formats.
    """
    import soundfile as sf

    data = np.asarray(samples, dtype=np.float32)
    channels = 1 if data.ndim == 1 else data.shape[1]
    with sf.SoundFile(path, "w", samplerate=sr, channels=channels) as f:
        for start in range(0, len(data), block):
            f.write(data[start : start + block])


def write_demo_folder(folder: Path, *, duration: float = 20.0) -> list[Path]:
    """A few tagged files in every readable format, for trying `genrelens analyze` end to end."""
    from genrelens.core.audio.tags import write_tags

    folder.mkdir(parents=True, exist_ok=True)
    plan = [
        ("rock_120_a_minor.flac", song(duration, bpm=120, key=9, mode=0, seed=1), "rock"),
        ("house_124_c_major.mp3", house(duration), "electronic"),
        ("waltz_90.ogg", drum_pattern(90, duration, style="waltz", seed=3), "classical"),
        ("talk.wav", speech_like(duration, seed=4), "spoken word"),
    ]
    paths = []
    for name, synth, genre in plan:
        path = folder / name
        write_audio(path, synth.samples, synth.sr)
        write_tags(path, title=path.stem.replace("_", " "), artist="genrelens synth", album="demo", genre=genre)
        paths.append(path)
    return paths


def house(duration: float) -> Synth:
    """Four-on-the-floor drums (clap on 2 and 4) under I-IV-V-I chords in C major, 124 BPM."""
    drums = drum_pattern(124, duration, style="four_on_the_floor", seed=2)
    chords = cadence(0, 1, chord_dur=4 * 60 / 124, repeats=int(duration / 7) + 1).samples
    n = len(drums.samples)
    mix = 0.7 * drums.samples + 0.3 * np.resize(chords, n)
    return Synth(_normalise(mix, 0.8), drums.sr, drums.beats, drums.downbeats)
