"""`genrelens jobs [JOB_ID]`: background jobs, newest first, or one job with its parts."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.jobs.models import Job
from genrelens.jobs.selectors import job_progress_get, jobs_list


class Command(BaseCommand):
    help = "Show background jobs: status, progress (done/total), result or error; JOB_ID shows one with its parts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", nargs="?", help="one job (its id as printed when it was queued)")
        parser.add_argument("--status", choices=[s.value for s in Job.Status])
        parser.add_argument("--kind", help="only jobs of this kind (analyze_upload, refresh_tastes, ...)")
        parser.add_argument("--limit", type=int, default=20, help="how many (default 20)")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["job_id"]:
            job = _get(opts["job_id"])
            jobs = [job, *job.parts.order_by("key")]
        else:
            jobs = list(jobs_list(status=opts["status"], kind=opts["kind"], limit=opts["limit"]))
        for job in jobs:
            self.stdout.write(json.dumps(_json(job), default=str) if opts["json"] else _line(job))


def _get(job_id: str) -> Job:
    try:
        job = Job.objects.filter(pk=job_id).first()
    except ValidationError:
        job = None
    if job is None:
        raise CommandError(f"no job {job_id}")
    return job


def _json(job: Job) -> dict[str, Any]:
    return {"id": str(job.pk), "kind": job.kind, "status": job.status, "progress": job_progress_get(job),
            "attempts": job.attempts, "error": job.error, "result": job.result, "parent": job.parent_id,
            "created_at": job.created_at, "finished_at": job.finished_at}


def _line(job: Job) -> str:
    progress = job_progress_get(job)
    shown = f"{progress['done']}/{progress['total']}" if progress else "-"
    outcome = job.error or (json.dumps(job.result, default=str)[:100] if job.result else "")
    indent = "  " if job.parent_id else ""
    return f"{indent}{job.pk}  {job.kind:<15} {job.status:<8} {shown:>9}  {outcome}".rstrip()
