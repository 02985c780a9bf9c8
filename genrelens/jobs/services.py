"""Create, claim and run background jobs. Each job kind is one function that calls a service."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.utils import timezone

from genrelens.jobs.models import Job

log = logging.getLogger(__name__)


def _analyze_upload(payload: dict[str, Any]) -> dict[str, Any]:
    from genrelens.catalog.local import local_analysis_store
    from genrelens.core.audio.analyze import ANALYSER_VERSION, analyze_file

    result = analyze_file(payload["path"])
    if result.error is not None:
        raise JobFailed(result.error)
    track = local_analysis_store(result=result, analyser_version=ANALYSER_VERSION)
    return {"track_id": track.key}


#: job kind -> handler (payload in, JSON result out); handlers raise JobFailed for a clean failure
HANDLERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"analyze_upload": _analyze_upload}


class JobFailed(Exception):
    """A handler's way to fail a job with a message meant for the user."""


def job_create(*, kind: str, payload: dict[str, Any]) -> Job:
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.objects.create(kind=kind, payload=payload)


def job_claim(*, job_id: uuid.UUID) -> bool:
    """Move a queued job to running; False when someone else already took it."""
    return Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()) == 1


def job_run(*, job_id: uuid.UUID) -> Job:
    """Claim and run one job, recording its result or its error."""
    if not job_claim(job_id=job_id):
        return Job.objects.get(pk=job_id)
    job = Job.objects.get(pk=job_id)
    try:
        result = HANDLERS[job.kind](job.payload)
    except JobFailed as exc:
        return _finish(job, status=Job.Status.FAILED, error=str(exc))
    except Exception as exc:  # a bug must not leave the job "running" forever
        log.exception("job %s failed", job.pk)
        return _finish(job, status=Job.Status.FAILED, error=f"internal error: {exc}")
    return _finish(job, status=Job.Status.DONE, result=result)


def _finish(job: Job, *, status: str, result: dict[str, Any] | None = None, error: str = "") -> Job:
    job.status, job.result, job.error, job.finished_at = status, result, error, timezone.now()
    job.save(update_fields=["status", "result", "error", "finished_at"])
    return job


def next_queued() -> Job | None:
    return Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at").first()


# --- running jobs in the web process -----------------------------------------------------------

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def job_submit(*, job: Job) -> None:
    """Run the job in a background thread after the current transaction commits.

    One thread: audio analysis already uses the core it runs on. With
    GENRELENS_JOBS_IN_PROCESS=0 jobs wait for `genrelens worker` instead.
    """
    if not settings.GENRELENS_JOBS_IN_PROCESS:
        return
    transaction.on_commit(lambda: _pool().submit(_run_in_thread, job.pk))


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="genrelens-job")
        return _executor


def _run_in_thread(job_id: uuid.UUID, attempts: int = 3) -> None:
    """A thread has no caller to report to: a database error is logged and the job tried again,
    and a job that still cannot run stays queued for `genrelens worker`."""
    for attempt in range(1, attempts + 1):
        close_old_connections()
        try:
            job_run(job_id=job_id)
            return
        except DatabaseError:
            log.exception("job %s: database error (attempt %d of %d)", job_id, attempt, attempts)
            time.sleep(0.5 * attempt)
        finally:
            close_old_connections()
