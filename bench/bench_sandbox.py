"""Benchmark the sandbox itself: startup time by catalog size, and request throughput.

1. Startup: from process start to the `sandbox listening on` line, for synthetic catalogs of
   several sizes and for the shared TidyTuesday file (when present), median of 3 starts each.
   Target: under 2 s for the default 6000 tracks.
2. Throughput of the routes the collect pipeline hammers (playlist item pages, search, audio
   features) and of the web app's recently-played and audio-analysis, serial against 4 client
   threads, in both profiles, all in one run.
3. Realism of the synthetic features: per genre and feature, the two-sample Kolmogorov-Smirnov
   distance between the sandbox's tracks and the shared data's rows (when present); with
   `--plot PATH`, box plots of both side by side.

Ratios matter more than absolute times: everything runs on one machine, in one run.

    .venv/bin/python bench/bench_sandbox.py [--out docs/benchmarks/sandbox.md] [--plot var/sandbox-features.png]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest_sandbox import SandboxHandle, start_sandbox  # noqa: E402

SHARED_CSV = ROOT / ".." / "shared" / "data" / "tidytuesday-songs-dev.csv"
SIZES = (1000, 6000, 20000)
REPEATS = 3
REQUESTS = 400
#: audio analyses are ~400 KB each: fewer requests keep that cell's time near the others'
ANALYSIS_ROUTE = "audio analysis (~400 KB)"
REQUESTS_FOR = {ANALYSIS_ROUTE: 40}


def startup_seconds(extra: tuple[str, ...], tracks: int) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        handle = start_sandbox("legacy", tracks=tracks, extra_args=extra)
        times.append(time.perf_counter() - start)
        handle.stop()
    return statistics.median(times)


def bench_startup(progress: tqdm) -> list[str]:
    rows = ["| catalog | tracks | startup (median of 3) | ratio to 1000 |", "|---|---:|---:|---:|"]
    base = None
    cases: list[tuple[str, tuple[str, ...], int]] = [("synthetic", (), n) for n in SIZES]
    if SHARED_CSV.is_file():
        cases.append(("tidytuesday-songs-dev.csv (14,092 tracks)", ("--catalog", str(SHARED_CSV)), 6000))
    for label, extra, tracks in cases:
        seconds = startup_seconds(extra, tracks)
        base = base or seconds
        shown = tracks if not extra else "file"
        rows.append(f"| {label} | {shown} | {seconds:.2f} s | {seconds / base:.1f}x |")
        progress.update(1)
    return rows


def urls_for(sandbox: SandboxHandle, token: str) -> dict[str, list[str]]:
    """Request URLs per route: pages of every readable playlist, searches, feature batches."""
    headers = {"Authorization": f"Bearer {token}"}
    ann = next(u for u in sandbox.users() if u["id"] == "ann")
    owned = ann["owns"] + ann["collaborates"]  # what ann may read in both profiles
    page = 100 if sandbox.profile == "legacy" else 50
    item_urls = []
    for playlist in owned:
        total = requests.get(f"{sandbox.api_base}playlists/{playlist}", headers=headers, timeout=10).json()[
            "items"]["total"]
        item_urls += [f"{sandbox.api_base}playlists/{playlist}/items?limit={page}&offset={o}"
                      for o in range(0, total, page)]
    words = ("pop", "rock", "night", "fire", "dance", "love", "house", "metal", "latin", "rap")
    search = [f"{sandbox.api_base}search?q={w}&type=track,playlist&limit=10" for w in words]
    ids = sandbox.catalog_info()["examples"]["track_ids"]
    recco = [f"{sandbox.reccobeats_base}/audio-features?ids={','.join(ids)}"]
    urls = {"playlist items page": item_urls, "search (tracks+playlists)": search,
            "ReccoBeats audio-features": recco,
            "recently played (50)": [f"{sandbox.api_base}me/player/recently-played?limit=50"]}
    if sandbox.profile == "legacy":  # dev-mode apps get 403 there
        urls[ANALYSIS_ROUTE] = [f"{sandbox.api_base}audio-analysis/{track_id}" for track_id in ids]
    return urls


def run_requests(urls: list[str], token: str, threads: int, count: int = REQUESTS) -> float:
    work = [urls[i % len(urls)] for i in range(count)]
    session_per_thread: dict[int, requests.Session] = {}

    def fetch(url: str) -> None:
        import threading

        session = session_per_thread.setdefault(threading.get_ident(), requests.Session())
        response = session.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        response.raise_for_status()

    start = time.perf_counter()
    if threads == 1:
        for url in work:
            fetch(url)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(fetch, work))
    return time.perf_counter() - start


def bench_throughput(progress: tqdm) -> list[str]:
    rows = ["| profile | route | serial req/s | 4 threads req/s | ratio |", "|---|---|---:|---:|---:|"]
    for profile in ("legacy", "devmode-2026"):
        sandbox = start_sandbox(profile)
        try:
            token = sandbox.user_token("ann")["access_token"]
            for route, urls in urls_for(sandbox, token).items():
                count = REQUESTS_FOR.get(route, REQUESTS)
                serial = count / run_requests(urls, token, 1, count)
                parallel = count / run_requests(urls, token, 4, count)
                rows.append(f"| {profile} | {route} | {serial:,.0f} | {parallel:,.0f} | "
                            f"{parallel / serial:.2f}x |")
                progress.update(1)
        finally:
            sandbox.stop()
    return rows


REALISM_GENRES = (("pop", "pop"), ("hip hop", "rap"), ("rock", "rock"), ("edm", "edm"), ("latin", "latin"))
REALISM_FEATURES = ("danceability", "energy", "speechiness", "acousticness", "instrumentalness", "liveness",
                    "valence", "tempo", "loudness", "duration_ms")


def realism_frames() -> tuple[dict[str, dict[str, list[float]]], dict[str, dict[str, list[float]]]]:
    """Feature values per profile genre: (sandbox synthetic tracks, shared data rows)."""
    import pandas as pd

    from genrelens.core.sandbox.synthetic import build_synthetic

    catalog = build_synthetic(seed=0, n_tracks=6000)
    synthetic: dict[str, dict[str, list[float]]] = {}
    mapping = dict(REALISM_GENRES)
    for track in catalog.tracks.values():
        if track.genre in mapping and track.features:
            bucket = synthetic.setdefault(mapping[track.genre], {f: [] for f in REALISM_FEATURES})
            for name in REALISM_FEATURES:
                bucket[name].append(float(track.features[name] or 0.0))
    real_rows = pd.read_csv(SHARED_CSV)
    real_rows["duration_ms"] = real_rows["duration_min"] * 60_000
    real = {g: {f: part[f].tolist() for f in REALISM_FEATURES} for g, part in real_rows.groupby("playlist_genre")}
    return synthetic, real


def bench_realism(progress: tqdm, plot: Path | None) -> list[str]:
    if not SHARED_CSV.is_file():
        progress.update(1)
        return ["Shared data absent: realism not measured."]
    from scipy.stats import ks_2samp

    synthetic, real = realism_frames()
    header = "| genre (data) | " + " | ".join(REALISM_FEATURES) + " |"
    rows = [header, "|---|" + "---:|" * len(REALISM_FEATURES)]
    for _, genre in REALISM_GENRES:
        cells = [f"{ks_2samp(synthetic[genre][f], real[genre][f]).statistic:.3f}" for f in REALISM_FEATURES]
        rows.append(f"| {genre} | " + " | ".join(cells) + " |")
    if plot:
        draw_realism(synthetic, real, plot)
    progress.update(1)
    return rows


def draw_realism(synthetic: dict[str, dict[str, list[float]]], real: dict[str, dict[str, list[float]]],
                 path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    features = ("danceability", "energy", "speechiness", "acousticness", "valence", "tempo")
    genres = [g for _, g in REALISM_GENRES]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7), constrained_layout=True)
    for ax, feature in zip(axes.flat, features, strict=True):
        data, positions = [], []
        for i, genre in enumerate(genres):
            data += [real[genre][feature], synthetic[genre][feature]]
            positions += [i * 3, i * 3 + 1]
        boxes = ax.boxplot(data, positions=positions, widths=0.8, patch_artist=True, showfliers=False)
        for j, patch in enumerate(boxes["boxes"]):
            patch.set_facecolor("#9ecae1" if j % 2 == 0 else "#fdae6b")
        ax.set_xticks([i * 3 + 0.5 for i in range(len(genres))], genres)
        ax.set_title(feature)
    axes.flat[0].legend([boxes["boxes"][0], boxes["boxes"][1]], ["shared data", "sandbox synthetic"])
    fig.suptitle("Sandbox synthetic features against the shared TidyTuesday data, per genre")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the sandbox: startup and throughput.")
    parser.add_argument("--out", type=Path, help="write the Markdown section here")
    parser.add_argument("--plot", type=Path, help="write the realism box plots here (PNG)")
    args = parser.parse_args(argv)
    steps: list[tuple[str, Callable[[tqdm], list[str]]]] = [
        ("startup", bench_startup),
        ("throughput", bench_throughput),
        ("realism", lambda progress: bench_realism(progress, args.plot)),
    ]
    throughput_cells = 5 + 4  # routes in legacy + in devmode-2026
    with tqdm(total=len(SIZES) + 1 + throughput_cells + 1, desc="sandbox bench", file=sys.stderr) as progress:
        results = {name: fn(progress) for name, fn in steps}
    section = "\n".join([
        "## Sandbox (`python -m genrelens.core.sandbox`)",
        "",
        "Command: `.venv/bin/python bench/bench_sandbox.py --out docs/benchmarks/sandbox.md "
        f"--plot var/sandbox-features.png`, {time.strftime('%Y-%m-%d')}, on this 2-core machine.",
        "",
        "### Startup: process start to the `listening` line",
        "",
        *results["startup"],
        "",
        f"### Throughput: {REQUESTS} GETs per cell ({REQUESTS_FOR[ANALYSIS_ROUTE]} for audio analysis) over "
        "keep-alive connections (user token of ann)",
        "",
        *results["throughput"],
        "",
        "Legacy item pages hold 100 items and dev-mode pages 50, so legacy moves about twice the data per",
        "request. The server is CPython threads behind one GIL, so more client threads help only while",
        "requests wait on sockets. Before the handler set `disable_nagle_algorithm`, the same command",
        "measured about 20 serial req/s for search and ReccoBeats: every keep-alive response waited ~40 ms",
        "for the client's delayed ACK between its header and body writes.",
        "",
        "### Realism: Kolmogorov-Smirnov distance, sandbox synthetic (seed 0, 6000 tracks) against the shared data",
        "",
        "0 means identical distributions; 1 means disjoint. `hip hop` tracks are drawn from `rap`. Box plots:",
        "`--plot var/sandbox-features.png`. While tuning (same seed, same measure): interpolating the",
        "skewed features linearly instead of in log space gave instrumentalness 0.07-0.12, and rounding",
        "features to 4 decimals (which turns instrumentalness 0.00003 into 0) gave 0.15-0.23.",
        "",
        *results["realism"],
        "",
    ])
    print(section)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(section, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
