"""Benchmark the Spotify adapter and the feature chain against the sandbox, side by side.

Two sandbox processes run at once (profiles `legacy` and `devmode-2026`), each adding the same
latency to every request, as a real network would. The script compares:

1. serial paging against a bounded pool of 4 threads, over the same playlists;
2. track lookups on a legacy app (batches of 50) against a dev-mode app (one request per id);
3. audio features for the same tracks: legacy `spotify` (batches of 100) against dev mode, where
   `spotify` is refused once and `reccobeats` answers in batches of 40;
4. a 429 with Retry-After above our cap: spotipy's default retry against our policy.

Ratios matter more than absolute times: everything runs on one machine, in one run.

    .venv/bin/python bench/bench_spotify.py [--latency-ms 15] [--tracks 1000] [--out docs/benchmarks/spotify.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genrelens.core.errors import RateLimited  # noqa: E402
from genrelens.core.providers.chain import run_chain  # noqa: E402
from genrelens.core.providers.registry import build_providers  # noqa: E402
from genrelens.core.providers.store import MemoryFeatureStore  # noqa: E402
from genrelens.core.reccobeats import ReccoBeatsClient  # noqa: E402
from genrelens.core.spotify import SpotifySettings, app_client  # noqa: E402
from tests.conftest_sandbox import SandboxHandle, start_sandbox  # noqa: E402


def settings_for(sandbox: SandboxHandle, **kw: Any) -> SpotifySettings:
    return SpotifySettings(
        client_id=sandbox.client_id, client_secret=sandbox.client_secret, api_base=sandbox.api_base,
        accounts_base=sandbox.accounts_base, reccobeats_base=sandbox.reccobeats_base, **kw,
    )


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def upstream(sandbox: SandboxHandle) -> int:
    return int(sandbox.stats()["total"])


def bench_paging(sandbox: SandboxHandle) -> list[str]:
    app = app_client(settings_for(sandbox))
    playlists = app.search_playlists("pop", max_items=24)
    items = sum(p.total or 0 for p in playlists)

    def serial() -> int:
        return sum(len(app.playlist_items(p)[0]) for p in playlists)

    def pooled() -> int:
        with ThreadPoolExecutor(max_workers=4) as pool:
            return sum(len(r[0]) for r in pool.map(app.playlist_items, playlists))

    sandbox.reset_stats()
    t_serial, n_serial = timed(serial)
    r_serial = upstream(sandbox)
    sandbox.reset_stats()
    t_pool, n_pool = timed(pooled)
    r_pool = upstream(sandbox)
    assert n_serial == n_pool
    return [
        f"| serial | {len(playlists)} playlists, {items} items | {r_serial} | {t_serial:.2f} s | 1.00 |",
        f"| 4 threads | same | {r_pool} | {t_pool:.2f} s | {t_serial / t_pool:.2f}x faster |",
    ]


def bench_lookups(legacy: SandboxHandle, devmode: SandboxHandle, n: int) -> list[str]:
    ids = [t.id for t in app_client(settings_for(legacy)).search_tracks("e", max_items=n)]
    rows = []
    base = None
    for sandbox in (legacy, devmode):
        app = app_client(settings_for(sandbox))
        app.search_tracks("e", max_items=1)  # token fetched outside the timing
        sandbox.reset_stats()
        seconds, tracks = timed(lambda a=app: a.tracks(ids))
        base = base or seconds
        rows.append(f"| {sandbox.profile} | {len(tracks)} of {len(ids)} | {upstream(sandbox)} | {seconds:.2f} s | "
                    f"{seconds / base:.2f}x |")
    return rows


def bench_features(legacy: SandboxHandle, devmode: SandboxHandle, n: int) -> list[str]:
    rows = []
    base = None
    for sandbox in (legacy, devmode):
        settings = settings_for(sandbox)
        refs = [t.to_ref() for t in app_client(settings).search_tracks("e", max_items=n)]
        deps = {"spotify_client": app_client(settings), "reccobeats_client": ReccoBeatsClient.from_settings(settings)}
        providers = build_providers(["spotify", "reccobeats"], **deps)
        sandbox.reset_stats()
        seconds, report = timed(lambda p=providers, r=refs: run_chain(r, p, MemoryFeatureStore(), progress=True))
        base = base or seconds
        answered = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()))
        blocked = ", ".join(report.blocked) or "none"
        rows.append(f"| {sandbox.profile} | {answered}; missing {len(report.missing)} | blocked: {blocked} | "
                    f"{upstream(sandbox)} | {seconds:.2f} s | {seconds / base:.2f}x |")
    return rows


def bench_rate_limit(sandbox: SandboxHandle, retry_after: int) -> list[str]:
    import spotipy
    from spotipy.oauth2 import SpotifyClientCredentials

    script = [{"path": "/v1/search", "status": 429, "count": 10, "retry_after": retry_after}]
    # spotipy as most projects use it: default retries (urllib3 sleeps the whole Retry-After)
    auth = SpotifyClientCredentials(client_id=sandbox.client_id, client_secret=sandbox.client_secret,
                                    cache_handler=spotipy.MemoryCacheHandler())
    auth.OAUTH_TOKEN_URL = sandbox.token_url
    sp = spotipy.Spotify(auth_manager=auth)
    sp.prefix = sandbox.api_base
    sp.search("a", limit=1)
    sandbox.set_faults(script=script)
    sandbox.reset_stats()
    start = time.perf_counter()
    try:
        sp.search("a", limit=1)
        spotipy_outcome = "answer"
    except spotipy.SpotifyException as exc:
        headers = "with" if exc.headers else "without"
        spotipy_outcome = f"SpotifyException {exc.http_status}, {headers} Retry-After"
    t_spotipy, r_spotipy = time.perf_counter() - start, upstream(sandbox)
    sandbox.reset()  # drop what is left of spotipy's script before warming our client up
    ours = app_client(settings_for(sandbox, retry_after_cap=1.0))
    ours.search_artists("a", max_items=1)
    sandbox.reset_stats()
    sandbox.set_faults(script=script)
    start = time.perf_counter()
    try:
        ours.search_artists("a", max_items=1)
        our_outcome = "answer"
    except RateLimited as exc:
        our_outcome = f"RateLimited(retry_after={exc.retry_after:g})"
    t_ours, r_ours = time.perf_counter() - start, upstream(sandbox)
    return [
        f"| spotipy defaults | {spotipy_outcome} | {r_spotipy} | {t_spotipy:.2f} s |",
        f"| genrelens policy (cap 1 s) | {our_outcome} | {r_ours} | {t_ours:.3f} s |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=15.0)
    parser.add_argument("--tracks", type=int, default=1000)
    parser.add_argument("--retry-after", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "spotify.md")
    args = parser.parse_args(argv)
    latency = ["--latency-ms", str(args.latency_ms)]
    legacy = start_sandbox("legacy", extra_args=latency)
    devmode = start_sandbox("devmode-2026", extra_args=latency)
    try:
        paging = bench_paging(legacy)
        lookups = bench_lookups(legacy, devmode, min(args.tracks, 500))
        features = bench_features(legacy, devmode, args.tracks)
        rate = bench_rate_limit(legacy, args.retry_after)
    finally:
        legacy.stop()
        devmode.stop()
    command = "  ".join(["    .venv/bin/python bench/bench_spotify.py", *(argv or sys.argv[1:])]).rstrip()
    text = "\n".join([
        "## Spotify adapter and feature providers",
        "",
        f"Against the sandbox (two processes, `legacy` and `devmode-2026`), {args.latency_ms:g} ms added to every",
        "request. Produced by:",
        "",
        command,
        "",
        "Request counts are exact; times are this machine's (2 cores) and matter as ratios.",
        "",
        "**Paging playlist items: serial vs a bounded pool** (legacy app)",
        "",
        "| how | work | requests | time | ratio |",
        "|---|---|---|---|---|",
        *paging,
        "",
        "**Track lookups: batch endpoint (legacy) vs one request per id (dev mode, batch refused once)**",
        "",
        "| app | tracks | requests | time | vs legacy |",
        "|---|---|---|---|---|",
        *lookups,
        "",
        f"**Audio features for {args.tracks} tracks: chain `spotify,reccobeats`**",
        "",
        "| app | answered | providers | requests | time | vs legacy |",
        "|---|---|---|---|---|---|",
        *features,
        "",
        f"**A 429 with Retry-After {args.retry_after} s, repeated: spotipy's default retry vs ours**",
        "",
        "| client | outcome | requests | time to outcome |",
        "|---|---|---|---|",
        *rate,
        "",
    ])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
