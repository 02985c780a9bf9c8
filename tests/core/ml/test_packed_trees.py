from __future__ import annotations

import pickle

import numpy as np
import pytest
from lightgbm import LGBMClassifier
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

from genrelens.core.ml.packed_trees import LIGHTGBM_ZERO, PackedTrees


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(600, 5))
    # Three classes, separated by a sum of two features and blurred by noise: trees of many depths.
    y = np.digitize(X[:, 0] + X[:, 1] + rng.normal(scale=0.7, size=600), [-0.8, 0.8])
    return X, y


@pytest.fixture(scope="module")
def fresh():
    return np.random.default_rng(4).normal(size=(12, 5)) * 2  # unseen rows, some past every split


@pytest.mark.parametrize("forest", [
    ExtraTreesClassifier(n_estimators=25, min_samples_leaf=2, random_state=0),
    RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0),
])
def test_a_forest_gives_its_own_probabilities_for_one_row_a_few_and_a_batch(rows, fresh, forest):
    X, y = rows
    forest.fit(X, y)
    packed = PackedTrees.from_forest(forest)
    assert packed.n_trees == 25
    assert len(packed.nodes) == sum(t.tree_.node_count for t in forest.estimators_)
    for batch in (fresh[:1], fresh, X[:7], X):
        assert np.allclose(packed.predict_proba(batch), forest.predict_proba(batch), atol=1e-6)
    assert np.array_equal(packed.predict_proba(X).argmax(axis=1), forest.predict(X))


@pytest.mark.parametrize("classes", [2, 3])
def test_lightgbm_gives_the_booster_s_own_probabilities(rows, fresh, classes):
    X, y = rows
    target = np.minimum(y, classes - 1)  # binary (sigmoid) and multiclass (softmax)
    model = LGBMClassifier(n_estimators=40, num_leaves=7, min_child_samples=5, verbose=-1, random_state=0)
    model.fit(X, target)
    packed = PackedTrees.from_lightgbm(model.booster_)
    assert packed.n_trees == model.booster_.num_trees() and packed.n_outputs == (1 if classes == 2 else classes)
    for batch in (fresh[:1], fresh, X):
        assert np.allclose(packed.predict_proba(batch), model.predict_proba(batch), rtol=0, atol=1e-12)


def test_lightgbm_trees_that_never_split_and_values_lightgbm_reads_as_zero(rows):
    X, y = rows
    # Features -1 or 0: LightGBM splits them at -1e-35 and reads |value| <= 1e-35 as zero, so a
    # value of exactly -1e-35 goes right there, not left. A split must gain 0.5, so about 40 % of
    # the trees are a single leaf.
    X = np.column_stack([np.zeros(len(X)), np.minimum(np.sign(X[:, 0]), 0)])
    model = LGBMClassifier(n_estimators=30, min_child_samples=5, min_split_gain=0.5, verbose=-1, random_state=0)
    model.fit(X, y)
    trees = model.booster_.dump_model()["tree_info"]
    assert 0 < sum("split_index" not in tree["tree_structure"] for tree in trees) < len(trees)
    packed = PackedTrees.from_lightgbm(model.booster_)
    tiny = np.array([[0.0, -LIGHTGBM_ZERO], [0.0, -LIGHTGBM_ZERO * 4], [0.0, -1.0], [0.0, 0.0]])
    expected = model.booster_.predict(tiny)
    assert not np.allclose(expected[0], expected[1])  # -1e-35 is zero here, -4e-35 is not
    assert np.allclose(packed.predict_proba(tiny), expected, rtol=0, atol=1e-12)


def test_a_row_on_a_threshold_goes_left_as_in_the_libraries(rows):
    X, y = rows
    forest = ExtraTreesClassifier(n_estimators=5, random_state=1).fit(X, y)
    root = forest.estimators_[0].tree_
    row = X[:1].copy()
    row[0, root.feature[0]] = root.threshold[0]  # exactly the first split's threshold
    assert np.allclose(PackedTrees.from_forest(forest).predict_proba(row), forest.predict_proba(row), atol=1e-6)
    model = LGBMClassifier(n_estimators=5, verbose=-1).fit(X, y)
    first = model.booster_.dump_model()["tree_info"][0]["tree_structure"]
    row[0, first["split_feature"]] = first["threshold"]
    assert np.allclose(PackedTrees.from_lightgbm(model.booster_).predict_proba(row), model.booster_.predict(row),
                       rtol=0, atol=1e-12)


def test_what_cannot_be_reproduced_exactly_is_refused(rows):
    X, y = rows
    best_first = RandomForestClassifier(n_estimators=3, max_leaf_nodes=12, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="depth-first"):
        PackedTrees.from_forest(best_first)
    categories = np.column_stack([X[:, :2], np.digitize(X[:, 0], [-1, 0, 1])])
    with_categories = LGBMClassifier(n_estimators=5, min_child_samples=5, verbose=-1)
    with_categories.fit(categories, y, categorical_feature=[2])
    with pytest.raises(ValueError, match="numeric splits"):
        PackedTrees.from_lightgbm(with_categories.booster_)
    regression = LGBMClassifier(n_estimators=3, objective="multiclassova", verbose=-1).fit(X, y)
    with pytest.raises(ValueError, match="multiclass and binary"):
        PackedTrees.from_lightgbm(regression.booster_)


def test_missing_values_and_rows_of_the_wrong_width_are_refused(rows):
    X, y = rows
    packed = PackedTrees.from_forest(ExtraTreesClassifier(n_estimators=3, random_state=0).fit(X, y))
    row = X[:1].copy()
    row[0, 2] = np.nan
    with pytest.raises(ValueError, match="impute"):
        packed.predict_proba(row)
    with pytest.raises(ValueError, match="5 features"):
        packed.predict_proba(X[0])  # one row as a vector
    with pytest.raises(ValueError, match="5 features"):
        packed.predict_proba(X[:2, :4])  # a column short: the compiled walk would read past the row
    booster = PackedTrees.from_lightgbm(LGBMClassifier(n_estimators=3, verbose=-1).fit(X, y).booster_)
    with pytest.raises(ValueError, match="5 features"):
        booster.predict_proba(X[:2, :4])


def test_it_survives_pickling(rows):
    X, y = rows
    packed = PackedTrees.from_forest(ExtraTreesClassifier(n_estimators=3, random_state=0).fit(X, y))
    assert np.array_equal(pickle.loads(pickle.dumps(packed)).predict_proba(X[:3]), packed.predict_proba(X[:3]))
