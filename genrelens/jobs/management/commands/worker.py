"""`genrelens worker`: run queued background jobs (for deployments that keep them out of the web process)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from genrelens.jobs.services import job_run, next_queued


class Command(BaseCommand):
    help = "Run queued background jobs (uploads to analyse); --once runs what is queued and exits."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks at the queue")

    def handle(self, *args: Any, **opts: Any) -> None:
        while True:
            job = next_queued()
            if job is None:
                if opts["once"]:
                    return
                time.sleep(opts["poll"])
                continue
            done = job_run(job_id=job.pk)
            self.stdout.write(f"{done.kind} {done.pk}: {done.status} {done.error}".rstrip())
