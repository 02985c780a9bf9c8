"""Derive the synthetic catalog's per-genre feature statistics from a TidyTuesday-style CSV.

Run once by hand; only the small JSON it writes is committed, never the data:

    .venv/bin/python -m genrelens.core.sandbox.derive_profiles \
        ../shared/data/tidytuesday-songs-dev.csv genrelens/core/sandbox/feature_profiles.json

Per genre it keeps 9 quantiles of every column (the marginal shape, including skewed ones such as
instrumentalness) and the correlation matrix of the audio features (so that e.g. energy and loudness
move together), and each feature's share of exact zeros. Per sub-genre it keeps only mean and std,
used to move the genre's shape: that keeps the file small (~12 KB) while sub-genres still differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

#: Columns drawn jointly through the correlation matrix.
AUDIO_COLUMNS: tuple[str, ...] = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "loudness",
    "duration_ms",
)
#: Columns drawn independently (metadata, not sound).
META_COLUMNS: tuple[str, ...] = ("track_popularity", "release_year")
QUANTILES: tuple[float, ...] = (0.0, 0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.98, 1.0)


def load_rows(csv_path: Path) -> pd.DataFrame:
    frame = pd.read_csv(csv_path)
    if "duration_ms" not in frame.columns:
        if "duration_min" not in frame.columns:
            raise SystemExit(f"{csv_path}: needs a duration_ms or duration_min column")
        frame["duration_ms"] = frame["duration_min"] * 60_000.0
    missing = [c for c in (*AUDIO_COLUMNS, *META_COLUMNS, "playlist_genre", "playlist_subgenre")
               if c not in frame.columns]
    if missing:
        raise SystemExit(f"{csv_path}: missing columns {missing}")
    # One track can carry several genre labels; each label is a sample of that genre, as in the blog.
    return frame.dropna(subset=list(AUDIO_COLUMNS))


def genre_stats(rows: pd.DataFrame) -> dict[str, object]:
    columns = (*AUDIO_COLUMNS, *META_COLUMNS)
    # Lists follow the column order written at the top of the JSON: names repeated per genre
    # would triple the file.
    quantiles = [_rounded(rows[c].quantile(list(QUANTILES)).tolist()) for c in columns]
    corr = rows[list(AUDIO_COLUMNS)].corr().fillna(0.0).to_numpy()
    # Upper triangle only, row by row: the matrix is symmetric with a unit diagonal.
    upper = [round(float(corr[i, j]), 2) for i in range(len(corr)) for j in range(i + 1, len(corr))]
    return {
        "n": len(rows),
        "quantiles": quantiles,
        "mean": [_round(float(rows[c].mean())) for c in columns],
        "std": [_round(float(rows[c].std(ddof=0))) for c in columns],
        "corr_upper": upper,
        # Instrumentalness is exactly 0 for 20-55 % of tracks: a point mass the quantiles blur.
        "zero_share": [round(float((rows[c] == 0).mean()), 3) for c in AUDIO_COLUMNS],
    }


def subgenre_stats(rows: pd.DataFrame) -> dict[str, object]:
    columns = AUDIO_COLUMNS
    return {
        "n": len(rows),
        "mean": [_round(float(rows[c].mean())) for c in columns],
        "std": [_round(float(rows[c].std(ddof=0))) for c in columns],
    }


def derive(csv_path: Path) -> dict[str, object]:
    rows = load_rows(csv_path)
    genres = {g: genre_stats(part) for g, part in rows.groupby("playlist_genre")}
    subgenres = {
        f"{g}/{s}": subgenre_stats(part) for (g, s), part in rows.groupby(["playlist_genre", "playlist_subgenre"])
    }
    return {
        "source": csv_path.name,
        "rows": len(rows),
        "probabilities": list(QUANTILES),
        "audio_columns": list(AUDIO_COLUMNS),
        "meta_columns": list(META_COLUMNS),
        "genres": genres,
        "subgenres": subgenres,
    }


def _round(value: float) -> float:
    # Three significant digits are plenty for a distribution's shape, but years need all four.
    if abs(value) >= 100:
        return float(round(value))
    return float(f"{value:.3g}")


def _rounded(values: list[float]) -> list[float]:
    return [_round(float(v)) for v in values]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("csv", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    profiles = derive(args.csv)
    args.out.write_text(json.dumps(profiles, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) from {profiles['rows']} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
