"""`genrelens worker`: a Celery worker running background jobs (docs/jobs.md).

On the embedded broker (no CELERY_BROKER_URL) it also runs the scheduler (beat), so one process is
all a laptop needs; with Redis, run `genrelens beat` once beside any number of workers.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.celery import app, broker_folders


def embedded_broker() -> bool:
    return str(settings.CELERY_BROKER_URL).startswith("filesystem")


class Command(BaseCommand):
    help = "Run background jobs (uploads, folders, tastes, collect, train) as a Celery worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, help="jobs run at once (default: one per core)")
        parser.add_argument("--pool", choices=["prefork", "solo", "threads"], default="prefork",
                            help="prefork (default): a child process per job slot, replaced if it dies")
        beat = parser.add_mutually_exclusive_group()
        beat.add_argument("--beat", action="store_true", default=None,
                          help="also schedule the sweep and the nightly refresh (default on the embedded broker)")
        beat.add_argument("--no-beat", dest="beat", action="store_false")
        parser.add_argument("--loglevel", default=os.environ.get("LOG_LEVEL", "INFO"))

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["concurrency"] is not None and opts["concurrency"] < 1:
            raise CommandError(f"--concurrency {opts['concurrency']}: at least 1")
        for folder in broker_folders():
            folder.mkdir(parents=True, exist_ok=True)
        argv = ["worker", "--loglevel", opts["loglevel"], "--pool", opts["pool"],
                "--hostname", f"genrelens-{os.getpid()}@%h"]
        if opts["concurrency"]:
            argv += ["--concurrency", str(opts["concurrency"])]
        if embedded_broker():
            # The file broker has no broadcast between workers to speak of: skip the chatter.
            argv += ["--without-gossip", "--without-mingle"]
        if opts["beat"] if opts["beat"] is not None else embedded_broker():
            argv += ["--beat", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME]
        app.worker_main(argv)
