"""Jobs never stay "running" forever (issue 19, finding 7): a runner killed mid-job, a database
error while recording the outcome, and files left behind."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from genrelens.core.audio.synth import drum_pattern, song, write_audio
from genrelens.jobs.models import Job
from genrelens.jobs.services import INTERNAL_ERROR, TIMED_OUT, job_create, job_run, jobs_recover
from tests.scratch_db import scratch_database

ROOT = Path(__file__).resolve().parents[2]


def sql(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    if url.startswith("sqlite:///"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
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
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)  # type: ignore[call-overload]


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[dict[str, str], str, Path]]:
    """A migrated scratch database and var/ dir, and the environment for genrelens processes."""
    with scratch_database(tmp_path) as url:
        var = tmp_path / "var"
        env = {**os.environ, "DATABASE_URL": url, "GENRELENS_VAR_DIR": str(var),
               "GENRELENS_JOB_LEASE_SECONDS": "2", "GENRELENS_JOBS_IN_PROCESS": "0"}
        assert genrelens(env, "migrate", "-v0").wait(timeout=180) == 0
        yield env, url, var


def queue_upload(url: str, var: Path, audio: Path) -> tuple[str, Path]:
    uploads = var / "media" / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    stored = uploads / f"{uuid.uuid4().hex}.wav"
    shutil.copy(audio, stored)
    job_id = uuid.uuid4().hex
    sql(url, "INSERT INTO jobs_job (id, kind, status, payload, error, created_at, attempts, owner_session) "
             "VALUES (%s, 'analyze_upload', 'queued', %s, '', %s, 0, 'someone')",
        (job_id if url.startswith("sqlite") else str(uuid.UUID(job_id)),
         f'{{"path": "{stored}", "name": "song.wav", "owner_session": "someone"}}', timezone.now().isoformat()))
    return job_id, stored


def status(url: str, job_id: str) -> tuple[str, str, int]:
    key = job_id if url.startswith("sqlite") else str(uuid.UUID(job_id))
    return sql(url, "SELECT status, error, attempts FROM jobs_job WHERE id = %s", (key,))[0]


@pytest.mark.slow
def test_a_job_whose_worker_was_killed_is_retried_after_its_lease_and_its_file_deleted(
        deployment: tuple[dict[str, str], str, Path], tmp_path: Path) -> None:
    env, url, var = deployment
    audio = tmp_path / "long.wav"
    write_audio(audio, song(90.0, sr=22050, seed=3).samples, 22050)
    job_id, stored = queue_upload(url, var, audio)

    worker = genrelens(env, "worker", "--poll", "0.1", start_new_session=True)
    deadline = time.monotonic() + 120
    while status(url, job_id)[0] != "running":
        assert time.monotonic() < deadline and worker.poll() is None, worker.stderr.read() if worker.stderr else ""
        time.sleep(0.05)
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its analysis child, mid-job
    worker.wait(timeout=30)
    assert status(url, job_id)[0] == "running" and stored.exists()

    time.sleep(2.5)  # the lease runs out
    once = genrelens(env, "worker", "--once")
    out, err = once.communicate(timeout=300)
    assert once.returncode == 0, err
    state, error, attempts = status(url, job_id)
    assert (state, error, attempts) == ("done", "", 2), out + err
    assert not stored.exists()


def _expired_running_job(tmp_path: Path, attempts: int) -> tuple[Job, Path]:
    stored = tmp_path / "media" / "uploads" / "lost.wav"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"RIFF")
    job = job_create(kind="analyze_upload", payload={"path": str(stored)})
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=attempts,
                                         lease_expires_at=timezone.now() - timedelta(seconds=1))
    return job, stored


@pytest.mark.django_db
def test_a_job_out_of_attempts_fails_with_a_reason_and_its_file_is_deleted(tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GENRELENS_JOB_MAX_ATTEMPTS = 2
    job, stored = _expired_running_job(tmp_path, attempts=2)
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == f"{TIMED_OUT} (2 attempts)"
    assert not stored.exists()


@pytest.mark.django_db
def test_a_running_job_within_its_lease_is_left_alone(tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    job, stored = _expired_running_job(tmp_path, attempts=1)
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() + timedelta(minutes=5))
    assert jobs_recover() == 0
    job.refresh_from_db()
    assert job.status == "running" and stored.exists()


@pytest.fixture
def refuse_done(db) -> Iterator[None]:
    """A real database error on the write that records success (as a full disk or a lost
    connection would give), through a trigger; other writes still work."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("CREATE TRIGGER refuse_done BEFORE UPDATE ON jobs_job WHEN NEW.status = 'done' "
                           "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END")
        else:
            cursor.execute("CREATE FUNCTION refuse_done() RETURNS trigger AS $$ BEGIN "
                           "IF NEW.status = 'done' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; "
                           "RETURN NEW; END $$ LANGUAGE plpgsql")
            cursor.execute("CREATE TRIGGER refuse_done BEFORE UPDATE ON jobs_job FOR EACH ROW "
                           "EXECUTE FUNCTION refuse_done()")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse_done" + ("" if connection.vendor == "sqlite" else " ON jobs_job"))
        if connection.vendor != "sqlite":
            cursor.execute("DROP FUNCTION refuse_done()")


@pytest.mark.django_db(transaction=True)
def test_a_database_error_while_recording_success_fails_the_job_instead_of_leaving_it_running(
        tmp_path: Path, settings, refuse_done: None) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    stored = tmp_path / "media" / "uploads" / "drums.wav"
    stored.parent.mkdir(parents=True)
    write_audio(stored, drum_pattern(120.0, 6.0).samples, 22050)
    job = job_create(kind="analyze_upload", payload={"path": str(stored), "owner_session": "s"})
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", INTERNAL_ERROR)
    assert job.lease_expires_at is None and not stored.exists()
