"""Background jobs: a row per job is what users see (status, progress, result or error) and what
makes running a job idempotent; Celery only carries the job's id to a worker (docs/jobs.md)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    payload = models.JSONField(default=dict)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker running the job renews its lease while it runs; a job whose lease expired lost
    # its worker and may be claimed again (up to GENRELENS_JOB_MAX_ATTEMPTS runs). A job waiting
    # for its parts (fan-out) is running with no lease: its parts' leases are what is watched. A
    # queued job put off (Retry-After) holds one too: its delayed message is due before it ends.
    lease_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last message the broker accepted for this job, and how many it accepted, since the job
    # was last queued (created, or put off: both reset): the sweep re-sends a queued job only after
    # a wait doubling with each send (genrelens/jobs/services.py, jobs_recover). A send the broker
    # refused records nothing, so the job stays due; no sent_at means never sent. db_default:
    # rows inserted by an older release during a rolling deploy count as never sent.
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0, db_default=0)
    # Runs put off because the upstream said "later" (429 with Retry-After, 5xx): not attempts,
    # capped by GENRELENS_JOB_MAX_RETRIES.
    retries = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True, default="", help_text="who holds the lease")
    # Progress in the job's own unit (files, users); a fanned-out job's is the sum of its parts'.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    # Fan-out: a job split into parts, each a job of its own, finished when its last part is.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="parts")
    parts_open = models.PositiveIntegerField(default=0)
    # A name unique among a parent's parts (or among top-level jobs of a kind, e.g. one nightly
    # refresh per day), so a re-run of a fan-out or a second scheduler never makes a duplicate.
    key = models.CharField(max_length=200, blank=True, default="")
    # Who may see the job: a logged-in user, or else the anonymous session that created it.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="jobs")
    owner_session = models.CharField(max_length=40, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["created_at"]
        # the sweep's query: due jobs of a status, the longest unsent first
        indexes = [models.Index(fields=["status", "sent_at"], name="job_status_sent_at")]
        constraints = [
            models.UniqueConstraint(fields=["parent", "key"], condition=Q(parent__isnull=False),
                                    name="job_part_key_unique"),
            models.UniqueConstraint(fields=["kind", "key"], condition=Q(parent__isnull=True) & ~Q(key=""),
                                    name="job_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
