"""The blog's exploratory figures, one function each: canonical DataFrame in, matplotlib Figure out.

Figures are built with `matplotlib.figure.Figure` directly, not pyplot: no global state, nothing to
close, and rendering always goes through the Agg canvas, so this runs on a server without a display.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from genrelens.core.ml.preprocess import audio_columns, label_column
from genrelens.core.types import UNIT_FEATURES

#: Units shown on axes; features without an entry are unitless scores on [0, 1].
UNITS: dict[str, str] = {
    "loudness": "dB",
    "tempo": "BPM",
    "duration_ms": "ms",
    "release_year": "year",
    "key": "pitch class",
    "mode": "0 minor / 1 major",
    "time_signature": "beats per bar",
}

#: KDEs on more rows than this per class are drawn from a fixed-seed sample: the curves do not
#: change visibly and the figure renders in seconds instead of a minute.
KDE_SAMPLE = 2000


def new_figure(**kwargs: object) -> Figure:
    """A Figure bound to the Agg canvas (some artists, e.g. sklearn's plot_tree, need a renderer)."""
    figure = Figure(**kwargs)  # type: ignore[arg-type]
    FigureCanvasAgg(figure)
    return figure


def axis_label(feature: str) -> str:
    return f"{feature} ({UNITS.get(feature, '0–1')})"


def _labels(frame: pd.DataFrame, label: str) -> pd.Series:
    return frame[label_column(label)].fillna("").astype(str)


def genre_counts(frame: pd.DataFrame, label: str = "genre") -> Figure:
    counts = _labels(frame, label).value_counts().sort_values()
    fig = new_figure(figsize=(7, max(3.0, 0.3 * len(counts) + 1)), layout="constrained")
    ax = fig.subplots()
    ax.barh(counts.index, counts.to_numpy(), color="#4c72b0")
    for y, value in enumerate(counts.tolist()):
        ax.text(value, y, f" {value:,}", va="center", fontsize=8)
    ax.set_xlabel("rows (tracks per label)")
    ax.set_title(f"Rows per {label} ({len(frame):,} rows)")
    ax.margins(x=0.12)
    return fig


#: features with a few whole values, drawn as bars rather than densities
DISCRETE = frozenset({"key", "mode", "time_signature"})
_TICK_NAMES: dict[str, dict[int, str]] = {
    "key": dict(enumerate(["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"])) | {-1: "none"},
    "mode": {0: "minor", 1: "major"},
}


def _sample_per_class(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    parts = [g.sample(min(len(g), KDE_SAMPLE), random_state=0) for _, g in frame.groupby(column)]
    return pd.concat(parts)


def feature_kde_grid(frame: pd.DataFrame, label: str = "genre") -> Figure:
    """One panel per audio feature, one density curve per label (each normalised on its own)."""
    features = audio_columns(frame)
    column = label_column(label)
    data = _sample_per_class(frame[[*features, column]], column)
    if "duration_ms" in data:
        # Minutes read at a glance; a density axis in 1e-5 per millisecond does not.
        data = data.assign(duration_ms=pd.to_numeric(data["duration_ms"], errors="coerce") / 60_000)
    cols = 3
    rows = int(np.ceil(len(features) / cols))
    fig = new_figure(figsize=(4.2 * cols, 3.0 * rows + 0.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    order = sorted(data[column].unique())
    for ax, feature in zip(axes, features, strict=False):
        if feature in DISCRETE:
            # key, mode and metre take a few whole values: a smoothed curve would invent the gaps
            sns.histplot(data=data, x=feature, hue=column, hue_order=order, stat="proportion", common_norm=False,
                         discrete=True, multiple="dodge", shrink=0.8, ax=ax, legend=ax is axes[0], linewidth=0)
            ax.set_ylabel("share of tracks")
            values = sorted(int(v) for v in data[feature].dropna().unique())
            ax.set_xticks(values, [_TICK_NAMES.get(feature, {}).get(v, str(v)) for v in values])
        else:
            # 0..1 features are cut at their bounds, so no density appears where no value can be
            clip = (0.0, 1.0) if feature in UNIT_FEATURES else None
            sns.kdeplot(data=data, x=feature, hue=column, hue_order=order, common_norm=False, ax=ax, clip=clip,
                        legend=ax is axes[0], warn_singular=False, linewidth=1.2)
            ax.set_ylabel("density")
        ax.set_xlabel("duration (minutes)" if feature == "duration_ms" else axis_label(feature))
    for ax in axes[len(features):]:
        ax.set_visible(False)
    legend = axes[0].get_legend()
    if legend is not None:
        legend.set_title(label)
    fig.suptitle(f"Distribution of each audio feature per {label}")
    return fig


def correlation_heatmap(frame: pd.DataFrame) -> Figure:
    """Pearson correlations between features, lower triangle only (the upper one repeats it)."""
    features = [*audio_columns(frame), *(["release_year"] if "release_year" in frame else [])]
    # Drop the first row and last column: below the diagonal they would be empty.
    corr = frame[features].apply(pd.to_numeric, errors="coerce").corr().iloc[1:, :-1]
    mask = np.triu(np.ones_like(corr, dtype=bool), k=1)
    fig = new_figure(figsize=(8, 6.5), layout="constrained")
    ax = fig.subplots()
    sns.heatmap(corr, mask=mask, cmap="vlag", vmin=-1, vmax=1, annot=True, fmt=".2f",
                annot_kws={"fontsize": 7}, ax=ax, cbar_kws={"label": "Pearson r"})
    ax.set_title("Correlation between features")
    return fig


def genre_median_correlation(frame: pd.DataFrame, label: str = "genre") -> Figure:
    """How alike genres are: correlation between their median feature profiles (z-scored first,
    so a feature in ms does not outweigh one on [0, 1])."""
    features = audio_columns(frame)
    values = frame[features].apply(pd.to_numeric, errors="coerce")
    z = (values - values.mean()) / values.std(ddof=0).replace(0, 1)
    medians = z.groupby(_labels(frame, label)).median()
    corr = medians.T.corr()
    fig = new_figure(figsize=(7.5, 6), layout="constrained")
    ax = fig.subplots()
    sns.heatmap(corr, cmap="vlag", vmin=-1, vmax=1, annot=len(corr) <= 12, fmt=".2f", ax=ax,
                cbar_kws={"label": "Pearson r between median profiles"})
    ax.set_title(f"Similarity of {label}s: correlation of standardised median features")
    ax.set_xlabel(label)
    ax.set_ylabel(label)
    return fig


def duration_boxplots(frame: pd.DataFrame, cut_ms: float = 500_000.0, label: str = "genre") -> Figure:
    """Duration per label before and after the outlier cut, in minutes (easier to read than ms)."""
    minutes = pd.to_numeric(frame["duration_ms"], errors="coerce") / 60_000
    data = pd.DataFrame({"minutes": minutes, label: _labels(frame, label)}).dropna()
    kept = data[data["minutes"] <= cut_ms / 60_000]
    order = sorted(data[label].unique())
    fig = new_figure(figsize=(12, 4.5), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, part, title in (
        (left, data, f"before the cut ({len(data):,} rows)"),
        (right, kept, f"after the cut at {cut_ms / 60_000:.1f} min ({len(data) - len(kept):,} removed)"),
    ):
        groups = [part.loc[part[label] == g, "minutes"].to_numpy() for g in order]
        ax.boxplot(groups, tick_labels=order, patch_artist=True, flierprops={"markersize": 2},
                   boxprops={"facecolor": "#8fb0d8"}, medianprops={"color": "#333333"})
        ax.set_title(title)
        ax.set_xlabel(label)
        ax.set_ylabel("duration (minutes)")
        ax.tick_params(axis="x", rotation=45 if len(order) > 8 else 0)
    left.axhline(cut_ms / 60_000, color="#c44e52", linestyle="--", label="cut")
    left.legend(loc="upper right")
    fig.suptitle(f"Track duration per {label}")
    return fig
