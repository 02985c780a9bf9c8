"""How far local descriptors agree with Spotify's, before and after calibration, and what that
means for genre claims on local tracks.

    .venv/bin/python bench/bench_descriptors.py [--dev ../shared/data/spotify-previews]
        [--songs ../shared/data/tidytuesday-songs-dev.csv] [--out docs/benchmarks/descriptors.md]

Development set: real recordings with Spotify's audio features (`features.csv`). "Before" is the
analyser 1.0 blends (bench/descriptors_v1.py) on the same measures; "after" is the calibrated
models' out-of-fold predictions (5-fold CV grouped by artist, 5 repeats; calibration_fit.py).

Genre agreement: a genre model (the LightGBM candidate of `genrelens train`, audio features only,
trained once on the shared TidyTuesday songs) scores each recording twice, from Spotify's values
and from the local ones; agreement is how often the local top-1 equals the Spotify top-1, and how
often the Spotify top-1 is among the local top 2. The "restricted" model is the same learner
trained only on the features local analysis reproduces with r >= 0.7, each with Gaussian noise of
its measured local error added to the training rows. The winner's numbers are written to
genrelens/data/local_genre_agreement.json, which `local_genre_claim` shows beside its probabilities.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy.stats import pearsonr  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import descriptors_v1  # noqa: E402

from genrelens.core.audio.calibration import DESCRIPTORS  # noqa: E402
from genrelens.core.audio.calibration_fit import (  # noqa: E402
    MEASURE_PREFIX,
    fit_all,
    measure_dev_set,
    measurements_of,
)
from genrelens.core.dataset.formats import read_dataset  # noqa: E402
from genrelens.core.ml.candidates import build_pipeline  # noqa: E402
from genrelens.core.ml.local_claims import AGREEMENT_PATH  # noqa: E402
from genrelens.core.ml.preprocess import prepare  # noqa: E402

GENRE_FEATURES = ("danceability", "energy", "loudness", "speechiness", "acousticness", "instrumentalness",
                  "liveness", "valence", "tempo", "duration_ms")
#: a local descriptor counts as reproduced faithfully at this cross-validated r or above
FAITHFUL_R = 0.7
#: measured fields the restricted model may always use (tempo, loudness: measured, not estimated)
MEASURED_INPUTS = ("loudness", "tempo", "duration_ms")


def before_predictions(frame: pd.DataFrame) -> pd.DataFrame:
    rows = [descriptors_v1.estimate(measurements_of(row)) for _, row in frame.iterrows()]
    return pd.DataFrame(rows, index=frame.index)


def after_predictions(frame: pd.DataFrame, fidelity: dict[str, dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index, columns=list(DESCRIPTORS), dtype=float)
    for name in DESCRIPTORS:
        rows = frame[name].notna().to_numpy()
        out.loc[rows, name] = fidelity[name].pop("_predictions")
    return out


def agreement_row(name: str, truth: pd.Series, predicted: pd.Series) -> dict[str, Any]:
    keep = truth.notna() & predicted.notna()
    t, p = truth[keep].to_numpy(float), predicted[keep].to_numpy(float)
    r = float(pearsonr(p, t)[0]) if p.std() > 0 else float("nan")
    return {"descriptor": name, "n": int(keep.sum()), "r": r, "mae": float(np.abs(p - t).mean())}


def local_frame(frame: pd.DataFrame, descriptors: pd.DataFrame) -> pd.DataFrame:
    """What the genre model sees for a local track: estimated descriptors, measured tempo and
    loudness (LUFS), no liveness. Duration is Spotify's track duration, because most recordings
    here are 30-second previews of longer tracks and a local file is the whole track."""
    local = descriptors.copy()
    local["liveness"] = np.nan
    local["tempo"] = frame[MEASURE_PREFIX + "tempo"]
    local["loudness"] = frame[MEASURE_PREFIX + "loudness"]
    local["duration_ms"] = frame["duration_ms"]
    return local[list(GENRE_FEATURES)]


def agreement(reference: np.ndarray, local: np.ndarray) -> tuple[float, float]:
    top1 = reference.argmax(axis=1)
    order = np.argsort(-local, axis=1)
    return float(np.mean(order[:, 0] == top1)), float(np.mean((order[:, 0] == top1) | (order[:, 1] == top1)))


def genre_models(
    songs: Path, noise: dict[str, float], faithful: list[str]
) -> tuple[Any, Any, list[str], dict[str, float]]:
    prepared = prepare(read_dataset(songs).frame, feature_set="audio", features=list(GENRE_FEATURES))
    timings = {}
    t0 = time.perf_counter()
    full = build_pipeline("lightgbm").fit(prepared.X, prepared.y)
    timings["full"] = time.perf_counter() - t0
    columns = [*faithful, *MEASURED_INPUTS]
    rng = np.random.default_rng(0)
    X = prepared.X[columns].copy()
    for name in columns:
        if noise.get(name, 0.0) > 0:
            X[name] = X[name] + rng.normal(0.0, noise[name], len(X))
    t0 = time.perf_counter()
    restricted = build_pipeline("lightgbm").fit(X, prepared.y)
    timings["restricted"] = time.perf_counter() - t0
    return full, restricted, columns, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "spotify-previews")
    parser.add_argument("--songs", type=Path, default=ROOT.parent / "shared" / "data" / "tidytuesday-songs-dev.csv")
    parser.add_argument("--annotated", type=Path, default=ROOT.parent / "shared" / "data" / "annotated-audio")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "descriptors.md")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    for needed in (args.dev / "features.csv", args.songs, args.annotated / "annotations.json"):
        if not needed.is_file():
            sys.exit(f"{needed} is missing: this benchmark needs the shared development data")

    frame = measure_dev_set(args.dev, cache=ROOT / "var" / "descriptors", workers=args.workers)
    _, fidelity = fit_all(frame, keep_predictions=True)
    before, after = before_predictions(frame), after_predictions(frame, fidelity)
    rows = []
    for name in DESCRIPTORS:
        truth = frame[name]
        base = fidelity[name]["mae_mean_predictor"]
        rows.append((name, agreement_row(name, truth, before[name]), agreement_row(name, truth, after[name]), base))

    complete = frame[[*DESCRIPTORS, "liveness"]].notna().all(axis=1).to_numpy()
    residual = {n: float(np.sqrt(np.mean((after[n] - frame[n])[complete] ** 2))) for n in DESCRIPTORS}
    faithful = [n for n in DESCRIPTORS if fidelity[n]["r"] >= FAITHFUL_R]
    full, restricted, columns, timings = genre_models(args.songs, residual, faithful)
    spotify = frame.loc[complete, list(GENRE_FEATURES)]
    reference = full.predict_proba(spotify)
    genre = {}
    for label, descriptors, model, cols in (
        ("active model, analyser 1.0 descriptors (before)", before, full, list(GENRE_FEATURES)),
        ("active model, calibrated descriptors", after, full, list(GENRE_FEATURES)),
        ("restricted model, calibrated descriptors", after, restricted, columns),
    ):
        local = local_frame(frame, descriptors).loc[complete, cols]
        genre[label] = agreement(reference, model.predict_proba(local))
    write_agreement(genre, faithful, columns, int(complete.sum()))
    other = held_out(args.annotated, args.workers)
    args.out.write_text(render(rows, genre, fidelity, columns, int(complete.sum()), timings, other))
    print(args.out.read_text())


def held_out(annotated: Path, workers: int) -> pd.DataFrame:
    """Per GTZAN genre of the annotated excerpts (recordings the calibration never saw, without
    Spotify values): share read as instrumental, and mean speechiness and acousticness."""
    from concurrent.futures import ProcessPoolExecutor

    from genrelens.core.audio import analyze_file

    genres = {name: info["genre"] for name, info in json.loads((annotated / "annotations.json").read_text()).items()}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(analyze_file, [annotated / name for name in genres]))
    frame = pd.DataFrame([r.features.as_dict() for r in results]).assign(genre=list(genres.values()))
    return frame.groupby("genre").agg(
        clips=("energy", "size"),
        read_instrumental=("instrumentalness", lambda s: float((s > 0.5).mean())),
        speechiness=("speechiness", "mean"),
        acousticness=("acousticness", "mean"),
        energy=("energy", "mean"),
    )


def write_agreement(genre: dict[str, tuple[float, float]], faithful: list[str], columns: list[str], n: int) -> None:
    active = genre["active model, calibrated descriptors"]
    restricted = genre["restricted model, calibrated descriptors"]
    basis = "active-model" if active[0] >= restricted[0] else "restricted-model"
    document = {
        "basis": basis,
        "agreement": {"active-model": {"top1": round(active[0], 3), "top2": round(active[1], 3)},
                      "restricted-model": {"top1": round(restricted[0], 3), "top2": round(restricted[1], 3),
                                           "features": columns}},
        "n": n,
        "measured_with": "bench/bench_descriptors.py: LightGBM candidate on audio features, trained on the "
        "shared TidyTuesday songs; recordings of ../shared/data/spotify-previews with all Spotify features",
    }
    AGREEMENT_PATH.write_text(json.dumps(document, indent=1) + "\n")


def render(rows: list[Any], genre: dict[str, tuple[float, float]], fidelity: dict[str, Any], columns: list[str],
           n_genre: int, timings: dict[str, float], other: pd.DataFrame) -> str:
    lines = [
        "## Local descriptors against Spotify's (`genrelens analyze`)",
        "",
        f"Command: `.venv/bin/python bench/bench_descriptors.py`, {date.today().isoformat()}. Development set: "
        "111 real recordings with Spotify's audio features (`../shared/data/spotify-previews`; 96 Spotify "
        "30-second previews and 15 full-length tracks from four public projects; energy, danceability and "
        "acousticness are known for 81 of them). The features were derived from Spotify's API: fine for "
        "development and testing. Results are judged on other recordings.",
        "",
        "Before: the analyser 1.0 blends (`bench/descriptors_v1.py`). After: the calibrated models' "
        "out-of-fold predictions, 5-fold cross-validation grouped by artist (a recording without a known "
        "artist is its own group), mean of 5 fold assignments. The mean predictor answers each test fold "
        "with its training folds' mean.",
        "",
        "| descriptor | n | r before | MAE before | r after | MAE after | MAE of the mean predictor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, b, a, base in rows:
        lines.append(f"| {name} | {a['n']} | {b['r']:.2f} | {b['mae']:.3f} | **{a['r']:.2f}** | "
                     f"**{a['mae']:.3f}** | {base:.3f} |")
    inst, speech = fidelity["instrumentalness"], fidelity["speechiness"]
    lines += [
        "",
        f"Instrumentalness after: {inst['sung_read_below_half']:.0%} of the {inst['n'] - inst['n_instrumental']} "
        f"recordings Spotify scores 0.5 or less read under 0.5; {inst['instrumental_read_above_half']:.0%} of the "
        f"{inst['n_instrumental']} it scores over 0.5 read over 0.5. Speechiness after: mean "
        f"{speech['mean_rap']:.3f} on the {speech['n_rap']} recordings Spotify scores 0.2 or more (rap, "
        f"spoken), {speech['mean_other']:.3f} on the others.",
        "",
        "### Genre claims for local tracks",
        "",
        f"{n_genre} recordings with every Spotify feature. Reference: the genre model's top-1 from Spotify's "
        "values. Model: the LightGBM candidate of `genrelens train` (a quicker stand-in for the default "
        "ensemble), audio features without release year, trained on the shared TidyTuesday songs "
        f"({timings['full']:.0f} s). Local inputs: the estimated descriptors (analyser 1.0 or calibrated), "
        "measured tempo and loudness (LUFS), "
        "no liveness (imputed), Spotify's track duration. The restricted model uses only "
        f"{', '.join(columns)} (descriptors with cross-validated r >= {FAITHFUL_R}, plus measured fields), "
        "trained with each descriptor's measured local error added as noise.",
        "",
        "| genre from local features | top-1 agreement | top-2 agreement |",
        "|---|---:|---:|",
    ]
    for label, (top1, top2) in genre.items():
        lines.append(f"| {label} | {top1:.0%} | {top2:.0%} |")
    lines += [
        "",
        "### Other recordings: the annotated GTZAN excerpts",
        "",
        f"{int(other['clips'].sum())} 30-second excerpts (`../shared/data/annotated-audio`) the calibration never "
        "saw. They have no Spotify values, so this only shows whether the estimates behave by genre as "
        "expected (classical and most jazz instrumental, hip-hop the most speech-like).",
        "",
        "| GTZAN genre | clips | read instrumental (> 0.5) | mean speechiness | mean acousticness | mean energy |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for g, row in other.iterrows():
        lines.append(f"| {g} | {int(row['clips'])} | {row['read_instrumental']:.0%} | {row['speechiness']:.3f} | "
                     f"{row['acousticness']:.2f} | {row['energy']:.2f} |")
    lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
