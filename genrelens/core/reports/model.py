"""The model figures, one function each: data in, matplotlib Figure (or a small table) out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from sklearn.inspection import permutation_importance
from sklearn.tree import DecisionTreeClassifier, plot_tree

from genrelens.core.ml.artifacts import LoadedModel
from genrelens.core.ml.metrics import reliability_table
from genrelens.core.reports.eda import axis_label, new_figure

#: Permutation importance is computed on at most this many rows: ranks are stable well below it
#: and it keeps the model report to seconds.
PERMUTATION_ROWS = 2000

#: Depth of the surrogate tree: deep enough to show the main splits, shallow enough to read.
SURROGATE_DEPTH = 3


def score_summary_figure(summary: pd.DataFrame, top: int = 15) -> Figure:
    """Mean grouped-CV accuracy per candidate and parameter set, min–max as a bar, random split beside."""
    data = summary.sort_values("grouped_mean", ascending=True).tail(top).reset_index(drop=True)
    labels = [f"{c}\n{p[:60]}" for c, p in zip(data.candidate, data.params, strict=True)]
    fig = new_figure(figsize=(9, 0.55 * len(data) + 1.5), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(data))
    err = np.vstack([data.grouped_mean - data.grouped_min, data.grouped_max - data.grouped_mean])
    ax.barh(y, data.grouped_mean * 100, xerr=err * 100, color="#4c72b0", capsize=3,
            label="artist-grouped CV (mean, fold min–max)")
    has_random = data.random_mean.notna()
    ax.scatter(data.random_mean[has_random] * 100, y[has_random], color="#dd8452", marker="D", zorder=3,
               label="random-split CV (mean)")
    for yi, value in zip(y.tolist(), data.grouped_mean, strict=True):
        ax.text(1, yi, f"{value:.1%}", va="center", color="white", fontsize=8)
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel("accuracy (%)")
    ax.set_title("Model selection: out-of-fold accuracy per candidate")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def confusion_heatmap(confusion: dict[str, Any]) -> Figure:
    """Row-normalised (recall per true label) with the raw counts written in each cell."""
    labels = confusion["labels"]
    counts = np.asarray(confusion["matrix"], dtype=float)
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    annot = np.array(
        [[f"{s:.0%}\n{int(c)}" for s, c in zip(rs, rc, strict=True)] for rs, rc in zip(share, counts, strict=True)]
    )
    size = max(5.0, 0.5 * len(labels) + 3)
    fig = new_figure(figsize=(size + 1, size), layout="constrained")
    ax = fig.subplots()
    sns.heatmap(share, annot=annot if len(labels) <= 12 else False, fmt="", cmap="Blues", vmin=0, vmax=1,
                xticklabels=labels, yticklabels=labels, ax=ax, annot_kws={"fontsize": 8},
                cbar_kws={"label": "share of the true label's rows"})
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title("Confusion matrix (row share, count)")
    return fig


def most_confused(
    y: np.ndarray, pred: np.ndarray, confidence: np.ndarray, meta: pd.DataFrame, pairs: int = 3, tracks: int = 10
) -> pd.DataFrame:
    """The most frequent (true, predicted) mistakes, with the most confidently wrong tracks of each."""
    wrong = pd.DataFrame({"true": y, "predicted": pred, "confidence": confidence}).join(meta.reset_index(drop=True))
    wrong = wrong[wrong["true"] != wrong["predicted"]]
    top_pairs = wrong.groupby(["true", "predicted"]).size().nlargest(pairs).index
    parts = []
    for true, predicted in top_pairs:
        sel = wrong[(wrong["true"] == true) & (wrong["predicted"] == predicted)]
        parts.append(sel.nlargest(tracks, "confidence").assign(pair_rows=len(sel)))
    columns = ["true", "predicted", "pair_rows", "track_name", "track_artist", "confidence"]
    return pd.concat(parts)[columns] if parts else pd.DataFrame(columns=columns)


def _impurity(model: LoadedModel) -> pd.Series | None:
    estimator = model.pipeline.named_steps["model"]
    values = getattr(estimator, "feature_importances_", None)
    if values is None:
        return None
    values = np.asarray(values, dtype=float)
    return pd.Series(values / max(values.sum(), 1e-12), index=model.features)


def importances(model: LoadedModel, X: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    """Impurity-based (from the fitted trees, share of splits/gain) and permutation (accuracy drop
    when the feature is shuffled, on up to PERMUTATION_ROWS rows) importance per feature."""
    sample = X.sample(min(len(X), PERMUTATION_ROWS), random_state=0)
    result = permutation_importance(
        model.pipeline, sample[model.features], y[X.index.get_indexer(sample.index)],
        n_repeats=3, random_state=0, scoring="accuracy", n_jobs=1,
    )
    table = pd.DataFrame({"permutation": result.importances_mean, "permutation_std": result.importances_std},
                         index=model.features)
    impurity = _impurity(model)
    table["impurity"] = np.nan if impurity is None else impurity
    return table.sort_values("permutation", ascending=False)


def importance_figure(table: pd.DataFrame) -> Figure:
    fig = new_figure(figsize=(11, 0.4 * len(table) + 1.8), layout="constrained")
    left, right = fig.subplots(1, 2, sharey=True)
    order = table.sort_values("permutation")
    left.barh(order.index, order["permutation"] * 100, xerr=order["permutation_std"] * 100, color="#55a868",
              capsize=2)
    left.set_xlabel("accuracy drop when shuffled (percentage points)")
    left.set_title("Permutation importance")
    if order["impurity"].notna().any():
        right.barh(order.index, order["impurity"] * 100, color="#8172b2")
        right.set_xlabel("share of the trees' total impurity decrease / gain (%)")
        right.set_title("Impurity (gain) importance, from the fitted trees")
    else:
        right.text(0.5, 0.5, "this model type has no\nimpurity importance", ha="center", va="center")
        right.set_axis_off()
    fig.suptitle("Which features the model relies on")
    return fig


def surrogate_tree(
    model: LoadedModel, X: pd.DataFrame, predicted: np.ndarray | None = None, depth: int = SURROGATE_DEPTH
) -> tuple[Figure, float]:
    """A shallow tree fitted to the *model's predictions* (not the labels): a readable sketch of
    what the model does. Returns the figure and its fidelity (share of rows where it agrees)."""
    if predicted is None:
        predicted = np.asarray(model.classes)[model.predict_proba(X).argmax(axis=1)]
    target = predicted
    filled = X[model.features].fillna(X[model.features].median())
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=20, random_state=0).fit(filled, target)
    fidelity = float((tree.predict(filled) == target).mean())
    # ~4 inches per leaf: a node lists one share per class, and narrower boxes overlap.
    fig = new_figure(figsize=(3.8 * 2**depth, 2.4 * depth + 1.8), layout="constrained")
    ax = fig.subplots()
    names = list(map(str, tree.classes_))
    plot_tree(tree, feature_names=[axis_label(f) for f in model.features], class_names=names,
              filled=True, impurity=False, proportion=True, rounded=True, precision=2, fontsize=9, ax=ax)
    ax.set_title(f"Surrogate decision tree (depth {depth}) fitted to the model's predictions — "
                 f"agrees with the model on {fidelity:.0%} of rows; a sketch, not the model itself\n"
                 f"value = share of the node's rows the model assigns to: {', '.join(names)}", fontsize=12)
    return fig, fidelity


def calibration_figure(y: np.ndarray, proba: np.ndarray, classes: list[str], ece: float) -> Figure:
    """Reliability diagram: accuracy against confidence of the top label, with the rows per bin."""
    table = pd.DataFrame(reliability_table(y, proba, classes, n_bins=10))
    fig = new_figure(figsize=(6.5, 6.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, height_ratios=(3, 1), sharex=True)
    top.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    top.plot(table.confidence, table.accuracy, marker="o", color="#4c72b0", label=f"model (ECE {ece:.3f})")
    top.set_ylabel("accuracy of the top label")
    top.set_title("Calibration (reliability diagram)")
    top.legend(loc="upper left")
    top.set_ylim(0, 1)
    bottom.bar(table.confidence, table["count"], width=0.05, color="#8fb0d8")
    bottom.set_xlabel("confidence of the top label (predicted probability)")
    bottom.set_ylabel("rows")
    bottom.set_xlim(0, 1)
    return fig


def baselines_figure(accuracy: float, baselines: dict[str, Any], cv_accuracy: float | None = None) -> Figure:
    bars = {
        "random guess": baselines["random"]["accuracy"],
        f"always '{baselines['majority']['class']}'": baselines["majority"]["accuracy"],
        "model on these rows": accuracy,
    }
    if cv_accuracy is not None:
        bars["model, artist-grouped CV"] = cv_accuracy
    fig = new_figure(figsize=(7, 3.2), layout="constrained")
    ax = fig.subplots()
    colors = ["#c7c7c7", "#c7c7c7", "#4c72b0", "#55a868"][: len(bars)]
    ax.barh(list(bars), [v * 100 for v in bars.values()], color=colors)
    for i, value in enumerate(bars.values()):
        ax.text(value * 100, i, f" {value:.1%}", va="center")
    ax.set_xlabel("accuracy (%)")
    ax.set_xlim(0, 110)
    ax.set_title("The model against baselines")
    return fig
