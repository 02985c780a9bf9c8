"""The blog's dataset builder, done properly: resumable, request-minimal, honest about restrictions.

For each sub-genre of a taxonomy: search playlists named after it; read every page of every
playlist's items; fetch the tracks' artists; get features through the provider chain; merge into
the blog's DataFrame (one row per track, genre, sub-genre and playlist). The blog re-fetched
each playlist twice, read only its first 100 items, sent a whole playlist's ids to
audio-features at once and appended to DataFrames row by row; here:

* each sub-genre is searched once, even when it sits under two genres ("hard rock"); each
  playlist is read once, even when two searches found it, and every one of its pages;
* every artist and every track's features are requested once per run, in full batches;
* playlists are read in parallel by a bounded pool; a 429 closes a shared gate so the whole
  pool waits out the Retry-After instead of every worker hammering on;
* every unit of work is written to the `Journal` as it completes, so a killed run resumes;
* restricted steps (dev-mode apps: 403 on other people's playlists, audio-features closed,
  search pages of 10) are recorded and reported, and what can be collected still is.

Minimum requests for a catalog (see `minimum_requests`), with S unique sub-genres searched for
N playlists each, search page size L (50 legacy, 10 dev mode), P readable playlists of n_p
items, A unique artists, T unique tracks, and the chain's providers in order:

    1 (app token; a user client instead asks once who the user is)
  + sum over sub-genres of max(1, ceil(min(N, found_s) / L))     (+1 to learn that L is 10)
  + sum over readable playlists of max(1, ceil(n_p / 50))       (+1 for the first 403, if any)
  + ceil(A / 50)                                                (A when the batch endpoint is gone, +1)
  + sum over providers of ceil(asked_p / batch_p)              (+1 for a provider found closed)
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd
from tqdm import tqdm

from genrelens.core.dataset.formats import CANONICAL_COLUMNS
from genrelens.core.dataset.journal import Journal
from genrelens.core.dataset.taxonomy import Taxonomy
from genrelens.core.errors import EndpointRestricted, GenrelensError, UpstreamError
from genrelens.core.providers.base import FeatureProvider
from genrelens.core.providers.chain import ChainReport, run_chain
from genrelens.core.spotify.capabilities import Capabilities
from genrelens.core.spotify.client import ARTISTS_BATCH, PAGE_LIMIT, SpotifyClient
from genrelens.core.spotify.models import Playlist
from genrelens.core.types import FEATURE_NAMES, SourcedFeatures

T = TypeVar("T")
#: artists are fetched and journalled this many batches at a time
ARTIST_CHUNK = ARTISTS_BATCH * 10


class CollectFailed(GenrelensError):
    """The run produced nothing usable; the message says which steps were blocked."""


@dataclass(frozen=True, slots=True)
class CollectPlan:
    taxonomy: Taxonomy
    playlists_per_subgenre: int = 20
    market: str = "US"
    concurrency: int = 8
    progress: bool = True


@dataclass(slots=True)
class CollectResult:
    frame: pd.DataFrame
    features: list[SourcedFeatures]
    playlists: int
    playlists_blocked: int
    tracks: int
    labels: int
    requests: int
    requests_minimum: int
    minimum_breakdown: dict[str, int]
    skipped: dict[str, int]
    blocked: list[str]
    chain: ChainReport | None
    seconds: float
    genre_counts: dict[str, int] = field(default_factory=dict)


class RateGate:
    """One shared pause for a pool of workers: a 429's Retry-After holds back every worker.

    It is the retry policy's `sleep`: the worker that saw the 429 sleeps as the policy says, and
    every other worker calls `wait()` before its next request, so the pool backs off as one.
    """

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self._resume_at = 0.0
        self._lock = threading.Lock()
        self._sleep = sleep
        self.pauses = 0

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._resume_at = max(self._resume_at, time.monotonic() + seconds)
            self.pauses += 1
        self.wait()

    def wait(self) -> None:
        while True:
            with self._lock:
                remaining = self._resume_at - time.monotonic()
            if remaining <= 0:
                return
            self._sleep(remaining)


def collect(
    plan: CollectPlan,
    *,
    spotify: SpotifyClient,
    providers: Sequence[FeatureProvider],
    journal: Journal,
    gate: RateGate | None = None,
    request_count: Callable[[], int] | None = None,
) -> CollectResult:
    """Run (or resume) the whole pipeline; see the module docstring."""
    started = time.perf_counter()
    gate = gate or RateGate()
    count = request_count or (lambda: spotify.requests.total)
    before = count()
    try:
        searches = _step_search(plan, spotify, journal, gate)
        _step_playlists(plan, spotify, journal, gate, searches)
        _step_artists(plan, spotify, journal, gate)
        chain = _step_features(plan, providers, journal)
    finally:
        journal.save_capabilities(spotify.capabilities)
    frame = merge(journal, plan.taxonomy, providers=[p.name for p in providers])
    _note_degradations(spotify, journal)
    blocked = [f"{step}: {reason}" for step, reason in journal.blocked().items()]
    if frame.empty:
        raise CollectFailed("nothing could be collected; blocked: " + ("; ".join(blocked) or "nothing") +
                            ". Use an app with extended quota access, or import a dataset (genrelens import).")
    minimum = minimum_requests(plan, journal, spotify.capabilities, chain, providers, user=not spotify.is_app)
    skipped = journal.skipped()
    return CollectResult(
        frame=frame, features=journal.features(), playlists=len(journal.playlists("done")),
        playlists_blocked=len(journal.playlists("blocked")), tracks=frame["track_id"].nunique(),
        labels=len(frame), requests=count() - before, requests_minimum=sum(minimum.values()),
        minimum_breakdown=minimum, skipped={"null": skipped.null, "local": skipped.local, "episodes": skipped.episodes},
        blocked=blocked, chain=chain, seconds=time.perf_counter() - started,
        genre_counts={str(k): int(v) for k, v in frame["playlist_genre"].value_counts().items()},
    )


def _parallel(items: Sequence[T], work: Callable[[T], None], *, workers: int, desc: str, unit: str,
              progress: bool) -> None:
    if not items:
        return
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool, tqdm(
        total=len(items), desc=desc, unit=unit, disable=not progress
    ) as bar:
        # The first unit runs alone: it fetches the app token (and learns what the app may do)
        # once, instead of every worker racing for a token at start.
        work(items[0])
        bar.update(1)
        futures = [pool.submit(work, item) for item in items[1:]]
        for future in as_completed(futures):
            future.result()  # re-raise the first failure; finished units are already journalled
            bar.update(1)


# --------------------------------------------------------------------------------------------
# Steps


def _step_search(plan: CollectPlan, spotify: SpotifyClient, journal: Journal, gate: RateGate
                 ) -> dict[str, list[Playlist]]:
    done = journal.searched()
    todo = [s for s in plan.taxonomy.subgenres() if s not in done]

    def search(subgenre: str) -> None:
        gate.wait()
        found = spotify.search_playlists(subgenre, max_items=plan.playlists_per_subgenre, market=plan.market)
        journal.save_search(subgenre, found)

    _parallel(todo, search, workers=plan.concurrency, desc="search playlists", unit="sub-genre",
              progress=plan.progress)
    return journal.searched()


def _step_playlists(plan: CollectPlan, spotify: SpotifyClient, journal: Journal, gate: RateGate,
                    searches: dict[str, list[Playlist]]) -> None:
    unique = {p.id: p for found in searches.values() for p in found}
    status = journal.playlist_status()
    # longest first: the long playlists' sequential pages then overlap with the many short ones
    todo = _probe_first(sorted((p for pid, p in unique.items() if pid not in status), key=lambda p: -(p.total or 0)))

    def read(playlist: Playlist) -> None:
        gate.wait()
        try:
            items, skipped = spotify.playlist_items(playlist)
        except EndpointRestricted as exc:
            journal.block_playlist(playlist, str(exc))
            return
        except UpstreamError as exc:
            if exc.status != 404:
                raise
            # dev mode answers 404 for Spotify-owned playlists; a deleted playlist does too
            journal.block_playlist(playlist, f"404: Spotify-owned or no longer available ({playlist.name})")
            return
        journal.save_playlist(playlist, items, skipped)

    _parallel(todo, read, workers=plan.concurrency, desc="playlist items", unit="playlist", progress=plan.progress)


def _probe_first(playlists: list[Playlist]) -> list[Playlist]:
    """Put one playlist owned by another user first; `_parallel` runs it alone.

    Dev-mode apps may read only their user's own playlists: that one request learns whether
    other people's playlists are readable (and, for a user client, who the user is), so the
    pool does not send a wave of requests that all come back 403.
    """
    probe = next((p for p in playlists if not p.owned_by_spotify and not p.collaborative), None)
    return playlists if probe is None else [probe, *(p for p in playlists if p is not probe)]


def _step_artists(plan: CollectPlan, spotify: SpotifyClient, journal: Journal, gate: RateGate) -> None:
    wanted = sorted({a.id for t in journal.tracks() for a in t.artists if a.id})
    todo = sorted(set(wanted) - journal.artist_ids())
    chunks = [todo[i : i + ARTIST_CHUNK] for i in range(0, len(todo), ARTIST_CHUNK)]

    def fetch(chunk: list[str]) -> None:
        gate.wait()
        journal.save_artists(spotify.artists(chunk))

    _parallel(chunks, fetch, workers=plan.concurrency, desc="artists", unit="batch", progress=plan.progress)


def _step_features(plan: CollectPlan, providers: Sequence[FeatureProvider], journal: Journal) -> ChainReport:
    refs = [t.to_ref() for t in journal.tracks()]
    report = run_chain(refs, providers, journal, progress=plan.progress)
    for name, why in report.blocked.items():
        journal.block_step(f"features:{name}", why)
    return report


def _note_degradations(spotify: SpotifyClient, journal: Journal) -> None:
    caps = spotify.capabilities
    reasons = journal.blocked_playlist_reasons()
    not_found = sum(1 for r in reasons if r.startswith("404"))
    if len(reasons) > not_found:
        journal.block_step("playlist_items", f"{len(reasons) - not_found} playlist(s) refused (403: dev-mode apps "
                                             "may only read playlists their user owns or collaborates on)")
    if not_found:
        journal.block_step("playlist_items_404", f"{not_found} playlist(s) answered 404 (Spotify-owned "
                                                 "playlists are closed to new apps, or the playlist is gone)")
    if caps.search_limit < PAGE_LIMIT:
        journal.block_step("search", f"search pages limited to {caps.search_limit} results (dev mode)")
    if caps.batch_artists is False:
        journal.block_step("artists", "batch GET /artists?ids= is gone for this app; one request per artist")


# --------------------------------------------------------------------------------------------
# Merge and accounting


def merge(journal: Journal, taxonomy: Taxonomy, *, providers: Sequence[str]) -> pd.DataFrame:
    """The blog's merged DataFrame in canonical columns: one row per track x label x playlist."""
    tracks = {t.id: t for t in journal.tracks()}
    playlists = {p.id: p for p in journal.playlists("done")}
    labels: dict[str, set[tuple[str, str]]] = {}
    for subgenre, found in journal.searched().items():
        for playlist in found:
            for genre in taxonomy.genres_of(subgenre):
                labels.setdefault(playlist.id, set()).add((genre, subgenre))
    features = _preferred_features(journal.features(), providers)
    rows = []
    seen: set[tuple[str, str, str, str]] = set()
    for playlist_id, _position, track_id in journal.entries():
        for genre, subgenre in sorted(labels.get(playlist_id, ())):
            if (track_id, genre, subgenre, playlist_id) in seen:
                continue  # a track listed twice in one playlist is one label
            seen.add((track_id, genre, subgenre, playlist_id))
            rows.append(_row(tracks[track_id], playlists[playlist_id], genre, subgenre, features.get(track_id)))
    frame = pd.DataFrame(rows, columns=list(CANONICAL_COLUMNS))
    return frame


def _preferred_features(items: Iterable[SourcedFeatures], providers: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per track, the features of the first provider in chain order (a dataset source counts as 'dataset')."""
    rank = {name: i for i, name in enumerate(providers)}

    def order(item: SourcedFeatures) -> int:
        return rank.get(item.source.split(":")[0], len(rank))

    best: dict[str, SourcedFeatures] = {}
    for item in items:
        if item.track_key not in best or order(item) < order(best[item.track_key]):
            best[item.track_key] = item
    return {k: v.features.as_dict() for k, v in best.items()}


def _row(track: Any, playlist: Playlist, genre: str, subgenre: str, features: dict[str, Any] | None
         ) -> dict[str, Any]:
    year = track.release_date[:4]
    values = features or {}
    return {
        "track_id": track.id, "track_name": track.name, "track_artist": ", ".join(track.artist_names),
        "artists": ";".join(track.artist_names), "track_popularity": track.popularity,
        "track_album_id": track.album_id, "track_album_name": track.album_name, "release_date": track.release_date,
        "release_year": float(year) if year.isdigit() else math.nan, "playlist_id": playlist.id,
        "playlist_name": playlist.name, "playlist_genre": genre, "playlist_subgenre": subgenre,
        **{name: values.get(name) for name in FEATURE_NAMES},
        "duration_ms": values.get("duration_ms") or track.duration_ms,
    }


def minimum_requests(plan: CollectPlan, journal: Journal, caps: Capabilities, chain: ChainReport | None,
                     providers: Sequence[FeatureProvider], *, user: bool = False) -> dict[str, int]:
    """The fewest requests that can collect what this run collected (formula in the module docstring)."""
    limit = caps.search_limit
    search = sum(max(1, math.ceil(min(plan.playlists_per_subgenre, len(found)) / limit))
                 for found in journal.searched().values())
    search += 1 if limit < PAGE_LIMIT else 0  # the request that learns dev mode's page size
    # Spotify's item total counts the null, local and episode entries we skip: they take page space too
    items = sum(max(1, math.ceil((p.total or 0) / PAGE_LIMIT)) for p in journal.playlists("done"))
    items += 1 if journal.playlists("blocked") else 0
    artists = len(journal.artist_ids())
    artist_requests = math.ceil(artists / ARTISTS_BATCH) if caps.batch_artists is not False else artists + 1
    features = 0
    for provider in providers:
        asked = chain.asked.get(provider.name, 0) if chain else 0
        if provider.name in (chain.blocked if chain else {}):
            features += 1
        elif provider.name != "dataset":  # a local lookup, not an upstream request
            features += math.ceil(asked / provider.batch_size)
    return {"token": 0 if user else 1, "me": 1 if user else 0, "search": search, "playlist_items": items,
            "artists": artist_requests, "features": features}

