"""The active genre model as the web app uses it: loaded once per process, scoring a page at a time,
and its card summarised with the numbers people need to judge a probability (accuracy, baselines,
the dataset it learnt from and what its licence allows)."""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genrelens.catalog.models import Dataset, TrainedModel
from genrelens.catalog.models_on_disk import trained_model_load
from genrelens.core.errors import GenrelensError

log = logging.getLogger(__name__)

#: Spotify's developer terms (section IV.2.a.i) forbid training models on Spotify content.
SPOTIFY_TERMS_NOTE = (
    "Spotify's developer terms forbid training machine-learning models on Spotify content. The audio "
    "features this model learnt from were derived from Spotify's API, so it is for development, "
    "testing and research-style evaluation only."
)


@functools.lru_cache(maxsize=4)
def _load(pk: int, version: str, path: str, sha256: str) -> Any:
    """Loaded models stay in memory: unpickling on every request would dominate its latency.
    The key holds the path and sha256 checked at load, so a changed row is loaded (and checked) anew."""
    return trained_model_load(record=TrainedModel(pk=pk, version=version, path=path, sha256=sha256))


def active_model() -> TrainedModel | None:
    return TrainedModel.objects.filter(is_active=True).first()


def loaded(record: TrainedModel) -> Any:
    return _load(record.pk, record.version, record.path, record.sha256)


#: what a genre was computed from: Spotify's audio features (or a provider's copy of them on
#: Spotify's scale: ReccoBeats, an imported dataset), or features genrelens estimated from a file
SPOTIFY_FEATURES = "spotify_features"
ESTIMATED_FEATURES = "estimated_features"


@dataclass(frozen=True, slots=True)
class ModelOutput:
    """Probabilities per input row (None where a row had no features), the model's summary, and
    per row what its genres are based on (`claim`)."""

    probabilities: list[dict[str, float] | None]
    summary: dict[str, Any] | None
    claims: list[dict[str, Any]] = field(default_factory=list)

    def top(self, index: int) -> dict[str, Any] | None:
        """The row's top genre with what it is based on: the basis, the model that scored it, and
        for estimated features how often such a top genre matched Spotify's (else None)."""
        row = self.probabilities[index] if index < len(self.probabilities) else None
        if not row:
            return None
        genre = max(row, key=lambda g: row[g])
        return {"genre": genre, "probability": row[genre], **self.claims[index]}


def predict_genres(features: Sequence[Mapping[str, Any] | None],
                   release_years: Sequence[int | None]) -> ModelOutput:
    """One batch through the active model; rows without features get None."""
    record = active_model()
    empty: list[dict[str, float] | None] = [None] * len(features)
    if record is None:
        return ModelOutput(empty, None)
    summary = {"version": record.version, "accuracy": headline_accuracy(record.card)}
    return ModelOutput(_scored(record.version, lambda: loaded(record), features, release_years), summary,
                       [claim(SPOTIFY_FEATURES, record.version)] * len(features))


def page_genres(features: Sequence[Mapping[str, Any] | None], release_years: Sequence[int | None],
                estimated: Sequence[bool]) -> ModelOutput:
    """`predict_genres` for a page whose rows may hold features estimated from a file
    (`estimated[i]`): those are scored by the model the analysis page uses for local tracks
    (`local_basis`: the companion or the active model), and every row's claim says which."""
    record = active_model()
    spotify = predict_genres([None if e else f for f, e in zip(features, estimated, strict=True)], release_years)
    if record is None or not any(estimated):
        return spotify
    from genrelens.catalog.local_genres import local_basis

    basis = local_basis(record)
    companion = basis.companion
    local = _scored(basis.model_id(record), lambda: companion if companion is not None else loaded(record),
                    [f if e else None for f, e in zip(features, estimated, strict=True)], release_years)
    on_estimates = claim(ESTIMATED_FEATURES, basis.model_id(record), basis.agreement)
    return ModelOutput([lo if e else sp for lo, sp, e in zip(local, spotify.probabilities, estimated, strict=True)],
                       spotify.summary, [on_estimates if e else sp for sp, e in zip(spotify.claims, estimated,
                                                                                       strict=True)])


def claim(basis: str, model: str, agreement: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a genre is based on (the TopGenre shape's basis, model and agreement)."""
    return {"basis": basis, "model": model, "agreement": dict(agreement) if agreement else None}


def _scored(name: str, load: Callable[[], Any], features: Sequence[Mapping[str, Any] | None],
            release_years: Sequence[int | None]) -> list[dict[str, float] | None]:
    """Each row's probabilities (highest first) from the model `load` gives, None for rows without features, and
    None for all when the model cannot score the batch (logged: a page still shows its tracks)."""
    out: list[dict[str, float] | None] = [None] * len(features)
    wanted = [i for i, f in enumerate(features) if f and any(v is not None for v in f.values())]
    if not wanted:
        return out
    frame = pd.DataFrame([{**_numbers(features[i] or {}), "release_year": _nan(release_years[i])} for i in wanted])
    try:
        model = load()  # loading may fail too (a moved or altered file): the page still shows its tracks
        proba = model.predict_proba(frame[model.features].astype("float64"))
    except (GenrelensError, KeyError, ValueError, OSError) as exc:
        log.warning("model %s cannot score a page: %s", name, exc)
        return out
    classes = [str(c) for c in model.classes]
    for row, i in zip(np.asarray(proba), wanted, strict=True):
        out[i] = {c: float(p) for c, p in sorted(zip(classes, row, strict=True), key=lambda kv: -kv[1])}
    return out


def _numbers(features: Mapping[str, Any]) -> dict[str, float]:
    return {k: _nan(v) for k, v in features.items()}


def _nan(value: Any) -> float:
    return math.nan if value is None else float(value)


def headline_accuracy(card: Mapping[str, Any]) -> dict[str, Any] | None:
    """The artist-grouped cross-validated accuracy with a sentence saying how it was measured."""
    grouped = card.get("metrics", {}).get("grouped", {})
    if "accuracy" not in grouped:
        return None
    protocol = card.get("protocol", {})
    return {
        "value": float(grouped["accuracy"]),
        "protocol": f"{protocol.get('n_splits', '?')}-fold cross-validation grouped by artist "
                    "(no artist in both training and test folds)",
        "random_split_value": card.get("metrics", {}).get("random", {}).get("accuracy"),
    }


def model_card(record: TrainedModel) -> dict[str, Any]:
    """What the app's model page and every genre probability show beside the numbers."""
    card = record.card
    metrics = card.get("metrics", {})
    grouped = metrics.get("grouped", {})
    dataset = Dataset.objects.filter(name=record.dataset_name).first()
    baselines = metrics.get("baselines", {})
    return {
        "version": record.version,
        "created_at": record.created_at.isoformat(),
        "label": record.label,
        "candidate": card.get("candidate", ""),
        "classes": list(card.get("classes", [])),
        "features": list(card.get("features", [])),
        "accuracy": headline_accuracy(card),
        "macro_f1": grouped.get("macro_f1"),
        "log_loss": grouped.get("log_loss"),
        "baselines": {
            "random": baselines.get("random", {}).get("accuracy"),
            "majority": baselines.get("majority", {}).get("accuracy"),
            "majority_class": baselines.get("majority", {}).get("class"),
        },
        "confusion_matrix": grouped.get("confusion"),
        "per_class": grouped.get("per_class"),
        "dataset": {
            "name": record.dataset_name,
            "sha256": record.dataset_sha256,
            "rows_used": card.get("dataset", {}).get("rows_used"),
            "source": dataset.source if dataset else "",
            "licence": dataset.licence if dataset else "",
        },
        "licence_note": SPOTIFY_TERMS_NOTE,
    }
