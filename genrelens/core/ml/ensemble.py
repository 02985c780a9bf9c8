"""The `ensemble` candidate: three different learners whose probabilities are averaged.

Why these three (measured on the shared dev file, artist-grouped 5-fold CV, three different fold
assignments; see docs/model.md): no single tuned model got past about 52.5 % on audio features, but
these members make different mistakes, and their plain average reaches 53.0 to 53.1 % on each
assignment. Each is there for a reason:

- `contrasts`: LightGBM on the raw features plus *contrasts*: the pairwise differences of the
  features' normal scores and their principal components. A tree splits on one feature at a time,
  so a boundary such as "louder than its energy suggests" costs it a staircase of splits; a
  contrast makes it one split.
- `forest`: extremely randomised trees, grown deep and averaged. Smooth where boosting is jagged,
  which is what makes the average better than either. They learn on the normal scores, not the
  raw values: an extremely randomised tree draws each threshold uniformly between the node's
  extremes, which on a skewed feature (speechiness, liveness) wastes most draws on its long tail.
  Alone that is worth half a point (51.7 % against 51.2 % on seed 0); in the average it evens out
  the three fold assignments (53.1, 53.0, 53.1 % against 53.0, 53.1, 53.0 %).
- `subgenre`: LightGBM trained on the finer sub-genre labels, its probabilities summed into genres
  with P(genre | sub-genre) counted on the training rows (so a sub-genre filed under two genres
  splits its mass). The finer target teaches shapes the six-way target blurs. Only when the
  caller passes sub-genre labels to `fit`; without them the ensemble has two members.

Equal weights, fixed in advance: weights tuned on the same folds would flatter the score.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from lightgbm import LGBMClassifier
from scipy.special import ndtri
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.preprocessing import QuantileTransformer

from genrelens.core.ml.packed_trees import PackedTrees

SEED = 0

#: Up to this many rows, each member is walked as `PackedTrees` (one track: 0.9 to 1.4 ms for the
#: whole model against 1.2 to 3.4 ms through the libraries). Larger batches, mostly one-offs such
#: as a cross-validation fold, go through the libraries: packing would cost more than it saves.
PACKED_ROWS = 16

#: Rows scored at once: the quantile lookup compares every value with every quantile, so a large
#: batch goes in chunks (about 3 MB of comparisons each) rather than all at once.
SCORE_ROWS = 1024

#: Quantile shares are clipped to [BOUNDS, 1 - BOUNDS] so the extremes map to about ±5.2 sd, not ±inf.
BOUNDS = 1e-7

#: The contrasts member sees 104 columns: drawing half of them per tree instead of 70 % costs no
#: accuracy and a quarter of its time (measured on three fold assignments).
CONTRASTS_STEPS: dict[str, Any] = {"colsample_bytree": 0.5}

#: The sub-genre member learns 24 classes, so it grows four times the trees per round; fewer,
#: larger steps keep it at the contrasts member's cost for the same accuracy (measured).
SUBGENRE_STEPS: dict[str, Any] = {"n_estimators": 150, "learning_rate": 0.08}


class Contrasts(TransformerMixin, BaseEstimator):
    """Raw features, then pairwise differences of their normal scores, then principal components.

    Normal scores (each value's quantile, mapped through the inverse normal CDF) first, so a
    difference compares ranks, not units: loudness in dB minus energy in 0..1 would mean nothing.
    The transform is written out in numpy rather than calling QuantileTransformer and PCA, whose
    input validation made one track cost 4.5 ms here against about 0.1 ms; `fit` still lets them
    estimate the quantiles and components, and a test checks both against their own transforms.
    """

    def __init__(self, n_quantiles: int = 200) -> None:
        self.n_quantiles = n_quantiles

    def fit(self, X: Any, y: Any = None) -> Contrasts:
        values = np.asarray(X, dtype=float)
        # scikit-learn estimates the quantiles (on a 10,000-row subsample); only the transform is ours.
        fitted = QuantileTransformer(
            n_quantiles=min(self.n_quantiles, len(values)), output_distribution="normal", random_state=SEED
        ).fit(values)
        self.levels_, self.quantiles_ = fitted.references_, fitted.quantiles_
        self.pca_ = PCA(random_state=SEED).fit(self.normal_scores(values))
        self.pairs_ = list(combinations(range(values.shape[1]), 2))
        return self

    def normal_scores(self, values: np.ndarray) -> np.ndarray:
        if len(values) > SCORE_ROWS:  # bound the (rows x quantiles x features) comparisons below
            chunks = [values[i : i + SCORE_ROWS] for i in range(0, len(values), SCORE_ROWS)]
            return np.vstack([self.normal_scores(chunk) for chunk in chunks])
        q, levels = self.quantiles_, self.levels_
        columns = np.arange(values.shape[1])

        def interpolate(run: np.ndarray) -> np.ndarray:
            # Linear between quantile `run` and `run + 1` of each column (one numpy step for all
            # columns: a loop over them cost a track 0.35 ms against 0.15 ms).
            lo, hi = q[run, columns], q[run + 1, columns]
            step = np.clip((values - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0, 1.0)
            return levels[run] + step * (levels[run + 1] - levels[run])

        # A value repeated across several quantiles (instrumentalness is 0 for a third of tracks)
        # is interpolated from the last quantile <= it and from the first one >= it, and the two
        # averaged, so it lands mid-run, as in scikit-learn's QuantileTransformer.
        last = len(levels) - 2
        seen = values[:, None, :]
        forward = interpolate(np.clip((q <= seen).sum(axis=1) - 1, 0, last))
        backward = interpolate(np.clip((q < seen).sum(axis=1) - 1, 0, last))
        shares = 0.5 * (forward + backward)
        # ...and, like it, anything at or past the extremes takes the extreme share.
        shares[values + BOUNDS > q[-1]] = 1.0
        shares[values - BOUNDS < q[0]] = 0.0
        return np.asarray(ndtri(np.clip(shares, BOUNDS, 1 - BOUNDS)))

    def transform(self, X: Any) -> np.ndarray:
        values = np.asarray(X, dtype=float)
        return self.expand(values, self.normal_scores(values))

    def expand(self, values: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """`transform` given the normal scores already (the ensemble's forest uses them too)."""
        left, right = (np.array(side, dtype=int) for side in zip(*self.pairs_, strict=True))
        components = (scores - self.pca_.mean_) @ self.pca_.components_.T
        return np.hstack([values, scores[:, left] - scores[:, right], components])

    def attribute(self, importance: np.ndarray) -> np.ndarray:
        """Fold importances of the output columns back onto the input features.

        A contrast counts half for each of its two features; a component counts for each feature
        in proportion to its squared loading.
        """
        n = len(self.pca_.mean_)
        out = importance[:n].copy()
        for value, (i, j) in zip(importance[n : n + len(self.pairs_)], self.pairs_, strict=True):
            out[i] += value / 2
            out[j] += value / 2
        loadings = self.pca_.components_**2  # each row (component) sums to 1
        out += importance[n + len(self.pairs_) :] @ loadings
        return out


def _lightgbm(**params: Any) -> LGBMClassifier:
    # The same settings as the standalone `lightgbm` candidate, with fewer, larger steps: three
    # members must fit in the time one used to have (the default train stays under two minutes).
    # One thread each: the ensemble runs members side by side instead.
    settings: dict[str, Any] = {
        "n_estimators": 300,
        "learning_rate": 0.04,
        "num_leaves": 15,
        "min_child_samples": 40,
        "colsample_bytree": 0.7,
        "subsample": 0.8,
        "subsample_freq": 1,
        "reg_lambda": 1.0,
        "importance_type": "gain",
        "n_jobs": 1,
        "verbose": -1,
        "random_state": SEED,
    }
    return LGBMClassifier(**{**settings, **params})


def _lightgbm_proba(model: LGBMClassifier, values: np.ndarray) -> np.ndarray:
    """The booster's probabilities for a batch (few rows go through `PackedTrees`), without the
    scikit-learn wrapper's per-call checks; columns in `model.classes_` order."""
    proba = np.asarray(model.booster_.predict(values, num_threads=1))
    return proba if proba.ndim == 2 else np.column_stack([1 - proba, proba])  # binary: P(class 1) only


def _genre_given_subgenre(y: np.ndarray, subgenre: np.ndarray, classes: np.ndarray, subs: np.ndarray) -> np.ndarray:
    """Matrix M with M[s, g] = share of training rows of sub-genre s that carry genre g."""
    counts = np.zeros((len(subs), len(classes)))
    np.add.at(counts, (np.searchsorted(subs, subgenre), np.searchsorted(classes, y)), 1.0)
    return counts / counts.sum(axis=1, keepdims=True)


class GenreEnsemble(ClassifierMixin, BaseEstimator):
    """Average of the `contrasts`, `forest` and (given sub-genres) `subgenre` members.

    `n_jobs` is how many members learn at once, each on one thread; prediction is single-threaded.
    """

    def __init__(
        self,
        forest_trees: int = 200,
        forest_min_samples_leaf: int = 3,
        lightgbm_params: dict[str, Any] | None = None,
        n_jobs: int = 1,
    ) -> None:
        self.forest_trees = forest_trees
        self.forest_min_samples_leaf = forest_min_samples_leaf
        self.lightgbm_params = lightgbm_params
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any, subgenre: Any = None) -> GenreEnsemble:
        values = np.asarray(X, dtype=float)
        y = np.asarray(y).astype(str)
        self.classes_ = np.unique(y)
        self._packed_members: dict[str, PackedTrees] = {}
        params = self.lightgbm_params or {}
        self.contrasts_ = Contrasts().fit(values)
        forest = ExtraTreesClassifier(
            n_estimators=self.forest_trees,
            min_samples_leaf=self.forest_min_samples_leaf,
            max_features=0.5,
            n_jobs=1,
            random_state=SEED,
        )
        scores = self.contrasts_.normal_scores(values)
        labels = np.full(len(y), "") if subgenre is None else np.asarray(subgenre).astype(str)
        known = labels != ""
        with_subgenres = len(np.unique(labels[known])) >= 2  # one sub-genre says nothing beyond the genre
        expanded = self.contrasts_.expand(values, scores)
        # Longest first, so two threads finish together: contrasts on one, sub-genres then the forest on the other.
        fits: dict[str, Any] = {"contrasts": lambda: _lightgbm(**{**CONTRASTS_STEPS, **params}).fit(expanded, y)}
        if with_subgenres:
            fits["subgenre"] = lambda: _lightgbm(**{**SUBGENRE_STEPS, **params}).fit(values[known], labels[known])
        fits["forest"] = lambda: forest.fit(scores, y)
        # Each member learns on one thread and `n_jobs` learn at once: LightGBM and scikit-learn's
        # tree builder release the GIL, so two threads take half the time of one (measured: 8.7 s
        # against 17.0 s per fold), and one process keeps one copy of the data.
        models = Parallel(n_jobs=self.n_jobs, prefer="threads")(delayed(fit)() for fit in fits.values())
        fitted = dict(zip(fits, models, strict=True))
        self.contrasts_model_, self.forest_ = fitted["contrasts"], fitted["forest"]
        self.subgenre_model_: LGBMClassifier | None = fitted.get("subgenre")
        if with_subgenres:
            subs = np.unique(labels[known])
            self.genre_given_subgenre_ = _genre_given_subgenre(y[known], labels[known], self.classes_, subs)
        return self

    @property
    def members(self) -> list[str]:
        return ["contrasts", "forest"] + (["subgenre"] if self.subgenre_model_ is not None else [])

    def _packed(self, name: str) -> PackedTrees:
        """A member packed for few-row calls, on first use (about 1 s in all) and never pickled:
        it is derived from the fitted member, and saving it would double the artifact."""
        packed = self.__dict__.setdefault("_packed_members", {})
        if name not in packed:
            packed[name] = (PackedTrees.from_forest(self.forest_) if name == "forest" else
                            PackedTrees.from_lightgbm(getattr(self, f"{name}_model_").booster_))
        return packed[name]

    def _member_proba(self, name: str, values: np.ndarray) -> np.ndarray:
        if len(values) <= PACKED_ROWS:
            return self._packed(name).predict_proba(values)
        if name == "forest":
            return np.asarray(self.forest_.predict_proba(values))
        return _lightgbm_proba(getattr(self, f"{name}_model_"), values)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_packed_members", None)
        return state

    def predict_proba(self, X: Any) -> np.ndarray:
        values = np.asarray(X, dtype=float)
        scores = self.contrasts_.normal_scores(values)
        parts = [
            self._member_proba("contrasts", self.contrasts_.expand(values, scores)),
            self._member_proba("forest", scores),
        ]
        if self.subgenre_model_ is not None:
            parts.append(self._member_proba("subgenre", values) @ self.genre_given_subgenre_)
        return np.mean(parts, axis=0)

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.classes_[self.predict_proba(X).argmax(axis=1)])

    @property
    def feature_importances_(self) -> np.ndarray:
        """Each member's gain / impurity importance on the input features, normalised, averaged."""
        parts = [
            self.contrasts_.attribute(np.asarray(self.contrasts_model_.feature_importances_, dtype=float)),
            np.asarray(self.forest_.feature_importances_, dtype=float),
        ]
        if self.subgenre_model_ is not None:
            parts.append(np.asarray(self.subgenre_model_.feature_importances_, dtype=float))
        return np.asarray(sum(p / max(p.sum(), 1e-12) for p in parts) / len(parts))
