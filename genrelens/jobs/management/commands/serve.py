"""`genrelens serve`: run the web app under gunicorn (several workers), static files by WhiteNoise."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = ("Run the genrelens web app with gunicorn (applies pending migrations and collects static "
            "files first); background jobs: see GENRELENS_JOBS_IN_PROCESS and `genrelens worker`.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000,
                            help="port (default 8000, as the redirect URI; 0 picks a free one)")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                            help="gunicorn worker processes (default $WEB_CONCURRENCY or 2)")
        parser.add_argument("--reload", action="store_true",
                            help="development: restart the workers when the code changes")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["workers"] < 1:
            raise CommandError(f"--workers {opts['workers']}: at least 1")
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if settings.GENRELENS_JOBS_IN_PROCESS and opts["workers"] > 1:
            self.stderr.write("serve: background jobs run in a thread of each worker "
                              "(GENRELENS_JOBS_IN_PROCESS=1); with several workers prefer "
                              "GENRELENS_JOBS_IN_PROCESS=0 and `genrelens worker` beside the server")
        argv = [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn",
                "--bind", f"{opts['host']}:{opts['port']}", "--workers", str(opts["workers"])]
        if opts["reload"]:
            argv.append("--reload")
        sys.stdout.flush()
        sys.stderr.flush()
        # gunicorn replaces this process: its master then gets Ctrl-C and SIGTERM directly.
        os.execv(sys.executable, argv)
