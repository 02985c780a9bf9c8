"""The binned FFT KDE against the exact answers: an analytic density, scipy's gaussian_kde, weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from genrelens.core.taste.density import density_on_grid, grouped_densities
from genrelens.core.taste.errors import TasteInputError
from genrelens.core.taste.grid import (
    DISCRETE_FEATURES,
    DISCRETE_VALUES,
    GRID_POINTS,
    feature_grid,
    feature_range,
)
from genrelens.core.types import FEATURE_NAMES

#: Agreement with scipy, relative to the density's peak. Linear binning with at least four internal
#: steps per bandwidth is measured under 1e-4 of the peak here (2e-4 in bench/bench_taste.py); 1e-3
#: leaves room and still catches a wrong
#: bandwidth (ddof=0 fails the n=30 sample, n instead of the effective n fails the weighted ones).
SCIPY_TOLERANCE = 1e-3

rng = np.random.default_rng(12)


def _area(density: np.ndarray, grid: np.ndarray) -> float:
    return float(np.trapezoid(density, grid))


def _close_to_scipy(ours: np.ndarray, reference: np.ndarray) -> float:
    return float(np.abs(ours - reference).max() / reference.max())


SAMPLES = {
    "normal n=1000": (rng.normal(0, 1, 1000), np.linspace(-4, 4, 256)),
    "normal n=30": (rng.normal(0, 1, 30), np.linspace(-4, 4, 256)),
    "bimodal": (np.concatenate([rng.normal(-2, 0.3, 700), rng.normal(1.5, 0.8, 300)]), np.linspace(-4, 4, 256)),
    "skewed loudness": (-rng.gamma(2.0, 3.0, 5000), feature_grid("loudness")),
    "narrow on a wide grid": (rng.normal(120, 1.0, 20000), feature_grid("tempo")),
    "unit feature piled at 0": (np.where(rng.random(3000) < 0.6, 0.0, rng.random(3000)), feature_grid("energy")),
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_it_agrees_with_scipy_gaussian_kde_on_the_same_grid(name):
    values, grid = SAMPLES[name]
    ours = density_on_grid(values, grid, normalize=False)
    assert _close_to_scipy(ours, stats.gaussian_kde(values)(grid)) < SCIPY_TOLERANCE


@pytest.mark.parametrize("name", list(SAMPLES))
def test_the_normalised_density_is_scipys_renormalised_over_the_grid(name):
    values, grid = SAMPLES[name]
    reference = stats.gaussian_kde(values)(grid)
    reference /= np.trapezoid(reference, grid)
    ours = density_on_grid(values, grid)
    assert _area(ours, grid) == pytest.approx(1.0, abs=1e-12)
    assert _close_to_scipy(ours, reference) < SCIPY_TOLERANCE


def test_a_large_normal_sample_matches_the_analytic_density():
    values = np.random.default_rng(3).normal(0.0, 1.0, 200_000)
    grid = np.linspace(-5, 5, 256)
    ours = density_on_grid(values, grid)
    assert np.abs(ours - stats.norm.pdf(grid)).max() < 0.01  # the peak is 0.399


def test_weights_agree_with_scipy_and_with_repeating_values():
    values = rng.normal(0, 1, 500)
    weights = rng.integers(0, 4, 500).astype(float)
    grid = np.linspace(-4, 4, 256)
    ours = density_on_grid(values, grid, weights=weights, normalize=False)
    assert _close_to_scipy(ours, stats.gaussian_kde(values, weights=weights)(grid)) < SCIPY_TOLERANCE
    # with the bandwidth fixed, a weight of k is the value listed k times
    repeated = np.repeat(values, weights.astype(int))
    np.testing.assert_allclose(density_on_grid(values, grid, weights=weights, bandwidth=0.3),
                               density_on_grid(repeated, grid, bandwidth=0.3), atol=1e-12)


def test_an_explicit_bandwidth_is_the_kernels_standard_deviation():
    values = rng.normal(0, 2, 800)
    grid = np.linspace(-8, 8, 256)
    ours = density_on_grid(values, grid, bandwidth=0.5, normalize=False)
    reference = stats.gaussian_kde(values, bw_method=0.5 / values.std(ddof=1))(grid)
    assert _close_to_scipy(ours, reference) < SCIPY_TOLERANCE


def test_nan_values_are_ignored_with_their_weights():
    values = rng.normal(0, 1, 300)
    weights = rng.random(300)
    holed = values.copy()
    holed[::7] = np.nan
    grid = np.linspace(-4, 4, 256)
    kept = ~np.isnan(holed)
    np.testing.assert_array_equal(density_on_grid(holed, grid, weights=weights),
                                  density_on_grid(values[kept], grid, weights=weights[kept]))


@pytest.mark.parametrize("values", [np.full(50, 0.7), np.array([0.7])], ids=["constant", "single value"])
def test_data_without_spread_gets_a_one_step_bump_not_a_division_by_zero(values):
    grid = feature_grid("energy")
    density = density_on_grid(values, grid)
    assert np.isfinite(density).all()
    assert _area(density, grid) == pytest.approx(1.0)
    assert abs(grid[np.argmax(density)] - 0.7) <= grid[1] - grid[0]
    # one grid step as bandwidth: the analytic Gaussian of that width
    step = grid[1] - grid[0]
    np.testing.assert_allclose(density, stats.norm.pdf(grid, 0.7, step), atol=2e-3 * density.max())


def test_mass_outside_the_grid_is_dropped_and_the_rest_renormalised():
    values = np.concatenate([rng.normal(0.5, 0.05, 500), rng.normal(5.0, 0.05, 500)])
    grid = feature_grid("energy")
    density = density_on_grid(values, grid)
    assert _area(density, grid) == pytest.approx(1.0)
    only_inside = density_on_grid(values[:500], grid, bandwidth=float(stats.gaussian_kde(values).factor
                                                                      * values.std(ddof=1)))
    np.testing.assert_allclose(density, only_inside, atol=1e-9)


def test_no_mass_on_the_grid_gives_zeros_not_nan():
    density = density_on_grid(np.array([50.0, 51.0, 52.0]), feature_grid("energy"))
    assert np.array_equal(density, np.zeros(GRID_POINTS))


@pytest.mark.parametrize("values, weights", [
    (np.array([]), None),
    (np.array([np.nan, np.nan]), None),
    (np.array([1.0, 2.0]), np.array([0.0, 0.0])),
], ids=["empty", "all NaN", "zero weights"])
def test_no_values_is_a_clear_error(values, weights):
    with pytest.raises(TasteInputError, match="no finite values"):
        density_on_grid(values, np.linspace(0, 1, 10), weights=weights)


@pytest.mark.parametrize("kwargs, message", [
    ({"grid": np.array([0.0, 0.1, 0.5])}, "evenly spaced"),
    ({"grid": np.array([1.0])}, "at least 2"),
    ({"bandwidth": 0.0}, "positive"),
    ({"weights": np.array([1.0, -1.0, 1.0])}, "not negative"),
    ({"weights": np.array([1.0, 1.0])}, "2 weights for 3 values"),
])
def test_bad_arguments_are_refused(kwargs, message):
    arguments = {"values": np.array([0.1, 0.2, 0.3]), "grid": np.linspace(0, 1, 11), **kwargs}
    with pytest.raises(TasteInputError, match=message):
        density_on_grid(**arguments)


# --------------------------------------------------------------------------------------------
# Grids


def test_every_feature_has_a_range_and_a_256_point_grid():
    for feature in FEATURE_NAMES:
        low, high = feature_range(feature)
        grid = feature_grid(feature)
        assert low < high and len(grid) == GRID_POINTS == 256
        assert (grid[0], grid[-1]) == (low, high)


def test_whole_number_features_have_a_grid_point_on_every_value():
    for feature in DISCRETE_FEATURES:
        grid = feature_grid(feature)
        for value in DISCRETE_VALUES[feature]:
            assert np.abs(grid - value).min() < 1e-9, (feature, value)


def test_an_unknown_feature_is_named_in_the_error():
    with pytest.raises(TasteInputError, match="'bpm'"):
        feature_grid("bpm")


# --------------------------------------------------------------------------------------------
# Many groups at once


def test_each_groups_density_is_the_density_of_its_own_rows(frame):
    features = ["energy", "tempo", "loudness", "key"]
    result = grouped_densities(frame, features=features, group="playlist_genre", include_all=True)
    assert set(result) == {"calm", "loud", "mid", "all"}
    for genre, densities in result.items():
        rows = frame if genre == "all" else frame[frame.playlist_genre == genre]
        for feature in features:
            alone = density_on_grid(rows[feature].to_numpy(), feature_grid(feature))
            assert _close_to_scipy(densities[feature], alone) < SCIPY_TOLERANCE, (genre, feature)


def test_rows_without_a_group_count_in_all_only(frame):
    holed = frame.copy()
    holed.loc[:99, "playlist_genre"] = None
    result = grouped_densities(holed, features=["energy"], group="playlist_genre", include_all=True)
    whole = density_on_grid(holed["energy"].to_numpy(), feature_grid("energy"))
    assert _close_to_scipy(result["all"]["energy"], whole) < SCIPY_TOLERANCE
    calm = holed[holed.playlist_genre == "calm"]["energy"].to_numpy()
    assert _close_to_scipy(result["calm"]["energy"], density_on_grid(calm, feature_grid("energy"))) < SCIPY_TOLERANCE


def test_a_group_without_values_of_a_feature_has_no_entry_for_it(frame):
    holed = frame.copy()
    holed.loc[holed.playlist_genre == "mid", "tempo"] = np.nan
    result = grouped_densities(holed, features=["tempo", "energy"], group="playlist_genre")
    assert set(result["mid"]) == {"energy"} and set(result["calm"]) == {"tempo", "energy"}


def test_weights_by_column_and_no_grouping(frame):
    weighted = frame.assign(w=np.random.default_rng(5).random(len(frame)))
    result = grouped_densities(weighted, features=["valence"], group=None, weights="w")
    grid = feature_grid("valence")
    reference = stats.gaussian_kde(weighted.valence, weights=weighted.w)(grid)
    assert _close_to_scipy(result["all"]["valence"], reference / np.trapezoid(reference, grid)) < SCIPY_TOLERANCE


def test_grouping_refuses_missing_columns_and_a_group_called_all(frame):
    with pytest.raises(TasteInputError, match="'genre'"):
        grouped_densities(frame, features=["energy"], group="genre")
    with pytest.raises(TasteInputError, match="'w'"):
        grouped_densities(frame, features=["energy"], group=None, weights="w")
    renamed = frame.assign(playlist_genre=frame.playlist_genre.replace("mid", "all"))
    with pytest.raises(TasteInputError, match="named 'all'"):
        grouped_densities(renamed, features=["energy"], group="playlist_genre", include_all=True)


def test_a_constant_group_beside_spread_ones(frame):
    mixed = frame.copy()
    mixed.loc[mixed.playlist_genre == "calm", "energy"] = 0.25
    result = grouped_densities(mixed, features=["energy"], group="playlist_genre")
    grid = feature_grid("energy")
    calm = result["calm"]["energy"]
    assert np.isfinite(calm).all() and _area(calm, grid) == pytest.approx(1.0)
    assert abs(grid[np.argmax(calm)] - 0.25) <= grid[1] - grid[0]


def test_text_columns_are_read_as_numbers():
    text = pd.DataFrame({"g": ["a"] * 50, "energy": [str(v) for v in rng.random(50)]})
    result = grouped_densities(text, features=["energy"], group="g")
    assert _area(result["a"]["energy"], feature_grid("energy")) == pytest.approx(1.0)


def test_groups_whose_spreads_differ_enormously_stay_small_and_valid():
    # near-constant durations beside three tracks of which one lasts 83 days: the internal grid is
    # capped instead of growing to millions of points
    durations = np.r_[200_000.0 + rng.normal(0, 3, 1000), [1e3, 5e6, 7.2e9]]
    frame = pd.DataFrame({"g": ["a"] * 1000 + ["b"] * 3, "duration_ms": durations})
    result = grouped_densities(frame, features=["duration_ms"], group="g")
    grid = feature_grid("duration_ms")
    for densities in result.values():
        assert np.isfinite(densities["duration_ms"]).all()
        assert _area(densities["duration_ms"], grid) == pytest.approx(1.0)
    assert abs(grid[np.argmax(result["a"]["duration_ms"])] - 200_000) <= grid[1] - grid[0]
