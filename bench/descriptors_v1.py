"""The descriptor estimates genrelens shipped before calibration (analyser 1.0), kept verbatim as
the "before" column of bench/bench_descriptors.py: hand-weighted blends of the same signal
measures, each mapped into [0, 1]. Nothing in genrelens imports this.
"""

from __future__ import annotations

import math

from genrelens.core.audio.descriptors import Measurements


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


