"""The provider chain on the catalog database: dataset features found by id or by name + duration."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from genrelens.catalog.feature_store import CatalogDatasetLookup, CatalogFeatureStore
from genrelens.catalog.models import AudioFeatures, Track
from genrelens.core.providers.chain import run_chain
from genrelens.core.providers.dataset import DatasetProvider
from genrelens.core.types import TrackRef
from tests.factories import tidy_raw_file, tidy_raw_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def songs(tmp_path: Path) -> Path:
    rows = [tidy_raw_row(i) for i in range(40)]
    rows[5].update(track_name="Señorita (feat. Somebody) - Remastered 2011", track_artist="The Band")
    path = write_csv(tmp_path / "songs.csv", rows)
    call_command("import", str(path), stdout=StringIO(), stderr=StringIO())
    return path


def test_the_dataset_provider_finds_stored_features_by_spotify_id_in_few_queries(songs: Path) -> None:
    refs = [TrackRef(key=f"new{i}", spotify_id=f"{i:022d}") for i in range(40)]
    lookup = CatalogDatasetLookup()
    with CaptureQueriesContext(connection) as queries:
        answers = DatasetProvider(lookup).fetch(refs)
    assert len(answers) == 40 and len(queries.captured_queries) <= 2
    assert {a.source for a in answers} == {"dataset:songs"}


def test_a_renamed_version_matches_by_normalised_name_within_two_seconds(songs: Path) -> None:
    near = TrackRef(key="x1", title="Senorita", artists=("Band",), duration_ms=200_005 + 1_500)
    far = TrackRef(key="x2", title="Senorita", artists=("Band",), duration_ms=200_005 + 9_000)
    answers = {a.track_key: a for a in DatasetProvider(CatalogDatasetLookup()).fetch([near, far])}
    assert set(answers) == {"x1"}
    assert answers["x1"].source_version.endswith("name+duration")


def test_the_chain_only_asks_for_tracks_without_features_and_keeps_provenance(tmp_path: Path, songs: Path) -> None:
    # a second dataset brings two tracks the catalog has without features, and one it already has
    extra = [tidy_raw_row(100), tidy_raw_row(101), tidy_raw_row(3)]
    for row in extra:
        row["energy"] = 0.25
    call_command("import", str(write_csv(tmp_path / "other.csv", extra)), "--name", "other",
                 stdout=StringIO(), stderr=StringIO())
    AudioFeatures.objects.filter(track__key__in=[f"{100:022d}", f"{101:022d}"]).delete()
    refs = [TrackRef(key=t.key, spotify_id=t.spotify_id) for t in Track.objects.all()]
    report = run_chain(refs, [DatasetProvider(CatalogDatasetLookup())], CatalogFeatureStore(), progress=False)
    assert len(report.already_stored) == 40
    assert set(report.missing) == {f"{100:022d}", f"{101:022d}"}
    # track 3 keeps both datasets' numbers, each under its own source
    assert dict(AudioFeatures.objects.filter(track__key=f"{3:022d}").values_list("source", "energy")) == {
        "dataset:songs": 0.8, "dataset:other": 0.25}


def test_imported_tracks_get_a_match_key(tmp_path: Path) -> None:
    call_command("import", str(tidy_raw_file(tmp_path / "s.csv", n=2)), stdout=StringIO(), stderr=StringIO())
    assert Track.objects.get(key=f"{1:022d}").match_key == "artist 1|song 1"


def test_a_page_whose_tracks_all_have_features_never_builds_the_provider_chain(songs: Path) -> None:
    from genrelens.catalog.tracklists import features_fetch_missing

    built: list[bool] = []

    def providers() -> list[DatasetProvider]:
        built.append(True)
        return [DatasetProvider(CatalogDatasetLookup())]

    stored = [TrackRef(key=f"{i:022d}", spotify_id=f"{i:022d}") for i in range(10)]
    with CaptureQueriesContext(connection) as queries:
        assert features_fetch_missing(refs=stored, providers=providers) is None
    # one query, whatever the size of the installation's local library the chain would list
    assert not built and len(queries.captured_queries) == 1
    Track.objects.create(key="new1", spotify_id=f"{1:022d}", name="Song 1")  # stored, features not yet
    report = features_fetch_missing(refs=[*stored, TrackRef(key="new1", spotify_id=f"{1:022d}")], providers=providers)
    assert built and report is not None and report.counts == {"dataset:songs": 1}
    assert AudioFeatures.objects.filter(track__key="new1").exists()
