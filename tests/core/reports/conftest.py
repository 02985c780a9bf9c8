"""Reports are tested on the synthetic frame and a small model trained once per session."""

from __future__ import annotations

import pytest

from genrelens.core.ml import TrainResult, train
from genrelens.core.ml.synthetic import separable_frame


@pytest.fixture(scope="session")
def report_training(tmp_path_factory: pytest.TempPathFactory) -> TrainResult:
    return train(
        separable_frame(n_per_genre=120, seed=0),
        dataset_name="synthetic-separable",
        dataset_sha256="1" * 64,
        out_dir=tmp_path_factory.mktemp("models"),
        progress=False,
        candidates=("random_forest", "logistic_regression"),
        n_splits=3,
    )
