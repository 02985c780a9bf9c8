from __future__ import annotations

import math

import numpy as np
import pytest

from genrelens.core.audio import analyze_signal, synth
from genrelens.core.audio.analyze import SignalAnalysis
from genrelens.core.types import UNIT_FEATURES

ESTIMATED = ("energy", "danceability", "speechiness", "acousticness", "instrumentalness", "valence")


@pytest.fixture(scope="module")
def contrasting() -> dict[str, SignalAnalysis]:
    rng = np.random.default_rng(7)
    signals = {
        "speech": synth.speech_like(25.0, seed=1).samples,
        "music": synth.song(25.0, bpm=110, key=4, mode=1, seed=2).samples,
        "loud_drums": synth.drum_pattern(128, 25.0, style="four_on_the_floor", seed=3).samples,
        "soft_tones": 0.03 * synth.cadence(5, 1, chord_dur=1.5, repeats=4).samples,
        "noise": (0.3 * rng.standard_normal(22050 * 25)).astype(np.float32),
        "silence": np.zeros(22050 * 25, dtype=np.float32),
        "clicks": synth.click_track(100, 25.0).samples,
    }
    return {name: analyze_signal(x, 22050) for name, x in signals.items()}


def test_estimated_features_are_finite_and_in_the_unit_interval(contrasting: dict[str, SignalAnalysis]) -> None:
    for name, result in contrasting.items():
        values = result.features.as_dict()
        for field in ESTIMATED:
            v = values[field]
            assert v is not None and math.isfinite(v) and 0.0 <= v <= 1.0, (name, field, v)
        assert values["liveness"] is None  # no defensible method: reported unknown, not invented
        assert set(UNIT_FEATURES) - {"liveness"} == set(ESTIMATED)


def test_loud_drums_score_above_soft_tones_for_energy(contrasting: dict[str, SignalAnalysis]) -> None:
    drums, soft = contrasting["loud_drums"].features.energy, contrasting["soft_tones"].features.energy
    # synthetic drums sit far outside the real recordings the model was fitted on, so only the order
    # and a clear gap are asserted here; test_calibration checks the margin on real rock and piano
    assert drums is not None and soft is not None and drums > soft + 0.15


def test_a_sung_line_over_the_backing_shows_as_pitch_motion_and_syllables() -> None:
    backing = synth.song(20.0, bpm=116, key=7, mode=1, seed=11).samples
    voice = synth.sung_line(20.0, seed=12).samples
    alone = analyze_signal(backing, 22050).measurements
    with_voice = analyze_signal(0.6 * backing + 0.4 * voice, 22050).measurements
    assert alone is not None and with_voice is not None
    assert alone.pitch_motion < 0.05 and with_voice.pitch_motion > alone.pitch_motion + 0.3
    assert with_voice.syllabic_modulation > alone.syllabic_modulation + 0.05


def test_steady_tones_do_not_read_as_a_moving_voice(contrasting: dict[str, SignalAnalysis]) -> None:
    for name in ("music", "soft_tones"):
        m = contrasting[name].measurements
        assert m is not None and m.pitch_glide_rate < 0.05 and m.pitch_motion < 0.05, name
        assert m.tonal_share > 0.8, name  # held chords are tonal throughout


def test_every_measure_is_finite_on_silence_and_noise(contrasting: dict[str, SignalAnalysis]) -> None:
    for name in ("silence", "noise", "clicks"):
        m = contrasting[name].measurements
        assert m is not None
        values = [getattr(m, f) for f in m.__dataclass_fields__]
        flat = [float(x) for v in values for x in (v if isinstance(v, tuple) else (v,))]
        assert all(math.isfinite(x) for x in flat), name
        assert len(m.contrast_mean) == len(m.contrast_std) == 7 and len(m.mfcc_mean) == 12, name


def test_soft_tones_are_more_acoustic_than_loud_noise(contrasting: dict[str, SignalAnalysis]) -> None:
    assert (contrasting["soft_tones"].features.acousticness or 0) > (contrasting["noise"].features.acousticness or 0)


def test_section_boundaries_are_found_where_the_music_changes() -> None:
    piece, truth = synth.sectioned(20.0, seed=0)
    sections = analyze_signal(piece.samples, piece.sr).sections
    assert sections[0] == 0.0
    assert len(sections) == len(truth)
    for found, expected in zip(sections, truth, strict=True):
        assert found == pytest.approx(expected, abs=2.5)


def test_a_homogeneous_track_is_one_section(contrasting: dict[str, SignalAnalysis]) -> None:
    for name in ("music", "loud_drums", "speech", "silence"):
        assert contrasting[name].sections == (0.0,), name


def test_silence_has_floor_loudness_no_key_and_no_beats(contrasting: dict[str, SignalAnalysis]) -> None:
    silent = contrasting["silence"]
    assert silent.features.loudness == -60.0
    assert silent.features.key == -1
    assert silent.features.tempo == 0.0
    assert silent.beats == () and silent.downbeats == ()
