"""Taste documents: what the API stores and serves, as plain JSON-ready dicts.

- `public_taste`: per dataset, for every genre (and "all"), every feature's distribution on its
  fixed grid (density, 101 percentiles, median, mean, count), plus genre counts and shares.
- `user_taste`: the same per-feature blocks for one user's tracks, the model's genre mix (and how
  much of it rests on features estimated from audio files: `genre_basis`), how close the user is
  to each public genre, and feature coverage.
- `share_snapshot`: a user document reduced to aggregates (nothing that names a track).
- `public_as_taste`: a public document (or one of its genres) in the shape of a user document.
- `compare`: one similarity score between two such documents, with per-feature and per-genre
  differences.
- `percentiles_of`: one track's percentile within each genre, from the stored percentiles.

**The similarity measure is the overlap of distributions** (the overlapping coefficient,
OVL = the integral of min(f, g)): the share of two distributions that coincide, 1 for identical
distributions and 0 for ones with nothing in common. It was chosen over 1 - Jensen-Shannon
distance and the Bhattacharyya coefficient because it reads as a plain percentage ("your energy
overlaps rock's by 72 %") and stays bounded, symmetric and defined when one side is zero somewhere.
For continuous features it is taken between the two densities on the shared grid (over their
mean area, so that the stored densities' rounding cannot keep two identical ones from 1); for the whole-
number features (key, mode, time_signature) between their exact value frequencies (two kernel
estimates of a point mass with different bandwidths would overlap badly although identical). For
the genre mix it is sum(min(p_g, q_g)) over genres, i.e. 1 - total variation distance. `compare`'s
similarity is the mean of the feature overlaps both sides have and the genre-mix overlap, each
counted once; a user's closeness to a genre is the mean of the feature overlaps.

Two samples of the same music overlap a little below 1 (sampling, and a density from few tracks is
smoother: Scott's bandwidth grows as n shrinks): two disjoint samples of the shared file's rock
tracks score 0.90 at 100 tracks each, 0.94 at 300, 0.96 at 1,000. Every genre is affected alike,
so the ranking of closeness is not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from genrelens.core.taste.density import Grid, binned_kde, feature_densities, feature_values, group_codes
from genrelens.core.taste.errors import TasteInputError
from genrelens.core.taste.grid import DISCRETE_FEATURES, DISCRETE_VALUES, GRID_POINTS, grid_spec
from genrelens.core.taste.quantiles import PERCENTILES, sorted_percentiles
from genrelens.core.types import FEATURE_NAMES

#: Bump when the documents' shape or meaning changes, so stored documents can be recomputed.
DOCUMENT_VERSION = 1
MEASURE = ("overlap (the integral of min(f, g), 0..1): the share of two distributions that coincide; "
           "mean over the features both sides have, plus the genre mix's overlap (1 - total variation)")
CLOSENESS_MEASURE = ("overlap (the integral of min(f, g), 0..1) between the user's and the genre's "
                     "distributions, averaged over the features both have")
METHOD = {
    "density": "Gaussian kernel density estimate (linear binning + FFT convolution), normalised to "
               "integrate to 1 over the grid",
    "bandwidth": "Scott's rule as scipy.stats.gaussian_kde applies it (weighted std x neff^(-1/5))",
    "percentiles": "numpy.percentile, linear interpolation (weighted tracks: inverted CDF)",
}

Block = dict[str, Any]


# --------------------------------------------------------------------------------------------
# Per-feature blocks


#: a density's significant digits, and the share of its peak under which it is stored as 0
DENSITY_DIGITS = 4
DENSITY_FLOOR = 1e-4


def _rounded(density: np.ndarray) -> list[float]:
    """A density to 4 significant digits, 0 below 1e-4 of its peak. A density is a picture and an
    overlap: on the shared dataset's genres this moves an area (and so an overlap) by at most
    2e-4, and it makes a user's taste, sent with every taste page, a quarter smaller compressed
    than 6 digits did (bench/bench_load.py's table of costs)."""
    floor = DENSITY_FLOOR * float(density.max(initial=0.0))
    return [float(f"{v:.{DENSITY_DIGITS}g}") if v >= floor else 0.0 for v in density.tolist()]


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _frequencies(x: np.ndarray, w: np.ndarray | None, feature: str) -> list[float] | None:
    """Shares of each whole value of a discrete feature (weighted), or None without values."""
    allowed = DISCRETE_VALUES[feature]
    whole = np.rint(x)
    inside = (whole >= allowed[0]) & (whole <= allowed[-1])
    counts = np.bincount((whole[inside] - allowed[0]).astype(np.int64),
                         weights=None if w is None else w[inside], minlength=len(allowed))
    total = counts.sum()
    return (counts / total).tolist() if total > 0 else None


def empty_block(feature: str) -> Block:
    block: Block = {"count": 0, "density": None, "percentiles": None, "median": None, "mean": None,
                    "bandwidth": None}
    if feature in DISCRETE_FEATURES:
        block["frequencies"] = None
    return block


def feature_block(x: np.ndarray, w: np.ndarray | None, feature: str, density: np.ndarray | None,
                  bandwidth: float, *, presorted: bool = False) -> Block:
    """A feature's block from its finite values `x` (weights `w`, None = equal) and its density."""
    if len(x) == 0 or density is None or (w is not None and not w.sum() > 0):
        return empty_block(feature)
    if w is None:
        percentiles = sorted_percentiles(x if presorted else np.sort(x))
        mean = float(np.mean(x))
    else:  # numpy's weighted percentiles exist for the inverted CDF only
        percentiles = np.percentile(x, PERCENTILES, weights=w, method="inverted_cdf")
        mean = float(np.average(x, weights=w))
    block: Block = {"count": len(x), "density": _rounded(density), "percentiles": percentiles.tolist(),
                    "median": float(percentiles[50]), "mean": _number(mean), "bandwidth": _number(bandwidth)}
    if feature in DISCRETE_FEATURES:
        block["frequencies"] = _frequencies(x, w, feature)
    return block


# --------------------------------------------------------------------------------------------
# Public taste


def public_taste(frame: pd.DataFrame, *, genre_column: str = "playlist_genre", dataset: str = "",
                 points: int = GRID_POINTS) -> dict[str, Any]:
    """Distributions of the 13 features per genre of a canonical dataset frame, and for all rows.

    Rows without a genre count in "all" only. A feature the dataset lacks (the shared TidyTuesday
    file has no key, mode or time_signature) has blocks with count 0 and None values.
    """
    if genre_column not in frame.columns:
        raise TasteInputError(f"no genre column {genre_column!r} in the dataset")
    if len(frame) == 0:
        raise TasteInputError("the dataset has no rows: there is no public taste to compute")
    codes, labels = group_codes(frame, genre_column)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
    members = [order[bounds[g]:bounds[g + 1]] for g in range(len(labels))]
    genre_features: list[dict[str, Block]] = [{} for _ in labels]
    all_features: dict[str, Block] = {}
    for feature in FEATURE_NAMES:
        found = feature_densities(frame, feature, codes, len(labels), None, points=points, with_all=True)
        x = feature_values(frame, feature)
        # sorted once per genre: percentiles are then read off, and all tracks' sort merges these
        ordered = [_sorted_finite(x[rows]) for rows in [*members, order[bounds[-1]:]]]
        for g in range(len(labels)):
            genre_features[g][feature] = _public_block(ordered[g], feature, found.density[g], found.bandwidth[g])
        everything = np.sort(np.concatenate(ordered))
        all_features[feature] = _public_block(everything, feature, found.density[-1], found.bandwidth[-1])
    labelled_rows = int(sum(len(rows) for rows in members))
    return {
        "version": DOCUMENT_VERSION,
        "dataset": dataset,
        "genre_column": genre_column,
        "features": list(FEATURE_NAMES),
        "grid": {feature: grid_spec(feature, points) for feature in FEATURE_NAMES},
        "method": dict(METHOD),
        "genres": {
            label: {"count": len(rows), "share": len(rows) / labelled_rows if labelled_rows else 0.0,
                    "features": genre_features[g]}
            for g, (label, rows) in enumerate(zip(labels, members, strict=True))
        },
        "all": {"count": len(frame), "share": 1.0, "features": all_features},
    }


def _sorted_finite(x: np.ndarray) -> np.ndarray:
    finite = x[np.isfinite(x)]
    finite.sort()
    return finite


def _public_block(ordered: np.ndarray, feature: str, density: np.ndarray, bandwidth: float) -> Block:
    return feature_block(ordered, None, feature, density if len(ordered) else None, float(bandwidth),
                         presorted=True)


# --------------------------------------------------------------------------------------------
# A user's taste


def _grid_of(public: Mapping[str, Any], feature: str) -> Grid:
    spec = public["grid"][feature]
    points = int(spec["points"])
    return Grid(float(spec["min"]), (float(spec["max"]) - float(spec["min"])) / (points - 1), points)


def _track_weights(tracks: pd.DataFrame) -> np.ndarray | None:
    """The tracks' "weight" column (checked), or None when absent or equal for all tracks."""
    if "weight" not in tracks.columns:
        return None
    w = pd.to_numeric(tracks["weight"], errors="coerce").to_numpy(dtype=float)
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise TasteInputError("column 'weight': weights must be finite and not negative")
    return None if len(w) == 0 or (w == w[0]).all() else w


def _user_block(tracks: pd.DataFrame, feature: str, w: np.ndarray | None, grid: Grid) -> Block:
    x = feature_values(tracks, feature)
    keep = np.isfinite(x)
    if not keep.any():
        return empty_block(feature)
    kept_w = None if w is None else w[keep]
    found = binned_kde(x[keep], kept_w, np.zeros(int(keep.sum()), dtype=np.int64), 1, grid)
    return feature_block(x[keep], kept_w, feature, found.density[0], float(found.bandwidth[0]))


def genre_mix(probabilities: pd.DataFrame | None, w: np.ndarray | None) -> dict[str, dict[str, float]] | None:
    """Mean probability per genre and the share of tracks whose most likely genre it is (weighted).

    Rows with any missing probability (tracks the model could not score) are left out; None when
    there is no model or no scored track."""
    if probabilities is None or probabilities.shape[1] == 0:
        return None
    p = probabilities.to_numpy(dtype=float)
    scored = np.isfinite(p).all(axis=1)
    weights = np.ones(len(p)) if w is None else w
    weights = weights[scored]
    if not weights.sum() > 0:
        return None
    p = p[scored]
    genres = [str(c) for c in probabilities.columns]
    mean = weights @ p / weights.sum()
    top = np.bincount(p.argmax(axis=1), weights=weights, minlength=len(genres)) / weights.sum()
    return {"mean_probability": dict(zip(genres, mean.tolist(), strict=True)),
            "top1_share": dict(zip(genres, top.tolist(), strict=True))}


def _coverage(tracks: pd.DataFrame, features: Sequence[str], sources: Sequence[str | None]) -> dict[str, Any]:
    """How many tracks had any feature, and from which source ("unknown" when none was named)."""
    known = np.zeros(len(tracks), dtype=bool)
    for feature in features:
        known |= np.isfinite(feature_values(tracks, feature))
    by_source: dict[str, int] = {}
    for source, has in zip(sources, known, strict=True):
        if has:
            label = source or "unknown"
            by_source[label] = by_source.get(label, 0) + 1
    return {"tracks": len(tracks), "with_features": int(known.sum()), "without_features": int((~known).sum()),
            "by_source": dict(sorted(by_source.items()))}


def user_taste(tracks: pd.DataFrame, *, public: Mapping[str, Any], probabilities: pd.DataFrame | None,
               sources: Sequence[str | None], genre_basis: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One user's taste on the public document's grids: per-feature blocks, the genre mix (None
    without a model), closeness to each public genre (None where nothing can be compared) and
    feature coverage. `tracks` has one row per track (NaN = unknown feature, optional "weight");
    `probabilities` and `sources` have one entry per track, in the same order. `genre_basis`:
    what the caller knows of the probabilities' basis (`_genre_basis` says what is kept)."""
    if len(sources) != len(tracks):
        raise TasteInputError(f"{len(sources)} sources for {len(tracks)} tracks")
    if probabilities is not None and len(probabilities) != len(tracks):
        raise TasteInputError(f"{len(probabilities)} rows of probabilities for {len(tracks)} tracks")
    features = list(public["features"])
    w = _track_weights(tracks)
    blocks = {feature: _user_block(tracks, feature, w, _grid_of(public, feature)) for feature in features}
    return {
        "version": DOCUMENT_VERSION,
        "dataset": public.get("dataset", ""),
        "features": blocks,
        "grid": {feature: dict(public["grid"][feature]) for feature in features},
        "genre_mix": genre_mix(probabilities, w),
        "genre_basis": _genre_basis(genre_basis),
        "closeness": {genre: _closeness(blocks, entry["features"])
                      for genre, entry in public["genres"].items()},
        "closeness_measure": CLOSENESS_MEASURE,
        "coverage": _coverage(tracks, features, sources),
        "track_count": len(tracks),
    }


def _genre_basis(basis: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """How much of the genre mix rests on features estimated from audio files rather than on
    Spotify's: of the tracks with genres, how many were estimated, the model that scored those and
    how often its top genres matched the ones from Spotify's features for the same recordings
    ({top1, top2, recordings}; None when no track was estimated). An allow-list: it is shared too.
    None when the caller knew nothing of it (documents stored before it existed have none either)."""
    if basis is None:
        return None
    estimated, with_genres = int(basis["estimated_tracks"]), int(basis["tracks_with_genres"])
    if not 0 <= estimated <= with_genres:
        raise TasteInputError(f"{estimated} tracks with estimated genres of {with_genres} with genres")
    agreement = basis.get("agreement") if estimated else None
    return {"estimated_tracks": estimated, "tracks_with_genres": with_genres,
            "model": str(basis["model"]) if estimated and basis.get("model") is not None else None,
            "agreement": None if agreement is None else {"top1": float(agreement["top1"]),
                                                         "top2": float(agreement["top2"]),
                                                         "recordings": int(agreement["recordings"])}}


def _closeness(user: Mapping[str, Block], genre: Mapping[str, Block]) -> float | None:
    overlaps = [overlap(user[f], genre[f]) for f in user if f in genre]
    known = [o for o in overlaps if o is not None]
    return round(float(np.mean(known)), 6) if known else None


def overlap(a: Block, b: Block) -> float | None:
    """The overlap of two blocks' distributions (0..1): exact frequencies for whole-number
    features, densities (trapezoid rule on the shared grid) otherwise; None if a side has no data."""
    if a.get("frequencies") is not None and b.get("frequencies") is not None:
        return _clipped(float(np.minimum(a["frequencies"], b["frequencies"]).sum()))
    if a.get("density") is None or b.get("density") is None:
        return None
    f, g = np.asarray(a["density"], dtype=float), np.asarray(b["density"], dtype=float)
    if len(f) != len(g):
        raise TasteInputError("the two distributions are on different grids")
    # over the two densities' mean area, which rounding moved off 1 by up to 2e-4 (`_rounded`):
    # identical distributions overlap by exactly 1
    mean_area = 0.5 * (_trapezoid(f) + _trapezoid(g))
    return _clipped(_trapezoid(np.minimum(f, g)) / mean_area) if mean_area > 0 else None


def _trapezoid(y: np.ndarray) -> float:
    """The trapezoid rule's sum on a uniform grid, in grid steps (the step cancels in a ratio)."""
    return float(y.sum() - 0.5 * (y[0] + y[-1]))


def _clipped(value: float) -> float:
    return min(1.0, max(0.0, round(value, 6)))


# --------------------------------------------------------------------------------------------
# Percentiles of one track


def _rank(value: float, percentiles: Sequence[float]) -> float:
    """Where `value` falls among the 101 stored percentiles, as a percentile 0..100: linear between
    neighbours, the middle of a run of equal percentiles (a tie, e.g. instrumentalness 0)."""
    p = np.asarray(percentiles, dtype=float)
    first = int(np.searchsorted(p, value, side="left"))
    past = int(np.searchsorted(p, value, side="right"))
    if past > first:
        return (first + past - 1) / 2.0
    if first == 0:
        return 0.0
    if first == len(p):
        return 100.0
    low, high = p[first - 1], p[first]
    return float(first - 1 + (value - low) / (high - low))


def percentiles_of(features: Mapping[str, float | None],
                   public: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    """For each given feature, the value's percentile (0..100) within every genre and "all"; None
    where the value is unknown or the genre has no values of that feature."""
    groups = {**{g: entry["features"] for g, entry in public["genres"].items()}, "all": public["all"]["features"]}
    result: dict[str, dict[str, float | None]] = {}
    for feature, raw in features.items():
        if feature not in public["features"]:
            raise TasteInputError(f"unknown feature {feature!r}; expected one of {', '.join(public['features'])}")
        value = None if raw is None else float(raw)
        if value is not None and (not math.isfinite(value) or (feature == "key" and value < 0)):
            value = None
        result[feature] = {g: _percentile_in(value, blocks.get(feature)) for g, blocks in groups.items()}
    return result


def _percentile_in(value: float | None, block: Block | None) -> float | None:
    if value is None or block is None or block.get("percentiles") is None:
        return None
    return round(_rank(value, block["percentiles"]), 4)


# --------------------------------------------------------------------------------------------
# Sharing and comparing

_BLOCK_KEYS = ("count", "density", "percentiles", "median", "mean", "bandwidth", "frequencies")


def share_snapshot(user: Mapping[str, Any]) -> dict[str, Any]:
    """A user document reduced to aggregates: distributions, genre mix, closeness and coverage
    counts. Built from an allow-list, so anything else (names, ids, per-track rows, last update,
    account fields) a caller may have added is left out."""
    mix = user.get("genre_mix")
    coverage = user.get("coverage") or {}
    return {
        "version": user.get("version", DOCUMENT_VERSION),
        "kind": "snapshot",
        "dataset": str(user.get("dataset", "")),
        "features": {str(f): {k: block[k] for k in _BLOCK_KEYS if k in block}
                     for f, block in user.get("features", {}).items()},
        "grid": {str(f): {k: spec[k] for k in ("min", "max", "points", "unit") if k in spec}
                 for f, spec in user.get("grid", {}).items()},
        "genre_mix": None if mix is None else {
            part: {str(g): float(p) for g, p in mix[part].items()} for part in ("mean_probability", "top1_share")},
        # those who follow the link are owed the same warning as the owner
        "genre_basis": _genre_basis(user.get("genre_basis")),
        "closeness": {str(g): v for g, v in (user.get("closeness") or {}).items()},
        "closeness_measure": user.get("closeness_measure", CLOSENESS_MEASURE),
        "coverage": {
            "tracks": int(coverage.get("tracks", 0)),
            "with_features": int(coverage.get("with_features", 0)),
            "without_features": int(coverage.get("without_features", 0)),
            "by_source": {str(s): int(n) for s, n in coverage.get("by_source", {}).items()},
        },
        "track_count": int(user.get("track_count", 0)),
    }


def public_as_taste(public: Mapping[str, Any], genre: str | None = None) -> dict[str, Any]:
    """The public document's "all" block (or one genre's) in the shape of a user document, so it
    can be compared. Its genre mix is the genres' shares of the dataset's labels (for one genre:
    all of it), which is what a calibrated model's mean probabilities over those tracks would be."""
    if genre is None:
        entry = public["all"]
        shares = {g: float(e["share"]) for g, e in public["genres"].items()}
    elif genre in public["genres"]:
        entry = public["genres"][genre]
        shares = {g: 1.0 if g == genre else 0.0 for g in public["genres"]}
    else:
        raise TasteInputError(f"no genre {genre!r} in dataset {public.get('dataset', '')!r}")
    count = int(entry["count"])
    source = f"dataset:{public.get('dataset', '')}"
    return {
        "version": public.get("version", DOCUMENT_VERSION),
        "kind": "public",
        "dataset": public.get("dataset", ""),
        "genre": genre,
        "features": entry["features"],
        "grid": public["grid"],
        "genre_mix": {"mean_probability": shares, "top1_share": dict(shares)},
        "closeness": None,
        "coverage": {"tracks": count, "with_features": count, "without_features": 0, "by_source": {source: count}},
        "track_count": count,
    }


def _same_grids(a: Mapping[str, Any], b: Mapping[str, Any], features: Sequence[str]) -> None:
    for feature in features:
        ga, gb = a.get("grid", {}).get(feature), b.get("grid", {}).get(feature)
        if ga and gb and any(ga[k] != gb[k] for k in ("min", "max", "points")):
            raise TasteInputError(f"the two tastes draw {feature} on different grids; recompute the older one")


def _feature_rows(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    names = [f for f in a.get("features", {}) if f in b.get("features", {})]
    _same_grids(a, b, names)
    rows: dict[str, dict[str, float | None]] = {}
    for feature in names:
        fa, fb = a["features"][feature], b["features"][feature]
        ma, mb = fa.get("median"), fb.get("median")
        rows[feature] = {"a_median": ma, "b_median": mb,
                         "difference": None if ma is None or mb is None else ma - mb,
                         "overlap": overlap(fa, fb)}
    return rows


def _genre_rows(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, dict[str, float | None]]:
    ma = (a.get("genre_mix") or {}).get("mean_probability")
    mb = (b.get("genre_mix") or {}).get("mean_probability")
    names = sorted(set(ma or {}) | set(mb or {}))
    rows: dict[str, dict[str, float | None]] = {}
    for genre in names:
        pa = None if ma is None else float(ma.get(genre, 0.0))
        pb = None if mb is None else float(mb.get(genre, 0.0))
        rows[genre] = {"a": pa, "b": pb, "difference": None if pa is None or pb is None else pa - pb}
    return rows


def compare(a: Mapping[str, Any], b: Mapping[str, Any], *, top: int = 5) -> dict[str, Any]:
    """How similar two tastes are (user, snapshot or `public_as_taste` documents).

    similarity: the mean of the per-feature overlaps both sides have and the genre-mix overlap
    (when both have a mix), 0..1, None when nothing can be compared. features: each side's median,
    their difference (a - b, in the feature's units) and the overlap. genres: each side's mean
    probability and a - b. biggest_differences: the `top` largest, features by 1 - overlap and
    genres by |a - b| (both 0..1), largest first.
    """
    features = _feature_rows(a, b)
    genres = _genre_rows(a, b)
    parts = [row["overlap"] for row in features.values() if row["overlap"] is not None]
    both_mixes = bool(genres) and all(row["difference"] is not None for row in genres.values())
    if both_mixes:
        parts.append(_clipped(sum(min(row["a"] or 0.0, row["b"] or 0.0) for row in genres.values())))
    return {
        "similarity": _clipped(float(np.mean(parts))) if parts else None,
        "measure": MEASURE,
        "features": features,
        "genres": genres,
        "biggest_differences": _biggest(features, genres, top),
    }


def _biggest(features: Mapping[str, Mapping[str, float | None]], genres: Mapping[str, Mapping[str, float | None]],
             top: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for name, row in features.items():
        if row["overlap"] is not None:
            items.append({"kind": "feature", "name": name, "difference": _clipped(1.0 - row["overlap"]),
                          "a_median": row["a_median"], "b_median": row["b_median"]})
    for name, row in genres.items():
        if row["difference"] is not None:
            items.append({"kind": "genre", "name": name, "difference": _clipped(abs(row["difference"])),
                          "a": row["a"], "b": row["b"]})
    items.sort(key=lambda item: (-item["difference"], item["kind"], item["name"]))
    return items[:top]
