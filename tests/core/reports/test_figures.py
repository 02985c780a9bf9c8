from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from genrelens.core.ml.preprocess import prepare
from genrelens.core.ml.synthetic import separable_frame
from genrelens.core.reports import eda
from genrelens.core.reports import model as figs


@pytest.fixture(scope="module")
def frame():
    return separable_frame(n_per_genre=80, seed=4)


def _titled(fig: Figure) -> str:
    titles = [ax.get_title() for ax in fig.axes] + [fig.get_suptitle()]
    return " ".join(t for t in titles if t)


@pytest.mark.parametrize(
    "make",
    [eda.genre_counts, eda.feature_kde_grid, eda.correlation_heatmap, eda.genre_median_correlation,
     eda.duration_boxplots],
)
def test_each_eda_function_returns_a_titled_figure(frame, make):
    fig = make(frame)
    assert isinstance(fig, Figure)
    assert _titled(fig)


def test_kde_grid_has_one_visible_panel_per_audio_feature_and_a_legend(frame):
    fig = eda.feature_kde_grid(frame)
    visible = [ax for ax in fig.axes if ax.get_visible() and ax.get_xlabel()]
    assert len(visible) == 10  # the synthetic frame has no key, mode or time_signature
    assert fig.axes[0].get_legend() is not None


def test_correlation_heatmap_shows_each_pair_once_below_the_diagonal(frame):
    fig = eda.correlation_heatmap(frame)
    mesh = fig.axes[0].collections[0]
    mask = np.ma.getmaskarray(mesh.get_array())
    n = int(np.sqrt(mask.size))
    assert n == 10  # 10 audio features + release_year, minus the trimmed empty row/column
    assert mask.reshape(n, n)[np.triu_indices(n, k=1)].all()
    assert not mask.reshape(n, n)[np.tril_indices(n)].any()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == "energy" and labels[-1] == "release_year"


def test_duration_boxplots_report_how_many_rows_the_cut_removed(frame):
    long = frame.copy()
    long.loc[:6, "duration_ms"] = 700_000
    fig = eda.duration_boxplots(long, cut_ms=500_000)
    assert "7 removed" in _titled(fig)


def test_most_confused_lists_tracks_of_the_most_frequent_mistake():
    y = np.array(["edm", "edm", "edm", "pop", "rock"])
    pred = np.array(["pop", "pop", "edm", "pop", "pop"])
    meta = separable_frame(n_per_genre=2)[["track_id", "track_name", "track_artist"]].head(5)
    table = figs.most_confused(y, pred, np.array([0.9, 0.6, 0.8, 0.7, 0.5]), meta, pairs=1)
    assert table[["true", "predicted"]].drop_duplicates().values.tolist() == [["edm", "pop"]]
    assert table["confidence"].tolist() == [0.9, 0.6]
    assert table["track_name"].tolist() == meta["track_name"].head(2).tolist()


def test_surrogate_tree_is_shallow_and_says_how_faithful_it_is(report_training):
    data = prepare(separable_frame(n_per_genre=60, seed=2))
    fig, fidelity = figs.surrogate_tree(report_training.model, data.X)
    assert 0.5 < fidelity <= 1.0
    assert "Surrogate" in _titled(fig) and f"{fidelity:.0%}" in _titled(fig)


def test_importances_rank_the_separating_feature_first(report_training):
    data = prepare(separable_frame(n_per_genre=100, seed=3))
    table = figs.importances(report_training.model, data.X, data.y)
    assert table.index[0] == "danceability"
    assert table["impurity"].notna().all()
    assert isinstance(figs.importance_figure(table), Figure)
