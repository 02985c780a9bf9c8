"""Genre claims for local tracks: probabilities from the local model (the genre model's companion
trained with the local estimates' measured noise, local_model.py, pooled with the active model when
that measured better) when the active model has one, else from the active model; either way with
how often genres computed from local features agreed with genres computed from Spotify's features
for the same recordings.

The agreement was measured by bench/bench_descriptors.py on real recordings whose Spotify features
are known (docs/benchmarks/descriptors.md) and is kept in genrelens/data/local_genre_agreement.json,
with the noise levels the local model is trained with. `basis` there names the model the
benchmark found most accurate on local features, the one shown when it exists.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from genrelens.core.ml.artifacts import LoadedModel
from genrelens.core.ml.local_model import companion_key, local_row, ranked

AGREEMENT_PATH = Path(__file__).resolve().parents[2] / "data" / "local_genre_agreement.json"


@lru_cache(maxsize=1)
def measured_agreement(path: Path = AGREEMENT_PATH) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def local_genre_claim(
    model: LoadedModel, features: Mapping[str, float | int | None], *, release_year: int | None = None,
    local_model: LoadedModel | None = None,
) -> dict[str, Any]:
    """Genre probabilities for a track whose features come from local analysis: from `local_model`
    when given (the active model's companion), else from the active `model`.

    Returns {"probabilities": {genre: p, ...} (highest first), "basis": "local-model" (the
    companion), "pooled-model" (the companion pooled with the active model) or "active-model",
    "agreement_top1": float, "agreement_top2": float, "note": a sentence for the reader}.
    Raises the model's `GenrelensError` (e.g. `MissingFeatures`) when it cannot score the row.
    """
    measured = measured_agreement()
    if local_model is not None:
        probabilities = ranked(local_model.classes, local_model.predict_proba(local_row(features))[0])
        basis = companion_key(local_model)
        # as measured when it was trained (its card), like every other screen that shows it
        scores = local_model.card["agreement"]
    else:
        probabilities = _active_probabilities(model, features, release_year)
        basis = "active-model"
        scores = measured["agreement"][basis]
    n = int(scores.get("recordings", measured["n"]))
    return {
        "probabilities": probabilities,
        "basis": basis,
        "agreement_top1": scores["top1"],
        "agreement_top2": scores["top2"],
        "note": note_for(scores["top1"], scores["top2"], n),
    }


def _active_probabilities(model: LoadedModel, features: Mapping[str, float | int | None],
                          release_year: int | None) -> dict[str, float]:
    from genrelens.core.ml.predict import predict_frame

    row = {n: (math.nan if v is None else v) for n, v in features.items()}
    row.setdefault("release_year", math.nan if release_year is None else release_year)
    prediction = predict_frame(model, pd.DataFrame([row])).iloc[0]
    probabilities = {str(c).removeprefix("p_"): float(v) for c, v in prediction.items() if str(c).startswith("p_")}
    return dict(sorted(probabilities.items(), key=lambda kv: -kv[1]))


def note_for(top1: float, top2: float, n: int) -> str:
    return (
        "These genres come from features estimated from your audio file, not from Spotify's. On "
        f"{n} real recordings whose Spotify features are known, the top genre from estimated features "
        f"matched the top genre from Spotify's features {percent(top1)} of the time ({percent(top2)} within the "
        "top two)."
    )


def percent(share: float) -> str:
    """A share as a whole percentage, halves rounded up as the app rounds them (JavaScript's
    toFixed): Python's format rounds halves to even, so 0.685 would read 68 % here and 69 % on
    the page beside it."""
    return f"{math.floor(share * 100 + 0.5)}%"
