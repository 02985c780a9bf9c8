"""How much the local companion's genre agreement owes to its noise draw, whether averaging
companions trained on several draws (bagging over the noise) agrees more often, and whether
undoing the estimates' shrinkage before the genre models read them does.

    .venv/bin/python bench/bench_companion_seeds.py [--seeds 4] [--inputs as-estimated variance-matched
        quantile-mapped] [--out docs/benchmarks/companion-seeds.md]

Same protocol as bench/bench_descriptors.py, on all five fold assignments instead of two: for each
artist-grouped fold of the 81 development recordings, the local errors are measured on the other
folds, and one companion is trained per seed (local_model.fit_local; seed 0 is the shipped
SEED) and scores the fold. Each seed's agreement is reported alone and pooled with the active model
(the weight chosen on the other folds, as shipped), then the same for the seeds' mean probabilities.

`--inputs` says what the genre models read for the six estimated descriptors. `as-estimated`,
what shipped until round 9: the calibration's estimates, regressions that pull every value
towards the middle (their spread is about r times Spotify's), while the companion trains on
Spotify's values plus noise (wider than Spotify's). The two others stretch each estimate back
onto Spotify's spread with a map fitted on the other folds' recordings only (their estimates
against their Spotify values), and the companion is trained with the errors measured after that
map: `variance-matched` (local_model.Stretch, shipped since round 10) matches mean and standard
deviation on each descriptor's noise scale (log-odds for speechiness, acousticness and
instrumentalness); `quantile-mapped` sends an estimate's quantile among the estimates to the same
quantile of Spotify's values. Both keep every descriptor's ranking, so its r, and widen its errors.
About 15 s of CPU per companion: 5 x 5 x seeds x inputs companions, on two workers.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_descriptors as bench  # noqa: E402

from genrelens.core.audio.calibration import DESCRIPTORS  # noqa: E402
from genrelens.core.audio.calibration_fit import dev_groups, fit_all, grouped_folds, measure_dev_set  # noqa: E402
from genrelens.core.ml.local_model import BAG, INPUTS_KIND, LOCAL_FEATURES, NOISE_KIND, SEED, TARGETS  # noqa: E402

INPUTS = ("as-estimated", "variance-matched", "quantile-mapped")
Map = Callable[[np.ndarray], np.ndarray]


def _quantile_mapped(estimates: np.ndarray, truth: np.ndarray) -> Map:
    """An estimate's quantile among the estimates, read off Spotify's values."""
    ranked, levels = np.sort(estimates), (np.arange(len(estimates)) + 0.5) / len(estimates)
    return lambda x: np.quantile(truth, np.interp(x, ranked, levels))


def mapped_inputs(inputs: str, train: pd.DataFrame, spotify: pd.DataFrame,
                  test: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training and test folds' local features with each estimated descriptor mapped by a map
    fitted on the training folds' estimates and Spotify values."""
    if inputs != "quantile-mapped":  # the shipped recipe's stretch, or none
        stretch = bench.shipped_stretch(spotify, train, inputs)
        return stretch.apply(train), stretch.apply(test)
    train, test = train.copy(), test.copy()
    for name in DESCRIPTORS:
        mapped = _quantile_mapped(train[name].to_numpy(float), spotify[name].to_numpy(float))
        train[name], test[name] = mapped(train[name].to_numpy(float)), mapped(test[name].to_numpy(float))
    return train, test


def _fold(task: tuple[Any, ...]) -> tuple[np.ndarray, np.ndarray]:
    """One fold's companion probabilities and the active model's, on the fold's mapped features."""
    prepared, full, spotify, local, train, test, seed, inputs = task
    train_local, test_local = mapped_inputs(inputs, local.iloc[train], spotify.iloc[train], local.iloc[test])
    companion = bench._fold_proba(prepared.X, prepared.y, full, spotify.iloc[train], train_local,
                                  test_local[list(LOCAL_FEATURES)], list(LOCAL_FEATURES), NOISE_KIND, TARGETS, seed)
    return companion, full.predict_proba(test_local[list(bench.GENRE_FEATURES)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "spotify-previews")
    parser.add_argument("--songs", type=Path, default=ROOT.parent / "shared" / "data" / "tidytuesday-songs-dev.csv")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--inputs", nargs="+", choices=INPUTS, default=list(INPUTS))
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
    reference = full.predict_proba(spotify)
    assignments = grouped_folds([g for g, keep in zip(dev_groups(frame), complete, strict=True) if keep])

    tasks = [(inputs, a, train, test, seed) for inputs in args.inputs for a, folds in enumerate(assignments)
             for train, test in folds for seed in range(SEED, SEED + args.seeds)]
    with ProcessPoolExecutor(max_workers=2) as workers:
        results = list(workers.map(_fold, [(prepared, full, spotify, local, train, test, seed, inputs)
                                           for inputs, _, train, test, seed in tasks]))
    probas = {inputs: np.zeros((len(assignments), args.seeds, *reference.shape)) for inputs in args.inputs}
    active = {inputs: np.zeros((len(assignments), *reference.shape)) for inputs in args.inputs}
    for (inputs, a, _, test, seed), (companion, active_proba) in zip(tasks, results, strict=True):
        probas[inputs][a, seed - SEED][test] = companion
        active[inputs][a][test] = active_proba

    lines = [
        "## Local companion: noise draws, bagging and de-shrunk inputs",
        "",
        f"`.venv/bin/python bench/bench_companion_seeds.py --seeds {args.seeds} --inputs {' '.join(args.inputs)}`"
        f" ({date.today().isoformat()}).",
        f"Out-of-fold agreement with the active model's genre from Spotify's values, {int(complete.sum())} recordings,",
        "mean over all five fold assignments (the descriptors benchmark uses two); \"pooled\" is the shipped",
        "pooling with the active model, its weight chosen on the other folds. Inputs: what the genre models read",
        "for the estimated descriptors (the script's docstring says how each is made; `as-estimated` shipped until "
        "round 9, `variance-matched` with the seeds' mean ships since).",
        "",
        "| inputs | companion | top-1 | top-2 | pooled top-1 | pooled top-2 | pooled top-1 per assignment |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for inputs in args.inputs:
        alone = [bench.agreement(reference, p) for p in active[inputs]]
        lines.append(f"| {inputs} | none: the active model alone | {np.mean([a[0] for a in alone]):.1%} "
                     f"| {np.mean([a[1] for a in alone]):.1%} | | | |")
        variants = [(f"seed {s}" + (" (shipped until round 9)" if s == 0 and inputs == "as-estimated" else ""),
                     probas[inputs][:, s]) for s in range(args.seeds)]
        shipped = inputs == INPUTS_KIND and args.seeds == BAG
        variants.append((f"mean of the {args.seeds} seeds' probabilities" + (" (shipped)" if shipped else ""),
                         probas[inputs].mean(axis=1)))
        for name, per_assignment in variants:
            lines.append(_row(inputs, name, reference, per_assignment, active[inputs], assignments))
    args.out.write_text("\n".join(lines) + "\n")
    print(args.out.read_text())


def _row(inputs: str, name: str, reference: np.ndarray, per_assignment: np.ndarray, active: np.ndarray,
         assignments: list[Any]) -> str:
    alone = [bench.agreement(reference, p) for p in per_assignment]
    mixed = [bench.agreement(reference, bench.pooled_out_of_fold(reference, p, a, folds))
             for p, a, folds in zip(per_assignment, active, assignments, strict=True)]
    return (f"| {inputs} | {name} | {np.mean([a[0] for a in alone]):.1%} | {np.mean([a[1] for a in alone]):.1%} "
            f"| {np.mean([m[0] for m in mixed]):.1%} | {np.mean([m[1] for m in mixed]):.1%} "
            f"| {', '.join(f'{m[0]:.0%}' for m in mixed)} |")


if __name__ == "__main__":
    main()
