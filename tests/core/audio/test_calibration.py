"""The calibrated descriptors: the model file, its links, and the wiring on real recordings."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from genrelens.core.audio import analyze_file
from genrelens.core.audio.calibration import (
    DESCRIPTOR_INPUTS,
    DESCRIPTORS,
    INPUTS,
    TIMBRE_INPUTS,
    LinearModel,
    fidelity,
    load,
    model_inputs,
)
from genrelens.core.audio.descriptors import Measurements, mfcc_change, mfcc_means, spectral_contrast, timbre_change
from genrelens.core.audio.spectral import ANALYSIS_SR, analyse_spectra

PREVIEWS = Path(__file__).resolve().parents[4] / "shared" / "data" / "spotify-previews"
SUNG = ("Hound Dog", "Numb", "Wonderwall", "Smells Like Teen Spirit")
RAP = ("Set It Off", "Ain't No Half-Steppin'")
INSTRUMENTAL = ("A La Plage", "Adrift", "After The Rain")


def _zero_measurements() -> Measurements:
    fields = Measurements.__dataclass_fields__
    return Measurements(**{name: () if spec.default == () else 0 for name, spec in fields.items()})


def test_every_descriptor_has_a_model_over_the_documented_inputs_and_a_fidelity() -> None:
    calibration = load()
    assert set(calibration.models) == set(DESCRIPTORS) == set(fidelity())
    assert list(model_inputs(_zero_measurements())) == list(INPUTS)
    for name, model in calibration.models.items():
        assert model.inputs == DESCRIPTOR_INPUTS[name], name
        assert len(model.mean) == len(model.scale) == len(model.coef) == len(model.inputs), name
        assert all(s > 0 for s in model.scale), name


def test_timbre_summaries_are_finite_and_complete_on_music_silence_and_a_clip_too_short_to_measure() -> None:
    t = np.arange(3 * ANALYSIS_SR) / ANALYSIS_SR
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)).astype(np.float32) * 0.2
    silence = np.zeros(3 * ANALYSIS_SR, dtype=np.float32)
    for y in (chord, silence, chord[:600]):
        spectra = analyse_spectra(y)
        means, spreads = spectral_contrast(spectra)
        values = model_inputs(replace(_zero_measurements(), contrast_mean=means, contrast_std=spreads,
                                      mfcc_mean=mfcc_means(spectra)))
        assert all(math.isfinite(values[name]) for name in TIMBRE_INPUTS)
        assert len(means) == len(spreads) == 7 and len(mfcc_means(spectra)) == 12
    # three steady tones stand far above their octave bands' floor: a high contrast
    assert max(spectral_contrast(analyse_spectra(chord))[0]) > 20.0


def test_mfcc_change_is_zero_for_a_steady_tone_and_large_when_the_timbre_keeps_switching() -> None:
    t = np.arange(3 * ANALYSIS_SR) / ANALYSIS_SR
    steady = (0.2 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    low = 0.2 * np.sin(2 * np.pi * 300.0 * t)
    high = 0.2 * np.sin(2 * np.pi * 3000.0 * t)
    switching = np.where((t * 8).astype(int) % 2 == 0, low, high).astype(np.float32)  # 8 switches a second
    still, moving = mfcc_change(analyse_spectra(steady)), mfcc_change(analyse_spectra(switching))
    assert len(still) == len(moving) == 12
    # the steady tone's spectrum moves only where it starts and stops (the two edge frames)
    assert max(still) < 3.0
    assert all(m > 5 * s for m, s in zip(moving, still, strict=True))
    assert timbre_change(moving) == pytest.approx(float(np.mean(moving[:6])))
    assert timbre_change(()) == 0.0
    assert mfcc_change(analyse_spectra(np.zeros(600, dtype=np.float32))) == (0.0,) * 12  # too short / silent


def test_empty_timbre_summaries_read_as_zeros() -> None:
    values = model_inputs(_zero_measurements())
    assert all(values[name] == 0.0 for name in TIMBRE_INPUTS)


def test_links_keep_every_estimate_in_the_unit_interval_even_far_outside_the_training_range() -> None:
    for link in ("identity", "logit", "logistic"):
        model = LinearModel(("a",), (0.0,), (1.0,), (1.0,), 0.0, link)
        for x in (-1e9, -3.0, 0.0, 3.0, 1e9, math.nan):
            assert 0.0 <= model.predict({"a": x}) <= 1.0, (link, x)


def test_a_model_survives_its_json_round_trip() -> None:
    model = load().models["energy"]
    assert LinearModel.from_json(json.loads(json.dumps(model.to_json()))) == model


@pytest.fixture(scope="module")
def previews() -> dict[str, dict[str, float]]:
    if not (PREVIEWS / "features.csv").is_file():
        pytest.skip(f"shared dev data absent: {PREVIEWS}")
    import pandas as pd

    frame = pd.read_csv(PREVIEWS / "features.csv").set_index("track_name")
    out = {}
    for title in (*SUNG, *RAP, *INSTRUMENTAL):
        result = analyze_file(PREVIEWS / frame.loc[title, "audio_file"])
        assert result.error is None, result.error
        out[title] = result.features.as_dict()
    return out


def test_sung_songs_read_sung_and_instrumental_pieces_instrumental(previews: dict[str, dict[str, float]]) -> None:
    # recordings of the development set: this checks the pipeline and the model file agree with
    # what the fit saw; how well it generalises is measured by bench/bench_descriptors.py
    for title in (*SUNG, *RAP):
        assert previews[title]["instrumentalness"] < 0.5, title
    for title in INSTRUMENTAL:
        assert previews[title]["instrumentalness"] > 0.5, title


def test_rap_reads_more_speech_like_than_singing(previews: dict[str, dict[str, float]]) -> None:
    assert min(previews[t]["speechiness"] for t in RAP) > max(previews[t]["speechiness"] for t in SUNG)


def test_rock_reads_more_energetic_and_less_acoustic_than_solo_piano(previews: dict[str, dict[str, float]]) -> None:
    for loud in ("Numb", "Smells Like Teen Spirit"):
        for quiet in ("A La Plage", "After The Rain"):
            assert previews[loud]["energy"] > previews[quiet]["energy"] + 0.3
            assert previews[loud]["acousticness"] < previews[quiet]["acousticness"] - 0.3
