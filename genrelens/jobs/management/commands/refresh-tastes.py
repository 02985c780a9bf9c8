"""`genrelens refresh-tastes`: rebuild every logged-in user's taste (the blog's update_users_tastes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from genrelens.core.errors import GenrelensError
from genrelens.jobs.services import job_create
from genrelens.jobs.taste import taste_refresh, users_with_spotify


class Command(BaseCommand):
    help = "Rebuild users' tastes from their Spotify libraries (all users, or --user ID)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", type=int, action="append", help="a Django user id (repeatable)")
        parser.add_argument("--queue", action="store_true",
                            help="refresh on the workers, one task per user (genrelens jobs shows it)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["queue"]:
            job = job_create(kind="refresh_tastes", payload={"users": opts["user"] or []})
            self.stdout.write(f"queued refresh_tastes job {job.pk}: follow it with `genrelens jobs {job.pk}`")
            return
        users = opts["user"] or users_with_spotify()
        failed = 0
        for user_id in tqdm(users, desc="tastes", unit="user", disable=len(users) < 2):
            try:
                summary = taste_refresh(user_id=user_id)
            except GenrelensError as exc:  # one user's lost login must not stop the others
                failed += 1
                self.stderr.write(f"user {user_id}: {exc}")
                continue
            self.stdout.write(f"user {user_id}: {summary['tracks']} tracks, {summary['with_features']} with "
                              f"features (dataset {summary['dataset']})")
        if failed and failed == len(users):
            raise CommandError(f"no taste could be refreshed ({failed} failed)")
