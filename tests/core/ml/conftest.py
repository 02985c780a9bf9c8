"""A model trained once per session on a synthetic frame with a known answer (see synthetic.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from genrelens.core.ml import TrainResult, train
from genrelens.core.ml.synthetic import separable_frame

#: Two fast, different candidates: enough to exercise selection without slowing the suite.
FAST_CANDIDATES = ("logistic_regression", "random_forest")


@pytest.fixture(scope="session")
def synthetic_training(tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    out_dir: Path = tmp_path_factory.mktemp("models")
    return train(
        separable_frame(n_per_genre=200, seed=0),
        dataset_name="synthetic-separable",
        dataset_sha256="0" * 64,
        out_dir=out_dir,
        progress=False,
        candidates=FAST_CANDIDATES,
        n_splits=3,
    )
