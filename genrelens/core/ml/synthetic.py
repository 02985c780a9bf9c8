"""Canonical frames with a known answer, for tests and demos of the genre model.

`separable_frame` builds three genres: "alpha" and "beta" are split perfectly by danceability
(below / above 0.5), "noise" is drawn from the same distribution as alpha and beta together, so no
feature can tell it apart. A correct pipeline gets alpha and beta nearly always right and gives
"noise" the probability its share implies, no more, and no better on noise rows than on others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genrelens.core.types import FEATURE_NAMES

#: Audio features the synthetic frame fills; key, mode and time_signature stay empty, like the
#: shared dev file, so feature-set resolution is exercised too.
FILLED: tuple[str, ...] = tuple(f for f in FEATURE_NAMES if f not in ("key", "mode", "time_signature"))


def _features(rng: np.random.Generator, dance: np.ndarray) -> dict[str, np.ndarray]:
    n = len(dance)
    values = {name: rng.uniform(0, 1, n) for name in FILLED}
    values["danceability"] = dance
    values["loudness"] = rng.uniform(-20, -2, n)
    values["tempo"] = rng.uniform(70, 180, n)
    values["duration_ms"] = rng.uniform(120_000, 300_000, n).round()
    return values


def separable_frame(
    n_per_genre: int = 150, tracks_per_artist: int = 5, seed: int = 0, noise_share: float = 0.5
) -> pd.DataFrame:
    """A canonical-shaped frame: alpha/beta separable on danceability, noise indistinguishable.

    `noise_share` sizes the noise genre relative to the others. At 0.5 the best possible model
    says "noise" with probability 0.2 everywhere and never predicts it, a clear target for tests;
    at 1.0 the margin is so thin that any noise-feature overfitting flips predictions.
    """
    rng = np.random.default_rng(seed)
    n_noise = round(n_per_genre * noise_share)
    genres = np.array(["alpha"] * n_per_genre + ["beta"] * n_per_genre + ["noise"] * n_noise)
    dance = np.concatenate(
        [
            rng.uniform(0.0, 0.49, n_per_genre),
            rng.uniform(0.51, 1.0, n_per_genre),
            rng.uniform(0.0, 1.0, n_noise),
        ]
    )
    n = len(genres)
    # Consecutive rows share an artist, so every artist sings a single genre, as in real data.
    artist = np.array([f"{g} artist {i // tracks_per_artist}" for i, g in enumerate(genres)])
    frame = pd.DataFrame(
        {
            "track_id": [f"t{i:05d}" for i in range(n)],
            "track_name": [f"Song {i}" for i in range(n)],
            "track_artist": artist,
            "artists": artist,
            "track_popularity": rng.uniform(0, 100, n),
            "release_year": rng.integers(1970, 2021, n).astype(float),
            "playlist_genre": genres,
            "playlist_subgenre": [f"{g} {i % 2}" for i, g in enumerate(genres)],
            **_features(rng, dance),
        }
    )
    for name in ("key", "mode", "time_signature"):
        frame[name] = np.nan
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
