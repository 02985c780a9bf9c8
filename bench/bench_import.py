"""Benchmark `genrelens import`: the bulk upsert against a row-by-row ORM import, side by side.

The input is a 30k-row file in the raw TidyTuesday layout (23 columns, one row per playlist entry,
so tracks repeat across playlists as in the real file), built from the shared dev data when it
is there and generated otherwise. Each variant runs on a fresh database; ratios are what count.

    .venv/bin/python bench/bench_import.py [--rows 30000] [--naive-rows 3000] [--out docs/benchmarks/import.md]
    scripts/with-postgres.sh .venv/bin/python bench/bench_import.py      # the same on PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "tidytuesday-songs-dev.csv"
sys.path.insert(0, str(ROOT))


def build_raw_file(path: Path, rows: int, seed: int = 7) -> str:
    """A raw-layout file of `rows` rows; each track appears in ~2 playlists, like the real data."""
    rng = np.random.default_rng(seed)
    if SHARED.exists():
        base = pd.read_csv(SHARED)
        origin = f"{SHARED.name} (real tracks, each listed in ~2 playlists)"
    else:
        n = rows // 2
        base = pd.DataFrame({
            "track_id": [f"{i:022d}" for i in range(n)], "track_name": [f"Song {i}" for i in range(n)],
            "track_artist": [f"Artist {i % 3000}" for i in range(n)], "track_popularity": rng.integers(0, 100, n),
            "track_album_name": [f"Album {i % 9000}" for i in range(n)], "release_year": rng.integers(1960, 2020, n),
            "playlist_genre": rng.choice(["pop", "rap", "rock", "latin", "edm", "r&b"], n),
            "playlist_subgenre": "mixed", **{c: rng.random(n) for c in (
                "danceability", "energy", "speechiness", "acousticness", "instrumentalness", "liveness", "valence")},
            "tempo": rng.uniform(60, 180, n), "loudness": rng.uniform(-20, -2, n),
            "duration_min": rng.uniform(2, 6, n)})
        origin = "generated (the shared dev file is absent)"
    picked = base.sample(n=rows, replace=True, random_state=seed).reset_index(drop=True)
    raw = pd.DataFrame({
        "track_id": picked.track_id, "track_name": picked.track_name, "track_artist": picked.track_artist,
        "track_popularity": picked.track_popularity, "track_album_id": "",
        "track_album_name": picked.track_album_name,
        "track_album_release_date": picked.release_year.astype(str) + "-01-01",
        "playlist_name": picked.playlist_subgenre + " mix " + (picked.index % 400).astype(str),
        "playlist_id": "pl" + (picked.index % 400).astype(str).str.zfill(20),
        "playlist_genre": picked.playlist_genre, "playlist_subgenre": picked.playlist_subgenre,
        **{c: picked[c] for c in ("danceability", "energy")}, "key": rng.integers(0, 12, rows),
        "loudness": picked.loudness, "mode": rng.integers(0, 2, rows),
        **{c: picked[c] for c in ("speechiness", "acousticness", "instrumentalness", "liveness", "valence")},
        "tempo": picked.tempo.where(picked.tempo > 0, 120.0), "duration_ms": (picked.duration_min * 60000).round(),
    })
    raw.to_csv(path, index=False)
    return origin


def naive_import(path: Path, limit: int) -> None:
    """What a straightforward Django import does: get_or_create per row (kept here, in bench/, only)."""
    from django.db import transaction

    from genrelens.catalog.models import AudioFeatures, Dataset, GenreLabel, Track
    from genrelens.core.dataset.formats import read_dataset
    from genrelens.core.types import FEATURE_NAMES

    frame = read_dataset(path).frame.head(limit)
    with transaction.atomic():
        dataset, _ = Dataset.objects.get_or_create(name="naive", defaults={"source": str(path)})
        for row in frame.itertuples(index=False):
            track, _ = Track.objects.get_or_create(key=row.track_id, defaults={"name": row.track_name})
            GenreLabel.objects.get_or_create(dataset=dataset, track=track, genre=row.playlist_genre,
                                             subgenre=row.playlist_subgenre, playlist_key=row.playlist_id)
            values = {n: (None if pd.isna(getattr(row, n)) else getattr(row, n)) for n in FEATURE_NAMES}
            AudioFeatures.objects.get_or_create(track=track, source="dataset:naive",
                                                defaults={**values, "fetched_at": pd.Timestamp.now(tz="UTC")})


def fresh_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.close()
        Path(connection.settings_dict["NAME"]).unlink(missing_ok=True)
    else:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--naive-rows", type=int, default=3_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="genrelens-bench-"))
    os.environ.setdefault("GENRELENS_VAR_DIR", str(work))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from genrelens.catalog.services import dataset_import
    from genrelens.core.dataset.formats import read_dataset

    path = work / "spotify_songs_raw.csv"
    origin = build_raw_file(path, args.rows)

    fresh_database()
    t0 = time.perf_counter()
    parsed = read_dataset(path)
    t_read = time.perf_counter() - t0
    result = dataset_import(parsed=parsed, name="bench", source=str(path))
    t_full = time.perf_counter() - t0
    t1 = time.perf_counter()
    again = dataset_import(parsed=read_dataset(path), name="bench", source=str(path))
    t_again = time.perf_counter() - t1

    fresh_database()
    t2 = time.perf_counter()
    naive_import(path, args.naive_rows)
    t_naive = time.perf_counter() - t2

    ours_rate = args.rows / t_full
    naive_rate = args.naive_rows / t_naive
    lines = [
        "## Dataset import (`genrelens import`)",
        "",
        f"Command: `{' '.join(['.venv/bin/python', 'bench/bench_import.py', *sys.argv[1:]])}` "
        f"on {connection.vendor}, {time.strftime('%Y-%m-%d')}.",
        f"Input: {args.rows:,} rows in the raw TidyTuesday layout, {origin}; "
        f"{result.tracks_created:,} distinct tracks, {result.labels_created:,} labels.",
        "",
        "| variant | rows | seconds | rows/s | ratio |",
        "|---|---:|---:|---:|---:|",
        f"| genrelens bulk import (read + validate + write) | {args.rows:,} | {t_full:.2f} | {ours_rate:,.0f} | "
        f"{ours_rate / naive_rate:.1f}x |",
        f"| of which read + validate | {args.rows:,} | {t_read:.2f} | | |",
        f"| re-import of the same file (no changes) | {args.rows:,} | {t_again:.2f} | {args.rows / t_again:,.0f} | |",
        f"| row-by-row `get_or_create` (bench/ only) | {args.naive_rows:,} | {t_naive:.2f} | "
        f"{naive_rate:,.0f} | 1.0x |",
        "",
        f"Target: the 30k-row file in under 10 s: {'met' if t_full < 10 else 'NOT met'} ({t_full:.1f} s). "
        f"Re-import created {again.tracks_created} tracks and {again.labels_created} labels.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
