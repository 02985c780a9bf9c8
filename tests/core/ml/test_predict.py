from __future__ import annotations

import numpy as np
import pytest

from genrelens.core.ml import DatasetError, MissingFeatures, UnknownClasses, evaluate, predict_frame
from genrelens.core.ml.synthetic import separable_frame

EVALUATE_KEYS = {"accuracy", "macro_f1", "log_loss", "ece", "n", "baselines", "per_class", "confusion"}


def test_evaluate_returns_exactly_the_documented_keys(synthetic_training):
    scores = evaluate(synthetic_training.model, separable_frame(n_per_genre=50, seed=5))
    assert set(scores) == EVALUATE_KEYS
    assert set(scores["baselines"]) == {"random", "majority"}
    assert scores["n"] == 125
    assert scores["baselines"]["random"]["accuracy"] == pytest.approx(1 / 3)
    assert scores["baselines"]["majority"]["class"] in {"alpha", "beta"}
    assert scores["accuracy"] > scores["baselines"]["majority"]["accuracy"]
    assert scores["confusion"]["labels"] == ["alpha", "beta", "noise"]


def test_evaluate_on_a_class_the_model_does_not_know_is_a_clear_error(synthetic_training):
    frame = separable_frame(n_per_genre=20, seed=5)
    frame.loc[:3, "playlist_genre"] = "polka"
    with pytest.raises(UnknownClasses, match="labels the model does not know: polka"):
        evaluate(synthetic_training.model, frame)


def test_missing_feature_columns_are_named(synthetic_training):
    frame = separable_frame(n_per_genre=5).drop(columns=["tempo", "release_year"])
    with pytest.raises(MissingFeatures, match="missing feature columns: tempo, release_year"):
        predict_frame(synthetic_training.model, frame)
    with pytest.raises(MissingFeatures):
        evaluate(synthetic_training.model, frame)


def test_predictions_keep_the_input_index_and_rank_the_classes(synthetic_training):
    frame = separable_frame(n_per_genre=6, seed=9).set_index(np.arange(100, 115))
    out = predict_frame(synthetic_training.model, frame, top_k=2)
    assert out.index.tolist() == list(range(100, 115))
    assert (out["top1"] == out["predicted"]).all()
    assert (out["top1_p"] >= out["top2_p"]).all()
    np.testing.assert_allclose(out.filter(like="p_").sum(axis=1), 1.0)
    assert out.loc[frame["danceability"] > 0.6, "predicted"].eq("beta").mean() > 0.8


def test_rows_with_no_features_at_all_are_refused_rather_than_guessed(synthetic_training):
    frame = separable_frame(n_per_genre=5)
    frame.loc[0, synthetic_training.model.features] = np.nan
    with pytest.raises(DatasetError, match="1 row"):
        predict_frame(synthetic_training.model, frame)


def test_text_columns_from_a_csv_and_nullable_integer_years_are_scored_like_numbers(synthetic_training):
    model = synthetic_training.model
    frame = separable_frame(n_per_genre=6, seed=12)
    as_text = frame.astype(str).assign(release_year=frame["release_year"].astype("Int64"))
    as_text.loc[0, "tempo"] = "not a number"  # becomes missing and is imputed, not a crash
    expected = predict_frame(model, frame.assign(tempo=frame["tempo"].where(frame.index != 0)))
    got = predict_frame(model, as_text)
    np.testing.assert_allclose(got.filter(like="p_").to_numpy(), expected.filter(like="p_").to_numpy(), rtol=1e-9)
