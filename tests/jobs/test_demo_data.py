"""`genrelens demo_data` (make demo's data step) falls back in order: URL, shared copy, generated catalog."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest_sandbox import SandboxHandle
from tests.core.dataset.test_collect import SMALL_TAXONOMY
from tests.factories import tidy_raw_file
from tests.scratch_db import count_rows, query_one, scratch_database
from tests.web.test_serving import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    with scratch_database(tmp_path) as url:
        yield url


@pytest.fixture
def dead_url() -> str:
    """A loopback port nobody listens on: the download fails at once, as offline."""
    return f"http://127.0.0.1:{free_port()}/spotify_songs.csv"


@pytest.fixture
def served_csv(tmp_path: Path) -> Iterator[str]:
    """The dataset's URL answered by a real HTTP server on loopback."""
    site = tmp_path / "site"
    site.mkdir()
    tidy_raw_file(site / "spotify_songs.csv", n=30)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/spotify_songs.csv"
    server.shutdown()
    server.server_close()


def demo_data(tmp_path: Path, database: str, *args: str, sandbox: SandboxHandle | None = None,
              api_base: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GENRELENS_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": database, "DATASET": "",
           "NO_PROXY": "127.0.0.1,localhost"}
    if sandbox is not None:
        env.update(SPOTIFY_CLIENT_ID=sandbox.client_id, SPOTIFY_CLIENT_SECRET=sandbox.client_secret,
                   SPOTIFY_API_BASE=sandbox.api_base, SPOTIFY_ACCOUNTS_BASE=sandbox.accounts_base,
                   RECCOBEATS_API_BASE=sandbox.reccobeats_base, GENRELENS_FEATURE_PROVIDERS="spotify,reccobeats")
    if api_base is not None:
        env["SPOTIFY_API_BASE"] = api_base
    genrelens = [sys.executable, "-m", "genrelens.cli"]
    subprocess.run([*genrelens, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    return subprocess.run([*genrelens, "demo_data", "--no-train", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def stored_dataset(database: str) -> tuple:
    return query_one(database, "SELECT name, licence, row_count FROM catalog_dataset")


def test_the_real_dataset_is_taken_from_its_url_when_it_answers(tmp_path, database, served_csv) -> None:
    result = demo_data(tmp_path, database, "--url", served_csv, "--shared", str(tmp_path / "absent.csv"))
    assert result.returncode == 0, result.stderr
    assert f"demo: dataset tidytuesday-2020: the real TidyTuesday 2020 songs from {served_csv}" in result.stdout
    name, licence, rows = stored_dataset(database)
    assert (name, rows) == ("tidytuesday-2020", 30) and licence.startswith("TidyTuesday")


def test_an_unreachable_url_falls_back_to_the_shared_copy(tmp_path, database, dead_url) -> None:
    shared = tidy_raw_file(tmp_path / "tidytuesday-songs-dev.csv", n=12)
    result = demo_data(tmp_path, database, "--url", dead_url, "--shared", str(shared))
    assert result.returncode == 0, result.stderr
    assert f"demo: could not get {dead_url}" in result.stdout
    assert "demo: dataset tidytuesday-songs-dev: the shared development copy" in result.stdout
    assert stored_dataset(database)[0::2] == ("tidytuesday-songs-dev", 12)


def test_without_url_or_shared_copy_a_catalog_is_generated_and_marked_synthetic(tmp_path, database, dead_url,
                                                                                 legacy_sandbox) -> None:
    (tmp_path / "taxonomy.toml").write_text(SMALL_TAXONOMY)
    result = demo_data(tmp_path, database, "--url", dead_url, "--shared", str(tmp_path / "absent.csv"),
                       "--taxonomy", str(tmp_path / "taxonomy.toml"), "--playlists-per-subgenre", "1",
                       sandbox=legacy_sandbox)
    assert result.returncode == 0, result.stderr
    assert "no shared copy" in result.stdout and "demo: dataset sandbox-synthetic: SYNTHETIC" in result.stdout
    name, licence, rows = stored_dataset(database)
    assert name == "sandbox-synthetic" and licence.startswith("synthetic:") and rows > 0


def test_generating_refuses_anything_but_the_local_sandbox_and_writes_nothing(tmp_path, database,
                                                                               dead_url) -> None:
    result = demo_data(tmp_path, database, "--url", dead_url, "--shared", str(tmp_path / "absent.csv"),
                       api_base="https://api.spotify.com/v1/")
    assert result.returncode != 0
    assert "the generated catalog comes from the local sandbox" in result.stderr
    assert count_rows(database, "catalog_dataset") == 0


def test_a_dataset_already_imported_is_kept(tmp_path, database, dead_url) -> None:
    shared = tidy_raw_file(tmp_path / "tidytuesday-songs-dev.csv", n=12)
    assert demo_data(tmp_path, database, "--url", dead_url, "--shared", str(shared)).returncode == 0
    again = demo_data(tmp_path, database, "--url", dead_url, "--shared", str(tmp_path / "absent.csv"))
    assert again.returncode == 0, again.stderr
    assert "demo: dataset tidytuesday-songs-dev: already imported from" in again.stdout
