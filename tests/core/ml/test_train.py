from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from genrelens.core.ml import ArtifactError, evaluate, load_model, predict_frame
from genrelens.core.ml.calibration import apply_temperature
from genrelens.core.ml.synthetic import separable_frame


def test_it_learns_the_separable_genres_and_gives_the_noise_genre_no_signal(synthetic_training):
    model = synthetic_training.model
    held_out = separable_frame(n_per_genre=300, seed=7)
    scores = evaluate(model, held_out)
    assert scores["per_class"]["alpha"]["recall"] > 0.9
    assert scores["per_class"]["beta"]["recall"] > 0.9
    proba = predict_frame(model, held_out)["p_noise"].to_numpy()
    is_noise = held_out["playlist_genre"].to_numpy() == "noise"
    # Chance, not skill: p(noise) ranks noise rows no better than a coin ...
    assert roc_auc_score(is_noise, proba) == pytest.approx(0.5, abs=0.1)
    # ... and sits near the share noise has in each half of the danceability axis (150 of 750).
    assert proba.mean() == pytest.approx(0.2, abs=0.07)
    assert scores["per_class"]["noise"]["recall"] < 0.2


def test_the_card_records_data_protocol_metrics_and_versions(synthetic_training):
    card = json.loads(synthetic_training.card_path.read_text())
    assert card["classes"] == ["alpha", "beta", "noise"]
    assert card["feature_set"] == "audio+year"
    assert "track_popularity" not in card["features"]
    assert card["dataset"] == {"name": "synthetic-separable", "sha256": "0" * 64, "rows_used": 500}
    assert [s["step"] for s in card["preprocessing"]["steps"]][:3] == ["input", "drop_unlabelled", "dedupe"]
    assert card["protocol"]["cv"] == "StratifiedGroupKFold"
    assert card["metrics"]["grouped"]["accuracy"] > card["metrics"]["baselines"]["random"]["accuracy"]
    assert card["metrics"]["random"]["accuracy"] > 0
    assert set(card["calibration"]) >= {"ece_before", "ece_after", "applied"}
    assert card["library_versions"]["scikit-learn"]
    assert card["artifact"]["sha256"] and card["created_at"]
    assert len(card["selection"]) == 2


def test_artifact_round_trip_gives_the_same_predictions(synthetic_training):
    frame = separable_frame(n_per_genre=20, seed=3)
    loaded = load_model(synthetic_training.artifact_path)
    assert loaded.card == json.loads(synthetic_training.card_path.read_text())
    before = predict_frame(synthetic_training.model, frame)
    after = predict_frame(loaded, frame)
    np.testing.assert_allclose(before.filter(like="p_").to_numpy(), after.filter(like="p_").to_numpy())
    assert load_model(synthetic_training.card_path).model_id == loaded.model_id


def test_a_tampered_artifact_is_refused_before_it_is_unpickled(synthetic_training, tmp_path):
    artifact = tmp_path / synthetic_training.artifact_path.name
    artifact.write_bytes(synthetic_training.artifact_path.read_bytes() + b"\0")
    (tmp_path / synthetic_training.card_path.name).write_text(synthetic_training.card_path.read_text())
    with pytest.raises(ArtifactError, match="does not match its card"):
        load_model(artifact)


def test_a_missing_card_is_a_clear_error(synthetic_training, tmp_path):
    artifact = tmp_path / "lonely.joblib"
    artifact.write_bytes(synthetic_training.artifact_path.read_bytes())
    with pytest.raises(ArtifactError, match=r"model card .* not found"):
        load_model(artifact)


def test_the_fast_prediction_path_matches_the_fitted_pipeline_including_missing_values(synthetic_training):
    model = synthetic_training.model
    frame = separable_frame(n_per_genre=30, seed=11)
    frame.loc[:9, "tempo"] = np.nan  # exercised: imputation with the training medians
    X = frame[model.features]
    order = [list(model.pipeline.classes_).index(c) for c in model.classes]
    expected = model.pipeline.predict_proba(X)[:, order]
    if model.temperature is not None:  # the calibration check kept a temperature: the fast path applies it too
        expected = apply_temperature(expected, model.temperature)
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-10, atol=1e-12)
