"""Reading the dataset files people really have: every Exportify layout, feature dumps, Kaggle's
genres_v2, spreadsheets' encodings and separators, cut-off files and things that are no dataset."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from genrelens.core.dataset.formats import read_dataset
from genrelens.core.dataset.rawfile import dataset_stem
from genrelens.core.errors import ImportFailed
from tests.factories import (
    AUDIO_FEATURES_DUMP,
    GENRES_V2,
    PAVEL_2019,
    PAVEL_2024_NO_ID,
    PAVEL_2024_TABS,
    PAVEL_2025,
    TIDY_RAW_COLUMNS,
    WATSONBOX_2015,
    WATSONBOX_2018,
    WATSONBOX_2022,
    WATSONBOX_2024_DE,
    FakeTrack,
    exportify_layout_file,
    fake_tracks,
    feature_records,
    tidy_raw_row,
    write_csv,
)

#: (header, how the writer joins artists, whether it quotes every value, leading BOMs, has features)
LAYOUTS = {
    "watsonbox-2015": (WATSONBOX_2015, "escaped", True, 2, False),
    "watsonbox-2018": (WATSONBOX_2018, "escaped", True, 0, False),
    "watsonbox-2022": (WATSONBOX_2022, "escaped", True, 0, True),
    "watsonbox-2024-de": (WATSONBOX_2024_DE, "escaped", True, 0, True),
    "pavelkomarov-2019-spotify-id": (PAVEL_2019, "comma", False, 0, True),
    "pavelkomarov-2024-tabs": (PAVEL_2024_TABS, "comma", False, 0, True),
    "pavelkomarov-2025": (PAVEL_2025, "semicolon", False, 0, True),
}


def write_layout(path: Path, layout: str, tracks: list[FakeTrack]) -> Path:
    header, join, quote_all, boms, _ = LAYOUTS[layout]
    return exportify_layout_file(path, header, tracks, artist_join=join, quote_all=quote_all, boms=boms)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_exportify_layout_imports_with_its_ids_artists_years_and_features(tmp_path: Path, layout: str) -> None:
    tracks = fake_tracks(4)
    parsed = read_dataset(write_layout(tmp_path / "export.csv", layout, tracks))
    frame = parsed.frame.set_index("track_id")
    assert parsed.format == "exportify" and parsed.rejected == []
    assert list(frame.index) == [t.id for t in tracks]
    assert list(frame["artists"]) == [";".join(t.artists) for t in tracks]
    assert list(frame["track_artist"]) == [", ".join(t.artists) for t in tracks]
    assert list(frame["duration_ms"]) == [t.duration_ms for t in tracks]
    has_year = layout not in {"watsonbox-2015", "watsonbox-2018"}  # those two had no date column
    assert list(frame["release_year"].fillna(0)) == [2011 if has_year else 0] * 4
    if LAYOUTS[layout][4]:
        assert list(frame["tempo"]) == [99.979] * 4  # read whole, from a header label with tabs around it too
        assert list(frame["danceability"]) == [0.61] * 4
        assert list(frame["key"]) == [5] * 4
    else:
        assert frame["danceability"].isna().all()
        assert any("no audio-feature columns" in n for n in parsed.notes)


def test_a_name_holding_a_comma_stays_one_artist_when_the_artist_ids_say_so(tmp_path: Path) -> None:
    band = FakeTrack(id="M" + "0" * 21, name="These Are Days", artists=["10,000 Maniacs"])
    duo = FakeTrack(id="N" + "0" * 21, name="Nights", artists=["Tyler, The Creator", "2Pac"])
    parsed = read_dataset(write_layout(tmp_path / "p.csv", "pavelkomarov-2019-spotify-id", [band, duo]))
    assert list(parsed.frame["artists"]) == ["10,000 Maniacs", "Tyler, The Creator;2Pac"]


def test_the_release_date_column_of_current_exports_gives_the_year(tmp_path: Path) -> None:
    tracks = [FakeTrack(id=f"R{i:021d}", name="x", artists=["A"], release_date=d)
              for i, d in enumerate(["1999-12-31", "2004", "1987-03", "0000"])]
    parsed = read_dataset(write_layout(tmp_path / "p.csv", "pavelkomarov-2025", tracks))
    assert list(parsed.frame["release_year"].fillna(0)) == [1999, 2004, 1987, 0]
    assert any("release year 0000" in n for n in parsed.notes) and parsed.rejected == []


def test_a_row_cut_off_inside_a_number_is_rejected_not_stored_half_read(tmp_path: Path) -> None:
    path = write_layout(tmp_path / "cut.csv", "pavelkomarov-2025", fake_tracks(3))
    text = path.read_text()
    path.write_text(text[: text.rindex("99.979") + 3])  # ends "...,99." as an interrupted download would
    parsed = read_dataset(path)
    assert len(parsed.frame) == 2 and 99.0 not in set(parsed.frame["tempo"])
    assert [r.line for r in parsed.rejected] == [4]
    assert "line 4: 23 of the header's 24 fields: the row is cut short" in parsed.rejected[0].reason


def test_a_file_cut_off_inside_a_quoted_value_is_rejected(tmp_path: Path) -> None:
    path = write_layout(tmp_path / "cut.csv", "watsonbox-2022", fake_tracks(2))
    text = path.read_text()
    path.write_text(text[: text.rindex("Some Al")])
    parsed = read_dataset(path)
    assert [r.line for r in parsed.rejected] == [3] and len(parsed.frame) == 1
    assert "ends inside a quoted value" in parsed.rejected[0].reason


def test_feature_columns_that_are_all_empty_are_reported(tmp_path: Path) -> None:
    tracks = [FakeTrack(id=f"E{i:021d}", name="x", artists=["A"], features={}) for i in range(3)]
    parsed = read_dataset(write_layout(tmp_path / "p.csv", "pavelkomarov-2025", tracks))
    assert any("audio-feature columns (danceability, energy" in n and "all empty" in n for n in parsed.notes)


def test_unavailable_tracks_local_files_and_episodes_are_skipped_and_counted(tmp_path: Path) -> None:
    tracks = fake_tracks(3)
    tracks.append(FakeTrack(id="U" + "0" * 21, name="", artists=[], duration_ms=0, features={}))
    path = write_layout(tmp_path / "p.csv", "watsonbox-2022", tracks)
    text = path.read_text().replace(f"spotify:track:{tracks[2].id}", "spotify:local:Ann:Album:Song+2:201")
    path.write_text(text)
    parsed = read_dataset(path)
    assert parsed.rejected == [] and list(parsed.frame["track_id"]) == [tracks[0].id, tracks[1].id]
    assert "1 unavailable track(s) (empty name, duration 0) skipped" in parsed.notes
    assert "1 local file(s) (no Spotify id) skipped" in parsed.notes


def test_local_files_without_an_id_in_bare_id_layouts_are_skipped(tmp_path: Path) -> None:
    tracks = [*fake_tracks(2), FakeTrack(id="", name="My demo", artists=["Me"], features={})]
    parsed = read_dataset(write_layout(tmp_path / "p.csv", "pavelkomarov-2019-spotify-id", tracks))
    assert parsed.rejected == [] and len(parsed.frame) == 2
    assert "1 local file(s) (no Spotify id) skipped" in parsed.notes


@pytest.mark.parametrize("fmt", ["auto", "exportify"])
def test_an_exportify_file_without_track_ids_names_the_missing_column(tmp_path: Path, fmt: str) -> None:
    path = exportify_layout_file(tmp_path / "p.csv", PAVEL_2024_NO_ID, fake_tracks(2), artist_join="comma")
    with pytest.raises(ImportFailed, match=r"missing required column\(s\) for format exportify: Track URI or "
                                           r"Track ID\. Exportify's exports of 4-10 September 2024"):
        read_dataset(path, fmt)


def test_a_forced_format_that_does_not_fit_names_what_is_missing(tmp_path: Path) -> None:
    path = write_layout(tmp_path / "p.csv", "watsonbox-2022", fake_tracks(2))
    with pytest.raises(ImportFailed, match=r"for format spotify-tracks: track_id, artists, track_name, track_genre"):
        read_dataset(path, "spotify-tracks")
    with pytest.raises(ImportFailed, match=r"for format genres-v2: id, genre"):
        read_dataset(path, "genres-v2")


@pytest.mark.parametrize("wrapping", ["csv", "json-api-answer", "json-list"])
def test_raw_audio_features_dumps_import_with_every_feature(tmp_path: Path, wrapping: str) -> None:
    tracks = fake_tracks(3)
    records = feature_records(tracks)
    if wrapping == "csv":
        path = tmp_path / "features.csv"
        pd.DataFrame(records)[AUDIO_FEATURES_DUMP].to_csv(path, index=False)
    else:
        path = tmp_path / "features.json"
        doc = {"audio_features": [*records, None]} if wrapping == "json-api-answer" else records
        path.write_text(json.dumps(doc))
    parsed = read_dataset(path)
    assert parsed.format == "audio-features" and parsed.rejected == []
    assert list(parsed.frame["track_id"]) == [t.id for t in tracks]
    assert list(parsed.frame["tempo"]) == [99.979] * 3 and list(parsed.frame["time_signature"]) == [4] * 3
    if wrapping == "json-api-answer":
        assert "1 null record(s) skipped (the API's answer for an id without features)" in parsed.notes


def test_kaggle_genres_v2_imports_labels_and_names(tmp_path: Path) -> None:
    tracks = fake_tracks(4)
    rows = [{**r, "genre": "Dark Trap" if i < 2 else "techno", "song_name": t.name if i < 2 else "",
             "Unnamed: 0": "" if i < 2 else i, "title": "" if i < 2 else "Techno Bunker"}
            for i, (r, t) in enumerate(zip(feature_records(tracks), tracks, strict=True))]
    parsed = read_dataset(write_csv(tmp_path / "genres_v2.csv", rows, GENRES_V2))
    assert parsed.format == "genres-v2" and parsed.rejected == []
    assert list(parsed.frame["playlist_genre"]) == ["Dark Trap", "Dark Trap", "techno", "techno"]
    assert list(parsed.frame["track_name"]) == ["Song 0", "Song 1", "", ""]
    assert list(parsed.frame["energy"]) == [0.72] * 4


def _european_csv(path: Path) -> Path:
    """TidyTuesday's layout as a spreadsheet in a European locale saves it: ';', decimal commas, cp1252."""
    rows = [tidy_raw_row(i, track_name=f"Café {i}") for i in range(3)]
    frame = pd.DataFrame(rows, columns=TIDY_RAW_COLUMNS)
    path.write_bytes(frame.to_csv(sep=";", decimal=",", index=False).encode("cp1252"))
    return path


def test_a_semicolon_separated_windows_1252_file_with_decimal_commas_is_read(tmp_path: Path) -> None:
    parsed = read_dataset(_european_csv(tmp_path / "songs.csv"))
    assert parsed.format == "tidytuesday" and parsed.rejected == []
    assert list(parsed.frame["track_name"]) == ["Café 0", "Café 1", "Café 2"]
    assert list(parsed.frame["loudness"]) == [-5.5] * 3 and list(parsed.frame["danceability"]) == [0.7] * 3
    notes = " | ".join(parsed.notes)
    assert "not UTF-8: read it as Windows-1252" in notes and "semicolon-separated" in notes
    assert "decimal commas" in notes


def test_an_xlsx_workbook_is_read_from_its_first_sheet(tmp_path: Path) -> None:
    path = tmp_path / "songs.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        pd.DataFrame([tidy_raw_row(i) for i in range(4)], columns=TIDY_RAW_COLUMNS).to_excel(
            book, sheet_name="songs", index=False)
        pd.DataFrame({"about": ["notes"]}).to_excel(book, sheet_name="readme", index=False)
    parsed = read_dataset(path)
    assert parsed.format == "tidytuesday" and parsed.rejected == [] and len(parsed.frame) == 4
    assert list(parsed.frame["key"]) == [5] * 4 and list(parsed.frame["release_year"]) == [2019] * 4
    assert "read the spreadsheet's first sheet ('songs') of 2" in parsed.notes


def test_a_bad_value_in_a_workbook_is_reported_by_its_spreadsheet_row(tmp_path: Path) -> None:
    path = tmp_path / "songs.xlsx"
    rows = [tidy_raw_row(i) for i in range(3)]
    rows[1]["energy"] = 4.2
    pd.DataFrame(rows, columns=TIDY_RAW_COLUMNS).to_excel(path, index=False, engine="openpyxl")
    assert read_dataset(path).rejected[0].reason == "songs.xlsx: row 3: column energy: 4.2 is outside 0..1"


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "songs.xls", "an Excel 97-2003 workbook"),
        (b"<!DOCTYPE html>\n<html><body>Sign in</body></html>", "songs.csv", "an HTML page, not a dataset"),
        ("track_id,track_name\n1,Caf\u00e9\n".encode("cp1252") + b"\x81\x8d", "songs.csv", "not UTF-8 text"),
        (b"", "songs.csv", "the file is empty"),
    ],
)
def test_files_that_are_no_table_are_refused_with_their_cause(tmp_path: Path, content: bytes, name: str,
                                                              expected: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ImportFailed, match=expected):
        read_dataset(tmp_path / name)


def test_a_directory_is_refused_with_the_files_it_holds(tmp_path: Path) -> None:
    write_layout(tmp_path / "liked.csv", "pavelkomarov-2025", fake_tracks(1))
    with pytest.raises(ImportFailed, match=r"is a directory; give the path of one dataset file in it \(it holds "
                                           r"liked.csv\)"):
        read_dataset(tmp_path)


def test_compressed_files_are_read_and_named_without_their_suffixes(tmp_path: Path) -> None:
    plain = write_layout(tmp_path / "tt.csv", "pavelkomarov-2025", fake_tracks(2))
    gz = tmp_path / "tt.csv.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    with zipfile.ZipFile(tmp_path / "tt.zip", "w") as archive:
        archive.write(plain, "tt.csv")
        archive.writestr("__MACOSX/._tt.csv", b"\0\5\26\7")
    for path in (gz, tmp_path / "tt.zip"):
        assert len(read_dataset(path).frame) == 2
        assert dataset_stem(path) == "tt"


def test_a_zip_of_several_playlists_is_refused_with_what_to_do(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "spotify_playlists.zip", "w") as archive:
        archive.writestr("liked.csv", "x")
        archive.writestr("road_trip.csv", "y")
    with pytest.raises(ImportFailed, match=r"holds 2 files \(liked.csv, road_trip.csv\); import one at a time"):
        read_dataset(tmp_path / "spotify_playlists.zip")


def test_rejected_rows_are_named_by_the_line_they_start_on_past_blank_lines_and_multiline_names(
        tmp_path: Path) -> None:
    rows = [tidy_raw_row(i) for i in range(3)]
    rows[0]["track_name"] = "Two\nlines"
    rows[2]["energy"] = 1.5
    path = write_csv(tmp_path / "songs.csv", rows, TIDY_RAW_COLUMNS)
    text = path.read_text()
    path.write_text(text.replace("\n", "\n\n", 1))  # a blank line after the header
    parsed = read_dataset(path)
    assert parsed.frame["track_name"][0] == "Two\nlines"
    assert [r.line for r in parsed.rejected] == [6]  # header 1, blank 2, rows at 3 (two lines), 5, 6


def test_excels_unicode_text_utf16_tab_separated_is_read(tmp_path: Path) -> None:
    frame = pd.DataFrame([tidy_raw_row(i, track_name=f"Škoda {i}") for i in range(2)], columns=TIDY_RAW_COLUMNS)
    path = tmp_path / "songs.txt"
    path.write_bytes(frame.to_csv(sep="\t", index=False).encode("utf-16"))
    parsed = read_dataset(path)
    assert list(parsed.frame["track_name"]) == ["Škoda 0", "Škoda 1"] and parsed.rejected == []
    assert "read as UTF-16 text" in parsed.notes and "tab-separated: read as such" in parsed.notes


def test_empty_fields_past_the_header_are_dropped_but_an_extra_value_is_rejected(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "songs.csv", [tidy_raw_row(i) for i in range(3)], TIDY_RAW_COLUMNS)
    lines = path.read_text().splitlines()
    lines[1] += ",,"  # what spreadsheets write past the last column
    lines[2] += ",oops"
    path.write_text("\n".join(lines) + "\n")
    parsed = read_dataset(path)
    assert list(parsed.frame["track_id"]) == [f"{0:022d}", f"{2:022d}"]
    assert [r.line for r in parsed.rejected] == [3]
    assert "24 fields where the header has 23" in parsed.rejected[0].reason
