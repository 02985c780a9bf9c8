from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.preprocessing import QuantileTransformer

from genrelens.core.ml.candidates import build_pipeline
from genrelens.core.ml.ensemble import (
    PACKED_ROWS,
    SCORE_ROWS,
    Contrasts,
    GenreEnsemble,
    _genre_given_subgenre,
    _lightgbm_proba,
)
from genrelens.core.ml.preprocess import prepare
from genrelens.core.ml.selection import candidate_cv, cross_val_proba, fit_params, grouped_splits, select_model
from genrelens.core.ml.synthetic import separable_frame


@pytest.fixture(scope="module")
def data():
    return prepare(separable_frame(n_per_genre=150, seed=1), feature_set="audio")


def test_contrasts_add_every_pair_and_every_component_and_attribute_them_back():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    contrasts = Contrasts().fit(X)
    out = contrasts.transform(X)
    assert out.shape == (300, 4 + 6 + 4)
    assert np.allclose(out[:, :4], X)  # the raw features come first, untouched
    # A contrast's importance is shared half and half by its two features.
    pair = np.zeros(out.shape[1])
    pair[4 + contrasts.pairs_.index((1, 3))] = 1.0
    assert np.allclose(contrasts.attribute(pair), [0, 0.5, 0, 0.5])
    # A component's importance follows its squared loadings, so nothing is lost or invented.
    everything = rng.uniform(size=out.shape[1])
    assert contrasts.attribute(everything).sum() == pytest.approx(everything.sum())


def test_the_numpy_transform_gives_scikit_learn_s_normal_scores_and_components():
    rng = np.random.default_rng(1)
    mostly_one = np.where(rng.uniform(size=400) < 0.3, 0, 1.0)  # ties at both extremes
    X = np.column_stack([rng.normal(size=400), rng.exponential(size=400), mostly_one])
    contrasts = Contrasts().fit(X)
    reference = QuantileTransformer(n_quantiles=200, output_distribution="normal").fit(X).transform(X)
    assert np.allclose(contrasts.normal_scores(X), reference, atol=1e-6)  # ties (the zeros) included
    out = contrasts.transform(X)
    assert np.allclose(out[:, -3:], contrasts.pca_.transform(contrasts.normal_scores(X)))
    # A batch larger than one chunk of the quantile lookup gets the same scores, in order.
    many = rng.normal(size=(SCORE_ROWS * 2 + 7, 3)) * [1, 1, 0.5]
    assert np.allclose(contrasts.normal_scores(many), QuantileTransformer(n_quantiles=200, output_distribution="normal")
                       .fit(X).transform(many), atol=1e-6)


def test_the_booster_shortcut_gives_the_wrapper_s_probabilities_for_two_classes_and_for_many(data):
    for rows in (data.y != "noise", np.ones(len(data.y), dtype=bool)):
        model = GenreEnsemble(forest_trees=10).fit(data.X[rows], data.y[rows])
        Z = model.contrasts_.transform(data.X[rows].to_numpy())
        assert np.allclose(_lightgbm_proba(model.contrasts_model_, Z), model.contrasts_model_.predict_proba(Z))


def test_a_subgenre_filed_under_two_genres_splits_its_mass_by_the_training_counts():
    y = np.array(["metal", "rock", "rock", "rock", "pop"])
    sub = np.array(["hard rock", "hard rock", "hard rock", "classic rock", "dance pop"])
    classes, subs = np.unique(y), np.unique(sub)
    matrix = _genre_given_subgenre(y, sub, classes, subs)
    hard = list(subs).index("hard rock")
    assert dict(zip(classes, matrix[hard], strict=True)) == pytest.approx({"metal": 1 / 3, "pop": 0, "rock": 2 / 3})
    assert np.allclose(matrix.sum(axis=1), 1.0)


def test_it_learns_the_separable_genres_and_never_claims_the_noise_genre(data):
    train, test = grouped_splits(data.y, data.groups, n_splits=4)[0]
    model = GenreEnsemble(forest_trees=50).fit(data.X.iloc[train], data.y[train], subgenre=data.subgenre[train])
    assert model.members == ["contrasts", "forest", "subgenre"]
    proba = model.predict_proba(data.X.iloc[test])
    assert np.allclose(proba.sum(axis=1), 1.0)
    pred = model.classes_[proba.argmax(axis=1)]
    y = data.y[test]
    separable = y != "noise"
    assert (pred[separable] == y[separable]).mean() > 0.9
    assert (pred == "noise").mean() < 0.1  # the best guess on noise-like rows is still alpha or beta


def test_without_subgenres_it_has_two_members_and_importances_name_the_signal(data):
    model = GenreEnsemble(forest_trees=50).fit(data.X, data.y)
    assert model.members == ["contrasts", "forest"]
    importances = model.feature_importances_
    assert importances.shape == (len(data.features),) and importances.sum() == pytest.approx(1.0)
    assert data.features[int(importances.argmax())] == "danceability"


def test_one_track_at_a_time_gets_the_libraries_numbers_and_the_packed_copies_are_not_saved(data):
    model = GenreEnsemble(forest_trees=30).fit(data.X, data.y, subgenre=data.subgenre)
    rows = data.X.to_numpy()[:5]
    one_by_one = np.vstack([model.predict_proba(rows[i : i + 1]) for i in range(5)])
    assert np.allclose(one_by_one, model.predict_proba(rows), atol=1e-9)
    many = data.X.to_numpy()[: PACKED_ROWS + 1]  # one past the packed path: the libraries' own
    # The packed forest keeps its leaves' class shares as float32, as scikit-learn rounds inputs.
    assert np.allclose(model.predict_proba(many)[:5], one_by_one, rtol=0, atol=1e-6)
    assert set(model._packed_members) == {"forest", "contrasts", "subgenre"}
    # Rebuilt after loading, never saved: the packed copies would double the artifact.
    loaded = pickle.loads(pickle.dumps(model))
    assert "_packed_members" not in loaded.__dict__
    assert np.allclose(loaded.predict_proba(rows[:1]), one_by_one[:1])


def test_selection_hands_the_subgenres_to_the_ensemble_only(data):
    assert set(fit_params("ensemble", data)) == {"model__subgenre"}
    assert fit_params("lightgbm", data) == {}
    assert fit_params("ensemble", prepare(separable_frame(n_per_genre=40), label="subgenre")) == {}
    result = select_model(data, candidates=("ensemble",), n_splits=3, progress=False)
    assert result.best.grouped_folds.mean() > 0.75  # alpha and beta right, noise (1/5 of rows) not
    pipeline = build_pipeline("ensemble").fit(data.X, data.y, **fit_params("ensemble", data))
    assert pipeline.named_steps["model"].members == ["contrasts", "forest", "subgenre"]


def test_members_fitted_side_by_side_make_the_same_model_as_one_after_another(data):
    subgenre = fit_params("ensemble", data)["model__subgenre"]
    one = GenreEnsemble(forest_trees=20, n_jobs=1).fit(data.X, data.y, subgenre=subgenre)
    two = GenreEnsemble(forest_trees=20, n_jobs=2).fit(data.X, data.y, subgenre=subgenre)
    assert two.members == one.members == ["contrasts", "forest", "subgenre"]
    assert np.array_equal(two.predict_proba(data.X), one.predict_proba(data.X))
    # ...and cross-validation, which runs the ensemble's folds one by one with both jobs inside,
    # gives the out-of-fold probabilities of the plain fold-parallel loop.
    splits = grouped_splits(data.y, data.groups, 3)
    small = {"forest_trees": 20}
    plain = cross_val_proba(lambda: build_pipeline("ensemble", small), data.X, data.y, splits, data.classes, 2,
                            fit_params("ensemble", data))
    assert np.allclose(candidate_cv("ensemble", small, data, splits, n_jobs=2), plain)
