"""Every listening format read from hand-written fixtures in its real layout (tests/data/listening)."""

from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import astuple, fields
from datetime import UTC, datetime
from pathlib import Path

import pytest

from genrelens.core.listening.archive import Limits
from genrelens.core.listening.read import read_export
from genrelens.core.listening.types import ExportInvalid, Kind, Play, Source

DATA = Path(__file__).resolve().parents[2] / "data" / "listening"


def _zip(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, f"Spotify Account Data/{path.relative_to(folder)}")
    return out


def test_account_data_folder_reads_history_library_and_playlists_and_ignores_the_rest() -> None:
    parsed = read_export(DATA / "spotify-account")
    formats = {f.name: f.format for f in parsed.files}
    assert formats == {"Playlist1.json": "playlists", "StreamingHistory_music_0.json": "account_history",
                       "StreamingHistory_podcast_0.json": "podcast_history", "YourLibrary.json": "library"}
    assert parsed.ignored == ["Userdata.json"]
    streams = [p for p in parsed.plays if p.kind is Kind.STREAM]
    assert [(p.artist, p.title, p.ms_played) for p in streams][:2] == [("Bonobo", "Kerala", 241000),
                                                                        ("Beyoncé", "Halo", 12000)]
    assert streams[0].played_at == datetime(2024, 1, 5, 8, 15, tzinfo=UTC)
    assert [p.counted for p in streams] == [True, False, True, True]
    library = [p for p in parsed.plays if p.kind is Kind.LIBRARY]
    assert {p.spotify_id for p in library} == {"0vbtURX4qv1l7besfwmnD8", "0DiWol3AO6WpXZgp0goxAV"}
    assert parsed.skipped == {"podcast episode": 2, "local file": 1}


def test_account_history_inside_the_extended_history_span_is_not_counted_twice(tmp_path: Path) -> None:
    shutil.copy(DATA / "extended" / "Streaming_History_Audio_2023-2024_0.json", tmp_path)
    span = [p.played_at for p in read_export(tmp_path).plays if p.played_at is not None]
    inside, after = min(span) + (max(span) - min(span)) / 2, max(span).replace(year=max(span).year + 1)
    rows = [{"endTime": at.strftime("%Y-%m-%d %H:%M"), "artistName": "Bonobo", "trackName": "Kerala",
             "msPlayed": 241000} for at in (inside, after)]
    (tmp_path / "StreamingHistory_music_0.json").write_text(json.dumps(rows))
    parsed = read_export(tmp_path)
    account = next(f for f in parsed.files if f.format == "account_history")
    assert [p.played_at.year for p in account.plays if p.played_at] == [after.year]  # only the later play
    assert account.skipped == {"already in the extended streaming history": 1}


def test_extended_history_skips_and_counts_podcasts_and_audiobooks() -> None:
    parsed = read_export(DATA / "extended")
    assert {f.format for f in parsed.files} == {"extended_history"}
    assert [(p.spotify_id, p.ms_played) for p in sorted(parsed.plays, key=lambda p: p.played_at or 0)] == [
        ("4JehYebiI9JE8sR8MisGVb", 180000), ("0vbtURX4qv1l7besfwmnD8", 241000), ("0DiWol3AO6WpXZgp0goxAV", 9000)]
    assert parsed.skipped == {"podcast episode": 1, "audiobook": 1}
    assert all(p.source is Source.SPOTIFY_EXPORT for p in parsed.plays)


def test_the_zip_spotify_mails_reads_like_its_folder(tmp_path: Path) -> None:
    from_zip = read_export(_zip(DATA / "spotify-account", tmp_path / "my_spotify_data.zip"))
    assert from_zip.plays == read_export(DATA / "spotify-account").plays
    assert "Spotify Account Data/Userdata.json" in from_zip.ignored


def test_format_comes_from_content_not_the_file_name(tmp_path: Path) -> None:
    renamed = tmp_path / "whatever.txt"
    shutil.copy(DATA / "extended" / "endsong_0.json", renamed)
    assert read_export(renamed).files[0].format == "extended_history"


@pytest.mark.parametrize("name", ["lastfm.csv", "lastfm-ghan.csv"])
def test_lastfm_exports_are_scrobbles(name: str) -> None:
    plays = read_export(DATA / name).plays
    assert {p.source for p in plays} == {Source.LASTFM} and all(p.counted for p in plays)
    assert (plays[0].artist, plays[0].album, plays[0].title) == ("Bonobo", "Migration", "Kerala")
    assert plays[0].played_at == datetime(2024, 1, 5, 8, 15, tzinfo=UTC)


def test_exportify_csv_gives_library_tracks_with_durations_and_skips_local_files() -> None:
    parsed = read_export(DATA / "exportify.csv")
    assert parsed.files[0].format == "exportify"
    assert [(p.spotify_id, p.duration_ms, p.kind) for p in parsed.plays] == [
        ("0vbtURX4qv1l7besfwmnD8", 241000, Kind.LIBRARY), ("0DiWol3AO6WpXZgp0goxAV", 320357, Kind.LIBRARY)]
    assert parsed.skipped == {"local file(s) (no Spotify id)": 1}


def test_no_play_carries_ip_addresses_user_agents_or_countries() -> None:
    assert {f.name for f in fields(Play)} == {"source", "kind", "artist", "title", "album", "spotify_id",
                                              "played_at", "ms_played", "duration_ms"}
    for play in read_export(DATA / "extended").plays:
        assert not {"203.0.113.42", "2001:db8::1", "198.51.100.7", "SE", "DE"} & {str(v) for v in astuple(play)}


def test_a_malformed_entry_is_named_by_file_and_entry(tmp_path: Path) -> None:
    rows = json.loads((DATA / "extended" / "Streaming_History_Audio_2023-2024_0.json").read_text())
    rows[1]["ms_played"] = "nine seconds"
    bad = tmp_path / "Streaming_History_Audio_2024_1.json"
    bad.write_text(json.dumps(rows))
    with pytest.raises(ExportInvalid, match=r"Streaming_History_Audio_2024_1\.json, entry 2: ms_played"):
        read_export(tmp_path)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("ms_played", 2**31, "ms_played must be a number of milliseconds"),  # beyond any play, and the column
    ("ms_played", float("inf"), "ms_played must be a number of milliseconds"),  # json.dumps writes Infinity
    ("master_metadata_track_name", "Kera\u0000la", "master_metadata_track_name holds a NUL character"),
])
def test_values_no_database_column_takes_are_named_by_entry(tmp_path: Path, field: str, value: object,
                                                             message: str) -> None:
    rows = json.loads((DATA / "extended" / "Streaming_History_Audio_2023-2024_0.json").read_text())
    rows[0][field] = value
    (tmp_path / "Streaming_History_Audio_2024_1.json").write_text(json.dumps(rows))
    with pytest.raises(ExportInvalid, match=rf"Streaming_History_Audio_2024_1\.json, entry 1: {message}"):
        read_export(tmp_path)


def test_a_lastfm_time_beyond_any_calendar_is_named(tmp_path: Path) -> None:
    far = "9" * 30  # seconds since 1970: no calendar has that year
    (tmp_path / "scrobbles.csv").write_text((DATA / "lastfm.csv").read_text() + f"Bonobo,Migration,Kerala,{far}\n")
    with pytest.raises(ExportInvalid, match=r"scrobbles\.csv, line 4: not a date and time"):
        read_export(tmp_path / "scrobbles.csv")


def test_broken_json_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "StreamingHistory_music_0.json").write_text('[{"endTime": "2024-01-05 08:15",\n')
    with pytest.raises(ExportInvalid, match=r"StreamingHistory_music_0\.json: not valid JSON \(line 2"):
        read_export(tmp_path)


def test_a_bad_lastfm_line_is_named(tmp_path: Path) -> None:
    (tmp_path / "scrobbles.csv").write_text((DATA / "lastfm.csv").read_text() + "Bonobo,Migration,Kerala,yesterday\n")
    with pytest.raises(ExportInvalid, match=r"scrobbles\.csv, line 4: not a date and time"):
        read_export(tmp_path / "scrobbles.csv")


def test_a_file_with_no_listening_data_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportInvalid, match="no listening data"):
        read_export(DATA / "spotify-account" / "Userdata.json")


def test_a_zip_bomb_is_refused_from_its_directory_before_unpacking(tmp_path: Path) -> None:
    bomb = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("StreamingHistory_music_0.json", b"[" + b" " * 50_000_000 + b"]")
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ExportInvalid, match="50,000,002 bytes unpacked; the limit is 10,000,000"):
        read_export(bomb, Limits(max_unpacked_bytes=10_000_000))


def test_too_many_files_in_a_zip_are_refused(tmp_path: Path) -> None:
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(12):
            archive.writestr(f"notes/{i}.pdf", b"%PDF")
    with pytest.raises(ExportInvalid, match="12 files; the limit is 10"):
        read_export(many, Limits(max_files=10))
