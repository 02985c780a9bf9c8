"""`genrelens collect`: build a genre dataset from Spotify playlists named after sub-genres."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.core.dataset.collect import CollectResult
from genrelens.core.errors import GenrelensError
from genrelens.jobs.collect import CollectOptions, collect_as_json, collect_run, journal_path
from genrelens.jobs.services import job_create


class Command(BaseCommand):
    help = "Collect a genre dataset: search playlists per sub-genre, read their tracks, artists and features."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--taxonomy", help="TOML file of genres and sub-genres (default: the blog's six genres)")
        parser.add_argument("--playlists-per-subgenre", type=int, default=20, metavar="N",
                            help="playlists to read per sub-genre search (default 20)")
        parser.add_argument("--market", default="US", help="market for search (default US)")
        parser.add_argument("--name", default="collected", help="dataset name (default: collected)")
        parser.add_argument("--licence", default="", help="licence note stored with the dataset")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--resume", action="store_true",
                          help="continue an interrupted run (the default when one exists)")
        mode.add_argument("--restart", action="store_true", help="discard an earlier run's progress and start over")
        parser.add_argument("--as", dest="as_user", metavar="SPOTIFY_USER",
                            help="act as a logged-in user (genrelens login): dev-mode apps may read only "
                                 "the playlists that user owns or collaborates on")
        parser.add_argument("--concurrency", type=int, default=8, help="parallel requests at most (default 8)")
        parser.add_argument("--export", type=Path, metavar="DIR",
                            help="also write the merged DataFrame as CSV, Parquet and the blog's pickle")
        parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
        parser.add_argument("--queue", action="store_true",
                            help="run it as a background job on the workers (genrelens jobs shows it)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["playlists_per_subgenre"] < 1 or opts["concurrency"] < 1:
            raise CommandError("--playlists-per-subgenre and --concurrency must be at least 1")
        journal = journal_path(opts["name"])
        if opts["restart"]:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{journal}{suffix}").unlink(missing_ok=True)
        elif opts["resume"] and not journal.exists():
            raise CommandError(f"nothing to resume: no earlier run named {opts['name']!r} ({journal})")
        elif journal.exists() and not opts["json"]:
            self.stderr.write(f"resuming the run recorded in {journal} (--restart to start over)")
        options = CollectOptions(name=opts["name"], taxonomy=opts["taxonomy"],
                                 playlists_per_subgenre=opts["playlists_per_subgenre"], market=opts["market"],
                                 concurrency=opts["concurrency"], as_user=opts["as_user"], licence=opts["licence"])
        if opts["queue"]:
            job = job_create(kind="collect", payload=asdict(options))
            self.stdout.write(f"queued collect job {job.pk}: follow it with `genrelens jobs {job.pk}`")
            return
        try:
            result = collect_run(replace(options, progress=not opts["json"]))
        except GenrelensError as exc:
            raise CommandError(str(exc)) from exc
        if opts["export"]:
            _export(result, opts["export"], opts["name"])
        self.stdout.write(json.dumps(collect_as_json(result, opts["name"])) if opts["json"] else _summary(result, opts))


def _summary(result: CollectResult, opts: dict[str, Any]) -> str:
    lines = [
        f"dataset {opts['name']!r}: {result.tracks} tracks, {len(result.frame)} labels from {result.playlists} "
        f"playlists in {result.seconds:.1f} s",
        f"  requests: {result.requests} (minimum for this catalog: {result.requests_minimum})",
        f"  skipped items: {result.skipped['null']} null, {result.skipped['local']} local files, "
        f"{result.skipped['episodes']} episodes",
    ]
    if result.chain is not None:
        lines.append(f"  features: {result.chain.summary()}")
    lines += [f"  blocked: {b}" for b in result.blocked]
    width = max((len(g) for g in result.genre_counts), default=5)
    lines.append("  rows per genre:")
    lines += [f"    {g:<{width}}  {n:>6}" for g, n in result.genre_counts.items()]
    return "\n".join(lines)


def _export(result: CollectResult, directory: Path, name: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    result.frame.to_csv(directory / f"{name}.csv", index=False)
    result.frame.to_parquet(directory / f"{name}.parquet", index=False)
    result.frame.to_pickle(directory / f"{name}.pkl")  # the blog saved its merged DataFrame as a pickle
    shutil.copyfile(Path(__file__).resolve().parents[3] / "data" / "taxonomy.toml", directory / "taxonomy.toml")
