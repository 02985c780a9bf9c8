"""Importing listening data end to end: the real provider chain against the sandbox's ReccoBeats,
the catalog in a real database, and the CLI as people run it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from genrelens.listening.models import ImportedTaste, Play
from tests.api.conftest import spotify_env
from tests.api.models import synthetic_frame
from tests.conftest_sandbox import SandboxHandle
from tests.listening.exports import PRIVATE, episode_row, extended_history, extended_row, write_zip

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def recco(legacy_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, settings: Any) -> SandboxHandle:
    spotify_env(monkeypatch, legacy_sandbox, "http://127.0.0.1:8000/connect")
    return legacy_sandbox


def account_history(rows: int) -> list[dict[str, Any]]:
    """Plays named only (the account data's short history): tracks of the test dataset, by name,
    in a month after the extended history ends (inside it they would be the same streams again)."""
    frame = synthetic_frame().head(rows)
    return [{"endTime": f"2026-06-{1 + i % 28:02d} 10:{i % 60:02d}", "artistName": r.artists.split(";")[0],
             "trackName": r.track_name, "msPlayed": 200_000} for i, r in enumerate(frame.itertuples())]


def export(tmp_path: Path, *, plays: int = 300, tracks: int = 80) -> Path:
    return write_zip(tmp_path / "my_spotify_data.zip", {
        "Streaming_History_Audio_2016-2025_0.json": extended_history(plays, tracks),
        "StreamingHistory_music_0.json": account_history(20)})


def imported(path: Path, user: str = "mia") -> str:
    out: Any = __import__("io").StringIO()
    call_command("taste", "import", str(path), "--user", user, stdout=out)
    return str(out.getvalue())


def test_a_spotify_export_becomes_a_taste_matched_by_uri_and_by_name(tmp_path: Path, recco, public_model) -> None:
    text = imported(export(tmp_path))
    taste = ImportedTaste.objects.get(user__username="mia", source="spotify_export")
    report = taste.report
    assert report["plays"]["total"] == 300 - 0 + 20 and report["tracks"]["total"] == 80 + 20
    assert report["tracks"]["by_how"] == {"uri": 80, "name": 20}
    by_source = report["tracks"]["by_source"]
    assert by_source["dataset:synthetic-genres"] == 20 and by_source["reccobeats"] >= 60  # ReccoBeats knows ~88 %
    assert recco.stats()["by_endpoint"]["GET /reccobeats/v1/audio-features"] == 2  # 80 ids, 40 a request
    counted = report["plays"]["counted"]
    assert 0.6 * 320 < counted < 0.9 * 320  # a quarter of the extended plays were skipped early
    # tracks only ever skipped within 30 s are in neither taste (no library here to keep them)
    assert taste.weighted["track_count"] == taste.unweighted["track_count"] < report["tracks"]["matched"]
    assert taste.weighted["genre_mix"] is not None and taste.weighted["closeness"]
    assert "spotify_export: plays 320/320 matched" in text


def test_re_importing_the_same_export_adds_nothing(tmp_path: Path, recco, public_model) -> None:
    path = export(tmp_path)
    imported(path)
    first = ImportedTaste.objects.get(source="spotify_export")
    plays = Play.objects.count()
    text = imported(path)
    assert "0 new" in text and Play.objects.count() == plays
    again = ImportedTaste.objects.get(source="spotify_export")
    assert again.report == first.report and again.weighted == first.weighted


def test_a_malformed_entry_names_file_and_entry_and_writes_nothing(tmp_path: Path, recco, public_model) -> None:
    rows = extended_history(50, 20)
    rows[41]["ms_played"] = "forty"
    bad = write_zip(tmp_path / "bad.zip", {"Streaming_History_Audio_2020_1.json": rows,
                                           "StreamingHistory_music_0.json": account_history(5)})
    with pytest.raises(CommandError, match=r"Streaming_History_Audio_2020_1\.json, entry 42: ms_played"):
        imported(bad)
    assert not Play.objects.exists() and not ImportedTaste.objects.exists()


def test_no_ip_address_user_agent_platform_or_country_reaches_the_database(tmp_path: Path, recco,
                                                                          public_model) -> None:
    imported(export(tmp_path, plays=100, tracks=30))
    assert Play.objects.count() > 0
    for model in apps.get_models():
        for row in model.objects.values_list():
            text = json.dumps(row, default=str)
            # the country code whole (two letters occur inside ids), the rest anywhere in any text
            found = [v for k, v in PRIVATE.items() if (f'"{v}"' if k == "conn_country" else v) in text]
            assert not found, (model.__name__, text[:300])


def test_lastfm_and_exportify_are_sources_of_their_own(tmp_path: Path, recco, public_model) -> None:
    frame = synthetic_frame().head(12)
    lastfm = tmp_path / "scrobbles.csv"
    lastfm.write_text("".join(f'"{r.artists.split(";")[0]}","{r.track_album_name}","{r.track_name}",'
                              f'"0{1 + i % 9} Mar 2024 1{i % 10}:00"\n' for i, r in enumerate(frame.itertuples())))
    exportify = tmp_path / "playlist.csv"
    exportify.write_text("Track URI,Track Name,Artist Name(s),Track Duration (ms)\n" + "".join(
        f'spotify:track:{r.track_id},"{r.track_name}","{r.artists.split(";")[0]}",{int(r.duration_ms)}\n'
        for r in frame.itertuples()))
    imported(lastfm)
    imported(exportify)
    lastfm_taste = ImportedTaste.objects.get(source="lastfm")
    assert lastfm_taste.report["tracks"]["by_how"] == {"name": 12} and lastfm_taste.weighted is not None
    playlists = ImportedTaste.objects.get(source="playlists")
    assert playlists.weighted is None and playlists.unweighted["track_count"] == 12
    assert playlists.report["tracks"]["by_source"] == {"dataset:synthetic-genres": 12}


def test_a_track_of_another_length_is_not_matched_by_name(tmp_path: Path, recco, public_model) -> None:
    row = synthetic_frame().iloc[0]
    exportify = tmp_path / "playlist.csv"
    exportify.write_text("Track URI,Track Name,Artist Name(s),Track Duration (ms)\n"
                         f'spotify:track:0000000000000000000000,"{row.track_name}","{row.artists.split(";")[0]}",'
                         f"{int(row.duration_ms) + 60_000}\n")
    imported(exportify)
    report = ImportedTaste.objects.get(source="playlists").report
    assert report["tracks"]["by_how"] == {"uri": 1} and report["tracks"]["by_source"] == {"none": 1}


def test_an_export_of_podcasts_and_nameless_rows_only_is_refused(tmp_path: Path, recco, public_model) -> None:
    rows = [extended_row(None, "", "", 5_000, datetime(2020, 1, 1, tzinfo=UTC),
                         master_metadata_track_name=None, master_metadata_album_artist_name=None),
            episode_row(datetime(2020, 1, 2, tzinfo=UTC))]
    with pytest.raises(CommandError, match=r"no music to import \(1 no track named, 1 podcast episode\)"):
        imported(write_zip(tmp_path / "empty.zip", {"Streaming_History_Audio_2020_0.json": rows}))
    assert not Play.objects.exists()


def test_a_second_export_of_the_same_source_adds_to_the_taste(tmp_path: Path, recco, public_model) -> None:
    first = write_zip(tmp_path / "one.zip", {"Streaming_History_Audio_2016_0.json": extended_history(60, 30)})
    second = write_zip(tmp_path / "two.zip", {"StreamingHistory_music_0.json": account_history(10)})
    imported(first)
    imported(second)
    report = ImportedTaste.objects.get(source="spotify_export").report
    assert report["tracks"]["by_how"] == {"uri": 30, "name": 10} and report["plays"]["total"] == 60 + 10
