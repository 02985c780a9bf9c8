"""Spotify's audio analysis of a track (GET /v1/audio-analysis/{id}), made from its features.

The 2020 API answered with a timeline of the recording: tatums, beats and bars, sections (parts of
the song with their own loudness, tempo and key) and segments (short sound events with a pitch
chroma and a timbre vector), plus track-level estimates with confidences. The sandbox has no audio,
so it derives a plausible timeline from what the track's features state:

* `tempo` sets the beat period (with a little timing jitter), `time_signature` groups beats into
  bars, two tatums fall in each beat, and `duration_ms` ends everything;
* sections run 8 or 16 bars and repeat the track's key, mode, tempo and loudness with small
  variations (quieter intro and outro);
* segments (about four a second) peak around the section's loudness; their pitch vectors favour
  the notes of the track's key and mode, and timbre's first coefficient follows loudness, its
  second (brightness) energy.

Everything is seeded by the track id, so one track always gets the same analysis. Missing key,
mode or time signature (dataset catalogs) give -1 / 1 / 4 with confidence 0.
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import numpy as np

from genrelens.core.sandbox.catalog import Track

SAMPLE_RATE = 22_050
TATUMS_PER_BEAT = 2
SEGMENTS_PER_SECOND = 4.0
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)
#: Spotify's analyses are from the Echo Nest analyzer; these strings are what its answers carried.
META = {"analyzer_version": "4.0.0", "platform": "Linux", "detailed_status": "OK", "status_code": 0,
        "input_process": "libvorbisfile L+R 44100->22050"}


def audio_analysis(track: Track) -> dict[str, Any] | None:
    """The analysis object, or None when the track has no tempo to build it from."""
    features = track.features or {}
    tempo = features.get("tempo")
    if not tempo or tempo <= 0:
        return None
    rng = np.random.default_rng(_seed(track.id))
    duration = float(features.get("duration_ms") or track.duration_ms) / 1000.0
    summary = _summary(features, tempo, rng)
    beats = _beats(duration, tempo, rng)
    bars = beats[:: summary["time_signature"]]
    sections = _sections(bars, duration, summary, rng)
    return {
        "meta": {**META, "timestamp": 1_500_000_000 + int(rng.integers(0, 90_000_000)),
                 "analysis_time": round(duration / 30.0, 5)},
        "track": _track(duration, summary, beats, rng),
        "bars": _intervals(bars, rng),
        "beats": _intervals(beats, rng),
        "tatums": _intervals(_tatums(beats), rng),
        "sections": sections,
        "segments": _segments(duration, sections, summary, features, rng),
    }


def _seed(track_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"analysis:{track_id}".encode(), digest_size=8).digest(), "big")


def _summary(features: dict[str, float | None], tempo: float, rng: np.random.Generator) -> dict[str, Any]:
    """Track-level values: the features where known, otherwise Spotify's 'unknown' with confidence 0."""
    key, mode, signature = features.get("key"), features.get("mode"), features.get("time_signature")
    loudness = features.get("loudness")
    return {
        "tempo": float(tempo),
        "tempo_confidence": _confidence(rng, 0.3, 0.95),
        "key": int(key) if key is not None else -1,
        "key_confidence": _confidence(rng, 0.2, 0.9) if key is not None and key >= 0 else 0.0,
        "mode": int(mode) if mode is not None else 1,
        "mode_confidence": _confidence(rng, 0.3, 0.8) if mode is not None else 0.0,
        "time_signature": int(signature) if signature else 4,
        "time_signature_confidence": _confidence(rng, 0.5, 1.0) if signature else 0.0,
        "loudness": float(loudness) if loudness is not None else -8.0,
    }


def _confidence(rng: np.random.Generator, low: float, high: float) -> float:
    return round(float(rng.uniform(low, high)), 3)


def _beats(duration: float, tempo: float, rng: np.random.Generator) -> np.ndarray:
    """Beat start times: a grid at the tempo's period with ~1 % jitter, from a short lead-in."""
    period = 60.0 / tempo
    first = float(rng.uniform(0.05, min(period, 0.6)))
    count = max(1, int((duration - first) // period))
    jitter = rng.normal(0.0, 0.01 * period, count)
    starts = first + period * np.arange(count) + jitter
    starts[0] = first
    return np.asarray(np.clip(starts, 0.0, duration))


def _tatums(beats: np.ndarray) -> np.ndarray:
    """Each beat split in TATUMS_PER_BEAT equal parts (the last beat uses the previous period)."""
    if len(beats) < 2:
        return beats
    periods = np.append(np.diff(beats), beats[-1] - beats[-2])
    steps = np.arange(TATUMS_PER_BEAT) / TATUMS_PER_BEAT
    return np.asarray((beats[:, None] + periods[:, None] * steps[None, :]).ravel())


def _intervals(starts: np.ndarray, rng: np.random.Generator) -> list[dict[str, float]]:
    """TimeIntervalObjects: each lasts until the next starts; the last one a typical period."""
    if len(starts) == 0:
        return []
    ends = np.append(starts[1:], starts[-1] + (starts[-1] - starts[-2] if len(starts) > 1 else 0.5))
    columns = _rounded(start=(starts, 5), duration=(ends - starts, 5), confidence=(rng.beta(2.0, 2.5, len(starts)), 3))
    return _rows(columns)


def _rounded(**columns: tuple[np.ndarray, int]) -> dict[str, list[Any]]:
    """Columns rounded to Spotify's precision in one numpy call each (rounding per value in
    Python took most of the time of a 1000-segment analysis)."""
    return {name: np.round(values, digits).tolist() for name, (values, digits) in columns.items()}


def _rows(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _sections(bars: np.ndarray, duration: float, summary: dict[str, Any],
              rng: np.random.Generator) -> list[dict[str, Any]]:
    """Sections of 8 or 16 bars; the first starts at 0 and the last ends with the track."""
    bounds = [0.0]
    index = 0
    while True:
        index += int(rng.choice((8, 16)))
        if index >= len(bars) or duration - float(bars[index]) < 10.0:
            break
        bounds.append(float(bars[index]))
    bounds.append(duration)
    sections = []
    for number, (start, end) in enumerate(itertools.pairwise(bounds)):
        edge = number == 0 or number == len(bounds) - 2
        sections.append({
            "start": round(start, 5),
            "duration": round(end - start, 5),
            "confidence": 1.0 if number == 0 else _confidence(rng, 0.2, 1.0),
            "loudness": round(summary["loudness"] - (4.0 if edge else 0.0) + float(rng.normal(0.0, 1.0)), 3),
            "tempo": round(summary["tempo"] * (1.0 + float(rng.normal(0.0, 0.003))), 3),
            "tempo_confidence": _confidence(rng, 0.3, 0.9),
            "key": summary["key"],
            "key_confidence": _confidence(rng, 0.1, 0.8) if summary["key"] >= 0 else 0.0,
            "mode": summary["mode"],
            "mode_confidence": _confidence(rng, 0.3, 0.8) if summary["mode_confidence"] else 0.0,
            "time_signature": summary["time_signature"],
            "time_signature_confidence": _confidence(rng, 0.5, 1.0) if summary["time_signature_confidence"] else 0.0,
        })
    return sections


def _segments(duration: float, sections: list[dict[str, Any]], summary: dict[str, Any],
              features: dict[str, float | None], rng: np.random.Generator) -> list[dict[str, Any]]:
    # gamma lengths averaging 1/SEGMENTS_PER_SECOND s; drawn with 20 % spare, cut at the end
    count = int(duration * SEGMENTS_PER_SECOND * 1.2) + 2
    lengths = np.clip(rng.gamma(4.0, 1.0 / SEGMENTS_PER_SECOND / 4.0, count), 0.05, 1.5)
    starts = np.concatenate([[0.0], np.cumsum(lengths)])
    starts = starts[starts < duration]
    ends = np.append(starts[1:], duration)
    section_starts = np.array([s["start"] for s in sections])
    level = np.array([s["loudness"] for s in sections])[np.searchsorted(section_starts, starts, side="right") - 1]
    peak = np.minimum(level + 6.0 + rng.normal(0.0, 3.0, len(starts)), 0.0)
    onset = peak - rng.uniform(3.0, 18.0, len(starts))
    count = len(starts)
    onset_after = np.append(onset[1:], -60.0)  # the description: the next segment's loudness_start
    columns = _rounded(
        start=(starts, 5),
        duration=(ends - starts, 5),
        confidence=(rng.beta(2.0, 2.0, count), 3),
        loudness_start=(onset, 3),
        loudness_max=(peak, 3),
        loudness_max_time=((ends - starts) * rng.uniform(0.05, 0.6, count), 5),
        loudness_end=(onset_after, 3),
    )
    columns["pitches"] = _pitches(summary["key"], summary["mode"], count, rng)
    columns["timbre"] = _timbre(peak, features, count, rng)
    return _rows(columns)


def _pitches(key: int, mode: int, count: int, rng: np.random.Generator) -> list[list[float]]:
    """Chroma vectors normalised to a maximum of 1, heavier on the key's scale, tonic and fifth."""
    weights = np.full(12, 0.15)
    if key >= 0:
        for step in MAJOR_SCALE if mode == 1 else MINOR_SCALE:
            weights[(key + step) % 12] = 0.5
        weights[key] = weights[(key + 7) % 12] = 0.9
    else:
        weights[:] = 0.5
    chroma = weights[None, :] * rng.uniform(0.2, 1.0, (count, 12))
    chroma /= chroma.max(axis=1, keepdims=True)
    rounded: list[list[float]] = np.round(chroma, 3).tolist()
    return rounded


def _timbre(peak: np.ndarray, features: dict[str, float | None], count: int,
            rng: np.random.Generator) -> list[list[float]]:
    """12 coefficients centred near 0: loudness, brightness (energy), then unnamed shape terms."""
    energy = features.get("energy")
    values = rng.normal(0.0, 25.0, (count, 12))
    values[:, 0] = 60.0 + peak + rng.normal(0.0, 2.0, count)
    values[:, 1] += 100.0 * ((energy if energy is not None else 0.5) - 0.5)
    rounded: list[list[float]] = np.round(values, 3).tolist()
    return rounded


def _track(duration: float, summary: dict[str, Any], beats: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    fade_in = float(beats[0]) if len(beats) else 0.0
    return {
        "num_samples": round(duration * SAMPLE_RATE),
        "duration": round(duration, 5),
        "sample_md5": "",
        "offset_seconds": 0,
        "window_seconds": 0,
        "analysis_sample_rate": SAMPLE_RATE,
        "analysis_channels": 1,
        "end_of_fade_in": round(fade_in, 5),
        "start_of_fade_out": round(max(fade_in, duration - float(rng.uniform(2.0, 10.0))), 5),
        **{key: summary[key] for key in ("loudness", "tempo", "tempo_confidence", "time_signature",
                                         "time_signature_confidence", "key", "key_confidence", "mode",
                                         "mode_confidence")},
        # fingerprints would need the audio; the fields are there, empty
        "codestring": "", "code_version": 3.15, "echoprintstring": "", "echoprint_version": 4.15,
        "synchstring": "", "synch_version": 1.0, "rhythmstring": "", "rhythm_version": 1.0,
    }
