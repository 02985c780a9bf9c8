from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

from genrelens.core.ml.packed_forest import PackedForest


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(600, 5))
    # Three classes, separated by a sum of two features and blurred by noise: trees of many depths.
    y = np.digitize(X[:, 0] + X[:, 1] + rng.normal(scale=0.7, size=600), [-0.8, 0.8])
    return X, y


@pytest.mark.parametrize("forest", [
    ExtraTreesClassifier(n_estimators=25, min_samples_leaf=2, random_state=0),
    RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0),
])
def test_one_row_and_a_few_rows_get_the_forest_s_own_probabilities(rows, forest):
    X, y = rows
    forest.fit(X, y)
    packed = PackedForest.from_estimator(forest)
    assert packed.n_trees == 25 and packed.depth == max(t.tree_.max_depth for t in forest.estimators_)
    fresh = np.random.default_rng(4).normal(size=(12, 5)) * 2  # unseen rows, some past every split
    for batch in (fresh[:1], fresh, X[:7]):
        assert np.allclose(packed.predict_proba(batch), forest.predict_proba(batch), atol=1e-6)


def test_a_row_on_a_threshold_goes_left_as_in_scikit_learn(rows):
    X, y = rows
    forest = ExtraTreesClassifier(n_estimators=5, random_state=1).fit(X, y)
    packed = PackedForest.from_estimator(forest)
    root = forest.estimators_[0].tree_
    row = X[:1].copy()
    row[0, root.feature[0]] = root.threshold[0]  # exactly the first split's threshold
    assert np.allclose(packed.predict_proba(row), forest.predict_proba(row), atol=1e-6)


def test_missing_values_are_refused_rather_than_sent_down_a_guessed_branch(rows):
    X, y = rows
    packed = PackedForest.from_estimator(ExtraTreesClassifier(n_estimators=3, random_state=0).fit(X, y))
    row = X[:1].copy()
    row[0, 2] = np.nan
    with pytest.raises(ValueError, match="impute"):
        packed.predict_proba(row)


def test_it_survives_pickling(rows):
    X, y = rows
    packed = PackedForest.from_estimator(ExtraTreesClassifier(n_estimators=3, random_state=0).fit(X, y))
    assert np.array_equal(pickle.loads(pickle.dumps(packed)).predict_proba(X[:3]), packed.predict_proba(X[:3]))
