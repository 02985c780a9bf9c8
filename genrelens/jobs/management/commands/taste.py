"""`genrelens taste import PATH [--user NAME]`: a taste from a Spotify data export, Last.fm or Exportify."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from genrelens.core.errors import GenrelensError
from genrelens.core.listening.archive import Limits
from genrelens.jobs.taste_import import taste_from_local, taste_import

DEFAULT_USER = "local"


class Command(BaseCommand):
    help = "A user's taste from listening data: taste import PATH [--user NAME], or taste local [--user NAME]."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imports = sub.add_parser("import", help="a Spotify data export (.zip or folder), Last.fm or Exportify CSV")
        imports.add_argument("path", type=Path)
        imports.add_argument("--user", default=DEFAULT_USER,
                             help=f"the genrelens user it belongs to (made when new; default {DEFAULT_USER!r})")
        local = sub.add_parser("local", help="the local music analysed by `genrelens analyze`, as a taste")
        local.add_argument("--user", default=DEFAULT_USER,
                           help=f"the genrelens user it belongs to (made when new; default {DEFAULT_USER!r})")

    def handle(self, *args: Any, **opts: Any) -> None:
        user, created = get_user_model().objects.get_or_create(username=opts["user"])
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if opts["action"] == "local":
            try:
                report = taste_from_local(user_id=user.pk, owner_id=None)
            except GenrelensError as exc:
                raise CommandError(str(exc)) from exc
            tracks = report["tracks"]
            self.stdout.write(f"{opts['user']}: local: {tracks['with_features']:,} of {tracks['total']:,} analysed "
                              f"tracks with features")
            return
        limits = Limits(max_files=settings.GENRELENS_EXPORT_MAX_FILES,
                        max_unpacked_bytes=settings.GENRELENS_EXPORT_MAX_UNPACKED_BYTES)
        with _Progress() as progress:
            try:
                result = taste_import(user_id=user.pk, path=opts["path"], limits=limits, progress=progress)
            except GenrelensError as exc:
                raise CommandError(str(exc)) from exc
        self._report(opts["user"], result)

    def _report(self, name: str, result: dict[str, Any]) -> None:
        skipped = ", ".join(f"{n} {why}" for why, n in result["skipped"].items()) or "none"
        self.stdout.write(f"{name}: {result['plays_read']:,} rows read, {result['plays_new']:,} new; "
                          f"skipped: {skipped}")
        for source, report in result["sources"].items():
            plays, tracks = report["plays"], report["tracks"]
            self.stdout.write(
                f"  {source}: plays {plays['matched']:,}/{plays['total']:,} matched, "
                f"{plays['with_features']:,} with features; tracks {tracks['matched']:,}/{tracks['total']:,} "
                f"matched ({_counts(tracks['by_how'])}), features by source: {_counts(tracks['by_source'])}")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


class _Progress:
    """One bar per stage on stderr (the import's stages: reading, matching, features, taste)."""

    def __init__(self) -> None:
        self.bar: tqdm[Any] | None = None
        self.stage = ""

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            if self.bar is not None:
                self.bar.close()
            self.stage = stage
            self.bar = tqdm(total=total or None, desc=f"taste import: {stage}", unit="track", file=sys.stderr)
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()
