"""Genre model: preprocessing, model selection, training, evaluation, prediction, artifacts.

The public API the Django commands call:

    train(frame, *, label, search, feature_set, dataset_name, dataset_sha256, out_dir) -> TrainResult
    load_model(path) -> LoadedModel
    predict_frame(model, frame) -> DataFrame
    evaluate(model, frame) -> dict
"""

from genrelens.core.ml.artifacts import ArtifactError, LoadedModel, load_model
from genrelens.core.ml.predict import evaluate, predict_frame
from genrelens.core.ml.preprocess import (
    DatasetError,
    MissingFeatures,
    PreprocessConfig,
    UnknownClasses,
    prepare,
)
from genrelens.core.ml.train import TrainResult, train

__all__ = [
    "ArtifactError",
    "DatasetError",
    "LoadedModel",
    "MissingFeatures",
    "PreprocessConfig",
    "TrainResult",
    "UnknownClasses",
    "evaluate",
    "load_model",
    "predict_frame",
    "prepare",
    "train",
]
