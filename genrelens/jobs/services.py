"""Create, claim and run background jobs. Each job kind is one function that calls a service.

A claimed job holds a lease (GENRELENS_JOB_LEASE_SECONDS). A runner that dies mid-job (SIGKILL,
a lost machine) never finishes it; once the lease has expired, `jobs_recover` puts the job back in
the queue, or fails it with a reason after GENRELENS_JOB_MAX_ATTEMPTS tries. Errors users see are
plain reasons; exception text and paths go to the log only.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from genrelens.jobs.models import Job

log = logging.getLogger(__name__)

#: what a user reads when something went wrong on our side (the details are in the log)
INTERNAL_ERROR = "internal error: the job could not be completed (reported to the operator)"
TIMED_OUT = "the job did not finish within its time limit"


class JobFailed(Exception):
    """A handler's way to fail a job with a message meant for the user."""


def _analyze_upload(payload: dict[str, Any]) -> dict[str, Any]:
    from genrelens.catalog.local import Owner, local_analysis_store
    from genrelens.core.audio.analyze import ANALYSER_VERSION
    from genrelens.core.audio.sandboxed import analyze_limited

    path = Path(payload["path"])
    result = analyze_limited(path, memory_bytes=settings.GENRELENS_ANALYSIS_MEMORY_BYTES,
                             seconds=settings.GENRELENS_ANALYSIS_SECONDS)
    if result.error is not None:
        log.warning("upload %s (%s) failed: %s", path, payload.get("name"), result.error)
        raise JobFailed(upload_reason(result.error, path))
    owner = Owner(user_id=payload.get("owner_id"), session_key=payload.get("owner_session", ""))
    track = local_analysis_store(result=result, analyser_version=ANALYSER_VERSION, owner=owner,
                                 train=bool(payload.get("train")), file_name=str(payload.get("name") or ""))
    return {"track_id": track.key}


def upload_reason(error: str, path: Path) -> str:
    """The analysis' error as a user may read it: about their file, without our file names."""
    text = error.removeprefix(f"{path}: ").removeprefix(f"{path.name}: ")
    if text.startswith(("analysis failed", "cannot read")):
        return "the analysis failed on this file"
    return text.replace(str(path), "the file").replace(path.name, "the file")


#: job kind -> handler (payload in, JSON result out); handlers raise JobFailed for a clean failure
def _refresh_taste(payload: dict[str, Any]) -> dict[str, Any]:
    from genrelens.core.errors import GenrelensError
    from genrelens.jobs.taste import taste_refresh

    try:
        return taste_refresh(user_id=int(payload["user_id"]))
    except GenrelensError as exc:  # a lost login, a rate limit, no dataset: a reason the user can act on
        raise JobFailed(str(exc)) from exc


def _import_taste(payload: dict[str, Any]) -> dict[str, Any]:
    from genrelens.core.errors import GenrelensError
    from genrelens.core.listening.archive import Limits
    from genrelens.jobs.taste_import import taste_import
    from genrelens.listening.services import taste_import_finish

    path, import_id = Path(payload["path"]), uuid.UUID(payload["import_id"])
    limits = Limits(max_files=settings.GENRELENS_EXPORT_MAX_FILES,
                    max_unpacked_bytes=settings.GENRELENS_EXPORT_MAX_UNPACKED_BYTES)
    try:
        result = taste_import(user_id=int(payload["user_id"]), path=path, limits=limits, import_id=import_id)
    except GenrelensError as exc:  # a bad file, no dataset: a reason naming their file, not our copy of it
        reason = str(exc).replace(path.name, str(payload.get("name") or "the upload"))
        taste_import_finish(import_id=import_id, error=reason)
        raise JobFailed(reason) from exc
    except Exception:
        taste_import_finish(import_id=import_id, error=INTERNAL_ERROR)
        raise
    taste_import_finish(import_id=import_id, result=result)
    return result


HANDLERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {"analyze_upload": _analyze_upload,
                                                                   "refresh_taste": _refresh_taste,
                                                                   "import_taste": _import_taste}
#: job kind -> payload keys naming files the job owns, deleted when it ends (success or failure)
OWNED_FILES: dict[str, tuple[str, ...]] = {"analyze_upload": ("path",), "import_taste": ("path",)}


def job_create(*, kind: str, payload: dict[str, Any], owner_id: int | None = None, owner_session: str = "") -> Job:
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    return Job.objects.create(kind=kind, payload=payload, owner_id=owner_id, owner_session=owner_session)


def _lease() -> timedelta:
    return timedelta(seconds=settings.GENRELENS_JOB_LEASE_SECONDS)


def job_claim(*, job_id: uuid.UUID) -> bool:
    """Move a queued job to running under a fresh lease; False when someone else already took it."""
    now = timezone.now()
    return Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, lease_expires_at=now + _lease(),
        attempts=F("attempts") + 1) == 1


def job_run(*, job_id: uuid.UUID) -> Job:
    """Claim and run one job, recording its result or its error."""
    if not job_claim(job_id=job_id):
        return Job.objects.get(pk=job_id)
    job = Job.objects.get(pk=job_id)
    try:
        result = HANDLERS[job.kind](job.payload)
    except JobFailed as exc:
        return _finish(job, status=Job.Status.FAILED, error=str(exc))
    except Exception:  # a bug must not leave the job "running" forever, nor show its text to users
        log.exception("job %s (%s) failed", job.pk, job.kind)
        return _finish(job, status=Job.Status.FAILED, error=INTERNAL_ERROR)
    return _finish(job, status=Job.Status.DONE, result=result)


def _finish(job: Job, *, status: str, result: dict[str, Any] | None = None, error: str = "") -> Job:
    """Record the outcome; when that write fails, record a failure instead. Should even that fail,
    the job's lease runs out and `jobs_recover` deals with it."""
    try:
        _record(job, status=status, result=result, error=error)
    except DatabaseError:
        log.exception("job %s: could not record its outcome (%s)", job.pk, status)
        _record(job, status=Job.Status.FAILED, result=None, error=INTERNAL_ERROR)
    _delete_owned_files(job)
    return job


def _record(job: Job, *, status: str, result: dict[str, Any] | None, error: str) -> None:
    job.status, job.result, job.error, job.finished_at = status, result, error, timezone.now()
    job.lease_expires_at = None
    job.save(update_fields=["status", "result", "error", "finished_at", "lease_expires_at"])


def _delete_owned_files(job: Job) -> None:
    """Uploaded audio is kept only while its job may still need it; only files under MEDIA_ROOT
    are ever deleted, whatever a payload says."""
    media = Path(settings.MEDIA_ROOT).resolve()
    for key in OWNED_FILES.get(job.kind, ()):
        raw = job.payload.get(key)
        path = Path(raw).resolve() if raw else None
        if path is not None and path.is_relative_to(media):
            path.unlink(missing_ok=True)


def jobs_recover(*, now: datetime | None = None) -> int:
    """Requeue running jobs whose lease expired (their runner died), or fail those out of attempts."""
    now = now or timezone.now()
    recovered = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING, lease_expires_at__lt=now):
        # Compare-and-set on the lease: two recovering workers never both take the same job.
        still_expired = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING,
                                           lease_expires_at=job.lease_expires_at)
        if job.attempts < settings.GENRELENS_JOB_MAX_ATTEMPTS:
            recovered += still_expired.update(status=Job.Status.QUEUED, lease_expires_at=None)
            log.warning("job %s: its runner stopped (attempt %d); queued again", job.pk, job.attempts)
        elif still_expired.update(status=Job.Status.FAILED, finished_at=now, lease_expires_at=None,
                                  error=f"{TIMED_OUT} ({job.attempts} attempts)"):
            recovered += 1
            log.warning("job %s: failed after %d attempts that did not finish", job.pk, job.attempts)
            _delete_owned_files(job)
    return recovered


def next_queued() -> Job | None:
    """The oldest job to run, after putting back the ones whose runner died."""
    jobs_recover()
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
            # Jobs a previous process queued, or was running when it stopped, are not lost.
            _executor.submit(_drain_in_thread)
        return _executor


def _drain_in_thread() -> None:
    try:
        close_old_connections()
        while (job := next_queued()) is not None:
            job_run(job_id=job.pk)
    except DatabaseError:
        log.exception("could not pick up jobs left by an earlier process")
    finally:
        close_old_connections()


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
