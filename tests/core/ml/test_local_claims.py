from __future__ import annotations

import math

import pytest

from genrelens.core.ml import MissingFeatures
from genrelens.core.ml.local_claims import local_genre_claim, measured_agreement, note_for, percent
from genrelens.core.ml.synthetic import separable_frame


def test_a_local_claim_carries_the_models_probabilities_and_the_measured_agreement(synthetic_training):
    model = synthetic_training.model
    row = separable_frame(n_per_genre=3, seed=4).iloc[0]
    features = {name: float(row[name]) for name in model.features if name != "release_year"}
    features["liveness"] = None  # never measured locally
    claim = local_genre_claim(model, features, release_year=int(row["release_year"]))
    assert set(claim) == {"probabilities", "basis", "agreement_top1", "agreement_top2", "note"}
    assert list(claim["probabilities"]) == sorted(claim["probabilities"], key=lambda c: -claim["probabilities"][c])
    assert set(claim["probabilities"]) == set(model.classes)
    assert math.isclose(sum(claim["probabilities"].values()), 1.0, rel_tol=1e-6)
    measured = measured_agreement()
    assert claim["basis"] == "active-model"  # no companion given
    assert claim["agreement_top1"] == measured["agreement"]["active-model"]["top1"]
    assert 0.0 < claim["agreement_top1"] <= claim["agreement_top2"] <= 1.0
    assert percent(claim['agreement_top1']) in claim["note"] and "not from Spotify" in claim["note"]


def test_a_local_claim_names_the_features_the_model_cannot_do_without(synthetic_training):
    with pytest.raises(MissingFeatures):
        local_genre_claim(synthetic_training.model, {"energy": 0.5})


def test_the_measured_agreement_names_what_is_shown_the_most_accurate_model_and_the_noise_it_was_trained_with():
    measured = measured_agreement()
    shown = measured["agreement"][measured["basis"]]
    showable = ("active-model", "local-model", "pooled-model")  # the three the analysis can show
    assert measured["basis"] in showable
    assert shown["top1"] >= max(measured["agreement"][k]["top1"] for k in showable)
    assert 0.0 <= measured["pooling"]["weight"] <= 1.0
    assert "out-of-fold" in measured["protocol"]
    assert measured["most_accurate"] in measured["agreement"]
    best = measured["agreement"][measured["most_accurate"]]["top1"]
    assert all(scores["top1"] <= best for scores in measured["agreement"].values())
    assert set(measured["noise"]) == {"energy", "danceability", "speechiness", "acousticness", "instrumentalness",
                                      "valence"}
    for name, sd in measured["noise"].items():  # log-odds noise can exceed 1, a value's cannot
        assert 0 < sd < (10 if measured["noise_scale"][name] == "log-odds" else 1)
    tempo = [abs(v) for v in measured["tempo_log2"]]  # log2(local / Spotify's tempo), one per recording
    assert 0.9 * measured["n"] <= len(tempo) <= measured["n"]
    assert sum(v < 0.06 for v in tempo) > len(tempo) / 2  # mostly right; the rest mostly an octave off


def test_the_note_rounds_a_half_percent_up_as_the_app_beside_it_does():
    # 0.685 is 68.5 %: the page's toFixed(0) shows 69 %, and the note beside it must not say 68 %
    note = note_for(0.685, 0.795, 81)
    assert "69% of the time" in note and "80% within the top two" in note
