"""Benchmark a taste import: ten years of extended streaming history against the sandbox's ReccoBeats.

200,000 plays of 20,000 distinct tracks (Zipf-like, a quarter skipped within 30 s, a podcast
episode every 500 rows) in Spotify's real layout (a zip of Streaming_History_Audio_*.json files of
~16,000 rows each, every field of the real rows), imported with `genrelens taste import` into a
scratch SQLite database. Times each stage; counts ReccoBeats requests against the minimum
(ceil(tracks asked / 40)). Targets: import, match and taste under 30 s; requests within 5 % of the
minimum. Then the same export again: nothing new is stored.

    .venv/bin/python bench/bench_taste_import.py [--plays 200000] [--tracks 20000]
        [--out docs/benchmarks/taste-import.md]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest_sandbox import SandboxHandle, start_sandbox  # noqa: E402

ROWS_PER_FILE = 16_000  # Spotify splits the history into files of about 12 MB


def setup_django(sandbox: SandboxHandle, var_dir: str) -> None:
    os.environ.update({
        "GENRELENS_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "config.settings",
        "SPOTIFY_API_BASE": sandbox.api_base, "SPOTIFY_ACCOUNTS_BASE": sandbox.accounts_base,
        "RECCOBEATS_API_BASE": sandbox.reccobeats_base,
    })
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from genrelens.catalog.services import dataset_import
    from tests.api.models import DATASET_NAME, parsed, synthetic_frame

    dataset_import(parsed=parsed(synthetic_frame()), name=DATASET_NAME, source="synthetic:sandbox-catalog seed 7")


def write_export(out: Path, plays: int, tracks: int, catalog_size: int) -> Path:
    from tests.listening.exports import extended_history, sandbox_catalog, write_zip

    rows = extended_history(plays, tracks, catalog=sandbox_catalog(0, catalog_size))
    files = {}
    for n, start in enumerate(range(0, len(rows), ROWS_PER_FILE)):
        year = 2016 + n * 10 // max(1, math.ceil(len(rows) / ROWS_PER_FILE))
        files[f"Streaming_History_Audio_{year}_{n}.json"] = rows[start:start + ROWS_PER_FILE]
    return write_zip(out, files)


class StageClock:
    """The import's progress callback, turned into wall and CPU seconds per stage. CPU time is this
    process's own (the sandbox serving ReccoBeats is another): on a shared, loaded machine it says
    what the import costs when wall time mostly says how long it waited for a core."""

    def __init__(self) -> None:
        self.started: dict[str, tuple[float, float]] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.started.setdefault(str(stage), (time.perf_counter(), time.process_time()))

    def seconds(self, end: tuple[float, float]) -> dict[str, tuple[float, float]]:
        marks = [*sorted(self.started.items(), key=lambda kv: kv[1]), ("end", end)]
        return {name: (marks[i + 1][1][0] - at[0], marks[i + 1][1][1] - at[1])
                for i, (name, at) in enumerate(marks[:-1])}


def run(path: Path, sandbox: SandboxHandle) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from genrelens.jobs.taste_import import taste_import

    user, _ = get_user_model().objects.get_or_create(username="bench")
    sandbox.reset_stats()
    clock = StageClock()
    start, cpu = time.perf_counter(), time.process_time()
    result = taste_import(user_id=user.pk, path=path, progress=clock)
    end = (time.perf_counter(), time.process_time())
    return {"result": result, "seconds": end[0] - start, "cpu": end[1] - cpu, "stages": clock.seconds(end),
            "requests": sandbox.stats()["by_endpoint"].get("GET /reccobeats/v1/audio-features", 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=200_000)
    parser.add_argument("--tracks", type=int, default=20_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    catalog_size = args.tracks + 1_000
    sandbox = start_sandbox("legacy", tracks=catalog_size)
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            setup_django(sandbox, var_dir)
            export = write_export(Path(var_dir) / "my_spotify_data.zip", args.plays, args.tracks, catalog_size)
            size = export.stat().st_size
            first = run(export, sandbox)
            again = run(export, sandbox)
    finally:
        sandbox.stop()
    report = first["result"]["sources"]["spotify_export"]
    tracks = report["tracks"]
    from_dataset = sum(n for s, n in tracks["by_source"].items() if s.startswith("dataset:"))
    minimum = math.ceil((tracks["matched"] - from_dataset) / 40)
    over = (first["requests"] / minimum - 1) * 100 if minimum else 0.0
    load = os.getloadavg()[0]
    lines = [
        "## Taste import: ten years of extended streaming history", "",
        f"`.venv/bin/python bench/bench_taste_import.py --plays {args.plays} --tracks {args.tracks}` (legacy "
        f"sandbox of {catalog_size:,} tracks for ReccoBeats, scratch SQLite, in-process; load average "
        f"{load:.1f} on {os.cpu_count()} cores at the end).", "",
        f"The export: {first['result']['plays_read']:,} music plays and "
        f"{sum(first['result']['skipped'].values()):,} podcast rows (skipped) in "
        f"{len(first['result']['files'])} files, a {size / 1e6:.1f} MB zip.", "",
        "| stage | first import: wall s | CPU s | same export again: wall s | CPU s |", "|---|---|---|---|---|",
    ]
    for stage, (wall, cpu) in first["stages"].items():
        wall2, cpu2 = again["stages"].get(stage, (0.0, 0.0))
        lines.append(f"| {stage} | {wall:.1f} | {cpu:.1f} | {wall2:.1f} | {cpu2:.1f} |")
    lines += [f"| **total** | **{first['seconds']:.1f}** (target < 30) | {first['cpu']:.1f} | {again['seconds']:.1f} "
              f"| {again['cpu']:.1f} |", "",
              f"Plays: {report['plays']['total']:,}, of which {report['plays']['counted']:,} counted (30 s or more); "
              f"matched {report['plays']['matched']:,}, with features {report['plays']['with_features']:,}. "
              f"Tracks: {tracks['total']:,}, matched {tracks['matched']:,} ({_counts(tracks['by_how'])}); "
              f"features by source: {_counts(tracks['by_source'])}.", "",
              "Wall time on a shared machine is mostly waiting for a core (see the load average); CPU seconds are "
              "this process's own work (the sandbox answering as ReccoBeats is another process).", "",
              f"ReccoBeats requests: **{first['requests']}** for {tracks['matched'] - from_dataset:,} tracks asked; "
              f"minimum {minimum} (40 ids a request): {over:+.1f} % (target within 5 %). Again: "
              f"{again['requests']} requests, {again['result']['plays_new']} new plays.", ""]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


if __name__ == "__main__":
    main()
