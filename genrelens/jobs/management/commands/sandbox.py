"""`genrelens sandbox`: the local Spotify + ReccoBeats server (see docs/sandbox.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from genrelens.core.sandbox.server import main


class Command(BaseCommand):
    help = ("Run the Spotify sandbox: a local Spotify accounts + Web API + ReccoBeats server "
            "(--profile legacy|devmode-2026, --catalog synthetic|PATH, --seed N, --port 8765).")

    def run_from_argv(self, argv: list[str]) -> None:
        # The sandbox owns its options (one parser for `python -m genrelens.core.sandbox` and this
        # command); it needs no database, so Django's own option handling is bypassed.
        raise SystemExit(main(argv[2:], prog="genrelens sandbox"))

