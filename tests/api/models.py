"""A public dataset and a genre model for API tests, built from a sandbox-style synthetic catalog.

The catalog uses another seed than the sandbox the tests talk to, so its tracks are not the ones
users browse (their features still come from Spotify or ReccoBeats), while its genres and feature
distributions are the same. The model is a logistic regression: seconds to fit, and a real model
with a real card (accuracy, baselines, confusion matrix) all the same.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from genrelens.core.dataset.formats import CANONICAL_COLUMNS, ParsedDataset
from genrelens.core.sandbox.synthetic import build_synthetic
from genrelens.core.types import FEATURE_NAMES

DATASET_NAME = "synthetic-genres"


def synthetic_frame(seed: int = 7, n_tracks: int = 3000) -> pd.DataFrame:
    catalog = build_synthetic(seed=seed, n_tracks=n_tracks)
    rows = []
    for track in catalog.tracks.values():
        if not track.features or not track.genre:
            continue
        album = catalog.albums[track.album_id]
        names = [catalog.artists[a].name for a in track.artist_ids]
        rows.append({
            "track_id": track.id, "track_name": track.name, "track_artist": ", ".join(names),
            "artists": ";".join(names), "track_popularity": track.popularity, "track_album_id": album.id,
            "track_album_name": album.name, "release_date": album.release_date,
            "release_year": int(album.release_date[:4]), "playlist_id": "", "playlist_name": "",
            "playlist_genre": track.genre, "playlist_subgenre": track.subgenre,
            **{n: track.features.get(n) for n in FEATURE_NAMES},
        })
    frame = pd.DataFrame(rows)
    frame["duration_ms"] = frame["duration_ms"].fillna(200_000)
    return frame[list(CANONICAL_COLUMNS)]


def parsed(frame: pd.DataFrame) -> ParsedDataset:
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()
    return ParsedDataset(frame=frame, format="synthetic", rows_read=len(frame), sha256=digest)


def train_model(frame: pd.DataFrame, out_dir: Path) -> Path:
    from genrelens.core.ml.train import train

    result = train(frame, dataset_name=DATASET_NAME, dataset_sha256=parsed(frame).sha256, out_dir=out_dir,
                   progress=False, candidates=["logistic_regression"], n_splits=3, n_jobs=1)
    return result.artifact_path
