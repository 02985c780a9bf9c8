"""Fitted tree ensembles packed into one array of nodes and walked by compiled code, for few rows.

Why: one track through the genre model walks about 5,600 trees (a 200-tree forest, 1,800 and
3,600 boosted trees), and the libraries' own paths are built for batches:
- scikit-learn predicts a forest one tree at a time, each through joblib, input checks and an
  output array of its own: 1 to 30 ms for one track, while the comparisons take microseconds;
- LightGBM keeps each tree's nodes in half a dozen separate arrays, so one row reads about ten
  scattered cache lines per tree, and it sets up a predictor on every call.
Here every node of every tree is one 16-byte record in one array, trees one after another, and a
numba-compiled loop walks them. One track through the whole model went from 1.2–3.4 ms to
0.9–1.4 ms (see docs/model.md), with the libraries' numbers (tested: scikit-learn's to 1e-6,
LightGBM's to 1e-12). Callers use it for a few rows: packing takes 0.2 to 0.6 s per booster,
more than a one-off batch (a cross-validation fold) would save.

numba is imported and the walk compiled on first use (cached on disk after the first run), so
importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
from lightgbm import Booster
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

#: One node. A split sends a row to node + 1 (its left child, numbered right after its parent, as
#: scikit-learn's depth-first builder does) when value[feature] <= threshold, else to `right`. A
#: leaf has feature -1 and keeps, in `right`, its row in the leaf values.
NODE = np.dtype([("threshold", np.float64), ("right", np.int32), ("feature", np.int32)])

#: LightGBM reads a value this close to zero as zero (its kZeroThreshold, a C++ float).
LIGHTGBM_ZERO = float(np.float32(1e-35))


@dataclass(frozen=True, slots=True)
class PackedTrees:
    """Every node of every tree, indexed by one global node number.

    Tree t adds its leaf's row of `leaf_values` to output columns `column[t]` onwards; `output`
    turns the sums into probabilities: "mean" (a forest: each leaf holds class shares), "softmax"
    (LightGBM multiclass: one tree per class per round) or "sigmoid" (LightGBM binary).
    """

    roots: np.ndarray  # (trees,) int64: each tree's root
    column: np.ndarray  # (trees,) int64: the first output column each tree adds to
    nodes: np.ndarray  # (nodes,) NODE records
    leaf_values: np.ndarray  # (leaves, width) what a leaf adds: class shares, or one raw score
    n_features: int
    n_outputs: int
    output: Literal["mean", "softmax", "sigmoid"]
    sigmoid: float = 1.0

    @classmethod
    def from_forest(cls, forest: ExtraTreesClassifier | RandomForestClassifier) -> PackedTrees:
        trees = [estimator.tree_ for estimator in forest.estimators_]
        if any(tree.n_outputs != 1 for tree in trees):
            raise ValueError("only single-output forests can be packed")
        offsets = _offsets([tree.node_count for tree in trees])
        nodes = np.empty(offsets[-1], dtype=NODE)
        leaf_values, leaves_before = [], 0
        for tree, offset in zip(trees, offsets[:-1], strict=True):
            leaf = tree.children_left < 0
            here = np.arange(tree.node_count)
            if not np.array_equal(tree.children_left[~leaf], here[~leaf] + 1):
                # Only a best-first tree (max_leaf_nodes set) numbers children otherwise.
                raise ValueError("only depth-first trees can be packed: a left child must follow its parent")
            block = nodes[offset : offset + tree.node_count]
            block["threshold"] = tree.threshold
            block["feature"] = np.where(leaf, -1, tree.feature)
            block["right"] = np.where(leaf, np.cumsum(leaf) - 1 + leaves_before, tree.children_right + offset)
            # scikit-learn >= 1.4 stores class shares (rows sum to 1) in `value`; normalise anyway.
            shares = tree.value[leaf, 0, :]
            leaf_values.append(shares / shares.sum(axis=1, keepdims=True))
            leaves_before += int(leaf.sum())
        values = np.concatenate(leaf_values).astype(np.float32)
        return cls(roots=offsets[:-1].astype(np.int64), column=np.zeros(len(trees), dtype=np.int64),
                   nodes=nodes, leaf_values=values, n_features=int(forest.n_features_in_),
                   n_outputs=values.shape[1], output="mean")

    @classmethod
    def from_lightgbm(cls, booster: Booster) -> PackedTrees:
        # From the saved-model text (`model_to_string`): about 0.6 s for 3,600 trees, where the
        # JSON of `dump_model` takes 2 s to write and parse.
        header, *trees = booster.model_to_string().split("\nend of trees")[0].split("\nTree=")
        settings = dict(line.split("=", 1) for line in header.splitlines() if "=" in line)
        objective = settings["objective"].split()
        if objective[0] not in ("multiclass", "binary") or "average_output" in header.splitlines():
            raise ValueError(
                f"only LightGBM multiclass and binary boosting can be packed, not {settings['objective']!r}")
        packed = _Packing()
        for tree in trees:
            packed.add_lightgbm_tree(dict(line.split("=", 1) for line in tree.splitlines()[1:] if "=" in line))
        per_round = int(settings["num_tree_per_iteration"])
        options = dict(part.split(":") for part in objective[1:])
        return cls(
            roots=np.array(packed.roots, dtype=np.int64),
            column=np.arange(len(trees), dtype=np.int64) % per_round,
            nodes=packed.nodes(),
            leaf_values=np.array(packed.leaf_values, dtype=np.float64).reshape(-1, 1),
            n_features=int(settings["max_feature_idx"]) + 1,
            n_outputs=per_round,
            output="softmax" if objective[0] == "multiclass" else "sigmoid",
            sigmoid=float(options.get("sigmoid", 1.0)),
        )

    @property
    def n_trees(self) -> int:
        return len(self.roots)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probabilities per row in X order, columns as the library orders its classes."""
        values = np.asarray(X, dtype=np.float64)
        if values.ndim != 2 or values.shape[1] != self.n_features:
            # The compiled walk does not check its indices: a short row would read past its end.
            raise ValueError(f"expected rows of {self.n_features} features (a 2-D array), got shape {values.shape}")
        if np.isnan(values).any():
            # Both libraries send a missing value down a branch learnt in fit; we do not keep that.
            raise ValueError("PackedTrees needs complete rows: impute missing values first")
        if self.output == "mean":
            # scikit-learn compares float32 inputs with its float64 thresholds: round the same way.
            values = values.astype(np.float32).astype(np.float64)
        else:
            values = np.where(np.abs(values) <= LIGHTGBM_ZERO, 0.0, values)
        sums = _walk_kernel()(self.roots, self.column, self.nodes, self.leaf_values,
                              np.ascontiguousarray(values), self.n_outputs)
        if self.output == "mean":
            return np.asarray(sums / self.n_trees)
        if self.output == "sigmoid":
            positive = 1.0 / (1.0 + np.exp(-self.sigmoid * sums[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        exp = np.exp(sums - sums.max(axis=1, keepdims=True))
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _offsets(counts: list[int]) -> np.ndarray:
    offsets = np.cumsum([0, *counts])
    if offsets[-1] >= 2**31:
        raise ValueError(f"{offsets[-1]:,} nodes are too many to pack")
    return offsets


class _Packing:
    """Nodes appended tree by tree, each tree depth first (a left child right after its parent)."""

    def __init__(self) -> None:
        self.roots: list[int] = []
        self.threshold: list[float] = []
        self.right: list[int] = []
        self.feature: list[int] = []
        self.leaf_values: list[float] = []

    def add_lightgbm_tree(self, tree: dict[str, str]) -> None:
        """One tree of LightGBM's model text: internal nodes 0.. (the root first), and a child
        index c < 0 naming leaf ~c. A tree that never split is one leaf."""
        self.roots.append(len(self.feature))
        leaves = [float(v) for v in tree["leaf_value"].split()]
        first_leaf = len(self.leaf_values)
        self.leaf_values.extend(leaves)
        if len(leaves) == 1:
            self._append(0.0, first_leaf, -1)
            return
        if tree.get("is_linear", "0") != "0" or int(tree.get("num_cat", "0")) > 0:
            raise ValueError("only numeric splits with constant leaves can be packed")
        kinds = {int(v) for v in tree["decision_type"].split()}
        # decision_type bits: 1 = category split, (bits 2-3) 1 = zero read as missing. Neither is
        # reproduced here; for complete rows (predict_proba refuses others) the rest compare plainly.
        if any(kind & 1 or (kind >> 2) & 3 == 1 for kind in kinds):
            raise ValueError("only numeric splits can be packed, without zero read as missing")
        threshold = [float(v) for v in tree["threshold"].split()]
        feature = [int(v) for v in tree["split_feature"].split()]
        left = [int(v) for v in tree["left_child"].split()]
        right = [int(v) for v in tree["right_child"].split()]
        stack = [(0, -1)]  # (child index, the record whose right child it is, or -1)
        while stack:
            child, parent = stack.pop()
            if parent >= 0:
                self.right[parent] = len(self.feature)
            if child < 0:
                self._append(0.0, first_leaf + ~child, -1)
                continue
            stack.append((right[child], len(self.feature)))
            stack.append((left[child], -1))
            self._append(threshold[child], -1, feature[child])

    def _append(self, threshold: float, right: int, feature: int) -> None:
        self.threshold.append(threshold)
        self.right.append(right)
        self.feature.append(feature)

    def nodes(self) -> np.ndarray:
        _offsets([len(self.feature)])  # refuses a model too large to number
        nodes = np.empty(len(self.feature), dtype=NODE)
        nodes["threshold"], nodes["right"], nodes["feature"] = self.threshold, self.right, self.feature
        return nodes


def _walk(roots: np.ndarray, column: np.ndarray, nodes: np.ndarray, leaf_values: np.ndarray,
          X: np.ndarray, n_outputs: int) -> np.ndarray:
    out = np.zeros((X.shape[0], n_outputs))
    width = leaf_values.shape[1]
    # Tree by tree, then row by row: one tree's nodes stay in cache while every row walks it.
    for t in range(roots.shape[0]):
        for i in range(X.shape[0]):
            node = roots[t]
            while nodes[node].feature >= 0:
                if X[i, nodes[node].feature] <= nodes[node].threshold:
                    node += 1
                else:
                    node = nodes[node].right
            leaf = nodes[node].right
            for j in range(width):
                out[i, column[t] + j] += leaf_values[leaf, j]
    return out


@cache
def _walk_kernel() -> Callable[..., Any]:
    import numba  # half a second to import: only when trees are first walked

    # nogil: web requests in threads can walk at once. cache: compiled once per installation.
    try:
        return numba.njit(nogil=True, cache=True)(_walk)
    except RuntimeError:  # no writable cache directory (read-only install, no home): compile per process
        return numba.njit(nogil=True)(_walk)
