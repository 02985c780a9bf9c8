"""Real `genrelens worker` processes against a scratch database and a real broker (the embedded
filesystem one, or Redis from scripts/with-redis.sh), and a producer sending them job ids."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from celery import Celery
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
NEEDS_REDIS = "needs a Redis server: run under scripts/with-redis.sh (make test-celery)"


def sql(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    if url.startswith("sqlite:///"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=20)
        try:
            rows = db.execute(statement.replace("%s", "?"), params).fetchall()
            db.commit()
            return rows
        finally:
            db.close()
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def genrelens(env: dict[str, str], *args: str, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "genrelens.cli", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen)  # type: ignore[call-overload]


def worker_env(url: str, var: Path, broker: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    env.update({"DATABASE_URL": url, "GENRELENS_VAR_DIR": str(var), "GENRELENS_JOB_LEASE_SECONDS": "2",
                "GENRELENS_JOB_SWEEP_SECONDS": "0.5", "GENRELENS_ANALYSIS_CHUNK": "2", "LOG_LEVEL": "WARNING",
                "GENRELENS_BROKER_POLL_SECONDS": "0.05", **extra})
    if broker == "redis":
        # Unacknowledged messages come back after 5 s: shorter than a job, so redelivery of a
        # message whose job is still running happens in these tests, and must not run it twice.
        env.update({"CELERY_BROKER_URL": REDIS_URL, "CELERY_VISIBILITY_TIMEOUT": "5"})
    return env


def producer(env: dict[str, str]) -> Celery:
    """A Celery client on the same broker as the workers started with `env`."""
    app = Celery("genrelens-test-producer")
    if "CELERY_BROKER_URL" in env:
        app.conf.broker_url = env["CELERY_BROKER_URL"]
        return app
    broker = Path(env["GENRELENS_VAR_DIR"]) / "broker"
    for name in ("queue", "control", "processed"):
        (broker / name).mkdir(parents=True, exist_ok=True)
    app.conf.broker_url = "filesystem://localhost/"
    app.conf.broker_transport_options = {"data_folder_in": str(broker / "queue"),
                                         "data_folder_out": str(broker / "queue"),
                                         "control_folder": str(broker / "control"),
                                         "processed_folder": str(broker / "processed")}
    return app


def job_insert(url: str, kind: str, payload: dict, *, created_ago: float = 0.0) -> str:
    """A queued job row, as `job_create` writes it once its message is sent (the test sends it:
    `send`). Marked sent, so a worker's start-up sweep does not send it a second time."""
    job_id = uuid.uuid4()
    key = job_id.hex if url.startswith("sqlite") else str(job_id)
    when = timezone.now() - timezone.timedelta(seconds=created_ago)
    # as Django stores it: naive UTC text on SQLite (compared as text there), a timestamp elsewhere
    created = when.replace(tzinfo=None).isoformat(sep=" ") if url.startswith("sqlite") else when.isoformat()
    sql(url, "INSERT INTO jobs_job (id, kind, status, payload, error, created_at, attempts, owner_session, "
             "worker, progress_done, parts_open, key, retries, sent_at, send_count) "
             "VALUES (%s, %s, 'queued', %s, '', %s, 0, '', '', 0, 0, '', 0, %s, 1)",
        (key, kind, json.dumps(payload), created, created))
    return key


def send(app: Celery, job_id: str, times: int = 1) -> None:
    for _ in range(times):
        app.send_task("genrelens.run_job", args=[str(uuid.UUID(job_id))])


def job_row(url: str, job_id: str) -> dict:
    cols = ("status", "error", "attempts", "progress_done", "progress_total", "worker", "result")
    row = dict(zip(cols, sql(url, f"SELECT {', '.join(cols)} FROM jobs_job WHERE id = %s", (job_id,))[0], strict=True))
    if isinstance(row["result"], str):  # SQLite gives the JSON text, PostgreSQL the object
        row["result"] = json.loads(row["result"])
    return row


def parts(url: str, job_id: str) -> list[dict]:
    cols = ("key", "status", "attempts", "worker", "error")
    rows = sql(url, f"SELECT {', '.join(cols)} FROM jobs_job WHERE parent_id = %s ORDER BY key", (job_id,))
    return [dict(zip(cols, r, strict=True)) for r in rows]


def wait_until(check: Callable[[], bool], *, timeout: float, what: str,
               workers: tuple[subprocess.Popen[str], ...] = ()) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s\n" + "\n".join(stop(w) for w in workers))
        time.sleep(0.1)


def stop(worker: subprocess.Popen[str], sig: int = signal.SIGTERM) -> str:
    """Stop a worker and its children; returns what it printed."""
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
    try:
        out, _ = worker.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        out, _ = worker.communicate()
    return out or ""


@contextmanager
def workers(env: dict[str, str], count: int = 1) -> Iterator[list[subprocess.Popen[str]]]:
    """`count` workers; on Redis also `genrelens beat`, as production runs it (on the embedded broker a
    worker schedules for itself): its sweep sends a dead worker's job again once the lease is out."""
    started = [genrelens(env, "worker", "--concurrency", "1", "--loglevel", "WARNING", start_new_session=True)
               for _ in range(count)]
    beat = ([genrelens(env, "beat", "--loglevel", "WARNING", start_new_session=True)]
            if "CELERY_BROKER_URL" in env else [])
    try:
        yield started
    finally:
        for process in [*started, *beat]:
            stop(process)
