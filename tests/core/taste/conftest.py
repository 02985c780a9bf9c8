"""Generated canonical frames whose genres differ in every feature, for the taste tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genrelens.core.dataset.formats import CANONICAL_COLUMNS

GENRES = ("calm", "loud", "mid")


def taste_frame(n_per_genre: int = 400, seed: int = 0) -> pd.DataFrame:
    """Canonical columns; "loud" tracks are energetic, fast and major, "calm" ones the opposite."""
    rng = np.random.default_rng(seed)
    parts = []
    for shift, genre in enumerate(GENRES):
        n = n_per_genre
        level = (0.2, 0.8, 0.5)[shift]
        part = pd.DataFrame({
            "track_id": [f"{genre}{i:018d}" for i in range(n)],
            "track_name": [f"{genre.title()} Song {i}" for i in range(n)],
            "track_artist": [f"{genre} artist {i % 9}" for i in range(n)],
            "playlist_genre": genre,
            **{name: np.clip(rng.normal(level, 0.12, n), 0, 1) for name in (
                "danceability", "energy", "speechiness", "acousticness", "liveness", "valence")},
            "instrumentalness": np.where(rng.random(n) < 0.5, 0.0, rng.random(n)),
            "loudness": rng.normal(-14 + 8 * level, 2.5, n),
            "tempo": rng.normal(80 + 80 * level, 12, n),
            "duration_ms": rng.normal(200_000, 30_000, n).round(),
            "key": rng.integers(0, 12, n).astype(float),
            "mode": (rng.random(n) < level).astype(float),
            "time_signature": rng.choice([3.0, 4.0, 5.0], n, p=[0.1, 0.85, 0.05]),
        })
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    for column in CANONICAL_COLUMNS:
        if column not in frame:
            frame[column] = np.nan if column in ("track_popularity", "release_year") else ""
    return frame[list(CANONICAL_COLUMNS)].sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return taste_frame()
