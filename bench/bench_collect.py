"""Benchmark `genrelens collect` against the blog's sequential pipeline, side by side, same sandbox.

The sandbox runs the legacy (2020) profile with 50 ms added to every request and a synthetic
catalog of 6,000 tracks. Both builders collect the blog's taxonomy (20 playlists per sub-genre);
each is measured by the sandbox's own request log.

    .venv/bin/python bench/bench_collect.py [--latency-ms 50] [--tracks 6000] [--out docs/benchmarks/collect.md]

`blog_collect` below is a faithful re-implementation of the blog's code, kept in bench/ only: per
sub-genre a playlist search; per playlist its tracks fetched twice (first page only), all its ids
sent to audio-features in one call, its artists fetched, and rows appended to a DataFrame one by
one, all sequential.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genrelens.core.dataset.taxonomy import load_taxonomy  # noqa: E402
from tests.conftest_sandbox import SandboxHandle, start_sandbox  # noqa: E402


def blog_collect(sandbox: SandboxHandle, per_subgenre: int) -> tuple[pd.DataFrame, float]:
    """The 2020 blog's loop, as it was written (spotipy with its defaults, one request at a time)."""
    import spotipy
    from spotipy.cache_handler import MemoryCacheHandler
    from spotipy.oauth2 import SpotifyClientCredentials

    auth = SpotifyClientCredentials(sandbox.client_id, sandbox.client_secret, cache_handler=MemoryCacheHandler())
    auth.OAUTH_TOKEN_URL = sandbox.token_url
    sp = spotipy.Spotify(auth_manager=auth)
    sp.prefix = sandbox.api_base
    started = time.perf_counter()
    frame = pd.DataFrame()
    for genre, subgenre in load_taxonomy().pairs():
        found = sp.search(q=subgenre, type="playlist", limit=per_subgenre)["playlists"]["items"]
        for playlist in filter(None, found):
            items = sp.playlist_tracks(playlist["id"])["items"]
            ids = [i["track"]["id"] for i in items if i.get("track") and i["track"].get("id")]
            features = sp.audio_features(ids)
            items = sp.playlist_tracks(playlist["id"])["items"]  # the blog fetched them again for names
            artist_ids = list({i["track"]["artists"][0]["id"] for i in items if i.get("track")})
            for start in range(0, len(artist_ids), 50):
                sp.artists(artist_ids[start : start + 50])
            for item, feature in zip(items, features, strict=False):
                if not item.get("track") or not feature:
                    continue
                row = {"playlist_id": playlist["id"], "track_id": item["track"]["id"],
                       "track_name": item["track"]["name"], "track_popularity": item["track"].get("popularity"),
                       "playlist_name": playlist["name"], "playlist_genre": genre, "playlist_subgenre": subgenre,
                       **{k: v for k, v in feature.items() if k not in {"id", "uri", "track_href", "analysis_url"}}}
                frame = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)  # row by row, as the blog did
    return frame.drop_duplicates(), time.perf_counter() - started


def genrelens_collect(sandbox: SandboxHandle, per_subgenre: int, work: Path) -> dict[str, Any]:
    env = {**os.environ, "GENRELENS_VAR_DIR": str(work), "DATABASE_URL": "",
           "SPOTIFY_CLIENT_ID": sandbox.client_id, "SPOTIFY_CLIENT_SECRET": sandbox.client_secret,
           "SPOTIFY_API_BASE": sandbox.api_base, "SPOTIFY_ACCOUNTS_BASE": sandbox.accounts_base,
           "RECCOBEATS_API_BASE": sandbox.reccobeats_base}
    cli = [sys.executable, "-m", "genrelens.cli"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    sandbox.reset_stats()
    done = subprocess.run([*cli, "collect", "--json", "--playlists-per-subgenre", str(per_subgenre)],
                          env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--tracks", type=int, default=6000)
    parser.add_argument("--per-subgenre", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sandbox = start_sandbox("legacy", seed=0, tracks=args.tracks, extra_args=("--latency-ms", str(args.latency_ms)))
    try:
        work = Path(tempfile.mkdtemp(prefix="genrelens-bench-collect-"))
        ours = genrelens_collect(sandbox, args.per_subgenre, work)
        ours_stats = sandbox.stats()
        sandbox.reset_stats()
        blog_frame, blog_seconds = blog_collect(sandbox, args.per_subgenre)
        blog_stats = sandbox.stats()
    finally:
        sandbox.stop()
    blog_tracks = blog_frame["track_id"].nunique()
    ours_rate, blog_rate = ours["tracks"] / ours["seconds"], blog_tracks / blog_seconds
    ours_per_k = 1000 * ours_stats["total"] / ours["tracks"]
    blog_per_k = 1000 * blog_stats["total"] / blog_tracks
    over_minimum = 100 * (ours["requests"] / ours["requests_minimum"] - 1)
    lines = [
        "## Dataset builder (`genrelens collect`)",
        "",
        f"Command: `.venv/bin/python bench/bench_collect.py{' ' + ' '.join(sys.argv[1:]) if sys.argv[1:] else ''}`, "
        f"{time.strftime('%Y-%m-%d')}. Sandbox: legacy profile, {args.latency_ms:g} ms added latency, synthetic "
        f"catalog of {args.tracks:,} tracks; the blog's taxonomy, {args.per_subgenre} playlists per sub-genre.",
        "",
        "| builder | unique tracks | labels | requests (sandbox log) | requests / 1,000 tracks | seconds "
        "| tracks / s | speed-up |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| genrelens collect | {ours['tracks']:,} | {ours['labels']:,} | {ours_stats['total']:,} | {ours_per_k:.1f} "
        f"| {ours['seconds']:.1f} | {ours_rate:.0f} | {ours_rate / blog_rate:.1f}x |",
        f"| the blog's sequential loop (bench only) | {blog_tracks:,} | {len(blog_frame):,} | {blog_stats['total']:,} "
        f"| {blog_per_k:.1f} | {blog_seconds:.1f} | {blog_rate:.0f} | 1.0x |",
        "",
        f"genrelens sent {ours['requests']:,} requests for a minimum of {ours['requests_minimum']:,} "
        f"({over_minimum:+.1f} %; breakdown {ours['minimum_breakdown']}); the sandbox logged {ours_stats['total']:,}. "
        "The blog reads only the first page of each playlist, so it also collects fewer tracks.",
        f"Requests per endpoint, genrelens: {ours_stats['by_endpoint']}.",
        f"Requests per endpoint, blog: {blog_stats['by_endpoint']}.",
        "",
        f"Targets: requests within 5 % of the minimum: {'met' if over_minimum <= 5 else 'NOT met'}; at least 5x the "
        f"blog's tracks per second: {'met' if ours_rate >= 5 * blog_rate else 'NOT met'} "
        f"({ours_rate / blog_rate:.1f}x).",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
