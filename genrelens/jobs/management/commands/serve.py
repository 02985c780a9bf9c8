"""`genrelens serve`: run the web app under gunicorn (several workers), static files by WhiteNoise,
and on the embedded broker a background worker beside it (docs/jobs.md)."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.jobs.management.commands.worker import embedded_broker

PR_SET_PDEATHSIG = 1


class Command(BaseCommand):
    help = ("Run the genrelens web app with gunicorn (applies pending migrations and collects static "
            "files first) and, on the embedded broker, a background worker (`genrelens worker`).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000,
                            help="port (default 8000, as the redirect URI; 0 picks a free one)")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")),
                            help="gunicorn worker processes (default $WEB_CONCURRENCY or 2)")
        parser.add_argument("--reload", action="store_true",
                            help="development: restart the workers when the code changes")
        jobs = parser.add_mutually_exclusive_group()
        jobs.add_argument("--with-worker", dest="worker", action="store_true", default=None,
                          help="start a job worker too (default on the embedded broker, off with Redis)")
        jobs.add_argument("--no-worker", dest="worker", action="store_false",
                          help="jobs wait for a `genrelens worker` started elsewhere")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["workers"] < 1:
            raise CommandError(f"--workers {opts['workers']}: at least 1")
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if opts["worker"] if opts["worker"] is not None else embedded_broker():
            _start_worker()
        argv = [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn",
                "--bind", f"{opts['host']}:{opts['port']}", "--workers", str(opts["workers"])]
        if opts["reload"]:
            argv.append("--reload")
        sys.stdout.flush()
        sys.stderr.flush()
        # gunicorn replaces this process: its master then gets Ctrl-C and SIGTERM directly.
        os.execv(sys.executable, argv)


def _start_worker() -> None:
    """A `genrelens worker` child that the kernel stops when this process (gunicorn, after the
    exec) goes away, however it goes (prctl PR_SET_PDEATHSIG: Linux only, a no-op elsewhere)."""

    def die_with_parent() -> None:
        if sys.platform.startswith("linux"):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    subprocess.Popen([sys.executable, "-m", "genrelens.cli", "worker"], preexec_fn=die_with_parent)
