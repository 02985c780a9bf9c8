"""`genrelens login`: log a Spotify user in from the command line (the web app has its own button)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.accounts.services import login_finish, login_start
from genrelens.core.errors import GenrelensError
from genrelens.jobs.wiring import spotify_settings


class Command(BaseCommand):
    help = "Log in with Spotify: open the printed URL, then paste the address you were sent back to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url-only", action="store_true", help="print the login URL and exit")
        parser.add_argument("--redirected-url", help="finish a login with the URL Spotify redirected to")

    def handle(self, *args: Any, **opts: Any) -> None:
        config = spotify_settings()
        try:
            redirected = opts["redirected_url"]
            if redirected is None:
                url = login_start(settings=config)
                self.stdout.write(url)
                if opts["url_only"]:
                    return
                self.stderr.write("Open the URL above, agree, then paste the full address of the page "
                                  f"you land on ({config.redirect_uri}?code=...):")
                redirected = sys.stdin.readline().strip()
            account = login_finish(settings=config, redirected_url=redirected)
        except GenrelensError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"logged in as {account.display_name} ({account.spotify_id})")
