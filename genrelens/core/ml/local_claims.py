"""Genre claims for local tracks: the active model's probabilities, with how often genres computed
from local features agreed with genres computed from Spotify's features for the same recordings.

The agreement was measured by bench/bench_descriptors.py on real recordings whose Spotify features
are known (docs/benchmarks/descriptors.md) and is kept in genrelens/data/local_genre_agreement.json.
That benchmark also measures two models trained on the shared songs with the local features'
measured noise (only the faithfully reproduced features, or all of them); `most_accurate` in the
JSON names whichever agreed most often. `basis` names what is shown here: the active model, because
an alternative must be trained on the active model's own songs and genres (docs/audio-features.md).
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

AGREEMENT_PATH = Path(__file__).resolve().parents[2] / "data" / "local_genre_agreement.json"


@lru_cache(maxsize=1)
def measured_agreement(path: Path = AGREEMENT_PATH) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def local_genre_claim(
    model: LoadedModel, features: Mapping[str, float | int | None], *, release_year: int | None = None
) -> dict[str, Any]:
    """Genre probabilities for a track whose features come from local analysis.

    Returns {"probabilities": {genre: p, ...} (highest first), "basis": "active-model",
    "agreement_top1": float, "agreement_top2": float, "note": a sentence for the reader}.
    Raises the model's `GenrelensError` (e.g. `MissingFeatures`) when it cannot score the row.
    """
    from genrelens.core.ml.predict import predict_frame

    row = {n: (math.nan if v is None else v) for n, v in features.items()}
    row.setdefault("release_year", math.nan if release_year is None else release_year)
    prediction = predict_frame(model, pd.DataFrame([row])).iloc[0]
    probabilities = {str(c).removeprefix("p_"): float(v) for c, v in prediction.items() if str(c).startswith("p_")}
    measured = measured_agreement()
    scores = measured["agreement"]["active-model"]
    return {
        "probabilities": dict(sorted(probabilities.items(), key=lambda kv: -kv[1])),
        "basis": "active-model",
        "agreement_top1": scores["top1"],
        "agreement_top2": scores["top2"],
        "note": note_for(scores["top1"], scores["top2"], int(measured["n"])),
    }


def note_for(top1: float, top2: float, n: int) -> str:
    return (
        "These genres come from features estimated from your audio file, not from Spotify's. On "
        f"{n} real recordings whose Spotify features are known, the top genre from estimated features "
        f"matched the top genre from Spotify's features {top1:.0%} of the time ({top2:.0%} within the top two)."
    )
