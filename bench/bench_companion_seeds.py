"""How much the local companion's genre agreement owes to its noise draw, and whether averaging
companions trained on several draws (bagging over the noise) agrees more often.

    .venv/bin/python bench/bench_companion_seeds.py [--seeds 4] [--out docs/benchmarks/companion-seeds.md]

Same protocol as bench/bench_descriptors.py, on all five fold assignments instead of two: for each
artist-grouped fold of the 81 development recordings, the local errors are measured on the other
folds, and one companion is trained per seed (local_model.fit_local; seed 0 is the shipped
SEED) and scores the fold. Each seed's agreement is reported alone and pooled with the active model
(the weight chosen on the other folds, as shipped), then the same for the seeds' mean probabilities.
About 15 s of CPU per companion: 5 x 5 x seeds companions, on two workers.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_descriptors as bench  # noqa: E402

from genrelens.core.audio.calibration import DESCRIPTORS  # noqa: E402
from genrelens.core.audio.calibration_fit import dev_groups, fit_all, grouped_folds, measure_dev_set  # noqa: E402
from genrelens.core.ml.local_model import LOCAL_FEATURES, NOISE_KIND, SEED, TARGETS  # noqa: E402


def _fold(task: tuple[Any, ...]) -> np.ndarray:
    prepared, full, spotify, local, train, test, seed = task
    return bench._fold_proba(prepared.X, prepared.y, full, spotify.iloc[train], local.iloc[train],
                             local.iloc[test][list(LOCAL_FEATURES)], list(LOCAL_FEATURES), NOISE_KIND, TARGETS, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "spotify-previews")
    parser.add_argument("--songs", type=Path, default=ROOT.parent / "shared" / "data" / "tidytuesday-songs-dev.csv")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "companion-seeds.md")
    args = parser.parse_args()
    for needed in (args.dev / "features.csv", args.songs):
        if not needed.is_file():
            sys.exit(f"{needed} is missing: this benchmark needs the shared development data")

    frame = measure_dev_set(args.dev, cache=ROOT / "var" / "descriptors")
    _, fidelity = fit_all(frame, keep_predictions=True)
    complete = frame[[*DESCRIPTORS, "liveness"]].notna().all(axis=1).to_numpy()
    prepared, full, _ = bench.genre_models(args.songs)
    spotify = frame.loc[complete, list(bench.GENRE_FEATURES)]
    local = bench.local_frame(frame, bench.after_predictions(frame, fidelity)).loc[complete]
    reference, active = full.predict_proba(spotify), full.predict_proba(local)
    assignments = grouped_folds([g for g, keep in zip(dev_groups(frame), complete, strict=True) if keep])

    tasks = [(a, train, test, seed) for a, folds in enumerate(assignments) for train, test in folds
             for seed in range(SEED, SEED + args.seeds)]
    with ProcessPoolExecutor(max_workers=2) as workers:
        results = list(workers.map(_fold, [(prepared, full, spotify, local, train, test, seed)
                                           for _, train, test, seed in tasks]))
    probas = np.zeros((len(assignments), args.seeds, *reference.shape))
    for (a, _, test, seed), proba in zip(tasks, results, strict=True):
        probas[a, seed - SEED][test] = proba

    lines = [
        "## Local companion: noise draws and bagging",
        "",
        f"`.venv/bin/python bench/bench_companion_seeds.py --seeds {args.seeds}` ({date.today().isoformat()}).",
        f"Out-of-fold agreement with the active model's genre from Spotify's values, {int(complete.sum())} recordings,",
        "mean over all five fold assignments (the descriptors benchmark uses two); \"pooled\" is the shipped",
        "pooling with the active model, its weight chosen on the other folds.",
        "",
        "| companion | top-1 | top-2 | pooled top-1 | pooled top-2 | pooled top-1 per assignment |",
        "|---|---:|---:|---:|---:|---|",
    ]
    variants = [(f"seed {s}" + (" (shipped)" if s == 0 else ""), probas[:, s]) for s in range(args.seeds)]
    variants.append((f"mean of the {args.seeds} seeds' probabilities", probas.mean(axis=1)))
    for name, per_assignment in variants:
        alone = [bench.agreement(reference, p) for p in per_assignment]
        mixed = [bench.agreement(reference, bench.pooled_out_of_fold(reference, p, active, folds))
                 for p, folds in zip(per_assignment, assignments, strict=True)]
        lines.append(f"| {name} | {np.mean([a[0] for a in alone]):.1%} | {np.mean([a[1] for a in alone]):.1%} "
                     f"| {np.mean([m[0] for m in mixed]):.1%} | {np.mean([m[1] for m in mixed]):.1%} "
                     f"| {', '.join(f'{m[0]:.0%}' for m in mixed)} |")
    args.out.write_text("\n".join(lines) + "\n")
    print(args.out.read_text())


if __name__ == "__main__":
    main()
