"""The public taste of the shared dev file; skipped with a reason when ../shared/data is absent."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from genrelens.core.taste.documents import compare, public_as_taste, public_taste, user_taste
from genrelens.core.taste.grid import feature_grid
from tests.core.taste.test_documents import assert_numpys
from tests.factories import SHARED_SONGS

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def songs() -> pd.DataFrame:
    if not SHARED_SONGS.is_file():
        pytest.skip(f"shared dev data absent ({SHARED_SONGS})")
    from genrelens.core.dataset.formats import read_dataset

    return read_dataset(SHARED_SONGS).frame


@pytest.fixture(scope="module")
def public(songs) -> dict:
    return public_taste(songs, dataset="tidytuesday-songs-dev")


def test_the_shared_files_public_taste(public, songs):
    json.dumps(public, allow_nan=False)
    counts = {g: e["count"] for g, e in public["genres"].items()}
    assert counts == songs.playlist_genre.value_counts().to_dict() and sum(counts.values()) == 15172
    # the processed TidyTuesday file has no key, mode or time_signature
    assert {f for f, b in public["all"]["features"].items() if b["count"] == 0} == {"key", "mode", "time_signature"}
    rock = songs[songs.playlist_genre == "rock"]
    for feature in ("energy", "loudness", "tempo", "duration_ms"):
        values = rock[feature].dropna().to_numpy()
        block = public["genres"]["rock"]["features"][feature]
        assert_numpys(block["percentiles"], np.percentile(values, np.arange(101)))
        grid = feature_grid(feature)
        reference = stats.gaussian_kde(values)(grid)
        reference /= np.trapezoid(reference, grid)
        assert np.abs(np.array(block["density"]) - reference).max() < 1e-3 * reference.max(), feature


def test_real_rock_tracks_are_closest_to_rock_and_the_public(public, songs):
    sample = songs[songs.playlist_genre == "rock"].sample(300, random_state=1).reset_index(drop=True)
    user = user_taste(sample, public=public, probabilities=None, sources=["dataset:tidytuesday"] * 300)
    assert max(user["closeness"], key=user["closeness"].__getitem__) == "rock"
    rock_like = compare(user, public_as_taste(public, "rock"))["similarity"]
    rap_like = compare(user, public_as_taste(public, "rap"))["similarity"]
    assert rock_like > rap_like
