"""`genrelens collect`: build a genre dataset from Spotify playlists named after sub-genres."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.accounts.services import account_client, account_get
from genrelens.catalog.services import collected_dataset_store
from genrelens.core.dataset.collect import CollectPlan, CollectResult, RateGate, collect
from genrelens.core.dataset.journal import Journal
from genrelens.core.dataset.taxonomy import load_taxonomy
from genrelens.core.errors import GenrelensError
from genrelens.core.spotify.client import app_client
from genrelens.jobs.wiring import feature_providers, reccobeats_client, spotify_settings


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

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["playlists_per_subgenre"] < 1 or opts["concurrency"] < 1:
            raise CommandError("--playlists-per-subgenre and --concurrency must be at least 1")
        journal_path = Path(settings.GENRELENS_VAR_DIR) / "collect" / f"{opts['name']}.journal.sqlite3"
        if opts["restart"]:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{journal_path}{suffix}").unlink(missing_ok=True)
        elif opts["resume"] and not journal_path.exists():
            raise CommandError(f"nothing to resume: no earlier run named {opts['name']!r} ({journal_path})")
        elif journal_path.exists() and not opts["json"]:
            self.stderr.write(f"resuming the run recorded in {journal_path} (--restart to start over)")
        try:
            result = self._run(opts, journal_path)
        except GenrelensError as exc:
            raise CommandError(str(exc)) from exc
        if opts["export"]:
            _export(result, opts["export"], opts["name"])
        self.stdout.write(json.dumps(_as_json(result, opts["name"])) if opts["json"] else _summary(result, opts))

    def _run(self, opts: dict[str, Any], journal_path: Path) -> CollectResult:
        taxonomy = load_taxonomy(opts["taxonomy"])
        journal = Journal(journal_path)
        gate = RateGate()
        config = spotify_settings()
        if opts["as_user"]:
            account = account_get(spotify_id=opts["as_user"])
            spotify = account_client(settings=config, account=account, capabilities=journal.capabilities(),
                                     sleep=gate.sleep)
        else:
            spotify = app_client(config, capabilities=journal.capabilities(), sleep=gate.sleep)
        recco = reccobeats_client(config, sleep=gate.sleep)
        try:
            plan = CollectPlan(taxonomy=taxonomy, playlists_per_subgenre=opts["playlists_per_subgenre"],
                               market=opts["market"], concurrency=opts["concurrency"], progress=not opts["json"])
            result = collect(plan, spotify=spotify, providers=feature_providers(spotify=spotify, reccobeats=recco),
                             journal=journal, gate=gate,
                             request_count=lambda: spotify.requests.total + recco.requests.total)
            collected_dataset_store(name=opts["name"], frame=result.frame, features=result.features,
                                    source=f"spotify collect ({config.api_base})", licence=opts["licence"])
            return result
        finally:
            spotify.close()
            recco.close()
            journal.close()


def _as_json(result: CollectResult, name: str) -> dict[str, object]:
    return {
        "dataset": name, "playlists": result.playlists, "tracks": result.tracks, "labels": len(result.frame),
        "requests": result.requests, "requests_minimum": result.requests_minimum, "skipped": result.skipped,
        "blocked": result.blocked, "seconds": round(result.seconds, 3),
        "features_by_source": result.chain.counts if result.chain else {},
        "minimum_breakdown": result.minimum_breakdown,
    }


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
