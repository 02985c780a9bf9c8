"""Collecting a genre dataset from Spotify, for `genrelens collect` and the `collect` job alike.

Resumable: every page read is journalled under var/collect/, so a run killed mid-way (a worker
SIGKILLed, a machine lost) and run again reads only what is missing, and the stored dataset
replaces the previous one of that name: no label is missing or doubled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from genrelens.accounts.services import account_client, account_get
from genrelens.catalog.services import collected_dataset_store
from genrelens.core.dataset.collect import CollectPlan, CollectResult, RateGate, collect
from genrelens.core.dataset.journal import Journal
from genrelens.core.dataset.taxonomy import load_taxonomy
from genrelens.core.spotify.client import app_client
from genrelens.jobs.wiring import feature_providers, reccobeats_client, spotify_settings


@dataclass(frozen=True, slots=True)
class CollectOptions:
    name: str = "collected"
    taxonomy: str | None = None
    playlists_per_subgenre: int = 20
    market: str = "US"
    concurrency: int = 8
    as_user: str | None = None
    licence: str = ""
    progress: bool = False


def journal_path(name: str) -> Path:
    return Path(settings.GENRELENS_VAR_DIR) / "collect" / f"{name}.journal.sqlite3"


def collect_run(options: CollectOptions) -> CollectResult:
    """Collect (resuming the run of that name, if any) and store the dataset in the catalog."""
    taxonomy = load_taxonomy(options.taxonomy)
    journal = Journal(journal_path(options.name))
    gate = RateGate()
    config = spotify_settings()
    if options.as_user:
        account = account_get(spotify_id=options.as_user)
        spotify = account_client(settings=config, account=account, capabilities=journal.capabilities(),
                                 sleep=gate.sleep)
    else:
        spotify = app_client(config, capabilities=journal.capabilities(), sleep=gate.sleep)
    recco = reccobeats_client(config, sleep=gate.sleep)
    try:
        plan = CollectPlan(taxonomy=taxonomy, playlists_per_subgenre=options.playlists_per_subgenre,
                           market=options.market, concurrency=options.concurrency, progress=options.progress)
        result = collect(plan, spotify=spotify, providers=feature_providers(spotify=spotify, reccobeats=recco),
                         journal=journal, gate=gate,
                         request_count=lambda: spotify.requests.total + recco.requests.total)
        collected_dataset_store(name=options.name, frame=result.frame, features=result.features,
                                source=f"spotify collect ({config.api_base})", licence=options.licence)
        return result
    finally:
        spotify.close()
        recco.close()
        journal.close()


def collect_as_json(result: CollectResult, name: str) -> dict[str, object]:
    return {
        "dataset": name, "playlists": result.playlists, "tracks": result.tracks, "labels": len(result.frame),
        "requests": result.requests, "requests_minimum": result.requests_minimum, "skipped": result.skipped,
        "blocked": result.blocked, "seconds": round(result.seconds, 3),
        "features_by_source": result.chain.counts if result.chain else {},
        "minimum_breakdown": result.minimum_breakdown,
    }
