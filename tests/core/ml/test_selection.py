from __future__ import annotations

import numpy as np
import pytest

from genrelens.core.ml.candidates import CANDIDATES, build_pipeline, param_grid
from genrelens.core.ml.preprocess import prepare
from genrelens.core.ml.selection import grouped_splits, random_splits, select_model
from genrelens.core.ml.synthetic import separable_frame


def test_grouped_splits_never_put_an_artist_on_both_sides():
    data = prepare(separable_frame(n_per_genre=100, tracks_per_artist=7))
    splits = grouped_splits(data.y, data.groups, n_splits=5)
    seen_in_test: list[int] = []
    for train, test in splits:
        assert not set(data.groups[train]) & set(data.groups[test])
        seen_in_test.extend(test.tolist())
    assert sorted(seen_in_test) == list(range(len(data.y)))  # every row is tested exactly once


def test_random_splits_do_leak_artists_which_is_why_they_only_serve_as_contrast():
    data = prepare(separable_frame(n_per_genre=100, tracks_per_artist=7))
    train, test = random_splits(data.y, n_splits=5)[0]
    assert set(data.groups[train]) & set(data.groups[test])


def test_every_candidate_builds_a_pipeline_that_imputes_and_scales_inside_the_fold():
    for name in CANDIDATES:
        for params in param_grid(name, "quick") + param_grid(name, "full"):
            pipeline = build_pipeline(name, params)
            assert [step for step, _ in pipeline.steps] == ["impute", "scale", "model"]


def test_summary_has_the_blogs_columns_and_the_random_split_score_for_the_winner():
    data = prepare(separable_frame(n_per_genre=60))
    result = select_model(data, candidates=("logistic_regression", "kneighbors"), n_splits=3, progress=False)
    summary = result.summary()
    assert {"grouped_min", "grouped_mean", "grouped_max", "grouped_std", "random_mean"} <= set(summary.columns)
    assert summary.iloc[0]["candidate"] == result.best.candidate
    assert np.isfinite(summary.iloc[0]["random_mean"])
    assert (summary["grouped_min"] <= summary["grouped_mean"]).all()
    assert (summary["grouped_mean"] <= summary["grouped_max"]).all()


def test_a_setting_the_data_cannot_support_is_skipped_and_reported_not_fatal():
    data = prepare(separable_frame(n_per_genre=20))  # folds of ~33 training rows: 50 neighbours cannot fit
    result = select_model(data, candidates=("kneighbors", "logistic_regression"), n_splits=3, progress=False)
    assert result.best.candidate == "logistic_regression"
    assert len(result.notes) == 1 and result.notes[0].startswith("kneighbors")
    assert list(result.summary()["candidate"]) == ["logistic_regression"]


@pytest.mark.slow
def test_every_full_grid_setting_fits_or_is_reported_as_unsupported():
    data = prepare(separable_frame(n_per_genre=40))
    result = select_model(data, search="full", n_splits=3, progress=False)
    n_settings = sum(len(param_grid(c, "full")) for c in CANDIDATES)
    assert len(result.scores) + len(result.notes) == n_settings
    assert all(note.startswith("kneighbors") for note in result.notes)  # only k > rows can be impossible
    assert result.summary()["random_mean"].notna().sum() == len(CANDIDATES)  # one per candidate


def test_the_quick_search_scores_random_splits_once_on_the_blogs_best_model():
    data = prepare(separable_frame(n_per_genre=60))
    result = select_model(data, candidates=("hist_gradient_boosting", "kneighbors", "logistic_regression"),
                          n_splits=3, progress=False)
    summary = result.summary()
    compared = summary[summary["random_mean"].notna()]
    blog = summary[summary["candidate"].isin(["kneighbors", "logistic_regression"])]
    assert list(compared["candidate"]) == [blog.iloc[0]["candidate"]]  # the better of the two blog models only
