"""Reading jobs: progress (a fanned-out job's is the sum of its parts') and listings."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from genrelens.jobs.models import Job


def job_progress_get(job: Job) -> dict[str, int] | None:
    """{"done", "total"} in the job's unit, or None while the job has not said how much there is."""
    if job.progress_total is None:
        return None
    done = job.progress_done
    if job.parent_id is None and not job.finished:
        summed = job.parts.aggregate(n=Sum("progress_done"))["n"]
        done = summed if summed is not None else done
    return {"done": min(done, job.progress_total), "total": job.progress_total}


def jobs_list(*, status: str | None = None, kind: str | None = None, limit: int = 20) -> QuerySet[Job]:
    """The newest top-level jobs first (parts are shown under their job)."""
    jobs = Job.objects.filter(parent__isnull=True)
    if status:
        jobs = jobs.filter(status=status)
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-created_at")[:limit]
