"""Celery tasks: each only calls a service in genrelens/jobs/services.py.

Every job kind runs through `run_job` (one task, one code path; the kinds are the `HANDLERS` of
services.py): acknowledged late and rejected back to the queue when its worker process is lost,
and idempotent because `job_run` claims the job's row first.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.db import close_old_connections
from django.utils import timezone

from genrelens.jobs.services import job_create, job_run, jobs_recover, worker_name


@shared_task(name="genrelens.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: str) -> None:
    try:
        job_run(job_id=uuid.UUID(job_id), worker=worker_name())
    finally:
        close_old_connections()  # a worker thread's connection must not outlive its job


@shared_task(name="genrelens.sweep_jobs", ignore_result=True)
def sweep_jobs() -> None:
    jobs_recover()


@shared_task(name="genrelens.refresh_all_tastes", ignore_result=True)
def refresh_all_tastes() -> None:
    # Keyed by the day: two schedulers, or a beat restarted after its run, make one job, not two.
    job_create(kind="refresh_tastes", payload={}, key=f"nightly-{timezone.now():%Y-%m-%d}")


@worker_ready.connect
def _recover_on_start(**kwargs: object) -> None:
    """A worker starting after a crash puts back what the crash left (beat may not be running)."""
    jobs_recover()


@worker_process_init.connect
def _allow_analysis_children(**kwargs: object) -> None:
    """The prefork pool marks its children daemonic, and Python refuses children to those; a job
    analyses each file in a child of its own (resource limits, a crash costs one file). That child
    is daemonic itself, so it still ends with the job's process. The pool's own authentication
    key type cannot be pickled to the fork server that starts those children: use a plain one."""
    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    config["daemon"] = False
    config["authkey"] = multiprocessing.process.AuthenticationString(os.urandom(32))
