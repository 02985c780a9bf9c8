"""Jobs never stay "running" forever and never run twice (issue 19, finding 7; issue 14): a run
out of attempts, a live lease, a database error while recording the outcome, a fan-out run again
after a kill, files left behind. Real worker processes: tests/jobs/test_celery_workers.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from genrelens.core.audio.synth import drum_pattern, write_audio
from genrelens.jobs.models import Job
from genrelens.jobs.selectors import job_progress_get
from genrelens.jobs.services import INTERNAL_ERROR, TIMED_OUT, job_claim, job_create, job_run, jobs_recover


def _running_job(tmp_path: Path, attempts: int, *, expired: bool) -> tuple[Job, Path]:
    stored = tmp_path / "media" / "uploads" / "lost.wav"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"RIFF")
    job = job_create(kind="analyze_upload", payload={"path": str(stored)})
    lease = timezone.now() + (timedelta(seconds=-1) if expired else timedelta(minutes=5))
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=attempts, worker="gone:1:1",
                                         lease_expires_at=lease)
    return job, stored


@pytest.mark.django_db
def test_a_job_out_of_attempts_fails_with_a_reason_and_its_file_is_deleted(tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GENRELENS_JOB_MAX_ATTEMPTS = 2
    job, stored = _running_job(tmp_path, attempts=2, expired=True)
    job_run(job_id=job.pk)  # as a redelivered message would
    job.refresh_from_db()
    assert job.status == "failed" and job.error == f"{TIMED_OUT} (2 attempts)"
    assert not stored.exists()


@pytest.mark.django_db
def test_a_running_job_within_its_lease_is_neither_sent_again_nor_run_by_another_worker(
        tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    job, stored = _running_job(tmp_path, attempts=1, expired=False)
    assert jobs_recover() == 0
    assert job_claim(job_id=job.pk, worker="other:2:2") is None
    job.refresh_from_db()
    assert (job.status, job.worker, job.attempts) == ("running", "gone:1:1", 1) and stored.exists()


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_again_a_job_whose_worker_died_and_one_whose_message_was_lost(
        tmp_path: Path, settings, broker_dir: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    dead, _ = _running_job(tmp_path, attempts=1, expired=True)
    lost = job_create(kind="refresh_taste", payload={"user_id": 1})
    Job.objects.filter(pk=lost.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    queue = broker_dir / "queue"
    shutil.rmtree(queue)  # the message is lost (and those earlier tests left)
    queue.mkdir()
    fresh = job_create(kind="refresh_taste", payload={"user_id": 2})  # its message is still on its way
    before = len(list(queue.iterdir()))
    assert jobs_recover() == 2
    assert len(list(queue.iterdir())) == before + 2
    assert Job.objects.get(pk=fresh.pk).status == "queued" and Job.objects.get(pk=dead.pk).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_fan_out_run_again_after_a_kill_makes_no_second_set_of_parts(tmp_path: Path, settings) -> None:
    settings.GENRELENS_ANALYSIS_CHUNK = 2
    for i in range(3):
        synth = drum_pattern(100.0 + 10 * i, 2.0)
        write_audio(tmp_path / f"d{i}.wav", synth.samples, synth.sr)
    job = job_create(kind="analyze_folder", payload={"paths": [str(tmp_path)], "recursive": False})
    job_run(job_id=job.pk, worker="first:1:1")
    # the worker dies after making the parts, before anyone learns: its claim expires
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    job_run(job_id=job.pk, worker="second:2:2")
    job.refresh_from_db()
    assert sorted(job.parts.values_list("key", flat=True)) == ["chunk-0", "chunk-1"]
    assert job_progress_get(job) == {"done": 0, "total": 3} and job.parts_open == 2
    for part in job.parts.all():
        job_run(job_id=part.pk, worker="third:3:3")
    job.refresh_from_db()
    assert (job.status, job.result["parts"], job.result["failed"]) == ("done", 2, 0)
    assert job_progress_get(job) == {"done": 3, "total": 3}


@pytest.mark.django_db(transaction=True)
def test_the_nightly_refresh_is_scheduled_and_makes_one_job_a_day_however_often_it_fires(broker_dir: Path) -> None:
    from config.celery import app
    from genrelens.jobs.tasks import refresh_all_tastes

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"genrelens.refresh_all_tastes", "genrelens.sweep_jobs"} <= scheduled
    refresh_all_tastes()
    refresh_all_tastes()  # a second beat, or one restarted after its run
    jobs = Job.objects.filter(kind="refresh_tastes")
    assert jobs.count() == 1 and jobs.get().key == f"nightly-{timezone.now():%Y-%m-%d}"


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
