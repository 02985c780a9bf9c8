"""`genrelens serve`: run the web app."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the genrelens web app (applies pending migrations first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000, as the redirect URI)")

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("migrate", verbosity=0)
        # Django's server: threaded, no autoreload (a demo and a test server, not for production).
        call_command("runserver", f"{opts['host']}:{opts['port']}", use_reloader=False)
