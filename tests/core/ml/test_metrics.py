from __future__ import annotations

import numpy as np
import pytest

from genrelens.core.ml.calibration import apply_temperature, check_calibration
from genrelens.core.ml.metrics import baselines, confusion, expected_calibration_error, top_k_accuracy
from genrelens.core.ml.selection import grouped_splits

CLASSES = ["a", "b", "c"]


def _calibrated_sample(n: int = 6000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from the very probabilities we report: calibrated by construction."""
    rng = np.random.default_rng(seed)
    proba = rng.dirichlet([1.0, 1.0, 1.0], size=n)
    y = np.array([rng.choice(CLASSES, p=p) for p in proba])
    return y, proba


def test_ece_is_near_zero_for_calibrated_and_large_for_overconfident_probabilities():
    y, proba = _calibrated_sample()
    assert expected_calibration_error(y, proba, CLASSES) < 0.02
    sharpened = apply_temperature(proba, 0.3)
    assert expected_calibration_error(y, sharpened, CLASSES) > 0.1


def test_calibration_is_applied_only_when_it_lowers_held_out_ece():
    y, proba = _calibrated_sample()
    groups = np.arange(len(y)) // 10
    splits = grouped_splits(y, groups, n_splits=5)
    assert not check_calibration(y, proba, CLASSES, splits).applied
    fixed = check_calibration(y, apply_temperature(proba, 0.3), CLASSES, splits)
    assert fixed.applied
    assert fixed.ece_after < fixed.ece_before / 3
    assert fixed.temperature == pytest.approx(1 / 0.3, rel=0.15)


def test_baselines_give_uniform_random_and_majority_accuracy():
    y = np.array(["a"] * 6 + ["b"] * 3 + ["c"])
    result = baselines(y, CLASSES)
    assert result["random"]["accuracy"] == pytest.approx(1 / 3)
    assert result["majority"] == {"class": "a", "accuracy": 0.6}
    # a majority learnt elsewhere is scored on these labels
    assert baselines(y, CLASSES, train_y=["c"])["majority"] == {"class": "c", "accuracy": 0.1}


def test_confusion_rows_are_true_labels_and_top_k_counts_the_second_guess():
    y = np.array(["a", "b", "c"])
    assert confusion(y, np.array(["a", "a", "c"]), CLASSES)["matrix"] == [[1, 0, 0], [1, 0, 0], [0, 0, 1]]
    proba = np.array([[0.5, 0.4, 0.1], [0.5, 0.4, 0.1], [0.5, 0.4, 0.1]])
    assert top_k_accuracy(y, proba, CLASSES, 1) == pytest.approx(1 / 3)
    assert top_k_accuracy(y, proba, CLASSES, 2) == pytest.approx(2 / 3)
