"""`genrelens import`: every format, validation, atomicity, idempotence, URLs, the full shared file."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from genrelens.catalog.models import AudioFeatures, Dataset, GenreLabel, Playlist, PlaylistTrack, Track
from tests.factories import (
    SHARED_SONGS,
    blog_frame,
    exportify_file,
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
