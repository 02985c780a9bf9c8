"""Create, run and watch background jobs. Each job kind is one handler that calls a service.

A job is a `Job` row (what users see) and a Celery message carrying its id (`run_job` in
genrelens/jobs/tasks.py). Running a job is idempotent whatever the broker does:

- `job_run` first *claims* the row: queued, or running under a lease that expired. A second
  delivery of the same message, or a second worker, finds it claimed and does nothing; a job that
  has finished is never run again. The claiming worker renews the lease while the handler runs.
- A worker SIGKILLed mid-job stops renewing; once its lease has expired the job is claimed again,
  either by the broker's redelivery (late acknowledgement: Redis gives the message back, the
  worker's pool re-queues a task whose child process died) or by `jobs_recover`, which beat runs
  every GENRELENS_JOB_SWEEP_SECONDS and which re-sends what the broker lost (the embedded broker
  forgets a message its consumer took before dying). After GENRELENS_JOB_MAX_ATTEMPTS runs it fails.
- Handlers are idempotent: they store with upserts or skip what is done, so a second run after a
  kill gives the same rows as one run.
- Fan-out: a handler returns `Parts([...])`; each part becomes a job of its own (unique per parent
  and key, so a re-run makes no duplicates) and the parent finishes with its last part.

Adding a job kind is one line: `HANDLERS["import_history"] = _import_history`, where the handler
takes the payload (a JSON object), returns a JSON object (or `Parts`), calls `job_progress(done,
total)` as it goes and raises `JobFailed("a reason for the user")` to fail cleanly. Errors users
see are plain reasons; exception text and paths go to the log only.
"""

from __future__ import annotations

import contextvars
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from genrelens.jobs.models import Job

log = logging.getLogger(__name__)

#: what a user reads when something went wrong on our side (the details are in the log)
INTERNAL_ERROR = "internal error: the job could not be completed (reported to the operator)"
TIMED_OUT = "the job's worker stopped before finishing it"


class JobFailed(Exception):
    """A handler's way to fail a job with a message meant for the user."""


@dataclass(frozen=True, slots=True)
class Later:
    """The upstream asked us to come back (429 Retry-After, a 5xx burst): run the job again then."""

    seconds: float
    reason: str


@contextmanager
def user_reasons() -> Iterator[None]:
    """A service's error as a job outcome: "later" for what passes (rate limits, 5xx bursts),
    a failure with the error's text (written for users) for the rest."""
    from genrelens.core.errors import GenrelensError, ProviderError, RateLimited

    try:
        yield
    except RateLimited:
        raise
    except ProviderError as exc:
        if not exc.permanent:
            raise
        raise JobFailed(str(exc)) from exc
    except GenrelensError as exc:
        raise JobFailed(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a fanned-out job: a job of `kind` named `key` among its parent's parts."""

    key: str
    kind: str
    payload: dict[str, Any]
    items: int = 1  # how much of the parent's progress total this part accounts for


@dataclass(frozen=True, slots=True)
class Parts:
    """What a handler returns to split its job into parts run by any worker."""

    parts: list[Part] = field(default_factory=list)


Handler = Callable[[dict[str, Any]], "dict[str, Any] | Parts"]

# --- handlers: one per job kind, each calling a service ----------------------------------------


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
    # The job row, not the payload: an anonymous uploader who became a guest meanwhile took the job along.
    row = Job.objects.filter(pk=_current.get()).values("owner_id", "owner_session").first() or {
        "owner_id": payload.get("owner_id"), "owner_session": payload.get("owner_session", "")}
    owner = Owner(user_id=row["owner_id"], session_key=row["owner_session"])
    track = local_analysis_store(result=result, analyser_version=ANALYSER_VERSION, owner=owner,
                                 train=bool(payload.get("train")), file_name=str(payload.get("name") or ""))
    return {"track_id": track.key}


def upload_reason(error: str, path: Path) -> str:
    """The analysis' error as a user may read it: about their file, without our file names."""
    text = error.removeprefix(f"{path}: ").removeprefix(f"{path.name}: ")
    if text.startswith(("analysis failed", "cannot read")):
        return "the analysis failed on this file"
    return text.replace(str(path), "the file").replace(path.name, "the file")


def _analyze_folder(payload: dict[str, Any]) -> Parts:
    from genrelens.jobs.analysis import folder_chunks

    with user_reasons():  # a folder gone since it was queued: say so
        chunks = folder_chunks(paths=payload["paths"], recursive=bool(payload.get("recursive")),
                               chunk=settings.GENRELENS_ANALYSIS_CHUNK)
    return Parts([Part(key=f"chunk-{i}", kind="analyze_files", payload={"paths": files}, items=len(files))
                  for i, files in enumerate(chunks)])


def _analyze_files(payload: dict[str, Any]) -> dict[str, Any]:
    from genrelens.jobs.analysis import files_analyse

    return files_analyse(paths=payload["paths"], progress=job_progress)


def _refresh_taste(payload: dict[str, Any]) -> dict[str, Any]:
    from genrelens.jobs.taste import taste_refresh

    with user_reasons():  # a lost login, no dataset: a reason the user can act on
        return taste_refresh(user_id=int(payload["user_id"]))


def _refresh_tastes(payload: dict[str, Any]) -> Parts:
    from genrelens.jobs.taste import users_with_spotify

    users = payload.get("users") or users_with_spotify()
    return Parts([Part(key=f"user-{u}", kind="refresh_taste", payload={"user_id": u}) for u in users])


def _collect(payload: dict[str, Any]) -> dict[str, Any]:
    from genrelens.jobs.collect import CollectOptions, collect_as_json, collect_run

    options = CollectOptions(**payload)
    with user_reasons():  # a run put off resumes from its journal: nothing read twice
        return collect_as_json(collect_run(options), options.name)


def _train(payload: dict[str, Any]) -> dict[str, Any]:
    from genrelens.jobs.training import TrainOptions, model_train

    with user_reasons():
        return model_train(TrainOptions(**payload))


def _import_taste(payload: dict[str, Any]) -> dict[str, Any]:
    from genrelens.core.errors import ProviderError, RateLimited
    from genrelens.core.listening.archive import Limits
    from genrelens.jobs.taste_import import taste_import
    from genrelens.listening.services import taste_import_finish

    path, import_id = Path(payload["path"]), uuid.UUID(payload["import_id"])
    limits = Limits(max_files=settings.GENRELENS_EXPORT_MAX_FILES,
                    max_unpacked_bytes=settings.GENRELENS_EXPORT_MAX_UNPACKED_BYTES)
    try:
        with user_reasons():
            result = taste_import(user_id=int(payload["user_id"]), path=path, limits=limits, import_id=import_id)
    except JobFailed as exc:  # a bad file, no dataset: a reason naming their file, not our copy of it
        reason = str(exc).replace(path.name, str(payload.get("name") or "the upload"))
        taste_import_finish(import_id=import_id, error=reason)
        raise JobFailed(reason) from exc
    except (RateLimited, ProviderError, OperationalError, InterfaceError):
        raise  # put off or run again: the import stays under way (plays are never doubled)
    except Exception:
        taste_import_finish(import_id=import_id, error=INTERNAL_ERROR)
        raise
    taste_import_finish(import_id=import_id, result=result)
    return result


#: job kind -> handler (payload in, JSON result or Parts out); handlers raise JobFailed for a clean failure
HANDLERS: dict[str, Handler] = {
    "analyze_upload": _analyze_upload,
    "analyze_folder": _analyze_folder,
    "analyze_files": _analyze_files,
    "refresh_taste": _refresh_taste,
    "refresh_tastes": _refresh_tastes,
    "collect": _collect,
    "train": _train,
    "import_taste": _import_taste,
}
#: job kind -> payload keys naming files the job owns, deleted when it ends (success or failure)
OWNED_FILES: dict[str, tuple[str, ...]] = {"analyze_upload": ("path",), "import_taste": ("path",)}

# --- creating and sending ---------------------------------------------------------------------


def job_create(*, kind: str, payload: dict[str, Any], owner_id: int | None = None, owner_session: str = "",
               key: str = "") -> Job:
    """A queued job, sent to the workers once the current transaction commits. With a `key`, an
    existing job of that kind and key is returned instead (a second scheduler makes no duplicate)."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    if key:
        job, created = Job.objects.get_or_create(kind=kind, key=key, parent=None, defaults={
            "payload": payload, "owner_id": owner_id, "owner_session": owner_session})
        if not created:
            return job
    else:
        job = Job.objects.create(kind=kind, payload=payload, owner_id=owner_id, owner_session=owner_session)
    job_send(job_ids=[job.pk])
    return job


def job_send(*, job_ids: list[uuid.UUID], countdown: float | None = None) -> None:
    """Give the jobs to the broker after the transaction commits (a worker must find the row), and
    record each send the broker accepted (`sent_at`, `send_count`). A send that fails records
    nothing: the job stays due, and `jobs_recover` sends it on its next sweep."""
    from genrelens.jobs.tasks import run_job

    def send() -> None:
        sent: list[uuid.UUID] = []
        for job_id in job_ids:
            try:
                run_job.apply_async(args=[str(job_id)], countdown=countdown)
            except Exception:  # the broker is down: the row is safe, the sweep re-sends
                log.exception("job %s: could not reach the broker; it stays queued", job_id)
                continue
            sent.append(job_id)
            if len(sent) == _SENT_BATCH:  # a fan-out of a million parts is recorded as it goes
                _record_sent(sent)
                sent = []
        _record_sent(sent)

    transaction.on_commit(send)


#: sends recorded per UPDATE: few statements, each well under any database's parameter limit
_SENT_BATCH = 500


def _record_sent(job_ids: list[uuid.UUID]) -> None:
    if not job_ids:
        return
    try:
        Job.objects.filter(pk__in=job_ids).update(sent_at=timezone.now(), send_count=F("send_count") + 1)
    except DatabaseError:  # the messages are out; unrecorded, they are sent once more by a sweep
        log.warning("could not record the sending of %d job(s)", len(job_ids), exc_info=True)


# --- running -----------------------------------------------------------------------------------

_current: contextvars.ContextVar[uuid.UUID | None] = contextvars.ContextVar("genrelens_job", default=None)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _lease() -> timedelta:
    return timedelta(seconds=settings.GENRELENS_JOB_LEASE_SECONDS)


def _claimable(now: datetime) -> Q:
    return Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, lease_expires_at__lt=now)


def job_claim(*, job_id: uuid.UUID, worker: str) -> Job | None:
    """Take the job under a fresh lease; None when it is finished, or another worker holds it.
    A job out of attempts is failed here instead of being run once more."""
    now = timezone.now()
    job = Job.objects.filter(_claimable(now), pk=job_id).first()
    if job is None:
        return None
    if job.attempts >= settings.GENRELENS_JOB_MAX_ATTEMPTS:
        _give_up(job, now)
        return None
    taken = Job.objects.filter(_claimable(now), pk=job_id, attempts=job.attempts).update(
        status=Job.Status.RUNNING, worker=worker, started_at=now, lease_expires_at=now + _lease(),
        attempts=F("attempts") + 1, progress_done=0)
    return Job.objects.get(pk=job_id) if taken else None


def job_run(*, job_id: uuid.UUID, worker: str | None = None) -> Job | None:
    """Claim and run one job, recording its result or its error; a no-op for a finished or taken
    job, and for one that no longer exists (its owner was deleted): None."""
    worker = worker or worker_name()
    job = job_claim(job_id=job_id, worker=worker)
    if job is None:
        return Job.objects.filter(pk=job_id).first()
    token = _current.set(job.pk)
    try:
        with _lease_kept(job.pk, worker):
            outcome = _call(job)
    finally:
        _current.reset(token)
    if isinstance(outcome, Parts):
        return _fan_out(job, worker, outcome)
    if isinstance(outcome, Later):
        return _put_off(job, worker, outcome)
    status, result, error = outcome
    return _finish(job, worker=worker, status=status, result=result, error=error)


def _call(job: Job) -> Parts | Later | tuple[str, dict[str, Any] | None, str]:
    from genrelens.core.errors import ProviderError, RateLimited

    try:
        result = HANDLERS[job.kind](job.payload)
    except JobFailed as exc:
        return Job.Status.FAILED, None, str(exc)
    except RateLimited as exc:
        return Later(exc.retry_after, str(exc))
    except ProviderError as exc:  # transient: back off, doubling; permanent: the message is for users
        if exc.permanent:
            return Job.Status.FAILED, None, str(exc)
        return Later(min(settings.GENRELENS_JOB_BACKOFF_SECONDS * 2 ** job.retries, 3600.0), str(exc))
    except (OperationalError, InterfaceError):  # the database went away: the lease runs out, the job runs again
        raise
    except Exception:  # a bug must not leave the job "running" forever, nor show its text to users
        log.exception("job %s (%s) failed", job.pk, job.kind)
        return Job.Status.FAILED, None, INTERNAL_ERROR
    return result if isinstance(result, Parts) else (Job.Status.DONE, result, "")


def job_progress(done: int, total: int | None = None) -> None:
    """Record how far the current job is (a no-op outside a job, so services may always call it)."""
    job_id = _current.get()
    if job_id is None:
        return
    fields: dict[str, Any] = {"progress_done": done}
    if total is not None:
        fields["progress_total"] = total
    try:
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(**fields)
    except DatabaseError:  # progress is a courtesy: never let it fail the work itself
        log.warning("job %s: could not record progress", job_id, exc_info=True)


@contextmanager
def _lease_kept(job_id: uuid.UUID, worker: str) -> Iterator[None]:
    """Renew the lease from a thread while the handler runs (it may sit in C code for minutes)."""
    stop = threading.Event()
    every = settings.GENRELENS_JOB_LEASE_SECONDS / 3

    def renew() -> None:
        try:
            while not stop.wait(every):
                try:
                    Job.objects.filter(pk=job_id, worker=worker, status=Job.Status.RUNNING).update(
                        lease_expires_at=timezone.now() + _lease())
                except DatabaseError:  # the database restarted: reconnect on the next renewal
                    log.warning("job %s: could not renew its lease", job_id, exc_info=True)
                    connection.close_if_unusable_or_obsolete()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=renew, name=f"lease-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _put_off(job: Job, worker: str, later: Later) -> Job:
    """Queue the job again for when the upstream said; after GENRELENS_JOB_MAX_RETRIES of those, fail."""
    if job.retries >= settings.GENRELENS_JOB_MAX_RETRIES:
        return _finish(job, worker=worker, status=Job.Status.FAILED,
                       error=f"the service kept refusing ({job.retries} retries): {later.reason}")
    log.warning("job %s: %s; running it again in %.0f s", job.pk, later.reason, later.seconds)
    with transaction.atomic():
        # not an attempt: the worker did not die, the upstream asked for a pause
        put_off = Job.objects.filter(pk=job.pk, worker=worker, status=Job.Status.RUNNING).update(
            status=Job.Status.QUEUED, worker="", attempts=F("attempts") - 1, sent_at=None, send_count=0,
            lease_expires_at=timezone.now() + timedelta(seconds=later.seconds) + _lease(),
            retries=F("retries") + 1)
        if put_off:
            job_send(job_ids=[job.pk], countdown=later.seconds)
    job.refresh_from_db()
    return job


def _fan_out(job: Job, worker: str, outcome: Parts) -> Job:
    """Make the parts (once, whatever the number of runs) and leave the job to its last part."""
    with transaction.atomic():
        # The parent's row first: a part finishing meanwhile waits for this count, or is in it.
        Job.objects.select_for_update().filter(pk=job.pk).first()
        for part in outcome.parts:
            Job.objects.get_or_create(parent=job, key=part.key, defaults={
                "kind": part.kind, "payload": part.payload, "progress_total": part.items,
                "owner_id": job.owner_id, "owner_session": job.owner_session})
        open_ids = list(job.parts.exclude(status__in=[Job.Status.DONE, Job.Status.FAILED]).values_list("pk", flat=True))
        Job.objects.filter(pk=job.pk, worker=worker).update(
            lease_expires_at=None, parts_open=len(open_ids),
            progress_total=sum(p.items for p in outcome.parts))
        if not open_ids:
            _finish_parent(job.pk)
        job_send(job_ids=open_ids)
    job.refresh_from_db()
    return job


def _finish(job: Job, *, worker: str, status: str, result: dict[str, Any] | None = None, error: str = "") -> Job:
    """Record the outcome; when that write fails, record a failure instead. Should even that fail,
    the job's lease runs out and it is run again."""
    try:
        _record(job, worker=worker, status=status, result=result, error=error)
    except DatabaseError:
        log.exception("job %s: could not record its outcome (%s)", job.pk, status)
        _record(job, worker=worker, status=Job.Status.FAILED, result=None, error=INTERNAL_ERROR)
    _delete_owned_files(job)
    job.refresh_from_db()
    return job


def _record(job: Job, *, worker: str, status: str, result: dict[str, Any] | None, error: str) -> None:
    """Compare-and-set on the worker: a run whose lease was taken over by another records nothing.
    A part's parent learns in the same transaction, so its last part finishes it exactly once."""
    with transaction.atomic():
        total = max(job.progress_total or 0, 1)
        recorded = Job.objects.filter(pk=job.pk, worker=worker, status=Job.Status.RUNNING).update(
            status=status, result=result, error=error, finished_at=timezone.now(), lease_expires_at=None,
            progress_done=total, progress_total=total)
        if not recorded:
            log.warning("job %s: another worker took it over; this run's outcome is dropped", job.pk)
            return
        if job.parent_id is not None:
            _part_finished(job.parent_id)


def _part_finished(parent_id: uuid.UUID) -> None:
    # The update takes the parent's row lock (PostgreSQL) or the write lock (SQLite) first, so
    # two parts finishing at once see each other's decrement.
    Job.objects.filter(pk=parent_id).update(parts_open=F("parts_open") - 1)
    if Job.objects.filter(pk=parent_id, parts_open=0).exists():
        _finish_parent(parent_id)


def _finish_parent(parent_id: uuid.UUID) -> None:
    parts = Job.objects.filter(parent_id=parent_id)
    failed = list(parts.filter(status=Job.Status.FAILED).values_list("key", "error")[:20])
    items = parts.aggregate(n=Sum("progress_total"))["n"] or 0
    result = {"parts": parts.count(), "failed": parts.filter(status=Job.Status.FAILED).count(), "items": items,
              "errors": [f"{key}: {error}" for key, error in failed]}
    Job.objects.filter(pk=parent_id, status=Job.Status.RUNNING).update(
        status=Job.Status.DONE, result=result, finished_at=timezone.now(), worker="", progress_done=items,
        progress_total=items)


def _give_up(job: Job, now: datetime) -> None:
    with transaction.atomic():
        failed = Job.objects.filter(_claimable(now), pk=job.pk, attempts=job.attempts).update(
            status=Job.Status.FAILED, finished_at=now, lease_expires_at=None,
            error=f"{TIMED_OUT} ({job.attempts} attempts)")
        if failed and job.parent_id is not None:
            _part_finished(job.parent_id)
    if failed:
        log.warning("job %s: failed after %d attempts that did not finish", job.pk, job.attempts)
        _delete_owned_files(job)


def _delete_owned_files(job: Job) -> None:
    """Uploaded audio is kept only while its job may still need it; only files under MEDIA_ROOT
    are ever deleted, whatever a payload says."""
    media = Path(settings.MEDIA_ROOT).resolve()
    for key in OWNED_FILES.get(job.kind, ()):
        raw = job.payload.get(key)
        path = Path(raw).resolve() if raw else None
        if path is not None and path.is_relative_to(media):
            path.unlink(missing_ok=True)


# --- recovery ----------------------------------------------------------------------------------


def jobs_recover(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Send again the jobs a worker should be running but is not; at most `limit` messages
    (GENRELENS_JOB_SWEEP_MAX_SENDS), so that a sweep over a backlog never floods the broker:

    - running under an expired lease (its worker died): every sweep until a worker claims it,
      first. They are at most the jobs that were running, however long the queue;
    - queued, and no send was ever accepted (the broker was down when it was created or put off);
    - queued, sent, and not claimed since: its message may be lost (the embedded broker forgets
      one its consumer took before dying; a Redis without persistence restarted) or may be
      waiting behind a backlog. Sent again after a lease since its last send, then 2, 4, ...
      leases, at most GENRELENS_JOB_RESEND_MAX_SECONDS; and only as many as the broker lacks:
      while it holds a message for every such job, a backlog costs no duplicate at all.

    Dead workers' jobs go first, then the never sent (oldest first), then the longest unsent, so a
    capped sweep reaches every due job in turn. Sending twice is
    harmless: only one run claims the job. Returns how many sends were attempted."""
    now = now or timezone.now()
    limit = settings.GENRELENS_JOB_SWEEP_MAX_SENDS if limit is None else limit
    dead = _first(Q(status=Job.Status.RUNNING, lease_expires_at__lt=now), limit, "lease_expires_at")
    queued = Q(_not_waiting(now), status=Job.Status.QUEUED)
    unsent = _first(queued & Q(sent_at__isnull=True), limit - len(dead), "created_at")
    room = limit - len(dead) - len(unsent)
    missing = _messages_missing(queued)
    if missing is not None:
        room = min(room, missing - len(unsent))
    stale = _first(queued & _resend_due(now), room, "sent_at", "created_at")
    if dead or unsent or stale:
        log.warning("sending jobs again: %d whose worker stopped, %d never sent, %d sent and not taken",
                    len(dead), len(unsent), len(stale))
        with transaction.atomic():
            job_send(job_ids=dead + unsent + stale)
    return len(dead) + len(unsent) + len(stale)


def _first(where: Q, n: int, *order: str) -> list[uuid.UUID]:
    """The first n jobs in `order`. Dead workers' jobs and never-sent ones are found by index
    (lease_expires_at; status + sent_at IS NULL); the sent-and-untaken, read only when the broker
    lacks messages, may take a scan of the queued rows (73 ms for 300,000: bench/bench_sweep.py)."""
    if n <= 0:
        return []
    return list(Job.objects.filter(where).order_by(*order).values_list("pk", flat=True)[:n])


def _messages_missing(queued: Q) -> int | None:
    """How many queued jobs the broker holds no message for, at least: the queued jobs less the
    messages waiting (duplicates among those only make this smaller, so a lost message may wait
    until the queue runs dry; never longer). None when the broker cannot say."""
    from genrelens.jobs.broker import messages_waiting

    waiting = messages_waiting()
    if waiting is None:
        return None
    return max(0, Job.objects.filter(queued).count() - waiting)


def resend_waits() -> list[float]:
    """Seconds a queued job waits for a worker after its 1st, 2nd, ... send before it is sent
    again; the last wait holds for every later send."""
    lease, cap = settings.GENRELENS_JOB_LEASE_SECONDS, settings.GENRELENS_JOB_RESEND_MAX_SECONDS
    waits = [min(lease, cap)]
    while waits[-1] < cap:
        waits.append(min(waits[-1] * 2, cap))
    return waits


def _resend_due(now: datetime) -> Q:
    """Sent jobs not taken within the wait for their send count: one term per count, 7 with the
    defaults (a stored "due at" column would need the doubling in SQL, per database)."""
    waits = resend_waits()
    due = Q(send_count__gte=len(waits), sent_at__lt=now - timedelta(seconds=waits[-1]))
    for sends, wait in enumerate(waits[:-1], start=1):
        due |= Q(send_count=sends, sent_at__lt=now - timedelta(seconds=wait))
    return due


def _not_waiting(now: datetime) -> Q:
    """A job put off holds a lease until its delayed message is due: that message is not lost
    (and a worker, not the broker's queue, holds it meanwhile)."""
    return Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
