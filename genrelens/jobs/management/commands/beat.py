"""`genrelens beat`: the scheduler: the sweep for jobs whose worker died and the nightly taste
refresh (run one, beside any number of `genrelens worker`; docs/jobs.md)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from config.celery import app, broker_folders


class Command(BaseCommand):
    help = "Schedule periodic jobs: the nightly taste refresh and the sweep for lost jobs (Celery beat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loglevel", default=os.environ.get("LOG_LEVEL", "INFO"))

    def handle(self, *args: Any, **opts: Any) -> None:
        for folder in broker_folders():
            folder.mkdir(parents=True, exist_ok=True)
        app.start(["beat", "--loglevel", opts["loglevel"], "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME])
