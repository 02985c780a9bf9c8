"""Decide, by measurement, whether the chosen model's probabilities need calibrating.

We calibrate with temperature scaling (one scalar dividing the log-probabilities). It cannot change
which class wins, so accuracy is untouched, and with one parameter it cannot overfit the way
isotonic regression or per-class Platt scaling do on a few thousand rows (ml-notes: wrapping an
already calibrated LightGBM in CalibratedClassifierCV made ECE worse, 0.03 -> 0.06).

The before/after comparison is cross-fitted on the out-of-fold probabilities of grouped CV: the
temperature applied to fold k was fitted on the other folds only, so the "after" ECE is honest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from genrelens.core.ml.metrics import expected_calibration_error, safe_log_loss

#: Calibration is kept only when it lowers held-out ECE by at least this much; smaller changes are
#: within the noise between folds and would add a step for nothing.
MIN_ECE_GAIN = 0.003


def apply_temperature(proba: np.ndarray, temperature: float) -> np.ndarray:
    logits = np.log(np.clip(proba, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=1, keepdims=True)


def fit_temperature(y: np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> float:
    """The temperature minimising log loss; >1 softens an over-confident model, <1 sharpens."""
    result = minimize_scalar(
        lambda t: safe_log_loss(y, apply_temperature(proba, t), classes),
        bounds=(0.05, 20.0),
        method="bounded",
    )
    return float(result.x)


@dataclass(frozen=True, slots=True)
class CalibrationCheck:
    ece_before: float
    ece_after: float
    log_loss_before: float
    log_loss_after: float
    temperature: float
    applied: bool
    method: str = "temperature"

    def as_dict(self) -> dict[str, float | bool | str]:
        return asdict(self)


def check_calibration(
    y: np.ndarray,
    oof_proba: np.ndarray,
    classes: Sequence[str],
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
) -> CalibrationCheck:
    """Cross-fit a temperature per fold on out-of-fold probabilities and compare held-out ECE."""
    after = np.zeros_like(oof_proba)
    for _, test in splits:
        others = np.setdiff1d(np.arange(len(y)), test)
        t = fit_temperature(y[others], oof_proba[others], classes)
        after[test] = apply_temperature(oof_proba[test], t)
    before_ece = expected_calibration_error(y, oof_proba, classes)
    after_ece = expected_calibration_error(y, after, classes)
    return CalibrationCheck(
        ece_before=before_ece,
        ece_after=after_ece,
        log_loss_before=safe_log_loss(y, oof_proba, classes),
        log_loss_after=safe_log_loss(y, after, classes),
        temperature=fit_temperature(y, oof_proba, classes),
        applied=before_ece - after_ece >= MIN_ECE_GAIN,
    )
