"""`genrelens rotate_keys`: re-encrypt stored Spotify tokens under the newest token key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from genrelens.accounts.services import tokens_rotate


class Command(BaseCommand):
    help = "Re-encrypt stored Spotify tokens under the first key of GENRELENS_TOKEN_KEYS (see docs/security.md)."

    def handle(self, *args: Any, **opts: Any) -> None:
        rotated, unreadable = tokens_rotate()
        self.stdout.write(f"{rotated} token(s) re-encrypted under the newest key")
        if unreadable:
            self.stdout.write(f"{unreadable} token(s) no configured key opens: those users must reconnect; "
                              "keep the old keys until this reads 0 if they should not")
