from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genrelens.core.ml.preprocess import (
    DatasetError,
    PreprocessConfig,
    prepare,
    primary_artist,
    resolve_feature_set,
)
from genrelens.core.ml.synthetic import separable_frame


def _step(data, name):
    return next(s for s in data.steps if s["step"] == name)


def test_duration_cut_removes_only_tracks_longer_than_the_threshold_and_records_it():
    frame = separable_frame(n_per_genre=20)
    frame.loc[:4, "duration_ms"] = 600_000
    data = prepare(frame)
    assert len(data.y) == len(frame) - 5
    assert _step(data, "duration_cut") == {
        "step": "duration_cut", "rows_before": len(frame), "rows_removed": 5, "threshold_ms": 500_000.0,
    }
    assert len(prepare(frame, config=PreprocessConfig(duration_cut_ms=None)).y) == len(frame)


def test_dedupe_keeps_each_distinct_track_genre_pair_and_counts_multi_genre_tracks():
    frame = separable_frame(n_per_genre=10)
    twin = frame.iloc[[0]].assign(playlist_subgenre="another list")  # same track, same genre
    other = frame.iloc[[0]].assign(playlist_genre="zeta")  # same track, another genre
    data = prepare(pd.concat([frame, twin, other], ignore_index=True))
    assert len(data.y) == len(frame) + 1
    assert _step(data, "dedupe")["tracks_with_several_labels"] == 1


def test_auto_feature_set_uses_release_year_when_present_and_never_popularity():
    frame = separable_frame(n_per_genre=10)
    name, columns = resolve_feature_set(frame)
    assert name == "audio+year" and columns[-1] == "release_year"
    assert "track_popularity" not in columns
    assert not {"key", "mode", "time_signature"} & set(columns)  # all-NaN columns are not features
    assert resolve_feature_set(frame.drop(columns="release_year"))[0] == "audio"
    assert "release_year" not in resolve_feature_set(frame, "audio")[1]


def test_audio_plus_year_without_years_is_refused():
    frame = separable_frame(n_per_genre=10).assign(release_year=np.nan)
    with pytest.raises(DatasetError, match="release_year"):
        resolve_feature_set(frame, "audio+year")


def test_bad_label_and_bad_feature_set_give_clear_errors():
    frame = separable_frame(n_per_genre=10)
    with pytest.raises(DatasetError, match="unknown label 'mood'"):
        prepare(frame, label="mood")
    with pytest.raises(DatasetError, match="unknown feature set 'vibes'"):
        prepare(frame, feature_set="vibes")


def test_primary_artist_takes_the_first_credited_name_and_gives_unknowns_their_own_group():
    frame = pd.DataFrame({"track_id": ["a", "b", "c"], "artists": ["Björk;Thom Yorke", " björk ", ""]})
    assert primary_artist(frame).tolist() == ["björk", "björk", "track:c"]


def test_rows_without_a_label_are_dropped_and_counted():
    frame = separable_frame(n_per_genre=10)
    frame.loc[:2, "playlist_genre"] = ""
    data = prepare(frame)
    assert _step(data, "drop_unlabelled")["rows_removed"] == 3
    assert "" not in set(data.y)
