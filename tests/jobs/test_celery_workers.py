"""Real worker processes on a real broker (the embedded filesystem one; Redis under
scripts/with-redis.sh): fan-out finishes, a SIGKILLed worker loses nothing and duplicates nothing,
two workers never run one job twice, a broker restart mid-run is survived."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from genrelens.core.audio.synth import drum_pattern, song, write_audio
from tests.jobs import workers as w
from tests.scratch_db import scratch_database

pytestmark = pytest.mark.slow

BROKERS = ["embedded", pytest.param("redis", marks=pytest.mark.skipif(not w.REDIS_URL, reason=w.NEEDS_REDIS))]


@pytest.fixture(params=BROKERS)
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[dict[str, str], str]]:
    """A migrated scratch database, a var/ dir and an empty queue; the workers' environment."""
    if request.param == "redis":
        import redis

        redis.Redis.from_url(w.REDIS_URL).flushdb()
    with scratch_database(tmp_path) as url:
        env = w.worker_env(url, tmp_path / "var", request.param)
        migrate = w.genrelens(env, "migrate", "-v0")
        assert migrate.wait(timeout=300) == 0, migrate.stdout.read() if migrate.stdout else ""
        yield env, url


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six short, different tracks: three parts of two files each."""
    root = tmp_path_factory.mktemp("audio")
    for i in range(6):
        synth = drum_pattern(96.0 + 8 * i, 3.0, style="four_on_the_floor" if i % 2 else "rock")
        write_audio(root / f"drums-{i}.wav", synth.samples, synth.sr)
    return root


def local_tracks(url: str) -> int:
    return int(w.sql(url, "SELECT COUNT(*) FROM catalog_localfile")[0][0])


def done(url: str, job_id: str) -> bool:
    return w.job_row(url, job_id)["status"] in ("done", "failed")


def test_a_folder_fans_out_over_two_workers_and_each_job_runs_once_though_sent_twice(
        deployment: tuple[dict[str, str], str], folder: Path) -> None:
    env, url = deployment
    job = w.job_insert(url, "analyze_folder", {"paths": [str(folder)], "recursive": False})
    with w.workers(env, 2) as started:
        w.send(w.producer(env), job, times=2)  # a duplicate delivery, as a redelivery would be
        w.wait_until(lambda: done(url, job), timeout=240, what="the folder job", workers=tuple(started))
    row = w.job_row(url, job)
    assert row["status"] == "done" and row["attempts"] == 1, row
    assert (row["progress_done"], row["progress_total"]) == (6, 6)
    assert [(p["key"], p["status"], p["attempts"]) for p in w.parts(url, job)] == [
        ("chunk-0", "done", 1), ("chunk-1", "done", 1), ("chunk-2", "done", 1)]
    assert local_tracks(url) == 6


def _long_track(tmp_path: Path) -> Path:
    path = tmp_path / "long.wav"
    write_audio(path, song(45.0, sr=22050, seed=3).samples, 22050)
    return path


def test_a_worker_killed_mid_job_loses_nothing_and_the_job_runs_again_elsewhere(
        deployment: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, url = deployment
    job = w.job_insert(url, "analyze_files", {"paths": [str(_long_track(tmp_path))]})
    first = w.genrelens(env, "worker", "--concurrency", "1", start_new_session=True)
    w.send(w.producer(env), job)
    w.wait_until(lambda: w.job_row(url, job)["status"] == "running", timeout=120, what="the first run",
                 workers=(first,))
    os.killpg(first.pid, signal.SIGKILL)  # the worker, its pool child and the analysis, mid-job
    first.wait(timeout=30)
    assert w.job_row(url, job)["status"] == "running" and local_tracks(url) == 0

    with w.workers(env, 1) as second:  # the broker's redelivery or the sweep gives it to this one
        w.wait_until(lambda: done(url, job), timeout=240, what="the second run", workers=tuple(second))
    row = w.job_row(url, job)
    assert (row["status"], row["attempts"]) == ("done", 2), row
    assert row["result"] is not None and local_tracks(url) == 1


def test_a_pool_process_killed_mid_job_is_replaced_and_the_job_finishes(
        deployment: tuple[dict[str, str], str], tmp_path: Path) -> None:
    env, url = deployment
    job = w.job_insert(url, "analyze_files", {"paths": [str(_long_track(tmp_path))]})
    with w.workers(env, 1) as started:
        w.send(w.producer(env), job)
        w.wait_until(lambda: w.job_row(url, job)["status"] == "running", timeout=120, what="the run",
                   workers=tuple(started))
        child = int(w.job_row(url, job)["worker"].split(":")[1])  # host:pid:thread of the claim
        assert child != started[0].pid  # a prefork pool process, not the worker itself
        os.kill(child, signal.SIGKILL)  # reject_on_worker_lost: the message goes back to the queue
        w.wait_until(lambda: done(url, job), timeout=240, what="the run after the kill", workers=tuple(started))
    row = w.job_row(url, job)
    assert (row["status"], row["attempts"]) == ("done", 2), row
    assert local_tracks(url) == 1


@pytest.mark.skipif(not w.REDIS_URL, reason=w.NEEDS_REDIS)
@pytest.mark.parametrize("deployment", ["redis"], indirect=True)
def test_a_redis_restart_mid_run_is_survived(deployment: tuple[dict[str, str], str], folder: Path) -> None:
    env, url = deployment
    job = w.job_insert(url, "analyze_folder", {"paths": [str(folder)], "recursive": False})
    with w.workers(env, 1) as started:
        w.send(w.producer(env), job)
        w.wait_until(lambda: w.parts(url, job) != [], timeout=120, what="the fan-out", workers=tuple(started))
        _restart_redis()
        w.wait_until(lambda: done(url, job), timeout=240, what="the folder job after the restart",
                   workers=tuple(started))
    row = w.job_row(url, job)
    assert row["status"] == "done" and row["result"]["failed"] == 0, row
    assert [p["status"] for p in w.parts(url, job)] == ["done"] * 3
    assert local_tracks(url) == 6


def _restart_redis() -> None:
    """Stop the server scripts/with-redis.sh started (it saves its append-only file) and start it
    again on the same port and data, detached, so the script's clean-up stops it at the end."""
    port, data = os.environ["GENRELENS_TEST_REDIS_PORT"], os.environ["GENRELENS_TEST_REDIS_DIR"]
    subprocess.run(["redis-cli", "-p", port, "shutdown"], check=False, capture_output=True)
    time.sleep(1.0)
    subprocess.run(["/usr/bin/redis-server", "--bind", "127.0.0.1", "--port", port, "--dir", data,
                    "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "yes",
                    "--logfile", f"{data}/redis-restarted.log"], check=True)


@pytest.mark.skipif(not os.environ.get("GENRELENS_TEST_PG_CTL"),
                    reason="restarts PostgreSQL: run under scripts/with-postgres.sh (make test-postgres)")
@pytest.mark.parametrize("deployment", ["embedded"], indirect=True)
def test_a_postgresql_restart_mid_job_is_survived(deployment: tuple[dict[str, str], str], folder: Path) -> None:
    env, url = deployment
    job = w.job_insert(url, "analyze_folder", {"paths": [str(folder)], "recursive": False})
    with w.workers(env, 1) as started:
        w.send(w.producer(env), job)
        w.wait_until(lambda: any(p["status"] == "running" for p in w.parts(url, job)), timeout=120,
                     what="a part running", workers=tuple(started))
        try:
            restart = subprocess.run([*os.environ["GENRELENS_TEST_PG_CTL"].split(), "restart"], capture_output=True,
                                     text=True, timeout=120)
        finally:
            connections.close_all()  # this test process' own connections died too: later tests reconnect
        assert restart.returncode == 0, restart.stderr
        w.wait_until(lambda: done(url, job), timeout=240, what="the folder job after the restart",
                     workers=tuple(started))
    row = w.job_row(url, job)
    assert row["status"] == "done" and row["result"]["failed"] == 0, row
    assert [p["status"] for p in w.parts(url, job)] == ["done"] * 3
    assert local_tracks(url) == 6
