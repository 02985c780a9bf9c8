"""Gaussian kernel density estimates on a fixed grid, fast enough for a million tracks.

The estimate is the one `scipy.stats.gaussian_kde` gives (a Gaussian kernel, bandwidth by Scott's
rule computed exactly as scipy does, weights allowed), computed the way Wand (1994) describes for
large samples instead of summing n kernels at each grid point:

1. *Linear binning.* Each value splits its weight between the two nearest points of a fine internal
   grid, in proportion to closeness. The internal grid is the output grid refined so that a
   bandwidth spans at least 16 internal steps (the error of linear binning shrinks with the square
   of step/bandwidth: measured under 2e-4 of the peak against scipy; the refinement is capped at
   256, so a bandwidth under 1/16 of a grid step gets fewer), and extended by six bandwidths on
   each side so values just outside the range still add their tails.
2. *Convolution by FFT.* The binned weights are convolved with the Gaussian sampled on the same
   internal grid, all groups of a feature in one batched FFT.
3. The output grid's points are every r-th internal point, so no interpolation is needed.

Cost: O(n) to bin plus O(m log m) per group for m internal points, against scipy's O(n x grid).

Conventions: NaN values are ignored (with their weights). The result integrates to 1 over the grid
(trapezoid rule): mass that falls outside the grid's range is dropped and the rest renormalised,
which is what a chart of the range shows. Pass `normalize=False` for the raw estimate, which is
scipy's value at each point. Data with no spread (one value, or all values equal) has no Scott
bandwidth (scipy refuses it); it gets a bandwidth of one grid step, a visible bump.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from scipy import fft

from genrelens.core.taste.errors import TasteInputError
from genrelens.core.taste.grid import GRID_POINTS, feature_grid

#: A bandwidth covers at least this many internal grid steps (binning error up to (step/bandwidth)^2 / 8).
MIN_STEPS_PER_BANDWIDTH = 16
#: The internal grid refines the output grid by at most this factor.
MAX_REFINEMENT = 256
#: At most about this many internal points per group (refinement gives way first, then the
#: kernel's reach: values further out than that are then left out, an approximation for spreads
#: thousands of times wider than the grid).
MAX_INTERNAL_POINTS = 1 << 16
#: Kernels are cut at this many bandwidths (the Gaussian's tail beyond is below 1e-8 of its peak).
KERNEL_REACH = 6.0

_SQRT_2PI = math.sqrt(2.0 * math.pi)


@dataclass(frozen=True, slots=True)
class Grid:
    """An evenly spaced grid: `points` values from `low` in steps of `step`."""

    low: float
    step: float
    points: int

    @classmethod
    def of(cls, grid: np.ndarray) -> Grid:
        values = np.asarray(grid, dtype=float)
        if values.ndim != 1 or len(values) < 2 or not np.isfinite(values).all():
            raise TasteInputError("the grid must be a 1-D array of at least 2 finite values")
        steps = np.diff(values)
        step = (values[-1] - values[0]) / (len(values) - 1)
        if step <= 0 or not np.allclose(steps, step, rtol=1e-6, atol=0.0):
            raise TasteInputError("the grid must be increasing and evenly spaced")
        return cls(float(values[0]), float(step), len(values))


@dataclass(frozen=True, slots=True)
class GroupStats:
    """Per group: total weight, Kish's effective sample size and Scott's bandwidth (NaN: no data)."""

    weight: np.ndarray
    neff: np.ndarray
    bandwidth: np.ndarray


@dataclass(frozen=True, slots=True)
class FeatureDensities:
    """The densities of one feature for every group (rows), with the bandwidth each was drawn with."""

    density: np.ndarray  # (groups, points); rows of groups without values are all zero
    bandwidth: np.ndarray  # (groups,), NaN for groups without values
    weight: np.ndarray  # (groups,), total weight of the finite values

    def has_values(self, row: int) -> bool:
        return bool(self.weight[row] > 0)


def group_stats(x: np.ndarray, w: np.ndarray | None, codes: np.ndarray, groups: int,
                *, with_all: bool, degenerate: float) -> GroupStats:
    """Scott's-rule bandwidths per group code of the finite `x`, as scipy computes them: the weighted
    unbiased standard deviation (numpy.cov with aweights) times neff ** (-1/5). Row `groups` is
    everything together when `with_all`. Groups with no spread get `degenerate`."""
    total, squares, mean, spread = _kernels().moments(x, _weights_or_empty(w), codes, groups)
    if with_all:
        grand = float(total.sum())
        grand_mean = float(np.sum(total * np.nan_to_num(mean)) / grand) if grand > 0 else math.nan
        # the parallel-variance identity: no further pass over the data for the whole sample
        between = float(np.sum(total * np.nan_to_num(mean - grand_mean) ** 2))
        total = np.append(total, grand)
        squares = np.append(squares, squares.sum())
        spread = np.append(spread, spread.sum() + between)
    return _scott(total, squares, spread, degenerate)


def _scott(total: np.ndarray, squares: np.ndarray, spread: np.ndarray, degenerate: float) -> GroupStats:
    with np.errstate(invalid="ignore", divide="ignore"):
        neff = total * total / squares
        variance = (spread / total) / (1.0 - 1.0 / neff)  # numpy.cov(bias=False, aweights=w)
        bandwidth = np.sqrt(variance) * neff ** (-0.2)
    empty = ~(total > 0)
    # a bandwidth far below the grid step cannot be drawn on it: (near-)constant data
    flat = ~empty & ~(bandwidth >= degenerate / 64.0)
    bandwidth = np.where(flat, degenerate, bandwidth)
    bandwidth = np.where(empty, np.nan, bandwidth)
    return GroupStats(weight=np.where(empty, 0.0, total), neff=np.where(empty, 0.0, neff), bandwidth=bandwidth)


def binned_kde(x: np.ndarray, w: np.ndarray | None, codes: np.ndarray, groups: int, grid: Grid,
               *, with_all: bool = False, bandwidth: float | None = None,
               normalize: bool = True) -> FeatureDensities:
    """Densities of finite `x` per group code (0..groups-1; code `groups` = in no group, counted only
    in the whole) on `grid`; row `groups` is the whole sample when `with_all`."""
    stats = group_stats(x, w, codes, groups + 1, with_all=with_all, degenerate=grid.step)
    rows = np.arange(groups + 1 if with_all else groups)
    rows = np.where(rows == groups, groups + 1, rows)  # skip the "in no group" row
    h = stats.bandwidth[rows] if bandwidth is None else np.where(stats.weight[rows] > 0, bandwidth, np.nan)
    weight = stats.weight[rows]
    if not (weight > 0).any():
        return FeatureDensities(np.zeros((len(rows), grid.points)), h, weight)
    refine, reach = _internal_grid(h[weight > 0], grid)
    fine = grid.step / refine
    counts = _linear_bins(x, w, codes, groups + 1, grid, fine, refine, reach)
    # the whole sample's bins are the sum of its groups' (binning is linear): no second pass
    counts = np.vstack([counts[:groups], counts.sum(axis=0, keepdims=True)]) if with_all else counts[:groups]
    density = _convolve(counts, h, fine, reach)[:, 2 * reach :: refine][:, : grid.points]
    with np.errstate(invalid="ignore", divide="ignore"):
        density = np.where(weight[:, None] > 0, density / weight[:, None], 0.0)
    density = np.maximum(density, 0.0)  # FFT round-off leaves tiny negatives where the density is ~0
    return FeatureDensities(_normalized(density, grid.step) if normalize else density, h, weight)


def _internal_grid(bandwidths: np.ndarray, grid: Grid) -> tuple[int, int]:
    """The refinement (output steps are this many internal steps) and the margin beyond each end
    (the kernel's reach, in internal steps) for these bandwidths."""
    refine = int(np.clip(math.ceil(MIN_STEPS_PER_BANDWIDTH * grid.step / bandwidths.min()), 1, MAX_REFINEMENT))

    def reach(refine: int) -> int:
        return math.ceil(KERNEL_REACH * bandwidths.max() * refine / grid.step)

    # Groups whose bandwidths differ by thousands of times (near-constant data beside a spread-out
    # sample) would make the grid huge: the narrowest bandwidth then gets fewer internal steps.
    while refine > 1 and (grid.points - 1) * refine + 2 * reach(refine) > MAX_INTERNAL_POINTS:
        refine //= 2
    return refine, min(reach(refine), MAX_INTERNAL_POINTS)


def _linear_bins(x: np.ndarray, w: np.ndarray | None, codes: np.ndarray, groups: int, grid: Grid,
                 fine: float, refine: int, reach: int) -> np.ndarray:
    """Each finite value's weight split between its two neighbours on the internal grid, per group."""
    length = (grid.points - 1) * refine + 1 + 2 * reach
    origin = grid.low - reach * fine
    return _kernels().linear_bins(x, _weights_or_empty(w), codes, groups, origin, fine, length)


def _weights_or_empty(w: np.ndarray | None) -> np.ndarray:
    return np.empty(0) if w is None else np.ascontiguousarray(w, dtype=float)


def _moments(x: np.ndarray, w: np.ndarray, codes: np.ndarray,
             groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per group: total weight, total squared weight, weighted mean and sum of weighted squared
    deviations from it (two passes, so constant data gives exactly zero spread). NaN is skipped."""
    weighted = w.shape[0] > 0
    total, squares, sums = np.zeros(groups), np.zeros(groups), np.zeros(groups)
    for i in range(x.shape[0]):
        if np.isfinite(x[i]):
            g, wi = codes[i], w[i] if weighted else 1.0
            total[g] += wi
            squares[g] += wi * wi
            sums[g] += wi * x[i]
    mean = np.full(groups, np.nan)
    for g in range(groups):
        if total[g] > 0:
            mean[g] = sums[g] / total[g]
    spread = np.zeros(groups)
    for i in range(x.shape[0]):
        if np.isfinite(x[i]):
            d = x[i] - mean[codes[i]]
            spread[codes[i]] += (w[i] if weighted else 1.0) * d * d
    return total, squares, mean, spread


def _bins(x: np.ndarray, w: np.ndarray, codes: np.ndarray, groups: int, origin: float, fine: float,
          length: int) -> np.ndarray:
    """Linear binning: a value at fraction f between internal points k and k+1 adds (1-f) of its
    weight to k and f to k+1. Values off the internal grid are left out (beyond the kernel's reach)."""
    weighted = w.shape[0] > 0
    counts = np.zeros((groups, length))
    for i in range(x.shape[0]):
        position = (x[i] - origin) / fine
        if position >= 0.0 and position < length - 1:  # False for NaN
            left = int(position)
            right_share = position - left
            wi = w[i] if weighted else 1.0
            counts[codes[i], left] += wi * (1.0 - right_share)
            counts[codes[i], left + 1] += wi * right_share
    return counts


@dataclass(frozen=True, slots=True)
class _Kernels:
    moments: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    linear_bins: Callable[..., np.ndarray]


@cache
def _kernels() -> _Kernels:
    """The two loops over the data, compiled: one pass each instead of a dozen numpy temporaries."""
    import numba  # half a second to import: only when a density is first computed

    try:  # cache: compiled once per installation; nogil: web requests in threads can run at once
        jit = numba.njit(nogil=True, cache=True)
        return _Kernels(jit(_moments), jit(_bins))
    except RuntimeError:  # no writable cache directory (read-only install, no home): compile per process
        jit = numba.njit(nogil=True)
        return _Kernels(jit(_moments), jit(_bins))


def _convolve(counts: np.ndarray, h: np.ndarray, fine: float, reach: int) -> np.ndarray:
    """Each row of `counts` convolved with a Gaussian of that row's bandwidth ("full" mode)."""
    offsets = np.arange(-reach, reach + 1) * fine
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = offsets[None, :] / h[:, None]
        kernels = np.exp(-0.5 * scaled * scaled) / (h[:, None] * _SQRT_2PI)
    kernels = np.nan_to_num(kernels, nan=0.0)
    size = fft.next_fast_len(counts.shape[1] + kernels.shape[1] - 1, real=True)
    spectrum = fft.rfft(counts, size, axis=1) * fft.rfft(kernels, size, axis=1)
    return fft.irfft(spectrum, size, axis=1)


def _normalized(density: np.ndarray, step: float) -> np.ndarray:
    area = step * (density.sum(axis=1) - 0.5 * (density[:, 0] + density[:, -1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(area[:, None] > 0, density / area[:, None], 0.0)


def finite_values(values: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """The finite values (and their weights); weights must be finite and not negative."""
    x = np.asarray(values, dtype=float).ravel()
    keep = np.isfinite(x)
    if weights is None:
        return x[keep], None
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != x.shape:
        raise TasteInputError(f"{len(w)} weights for {len(x)} values")
    if not (np.isfinite(w[keep]).all() and (w[keep] >= 0).all()):
        raise TasteInputError("weights must be finite and not negative")
    return x[keep], w[keep]


def density_on_grid(values: np.ndarray, grid: np.ndarray, *, weights: np.ndarray | None = None,
                    bandwidth: float | None = None, normalize: bool = True) -> np.ndarray:
    """The Gaussian KDE of `values` at each point of the evenly spaced `grid`.

    `bandwidth` is the kernel's standard deviation in the values' units (scipy's `bw_method` scalar
    is this divided by the data's standard deviation); by default Scott's rule as scipy applies it.
    The result integrates to 1 over the grid (all zeros if no mass falls on it) unless `normalize`
    is false. Raises TasteInputError when no finite value (or no positive weight) is left.
    """
    spec = Grid.of(grid)
    if bandwidth is not None and not (math.isfinite(bandwidth) and bandwidth > 0):
        raise TasteInputError(f"the bandwidth must be a positive number, not {bandwidth}")
    x, w = finite_values(values, weights)
    if len(x) == 0 or (w is not None and not w.sum() > 0):
        raise TasteInputError("no finite values with positive weight to estimate a density from")
    codes = np.zeros(len(x), dtype=np.int64)
    result = binned_kde(x, w, codes, 1, spec, bandwidth=bandwidth, normalize=normalize)
    return result.density[0]


def group_codes(frame: pd.DataFrame, group: str | None) -> tuple[np.ndarray, list[str]]:
    """Integer codes 0..k-1 of `group`'s values (sorted text labels, surrounding spaces dropped) and k
    for rows without one (missing or blank)."""
    if group is None:
        return np.zeros(len(frame), dtype=np.int64), ["all"]
    if group not in frame.columns:
        raise TasteInputError(f"no column {group!r} to group by")
    raw_codes, uniques = pd.factorize(frame[group])
    # clean the few distinct labels, not the million cells
    cleaned = [str(u).strip() for u in uniques]
    labels = sorted({c for c in cleaned if c})
    position = {label: i for i, label in enumerate(labels)}
    lookup = np.array([position.get(c, len(labels)) for c in cleaned] + [len(labels)], dtype=np.int64)
    return lookup[raw_codes], labels  # a missing value's code, -1, reads the last entry: no group


def feature_values(frame: pd.DataFrame, feature: str) -> np.ndarray:
    """A feature's column as floats; a column that is absent is all unknown."""
    if feature not in frame.columns:
        return np.full(len(frame), np.nan)
    column = frame[feature]
    values = pd.to_numeric(column, errors="coerce") if column.dtype == object else column
    x = np.ascontiguousarray(values, dtype=float)
    if feature == "key":
        x = np.where(x < 0, np.nan, x)  # Spotify's -1: no key was found
    return x


def feature_densities(frame: pd.DataFrame, feature: str, codes: np.ndarray, groups: int,
                      weights: np.ndarray | None, *, points: int = GRID_POINTS,
                      with_all: bool = False) -> FeatureDensities:
    """One feature's densities for every group code (and the whole sample when `with_all`)."""
    grid = Grid.of(feature_grid(feature, points))
    return binned_kde(feature_values(frame, feature), weights, codes, groups, grid, with_all=with_all)


def weight_column(frame: pd.DataFrame, weights: str | None) -> np.ndarray | None:
    """The named weight column, checked (finite, not negative), or None."""
    if weights is None:
        return None
    if weights not in frame.columns:
        raise TasteInputError(f"no weight column {weights!r}")
    w = np.asarray(frame[weights], dtype=float)
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise TasteInputError(f"column {weights!r}: weights must be finite and not negative")
    return w


def grouped_densities(frame: pd.DataFrame, *, features: Sequence[str], group: str | None,
                      points: int = GRID_POINTS, weights: str | None = None,
                      include_all: bool = False) -> dict[str, dict[str, np.ndarray]]:
    """Densities of every feature for every value of column `group`, on each feature's fixed grid.

    Returns {group value: {feature: density}}; a group without finite values of a feature has no
    entry for it. With `group=None` the one group is "all"; `include_all` adds "all" (the whole
    frame, its own Scott bandwidth, rows without a group included) beside the groups. Each feature
    is binned in one pass over the column for all groups together, then convolved in one FFT.
    """
    codes, labels = group_codes(frame, group)
    if include_all and group is not None:
        if "all" in labels:
            raise TasteInputError(f"column {group!r} has a group named 'all', which include_all would hide")
        labels = [*labels, "all"]
    w = weight_column(frame, weights)
    result: dict[str, dict[str, np.ndarray]] = {label: {} for label in labels}
    for feature in features:
        found = feature_densities(frame, feature, codes, len(labels) - (1 if include_all and group else 0),
                                  w, points=points, with_all=include_all and group is not None)
        _collect(result, labels, feature, found)
    return result


def _collect(result: Mapping[str, dict[str, np.ndarray]], labels: Sequence[str], feature: str,
             found: FeatureDensities) -> None:
    for row, label in enumerate(labels):
        if found.has_values(row):
            result[label][feature] = found.density[row]
