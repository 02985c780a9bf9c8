"""The dataset builder against the real sandbox: complete, request-minimal, robust, honest."""

from __future__ import annotations

from pathlib import Path

import pytest

from genrelens.core.dataset.collect import CollectFailed, CollectPlan, CollectResult, RateGate, collect
from genrelens.core.dataset.journal import Journal
from genrelens.core.dataset.taxonomy import load_taxonomy
from genrelens.core.providers.reccobeats import ReccoBeatsProvider
from genrelens.core.providers.spotify import SpotifyFeaturesProvider
from genrelens.core.reccobeats import ReccoBeatsClient
from genrelens.core.spotify.client import app_client, user_client
from genrelens.core.spotify.settings import SpotifySettings
from tests.conftest_sandbox import SandboxHandle
from tests.core.spotify.sandbox_helpers import login

SMALL_TAXONOMY = """
[genres]
rock = ["hard rock", "classic rock"]
metal = ["hard rock", "speed metal"]
pop = ["dance pop"]
"""


@pytest.fixture
def taxonomy(tmp_path: Path):
    path = tmp_path / "taxonomy.toml"
    path.write_text(SMALL_TAXONOMY)
    return load_taxonomy(path)


def run(sandbox: SandboxHandle, taxonomy, journal_path: Path, *, per_subgenre: int = 4,
        as_user: str | None = None, gate: RateGate | None = None) -> CollectResult:
    config = SpotifySettings(client_id=sandbox.client_id, client_secret=sandbox.client_secret,
                             api_base=sandbox.api_base, accounts_base=sandbox.accounts_base,
                             reccobeats_base=sandbox.reccobeats_base, retry_after_cap=5)
    journal = Journal(journal_path)
    gate = gate or RateGate()
    if as_user:
        spotify = user_client(config, login(sandbox, as_user), capabilities=journal.capabilities(), sleep=gate.sleep)
    else:
        spotify = app_client(config, capabilities=journal.capabilities(), sleep=gate.sleep)
    recco = ReccoBeatsClient.from_settings(config, sleep=gate.sleep)
    try:
        plan = CollectPlan(taxonomy=taxonomy, playlists_per_subgenre=per_subgenre, concurrency=4, progress=False)
        return collect(plan, spotify=spotify, providers=[SpotifyFeaturesProvider(spotify), ReccoBeatsProvider(recco)],
                       journal=journal, gate=gate, request_count=lambda: spotify.requests.total + recco.requests.total)
    finally:
        spotify.close()
        recco.close()
        journal.close()


def test_it_reads_every_page_and_stays_within_five_percent_of_the_minimum(
        legacy_sandbox: SandboxHandle, taxonomy, tmp_path: Path) -> None:
    result = run(legacy_sandbox, taxonomy, tmp_path / "j.sqlite3")
    stats = legacy_sandbox.stats()
    assert result.requests == stats["total"]
    assert result.requests <= result.requests_minimum * 1.05
    # five (genre, sub-genre) pairs, four searches: "hard rock" is searched once for two genres
    assert len(taxonomy.pairs()) == 5 and stats["by_endpoint"]["GET /v1/search"] == 4
    # every item of every playlist, including playlists longer than one page of 50
    frame = result.frame
    per_playlist = frame.drop_duplicates(["playlist_id", "track_id"]).groupby("playlist_id").size()
    assert per_playlist.max() > 50
    assert result.minimum_breakdown["playlist_items"] > result.playlists
    assert frame[["danceability", "energy", "tempo", "duration_ms"]].notna().all().all()


def test_a_shared_subgenre_keeps_both_genre_labels(legacy_sandbox: SandboxHandle, taxonomy, tmp_path: Path) -> None:
    frame = run(legacy_sandbox, taxonomy, tmp_path / "j.sqlite3").frame
    hard_rock = frame[frame.playlist_subgenre == "hard rock"]
    assert set(hard_rock.playlist_genre) == {"rock", "metal"}
    assert not frame.duplicated(["track_id", "playlist_genre", "playlist_subgenre", "playlist_id"]).any()


def test_null_local_and_episode_items_are_skipped_and_counted(
        legacy_sandbox: SandboxHandle, taxonomy, tmp_path: Path) -> None:
    legacy_sandbox.set_faults(null_items=0.05, local_items=0.05, episode_items=0.05)
    result = run(legacy_sandbox, taxonomy, tmp_path / "j.sqlite3")
    assert all(result.skipped[k] > 0 for k in ("null", "local", "episodes"))
    assert result.frame["track_id"].str.len().eq(22).all()


def test_429_storms_and_5xx_bursts_slow_it_down_but_change_nothing(
        legacy_sandbox: SandboxHandle, taxonomy, tmp_path: Path) -> None:
    clean = run(legacy_sandbox, taxonomy, tmp_path / "clean.sqlite3")
    legacy_sandbox.reset()
    legacy_sandbox.set_faults(rate_5xx=0.1, script=[
        {"path": "/v1/playlists/{id}/items", "status": 429, "count": 3, "retry_after": 1},
        {"path": "/v1/audio-features", "status": 503, "count": 2},
    ])
    gate = RateGate()
    stormy = run(legacy_sandbox, taxonomy, tmp_path / "stormy.sqlite3", gate=gate)
    key = ["track_id", "playlist_id", "playlist_genre", "playlist_subgenre"]
    def ordered(result: CollectResult):
        return result.frame.sort_values(key).reset_index(drop=True)

    assert ordered(stormy).equals(ordered(clean))
    assert legacy_sandbox.stats()["by_status"].get("429", 0) == 3
    assert gate.pauses >= 3  # each 429 paused the whole pool through the shared gate
    assert stormy.requests > stormy.requests_minimum  # the retries are counted honestly


def test_a_resumed_run_sends_only_what_is_missing(legacy_sandbox: SandboxHandle, taxonomy, tmp_path: Path) -> None:
    first = run(legacy_sandbox, taxonomy, tmp_path / "j.sqlite3")
    legacy_sandbox.reset_stats()
    again = run(legacy_sandbox, taxonomy, tmp_path / "j.sqlite3")
    assert again.requests == 0 and legacy_sandbox.stats()["total"] == 0
    assert again.frame.equals(first.frame)


def test_dev_mode_says_what_is_blocked_instead_of_returning_an_empty_dataset(
        devmode_sandbox: SandboxHandle, taxonomy, tmp_path: Path) -> None:
    with pytest.raises(CollectFailed) as err:
        run(devmode_sandbox, taxonomy, tmp_path / "j.sqlite3", per_subgenre=20)
    message = str(err.value)
    assert "playlist(s) refused" in message and "search pages limited to 10" in message
    assert "import a dataset" in message


def test_dev_mode_as_a_user_collects_their_own_playlists_with_features_from_reccobeats(
        devmode_sandbox: SandboxHandle, tmp_path: Path) -> None:
    taxonomy = load_taxonomy()  # the blog's: some sub-genre playlists belong to the sandbox's users
    result = run(devmode_sandbox, taxonomy, tmp_path / "j.sqlite3", per_subgenre=20, as_user="ann")
    owned = set(next(u for u in devmode_sandbox.users() if u["id"] == "ann")["owns"])
    collaborative = set(next(u for u in devmode_sandbox.users() if u["id"] == "ann")["collaborates"])
    assert result.tracks > 0 and set(result.frame["playlist_id"]) <= owned | collaborative
    assert result.chain is not None and "spotify" in result.chain.blocked
    assert set(result.chain.counts) == {"reccobeats"}
    assert any("refused (403" in b for b in result.blocked) and any("limited to 10" in b for b in result.blocked)
    # learning each restriction costs one request; then closed doors are not knocked on again
    stats = devmode_sandbox.stats()
    assert stats["by_status"].get("403", 0) <= 3 and stats["by_endpoint"]["GET /v1/me"] == 1
    assert result.requests <= result.requests_minimum * 1.05
