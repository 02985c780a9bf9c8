"""`genrelens guests prune --older-than DAYS`: delete guests nobody has used for that long."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from genrelens.accounts.guests import guests_prune, idle_guest_ids


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        days = 0
    if days < 1:
        raise ValueError(f"--older-than takes a whole number of days, at least 1 (got {text!r})")
    return days


class Command(BaseCommand):
    help = "Guests (accounts made by an import without a login): guests prune --older-than DAYS."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        prune = sub.add_parser("prune", help="delete guests with no activity for DAYS, with their plays, "
                                             "tastes, imports, share links and uploads")
        prune.add_argument("--older-than", dest="days", required=True, metavar="DAYS",
                           help="days since the guest's last import, upload, job, share link or session change")
        prune.add_argument("--batch", type=int, default=200, help="guests deleted per transaction (default 200)")
        prune.add_argument("--dry-run", action="store_true", help="only count them")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            older_than = timedelta(days=_days(opts["days"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if opts["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        if opts["dry_run"]:
            count = len(idle_guest_ids(timezone.now() - older_than))
            self.stdout.write(f"{count:,} guest(s) unused for {older_than.days} days; nothing deleted (--dry-run)")
            return
        with tqdm(desc="guests prune", unit="guest", file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            pruned = guests_prune(older_than=older_than, batch=opts["batch"], progress=progress)
        rows = ", ".join(f"{label} {n:,}" for label, n in sorted(pruned.rows.items()) if n) or "none"
        self.stdout.write(f"{pruned.guests:,} guest(s) unused for {older_than.days} days deleted; "
                          f"with them: {rows}; {pruned.files} waiting upload file(s)")
