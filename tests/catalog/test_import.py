"""`genrelens import`: every format, validation, atomicity, idempotence, URLs, the full shared file."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from genrelens.catalog.models import (
    Album,
    Artist,
    AudioFeatures,
    Dataset,
    GenreLabel,
    Playlist,
    PlaylistTrack,
    Track,
)
from tests.factories import (
    PAVEL_2025,
    SHARED_SONGS,
    WATSONBOX_2018,
    WATSONBOX_2022,
    FakeTrack,
    blog_frame,
    exportify_file,
    exportify_layout_file,
    fake_tracks,
    spotify_tracks_file,
    tidy_raw_file,
    tidy_raw_row,
    write_csv,
)

pytestmark = pytest.mark.django_db


def run_import(*args: str) -> dict:
    out = StringIO()
    call_command("import", *args, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def catalog_counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Track, GenreLabel, AudioFeatures, Dataset, Playlist, PlaylistTrack))


def test_it_imports_the_tidytuesday_raw_layout_with_every_column(tmp_path: Path) -> None:
    result = run_import(str(tidy_raw_file(tmp_path / "songs.csv", n=12)))
    assert result["format"] == "tidytuesday"
    assert (result["rows_read"], result["tracks_created"], result["labels_created"]) == (12, 12, 12)
    track = Track.objects.get(key="0" * 21 + "3")
    assert track.album is not None and track.album.release_year == 2019
    features = AudioFeatures.objects.get(track=track)
    assert (features.source, features.key, features.mode, features.duration_ms) == ("dataset:songs", 5, 1, 200_003)
    assert list(PlaylistTrack.objects.filter(playlist__key="p1").values_list("position", flat=True)) == list(range(12))


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = tidy_raw_file(tmp_path / "songs.csv", n=8)
    run_import(str(path))
    before = catalog_counts()
    again = run_import(str(path))
    assert (again["tracks_created"], again["tracks_updated"], again["labels_created"]) == (0, 0, 0)
    assert catalog_counts() == before


def test_a_track_listed_under_several_genres_keeps_every_label(tmp_path: Path) -> None:
    rows = [tidy_raw_row(1, genre="pop", subgenre="dance pop", playlist="p1"),
            tidy_raw_row(1, genre="rock", subgenre="hard rock", playlist="p2"),
            tidy_raw_row(1, genre="metal", subgenre="hard rock", playlist="p3")]
    result = run_import(str(write_csv(tmp_path / "multi.csv", rows)))
    assert (result["tracks_created"], result["labels_created"]) == (1, 3)
    assert set(GenreLabel.objects.values_list("genre", flat=True)) == {"pop", "rock", "metal"}


def test_it_detects_and_imports_the_spotify_tracks_layout(tmp_path: Path) -> None:
    result = run_import(str(spotify_tracks_file(tmp_path / "dataset.csv")))
    assert result["format"] == "spotify-tracks"
    assert Track.objects.get(key="S" + "0" * 20 + "1").artist_names == "Ann;Ben"
    assert set(GenreLabel.objects.values_list("genre", flat=True)) == {"acoustic", "k-pop"}


def test_it_imports_an_exportify_playlist_without_genre_labels(tmp_path: Path) -> None:
    result = run_import(str(exportify_file(tmp_path / "my_playlist.csv")))
    assert (result["format"], result["tracks_created"], result["labels_created"]) == ("exportify", 4, 0)
    assert AudioFeatures.objects.filter(time_signature=4).count() == 4
    assert Track.objects.get(key="E" + "0" * 20 + "2").artist_names == "Dee;Eve"


@pytest.mark.parametrize(("suffix", "flags"), [(".csv", []), (".parquet", []), (".pkl", ["--trust-pickle"])])
def test_it_imports_the_blogs_dataframe_as_csv_parquet_or_a_trusted_pickle(
        tmp_path: Path, suffix: str, flags: list[str]) -> None:
    path = tmp_path / f"blog{suffix}"
    frame = blog_frame()
    {".csv": lambda: frame.to_csv(path, index=False), ".parquet": lambda: frame.to_parquet(path),
     ".pkl": lambda: frame.to_pickle(path)}[suffix]()
    result = run_import(str(path), "--format", "blog", *flags)
    assert (result["tracks_created"], result["labels_created"]) == (5, 5)
    assert GenreLabel.objects.filter(genre="hip hop", subgenre="rap", playlist__key="bp1").count() == 5


def test_a_bad_value_fails_the_whole_import_and_names_file_line_and_column(tmp_path: Path) -> None:
    rows = [tidy_raw_row(i) for i in range(5)]
    rows[3]["energy"] = 1.7
    rows[4]["key"] = "C#"
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError) as err:
        run_import(str(path))
    message = str(err.value)
    assert "bad.csv: line 5: column energy: 1.7 is outside 0..1" in message
    assert "bad.csv: line 6: column key: not a number (C#)" in message
    assert catalog_counts() == (0, 0, 0, 0, 0, 0)


def test_skip_invalid_imports_the_valid_rows_and_reports_the_rest(tmp_path: Path) -> None:
    rows = [tidy_raw_row(i) for i in range(5)]
    rows[1]["mode"] = 3
    rows[2]["tempo"] = -4
    result = run_import(str(write_csv(tmp_path / "some.csv", rows)), "--skip-invalid")
    assert (result["tracks_created"], result["rows_rejected"]) == (3, 2)
    assert [r["line"] for r in result["rejected"]] == [3, 4]
    assert "column mode: 3 is outside the plausible range 0..1" in result["rejected"][0]["reason"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "the file is empty"),
        ("track_id,track_name\n", "the header matches no known format"),
        ("foo,bar\n1,2\n", "the header matches no known format"),
        ("track_id,track_name,track_artist,playlist_genre,duration_ms\n1,a,b,c,1\n",
         "missing required column(s) for format tidytuesday: playlist_subgenre"),
    ],
)
def test_unusable_files_give_a_clear_error_and_change_nothing(tmp_path: Path, content: str, expected: str) -> None:
    tidy_raw_file(tmp_path / "ok.csv", n=3)
    run_import(str(tmp_path / "ok.csv"))
    before = catalog_counts()
    (tmp_path / "broken.csv").write_text(content)
    fmt = ["--format", "tidytuesday"] if "missing" in expected else []
    with pytest.raises(CommandError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        run_import(str(tmp_path / "broken.csv"), *fmt)
    assert catalog_counts() == before


def test_a_wrong_explicit_format_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="missing required column"):
        run_import(str(tidy_raw_file(tmp_path / "songs.csv")), "--format", "spotify-tracks")


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_it_downloads_a_url_once_and_records_its_sha256(tmp_path: Path, file_server: str, settings) -> None:
    settings.GENRELENS_DOWNLOAD_DIR = tmp_path / "cache"
    tidy_raw_file(tmp_path / "remote.csv", n=4)
    result = run_import(f"{file_server}/remote.csv")
    assert result["tracks_created"] == 4
    expected = hashlib.sha256((tmp_path / "remote.csv").read_bytes()).hexdigest()
    assert Dataset.objects.get(name="remote").sha256 == expected
    assert len(list((tmp_path / "cache").iterdir())) == 1


def test_an_unreachable_url_gives_a_clear_error(tmp_path: Path, file_server: str, settings) -> None:
    settings.GENRELENS_DOWNLOAD_DIR = tmp_path / "cache"
    with pytest.raises(CommandError, match="could not download"):
        run_import(f"{file_server}/missing.csv")
    with pytest.raises(CommandError, match="could not download"):
        run_import("http://127.0.0.1:9/nothing-listens-here.csv")
    assert catalog_counts() == (0, 0, 0, 0, 0, 0)


def test_the_readable_summary_lists_rows_per_genre(tmp_path: Path) -> None:
    rows = [tidy_raw_row(i, genre="rock" if i % 3 else "latin") for i in range(9)]
    out = StringIO()
    call_command("import", str(write_csv(tmp_path / "s.csv", rows)), stdout=out, stderr=StringIO())
    text = out.getvalue()
    counts = dict(line.split() for line in text.split("rows per genre:\n")[1].splitlines())
    assert counts == {"rock": "6", "latin": "3"}


@pytest.mark.shared_data
def test_it_imports_the_full_shared_dataset() -> None:
    if not SHARED_SONGS.exists():
        pytest.skip(f"shared dataset absent: {SHARED_SONGS}")
    result = run_import(str(SHARED_SONGS))
    assert (result["rows_read"], result["rows_rejected"]) == (15172, 0)
    assert result["tracks_created"] == Track.objects.count() == 14092
    assert GenreLabel.objects.count() == 15172
    assert set(GenreLabel.objects.values_list("genre", flat=True).distinct()) == {
        "edm", "latin", "pop", "r&b", "rap", "rock"}


# --------------------------------------------------------------------------------------------
# Files as people have them (layout details in tests/core/dataset/test_formats.py)


def test_json_prints_the_error_object_when_an_import_fails(tmp_path: Path) -> None:
    out = StringIO()
    with pytest.raises(CommandError, match="is a directory"):
        call_command("import", str(tmp_path), "--json", stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue()) == {"error": f"{tmp_path}: is a directory; give the path of one dataset "
                                                   "file in it", "source": str(tmp_path)}


def test_json_reports_features_created_and_notes(tmp_path: Path) -> None:
    path = exportify_layout_file(tmp_path / "liked.csv", PAVEL_2025, fake_tracks(3), artist_join="semicolon")
    result = run_import(str(path))
    assert (result["tracks_created"], result["features_created"]) == (3, 3)
    assert result["notes"] == [] and result["genre_counts"] == {"(none)": 3}
    tracks = [FakeTrack(id=f"N{i:021d}", name="x", artists=["A"], release_date="0000") for i in range(2)]
    again = run_import(str(exportify_layout_file(tmp_path / "old.csv", PAVEL_2025, tracks, artist_join="semicolon")))
    assert again["notes"] == ["2 row(s) with release year 0000 (Spotify's 'unknown') stored without a year"]


def test_a_compressed_file_is_named_without_its_compression_suffix(tmp_path: Path) -> None:
    plain = tidy_raw_file(tmp_path / "tt.csv", n=3)
    (tmp_path / "tt.csv.gz").write_bytes(gzip.compress(plain.read_bytes()))
    assert run_import(str(tmp_path / "tt.csv.gz"))["dataset"] == "tt"


@pytest.mark.parametrize("layout", ["columns absent (watsonbox 2018)", "columns empty (pavelkomarov 2025)"])
def test_an_export_without_audio_features_stores_tracks_but_no_feature_rows(tmp_path: Path, layout: str) -> None:
    if layout.startswith("columns absent"):
        path = exportify_layout_file(tmp_path / "old.csv", WATSONBOX_2018, fake_tracks(4), quote_all=True)
    else:
        tracks = [FakeTrack(id=f"E{i:021d}", name="x", artists=["A"], features={}) for i in range(4)]
        path = exportify_layout_file(tmp_path / "new.csv", PAVEL_2025, tracks, artist_join="semicolon")
    result = run_import(str(path))
    assert AudioFeatures.objects.count() == 0
    assert set(Track.objects.values_list("duration_ms", flat=True)) == {201_000}
    assert (result["tracks_created"], result["features_created"]) == (4, 0)
    assert any("no features stored" in note for note in result["notes"])


def test_exportify_artists_with_a_comma_in_their_name_stay_one_artist(tmp_path: Path) -> None:
    path = exportify_layout_file(tmp_path / "p.csv", WATSONBOX_2022, fake_tracks(4), quote_all=True)
    run_import(str(path))
    assert Track.objects.get(key="T" + "0" * 21).artist_names == "Tyler, The Creator;Frank Ocean"
    assert Artist.objects.filter(name__in=["Tyler", "The Creator", "Earth", "Wind & Fire"]).count() == 0
    assert Artist.objects.filter(name="Earth, Wind & Fire").count() == 1
    assert set(Album.objects.values_list("release_year", flat=True)) == {2011}


def test_a_cut_off_file_fails_whole_or_keeps_only_its_whole_rows(tmp_path: Path) -> None:
    path = exportify_layout_file(tmp_path / "cut.csv", PAVEL_2025, fake_tracks(3), artist_join="semicolon")
    text = path.read_text()
    path.write_text(text[: text.rindex("99.979") + 3])
    with pytest.raises(CommandError, match=r"cut.csv: line 4: 23 of the header's 24 fields: the row is cut short"):
        run_import(str(path))
    assert catalog_counts() == (0, 0, 0, 0, 0, 0)
    result = run_import(str(path), "--skip-invalid")
    assert (result["tracks_created"], result["rows_rejected"]) == (2, 1)
    assert set(AudioFeatures.objects.values_list("tempo", flat=True)) == {99.979}


def _catalog_updates(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in queries
            if q["sql"].startswith("UPDATE") and any(t in q["sql"] for t in (
                '"catalog_track"', '"catalog_album"', '"catalog_artist"', '"catalog_playlist"',
                '"catalog_audiofeatures"'))]


def test_importing_a_then_b_then_a_again_rewrites_no_shared_track(tmp_path: Path) -> None:
    shared = fake_tracks(4)
    path_a = exportify_layout_file(tmp_path / "a.csv", PAVEL_2025, shared, artist_join="semicolon")
    for t in shared:  # the same tracks in another snapshot: other popularity, album spelling, features
        t.popularity, t.album, t.features = 77, t.album.upper(), {**t.features, "energy": 0.5}
    path_b = exportify_layout_file(tmp_path / "b.csv", WATSONBOX_2022, shared, quote_all=True)
    run_import(str(path_a))
    run_import(str(path_b))
    before = list(Track.objects.order_by("key").values())
    with CaptureQueriesContext(connection) as queries:
        again = run_import(str(path_a))
    assert _catalog_updates(queries.captured_queries) == []
    assert list(Track.objects.order_by("key").values()) == before
    assert (again["tracks_created"], again["tracks_updated"], again["features_created"]) == (0, 0, 0)
    assert AudioFeatures.objects.filter(source="dataset:b", energy=0.5).count() == 4


def test_an_html_page_from_a_url_is_refused_and_not_kept_in_the_cache(tmp_path: Path, file_server: str,
                                                                      settings) -> None:
    settings.GENRELENS_DOWNLOAD_DIR = tmp_path / "cache"
    (tmp_path / "blob.csv").write_text("<!DOCTYPE html>\n<html><head><title>songs.csv</title></head></html>\n")
    with pytest.raises(CommandError, match="an HTML page, not a dataset"):
        run_import(f"{file_server}/blob.csv")
    assert list((tmp_path / "cache").iterdir()) == []
