"""Checks against the shared dev file; skipped with a reason when ../shared/data is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from genrelens.core.ml.preprocess import prepare, resolve_feature_set
from genrelens.core.ml.selection import grouped_splits

DEV = Path(__file__).parents[3] / ".." / "shared" / "data" / "tidytuesday-songs-dev.csv"

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def dev_frame():
    if not DEV.is_file():
        pytest.skip(f"shared dev data absent ({DEV})")
    from genrelens.core.dataset.formats import read_dataset

    return read_dataset(DEV).frame


def test_the_dev_file_resolves_to_its_ten_audio_features_plus_year(dev_frame):
    name, columns = resolve_feature_set(dev_frame)
    assert name == "audio+year"
    assert len(columns) == 11 and not {"key", "mode", "time_signature", "track_popularity"} & set(columns)


def test_the_blogs_cut_removes_the_35_longest_tracks_and_no_artist_spans_two_folds(dev_frame):
    data = prepare(dev_frame)
    cut = next(s for s in data.steps if s["step"] == "duration_cut")
    assert cut["rows_removed"] == 35 and len(data.y) == 15_137
    for train, test in grouped_splits(data.y, data.groups):
        assert not set(data.groups[train]) & set(data.groups[test])
