"""`genrelens collect` as a user runs it: killed at several points, then resumed, loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest_sandbox import SandboxHandle
from tests.core.dataset.test_collect import SMALL_TAXONOMY
from tests.scratch_db import count_rows, scratch_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    with scratch_database(tmp_path) as url:
        yield url


def collect_cmd(sandbox: SandboxHandle, var: Path, database: str, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "GENRELENS_VAR_DIR": str(var), "DATABASE_URL": database,
           "SPOTIFY_CLIENT_ID": sandbox.client_id, "SPOTIFY_CLIENT_SECRET": sandbox.client_secret,
           "SPOTIFY_API_BASE": sandbox.api_base, "SPOTIFY_ACCOUNTS_BASE": sandbox.accounts_base,
           "RECCOBEATS_API_BASE": sandbox.reccobeats_base, "GENRELENS_FEATURE_PROVIDERS": "spotify,reccobeats"}
    (var / "taxonomy.toml").write_text(SMALL_TAXONOMY)
    subprocess.run([sys.executable, "-m", "genrelens.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    args = [sys.executable, "-m", "genrelens.cli", "collect", "--taxonomy", str(var / "taxonomy.toml"),
            "--playlists-per-subgenre", "4", "--concurrency", "2", "--name", "k", "--json",
            "--export", str(var / "export"), *extra]
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen[str]) -> dict:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out)


def exported(var: Path) -> pd.DataFrame:
    frame = pd.read_csv(var / "export" / "k.csv", dtype={"track_id": str})
    return frame.sort_values(["track_id", "playlist_id", "playlist_genre"]).reset_index(drop=True)


def stored_counts(database: str) -> tuple[int, int, int]:
    return (count_rows(database, "catalog_track"), count_rows(database, "catalog_genrelabel"),
            count_rows(database, "catalog_audiofeatures"))


@pytest.fixture(scope="module")
def clean_run(sandbox_factory, tmp_path_factory) -> Iterator[tuple[dict, pd.DataFrame, tuple[int, int, int]]]:
    sandbox = sandbox_factory("legacy")
    sandbox.reset()
    var = tmp_path_factory.mktemp("clean")
    with scratch_database(var) as database:
        result = finish(collect_cmd(sandbox, var, database))
        yield result, exported(var), stored_counts(database)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_requests", [3, 12, 30])
def test_a_run_killed_at_any_point_resumes_with_nothing_lost_or_duplicated(
        legacy_sandbox: SandboxHandle, tmp_path: Path, database: str, clean_run, kill_after_requests: int) -> None:
    reference, reference_frame, reference_counts = clean_run
    legacy_sandbox.set_faults(latency_ms=40)  # slow enough to land the kill mid-run
    process = collect_cmd(legacy_sandbox, tmp_path, database)
    deadline = time.monotonic() + 60
    while legacy_sandbox.stats()["total"] < kill_after_requests and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert legacy_sandbox.stats()["total"] < reference["requests"], "the kill landed after the run had finished"
    legacy_sandbox.set_faults(latency_ms=0)

    resumed = finish(collect_cmd(legacy_sandbox, tmp_path, database))
    assert (resumed["tracks"], resumed["labels"]) == (reference["tracks"], reference["labels"])
    # finished units were not fetched again: kill + resume cost about one clean run
    assert resumed["requests"] < reference["requests"]
    assert exported(tmp_path).equals(reference_frame)
    assert stored_counts(database) == reference_counts


def test_running_again_after_success_changes_nothing(
        legacy_sandbox: SandboxHandle, tmp_path: Path, database: str) -> None:
    first = finish(collect_cmd(legacy_sandbox, tmp_path, database))
    counts = stored_counts(database)
    legacy_sandbox.reset_stats()
    again = finish(collect_cmd(legacy_sandbox, tmp_path, database))
    assert again["requests"] == 0 and legacy_sandbox.stats()["total"] == 0
    assert stored_counts(database) == counts and again["tracks"] == first["tracks"]
    assert {p.suffix for p in (tmp_path / "export").iterdir()} >= {".csv", ".parquet", ".pkl"}


def test_restart_discards_progress_and_resume_needs_a_run(
        legacy_sandbox: SandboxHandle, tmp_path: Path, database: str) -> None:
    process = collect_cmd(legacy_sandbox, tmp_path, database, "--resume")
    _out, err = process.communicate(timeout=60)
    assert process.returncode != 0 and "nothing to resume" in err
    finish(collect_cmd(legacy_sandbox, tmp_path, database))
    legacy_sandbox.reset_stats()
    again = finish(collect_cmd(legacy_sandbox, tmp_path, database, "--restart"))
    assert again["requests"] > 0 and again["requests"] <= again["requests_minimum"] * 1.05


def test_dev_mode_fails_loudly_naming_the_blocked_steps(
        devmode_sandbox: SandboxHandle, tmp_path: Path, database: str) -> None:
    process = collect_cmd(devmode_sandbox, tmp_path, database)
    _out, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "nothing could be collected" in err and "403" in err
    assert stored_counts(database) == (0, 0, 0)
