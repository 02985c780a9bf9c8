"""Benchmark the web API's stored analyses and the upstream requests of a taste refresh.

1. Analysis, cold against stored, side by side in one run: the sandbox adds 50 ms to every
   request (as a distant Spotify would); a cold analysis looks the track up and fetches its
   features (upstream requests counted in the sandbox), a stored one is read back from the
   AnalysisDocument table. Target: stored at least 20x faster; cold at most 3 upstream requests.
2. Taste refresh for each sandbox user: upstream requests against the minimum for its library
   (pages of 50 liked tracks, 3 top-track ranges, 100 ids per audio-features request).

Runs the views in-process through Django's test client on a scratch SQLite database under a
temporary GENRELENS_VAR_DIR.

    .venv/bin/python bench/bench_api.py [--tracks 20] [--liked 5000] [--out docs/benchmarks/api.md]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest_sandbox import SandboxHandle, start_sandbox  # noqa: E402

LATENCY_MS = 50


def setup_django(sandbox: SandboxHandle, var_dir: str) -> None:
    os.environ.update({
        "GENRELENS_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "config.settings",
        "SPOTIFY_CLIENT_ID": sandbox.client_id, "SPOTIFY_CLIENT_SECRET": sandbox.client_secret,
        "SPOTIFY_API_BASE": sandbox.api_base, "SPOTIFY_ACCOUNTS_BASE": sandbox.accounts_base,
        "RECCOBEATS_API_BASE": sandbox.reccobeats_base, "ALLOWED_HOSTS": "testserver",
        "GENRELENS_API_RATE": "100000/minute",
    })
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def public_dataset() -> None:
    """The sandbox-style synthetic catalog the API tests use, as the public dataset."""
    from genrelens.catalog.services import dataset_import
    from tests.api.models import DATASET_NAME, parsed, synthetic_frame

    dataset_import(parsed=parsed(synthetic_frame()), name=DATASET_NAME, source="synthetic:sandbox-catalog seed 7")


def upstream(sandbox: SandboxHandle) -> int:
    return sum(sandbox.stats()["by_endpoint"].values())


def bench_analysis(sandbox: SandboxHandle, n: int) -> dict[str, float]:
    from django.test import Client

    from genrelens.catalog.models import Track

    token = sandbox.user_token("ann")["access_token"]
    liked = sandbox.http.get(sandbox.api_base + "me/tracks", params={"limit": n},
                             headers={"Authorization": f"Bearer {token}"}, timeout=30).json()["items"]
    ids = [row["track"]["id"] for row in liked][:n]
    client = Client()
    cold, stored, requests = [], [], []
    for track_id in ids:
        Track.objects.filter(key=track_id).delete()
        sandbox.reset_stats()
        start = time.perf_counter()
        assert client.get("/rest/analysis", {"track_id": track_id}).status_code == 200
        cold.append(time.perf_counter() - start)
        requests.append(upstream(sandbox))
        start = time.perf_counter()
        assert client.get("/rest/analysis", {"track_id": track_id}).status_code == 200
        stored.append(time.perf_counter() - start)
    return {"cold_ms": statistics.median(cold) * 1000, "stored_ms": statistics.median(stored) * 1000,
            "max_requests": max(requests[1:] or requests), "first_requests": requests[0], "n": len(ids)}


def bench_taste(sandbox: SandboxHandle) -> list[dict[str, float]]:
    from django.contrib.auth import get_user_model

    from genrelens.accounts.crypto import encrypt_json
    from genrelens.accounts.models import SpotifyAccount
    from genrelens.catalog.models import AudioFeatures
    from genrelens.core.spotify.client import TIME_RANGES
    from genrelens.jobs.taste import taste_refresh

    rows = []
    for user in ("ann", "ben", "cem"):
        token = sandbox.user_token(user)
        django_user, _ = get_user_model().objects.get_or_create(username=f"spotify:{user}")
        SpotifyAccount.objects.update_or_create(spotify_id=user, defaults={
            "user": django_user, "token": encrypt_json({**token, "expires_at": int(time.time()) + 3600})})
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        liked = sandbox.http.get(sandbox.api_base + "me/tracks", params={"limit": 1}, headers=headers,
                                 timeout=30).json()["total"]
        top = [len(sandbox.http.get(sandbox.api_base + "me/top/tracks", params={"limit": 50, "time_range": r},
                                    headers=headers, timeout=30).json()["items"]) for r in TIME_RANGES]
        had_features = set(AudioFeatures.objects.values_list("track__key", flat=True))
        sandbox.reset_stats()
        start = time.perf_counter()
        summary = taste_refresh(user_id=django_user.pk)
        seconds = time.perf_counter() - start
        stats = sandbox.stats()["by_endpoint"]
        fetched = AudioFeatures.objects.count() - len(had_features)  # tracks whose features were asked for
        # pages of 50 liked tracks, one page per top-track range, 100 ids per audio-features request
        minimum = math.ceil(liked / 50) + sum(max(1, math.ceil(n / 50)) for n in top) + math.ceil(fetched / 100)
        rows.append({"user": user, "tracks": summary["tracks"], "requests": sum(stats.values()),
                     "minimum": minimum, "seconds": seconds, "detail": dict(stats)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=20)
    parser.add_argument("--liked", type=int, default=5000, help="ann's library in the taste benchmark")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sandbox = start_sandbox("legacy", extra_args=["--latency-ms", str(LATENCY_MS)])
    # a second sandbox, no added latency, where ann has a 5,000-track library
    big = start_sandbox("legacy", tracks=12000, extra_args=["--liked", str(args.liked)])
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            setup_django(sandbox, var_dir)
            public_dataset()
            analysis = bench_analysis(sandbox, args.tracks)
            from genrelens.accounts import services

            services._APP_TOKENS.clear()
            for name, value in {"SPOTIFY_API_BASE": big.api_base, "SPOTIFY_ACCOUNTS_BASE": big.accounts_base,
                                "RECCOBEATS_API_BASE": big.reccobeats_base}.items():
                os.environ[name] = value
            taste = bench_taste(big)
    finally:
        sandbox.stop()
        big.stop()
    ratio = analysis["cold_ms"] / analysis["stored_ms"]
    lines = ["## API: stored analyses and taste refresh requests", "",
             f"`.venv/bin/python bench/bench_api.py --tracks {args.tracks} --liked {args.liked}` (legacy sandbox, "
             f"+{LATENCY_MS} ms per upstream request, Django test client in-process, SQLite).", "",
             "| analysis | median per request |", "|---|---|",
             f"| cold (track lookup + features upstream) | {analysis['cold_ms']:.1f} ms |",
             f"| stored (AnalysisDocument) | {analysis['stored_ms']:.2f} ms |",
             f"| ratio | **{ratio:.0f}x** (target ≥ 20x) |", "",
             f"Upstream requests per cold analysis: {analysis['first_requests']} for the first (app token "
             f"included), at most {analysis['max_requests']} after (target ≤ 3).", "",
             f"Taste refresh against a sandbox of 12,000 tracks where ann likes {args.liked:,} (no added latency):",
             "",
             "| taste refresh | library tracks | upstream requests | minimum | over the minimum | seconds |",
             "|---|---|---|---|---|---|"]
    for row in taste:
        over = (row["requests"] / row["minimum"] - 1) * 100
        lines.append(f"| {row['user']} | {row['tracks']:,} | {row['requests']} | {row['minimum']} | {over:+.0f} % "
                     f"| {row['seconds']:.1f} |")
    lines += ["", "Minimum: ceil(liked / 50) pages of liked tracks + one page per top-track range (of up to 50) "
              "+ ceil(tracks without stored features / 100) audio-features requests; a fresh token needs no "
              "refresh."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
