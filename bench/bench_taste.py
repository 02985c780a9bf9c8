"""Taste distributions: genrelens' binned FFT KDE against scipy.stats.gaussian_kde, side by side.

The public taste draws 13 features x 6 genres on 256-point grids. The input has 1,000,000 tracks,
resampled from the shared dev file's real tracks per genre when it is there (its missing key, mode
and time_signature generated, so all 13 features are drawn) and generated otherwise.

scipy evaluates every kernel at every grid point (n x 256 per genre and feature), so it runs on a
random subsample of each genre and its time is scaled linearly to the genre's full size; the cost
of gaussian_kde.evaluate is linear in n, so the scaling is exact up to noise. The largest density
difference is measured on the same subsamples (ours and scipy's, both normalised over the grid),
and once at full size for the pair with the narrowest bandwidth relative to its grid step.

    .venv/bin/python bench/bench_taste.py [--rows 1000000] [--scipy-rows 4000] [--out docs/benchmarks/taste.md]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "tidytuesday-songs-dev.csv"
sys.path.insert(0, str(ROOT))

from genrelens.core.taste.density import density_on_grid, grouped_densities  # noqa: E402
from genrelens.core.taste.documents import public_taste  # noqa: E402
from genrelens.core.taste.grid import feature_grid  # noqa: E402
from genrelens.core.types import FEATURE_NAMES  # noqa: E402

GENRES = ("edm", "latin", "pop", "r&b", "rap", "rock")
TARGET_SECONDS = 2.0
TARGET_RATIO = 50.0


def build_frame(rows: int, seed: int = 11) -> tuple[pd.DataFrame, str]:
    """`rows` tracks over six genres, every one of the 13 features filled."""
    rng = np.random.default_rng(seed)
    if SHARED.exists():
        from genrelens.core.dataset.formats import read_dataset

        base = read_dataset(SHARED).frame
        origin = f"{SHARED.name} resampled with replacement (key, mode and time_signature generated)"
        frame = base.sample(n=rows, replace=True, random_state=seed).reset_index(drop=True)
    else:
        origin = "generated (the shared dev file is absent)"
        frame = pd.DataFrame({"playlist_genre": rng.choice(GENRES, rows),
                              **{f: rng.beta(2, 3, rows) for f in FEATURE_NAMES}})
        frame["loudness"] = rng.normal(-7, 3, rows)
        frame["tempo"] = rng.normal(120, 25, rows)
        frame["duration_ms"] = rng.normal(225_000, 50_000, rows).round()
    frame["key"] = rng.integers(0, 12, rows).astype(float)
    frame["mode"] = (rng.random(rows) < 0.56).astype(float)
    frame["time_signature"] = rng.choice([1.0, 3.0, 4.0, 5.0], rows, p=[0.01, 0.07, 0.9, 0.02])
    return frame[["playlist_genre", *FEATURE_NAMES]], origin


def time_ours(frame: pd.DataFrame, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        grouped_densities(frame, features=FEATURE_NAMES, group="playlist_genre")
        times.append(time.perf_counter() - start)
    return times


def time_scipy(frame: pd.DataFrame, per_genre: int, seed: int = 5) -> tuple[float, float, float]:
    """scipy's seconds scaled to the full frame, and the largest difference to ours on the same
    subsamples: absolute (density units) and relative to that density's peak."""
    scaled, worst, worst_relative = 0.0, 0.0, 0.0
    for _, rows in frame.groupby("playlist_genre"):
        sub = rows.sample(n=min(per_genre, len(rows)), random_state=seed)
        for feature in FEATURE_NAMES:
            values, grid = sub[feature].dropna().to_numpy(), feature_grid(feature)
            start = time.perf_counter()
            reference = stats.gaussian_kde(values)(grid)
            scaled += (time.perf_counter() - start) * len(rows) / len(sub)
            reference /= np.trapezoid(reference, grid)
            difference = np.abs(density_on_grid(values, grid) - reference).max()
            worst = max(worst, float(difference))
            worst_relative = max(worst_relative, float(difference / reference.max()))
    return scaled, worst, worst_relative


def full_size_check(frame: pd.DataFrame) -> tuple[str, float, float, float]:
    """At full size, the (genre, feature) whose bandwidth is narrowest against its grid step."""
    def narrowness(genre: str, feature: str) -> float:
        values = frame.loc[frame.playlist_genre == genre, feature]
        grid = feature_grid(feature)
        return float(values.std() * len(values) ** -0.2 / (grid[1] - grid[0]))

    continuous = [f for f in FEATURE_NAMES if f not in ("key", "mode", "time_signature")]
    genre, feature = min(((g, f) for g in GENRES for f in continuous), key=lambda pair: narrowness(*pair))
    values = frame.loc[frame.playlist_genre == genre, feature].to_numpy()
    grid = feature_grid(feature)
    start = time.perf_counter()
    reference = stats.gaussian_kde(values)(grid)
    seconds = time.perf_counter() - start
    reference /= np.trapezoid(reference, grid)
    difference = float(np.abs(density_on_grid(values, grid) - reference).max())
    return f"{genre} x {feature} ({len(values):,} values)", difference, difference / reference.max(), seconds


def cold_start_seconds() -> float:
    """A fresh interpreter's first density after the imports: numba's import and loading the
    compiled kernels from the disk cache."""
    code = ("import time, numpy as np\n"
            "from genrelens.core.taste.density import density_on_grid\n"
            "t = time.perf_counter()\n"
            "density_on_grid(np.random.default_rng(0).random(1000), np.linspace(0, 1, 256))\n"
            "print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scipy-rows", type=int, default=4_000, help="subsample per genre for scipy")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    frame, origin = build_frame(args.rows)
    cold = cold_start_seconds()
    time_ours(frame.head(1000), 1)  # this process's first call loads the compiled kernels
    ours = time_ours(frame, args.repeats)
    start = time.perf_counter()
    public_taste(frame, dataset="bench")
    whole_document = time.perf_counter() - start
    scipy_seconds, worst, worst_relative = time_scipy(frame, args.scipy_rows)
    pair, full_difference, full_relative, full_scipy = full_size_check(frame)
    load_after = os.getloadavg()[0]

    best, median = min(ours), float(np.median(ours))
    ratio = scipy_seconds / median
    lines = [
        "## Taste distributions (public taste)",
        "",
        f"Command: `{' '.join(['.venv/bin/python', 'bench/bench_taste.py', *sys.argv[1:]])}`, "
        f"{time.strftime('%Y-%m-%d')}, on this 2-core machine (single-threaded code). "
        f"Load average when the run started and ended: {load_before:.1f} and {load_after:.1f}.",
        f"Input: {args.rows:,} tracks x {len(FEATURE_NAMES)} features x {frame.playlist_genre.nunique()} genres, "
        f"{origin}; each density on its feature's fixed 256-point grid.",
        "",
        "| variant | seconds | ratio |",
        "|---|---:|---:|",
        f"| genrelens `grouped_densities` (binned FFT KDE), median of {args.repeats} | {median:.2f} | "
        f"**{ratio:.0f}x** |",
        f"| of which the best run | {best:.2f} | |",
        f"| `scipy.stats.gaussian_kde` on {args.scipy_rows:,} tracks per genre and feature, "
        f"scaled linearly to all {args.rows:,} | {scipy_seconds:.1f} | 1.0x |",
        f"| genrelens `public_taste` (the whole stored document: densities for the genres and all, "
        f"101 percentiles, medians, means, frequencies) | {whole_document:.2f} | |",
        f"| first density in a fresh process, after its imports (numba's import, compiled kernels loaded "
        f"from the disk cache) | {cold:.2f} | |",
        "",
        f"Largest density difference to scipy over all {6 * len(FEATURE_NAMES)} genre x feature pairs "
        f"(same subsamples, both normalised over the grid): {worst:.2e} (density units), "
        f"{worst_relative:.2e} of that density's peak. At full size, for the pair with the narrowest "
        f"bandwidth against its grid step, {pair}: {full_difference:.2e}, {full_relative:.2e} of the peak "
        f"(scipy took {full_scipy:.1f} s for that one pair).",
        "",
        verdict(median, ratio),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    if args.out is not None:
        args.out.write_text("\n".join(lines) + "\n")


def verdict(seconds: float, ratio: float) -> str:
    fast = "met" if seconds < TARGET_SECONDS else "NOT met"
    faster = "met" if ratio >= TARGET_RATIO else "NOT met"
    return (f"Targets: under {TARGET_SECONDS:g} s: {fast} ({seconds:.2f} s); "
            f"at least {TARGET_RATIO:g}x faster than scipy: {faster} ({ratio:.0f}x).")


if __name__ == "__main__":
    main()
