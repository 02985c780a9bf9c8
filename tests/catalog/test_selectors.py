"""The selector hands the ML code the blog's frame in one query, features by source preference."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from genrelens.catalog.models import AudioFeatures, Track
from genrelens.catalog.selectors import labelled_frame
from genrelens.catalog.services import sourced_features_save
from genrelens.core.types import AudioFeatures as Features
from genrelens.core.types import SourcedFeatures
from tests.factories import tidy_raw_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path: Path) -> str:
    call_command("import", str(tidy_raw_file(tmp_path / "songs.csv", n=30)), stdout=StringIO(), stderr=StringIO())
    return "songs"


def test_the_frame_has_one_row_per_label_in_one_query(imported: str) -> None:
    with CaptureQueriesContext(connection) as queries:
        frame = labelled_frame(dataset=imported)
    assert len(queries.captured_queries) == 2  # the dataset, then the frame
    assert len(frame) == 30
    assert frame.loc[0, "playlist_name"] == "dance pop hits"
    assert frame["feature_source"].eq("dataset:songs").all()
    assert frame["release_year"].eq(2019).all()


def test_a_later_source_adds_a_row_and_never_overwrites_the_dataset_numbers(imported: str) -> None:
    track = Track.objects.first()
    assert track is not None
    sourced_features_save(items=[SourcedFeatures(track_key=track.key, features=Features(energy=0.11, tempo=90.0),
                                                 source="reccobeats", fetched_at=datetime.now(UTC))])
    rows = dict(AudioFeatures.objects.filter(track=track).values_list("source", "energy"))
    assert rows == {"dataset:songs": 0.8, "reccobeats": 0.11}
    frame = labelled_frame(dataset=imported, sources=["reccobeats", "dataset:songs"])
    row = frame[frame.track_id == track.key].iloc[0]
    # preferred source first; fields it lacks fall back to the next source
    assert (row["energy"], row["tempo"], row["danceability"], row["feature_source"]) == (0.11, 90.0, 0.7, "reccobeats")


def test_saving_features_for_an_unknown_track_is_refused(imported: str) -> None:
    from genrelens.core.errors import ImportFailed

    with pytest.raises(ImportFailed, match="not in the catalog"):
        sourced_features_save(items=[SourcedFeatures(track_key="nope", features=Features(energy=0.5), source="x")])
    assert not AudioFeatures.objects.filter(source="x").exists()
