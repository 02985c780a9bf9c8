"""Scores computed from labels and predicted probabilities: accuracy, macro-F1, log loss, ECE,
top-k, per-class figures, the confusion matrix, and the random and majority baselines.

All functions take probabilities whose columns follow `classes`, so the same code scores
cross-validated predictions during training and a loaded model during `evaluate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, log_loss, precision_recall_fscore_support

#: Equal-width confidence bins for ECE; 15 is the usual choice (Guo et al. 2017) and keeps
#: each bin populated on a few thousand rows.
ECE_BINS = 15


def _codes(y: Sequence[str] | np.ndarray, classes: Sequence[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[v] for v in y], dtype=np.int64)


def expected_calibration_error(y: Sequence[str] | np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> float:
    """Top-label ECE: how far the model's confidence is from its accuracy, averaged over bins."""
    codes = _codes(y, classes)
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == codes
    bins = np.minimum((confidence * ECE_BINS).astype(int), ECE_BINS - 1)
    total = 0.0
    for b in np.unique(bins):
        mask = bins == b
        total += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(total)


def reliability_table(
    y: Sequence[str] | np.ndarray, proba: np.ndarray, classes: Sequence[str], n_bins: int = 10
) -> list[dict[str, float]]:
    """Per confidence bin: mean confidence, accuracy and count (the reliability diagram's data)."""
    codes = _codes(y, classes)
    confidence = proba.max(axis=1)
    correct = proba.argmax(axis=1) == codes
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    return [
        {
            "confidence": float(confidence[bins == b].mean()),
            "accuracy": float(correct[bins == b].mean()),
            "count": int((bins == b).sum()),
        }
        for b in np.unique(bins)
    ]


def top_k_accuracy(y: Sequence[str] | np.ndarray, proba: np.ndarray, classes: Sequence[str], k: int) -> float:
    codes = _codes(y, classes)
    top = np.argsort(-proba, axis=1)[:, :k]
    return float((top == codes[:, None]).any(axis=1).mean())


def safe_log_loss(y: Sequence[str] | np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> float:
    # Renormalise after clipping so a hard 0/1 forest probability costs a large but finite amount.
    clipped = np.clip(proba, 1e-15, 1.0)
    clipped = clipped / clipped.sum(axis=1, keepdims=True)
    return float(log_loss(_codes(y, classes), clipped, labels=list(range(len(classes)))))


def baselines(y: Sequence[str] | np.ndarray, classes: Sequence[str], train_y: Sequence[str] | None = None) -> dict:
    """Random guessing (uniform over classes) and always-the-majority-class, on these labels.

    The majority class is taken from `train_y` when given (what a trivial model would have learnt),
    else from `y` itself.
    """
    labels = np.asarray(y)
    reference = np.asarray(train_y) if train_y is not None else labels
    values, counts = np.unique(reference, return_counts=True)
    majority = str(values[counts.argmax()])
    k = len(classes)
    return {
        "random": {"accuracy": 1.0 / k, "log_loss": float(np.log(k)), "top3": min(3, k) / k},
        "majority": {"class": majority, "accuracy": float((labels == majority).mean())},
    }


def per_class(y: Sequence[str] | np.ndarray, pred: Sequence[str] | np.ndarray, classes: Sequence[str]) -> dict:
    precision, recall, f1, support = precision_recall_fscore_support(
        y, pred, labels=list(classes), zero_division=0
    )
    return {
        c: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for c, p, r, f, s in zip(classes, precision, recall, f1, support, strict=True)
    }


def confusion(y: Sequence[str] | np.ndarray, pred: Sequence[str] | np.ndarray, classes: Sequence[str]) -> dict:
    """Rows are true labels, columns predicted labels, both in `classes` order."""
    codes_true = _codes(y, classes)
    codes_pred = _codes(pred, classes)
    matrix = np.zeros((len(classes), len(classes)), dtype=np.int64)
    np.add.at(matrix, (codes_true, codes_pred), 1)
    return {"labels": list(classes), "matrix": matrix.tolist()}


def score_probabilities(
    y: Sequence[str] | np.ndarray, proba: np.ndarray, classes: Sequence[str]
) -> dict[str, Any]:
    """The headline numbers for one set of predictions."""
    pred = np.asarray(classes)[proba.argmax(axis=1)]
    return {
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, labels=list(classes), average="macro", zero_division=0)),
        "log_loss": safe_log_loss(y, proba, classes),
        "ece": expected_calibration_error(y, proba, classes),
        "top3": top_k_accuracy(y, proba, classes, 3),
        "n": len(pred),
    }
