"""The blog's preprocessing as explicit, recorded steps: canonical frame in, model-ready data out.

Every step appends a plain dict to `PreparedData.steps`, so the model card can say exactly what
happened to the data (how many rows each step removed, with which threshold) and `evaluate` can
replay the same steps on another dataset.

Tracks under several genres: the canonical frame has one row per (track, label) and we keep each
distinct pair. Dropping all but one label would pick an arbitrary "truth"; keeping them teaches the
model that the track is ambiguous (its probabilities split between the labels). Leakage is handled
by the splitter, not here: CV groups by primary artist, so both rows of a track always sit on the
same side of a split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genrelens.core.errors import GenrelensError
from genrelens.core.types import FEATURE_NAMES

#: The label names callers use, and the canonical column each one reads.
LABEL_COLUMNS: dict[str, str] = {"genre": "playlist_genre", "subgenre": "playlist_subgenre"}

#: Feature sets a model can be trained on; "auto" resolves to the richest one the data supports.
FEATURE_SETS: tuple[str, ...] = ("audio", "audio+year")

#: Columns kept next to the features (never used as features) so reports can name tracks.
META_COLUMNS: tuple[str, ...] = ("track_id", "track_name", "track_artist")

#: Identifier and free-text columns the blog dropped before modelling; popularity is dropped too
#: because Spotify deprecated it for new apps, so a model that needs it could not be served.
DROPPED_COLUMNS: tuple[str, ...] = (
    "track_id",
    "track_name",
    "track_artist",
    "artists",
    "track_album_id",
    "track_album_name",
    "release_date",
    "playlist_id",
    "playlist_name",
    "track_popularity",
)

#: A feature column is usable when at least this share of rows has a value; below it the model
#: would mostly learn the imputed constant.
MIN_COVERAGE = 0.5


class DatasetError(GenrelensError):
    """The frame cannot be used for training or evaluation (missing columns, too few classes...)."""


class MissingFeatures(DatasetError):
    """The frame lacks feature columns the model needs."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = list(missing)
        super().__init__(f"missing feature columns: {', '.join(self.missing)}")


class UnknownClasses(DatasetError):
    """The frame holds labels the model was never trained on, so its scores would be meaningless."""

    def __init__(self, unknown: Sequence[str], known: Sequence[str]) -> None:
        self.unknown = list(unknown)
        self.known = list(known)
        super().__init__(
            f"labels the model does not know: {', '.join(self.unknown)} "
            f"(it knows: {', '.join(self.known)})"
        )


@dataclass(frozen=True, slots=True)
class PreprocessConfig:
    """Knobs of the preprocessing; `None` for `duration_cut_ms` disables the outlier cut."""

    duration_cut_ms: float | None = 500_000.0
    dedupe: bool = True
    dropped_columns: tuple[str, ...] = DROPPED_COLUMNS

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PreprocessConfig:
        return cls(
            duration_cut_ms=data.get("duration_cut_ms"),
            dedupe=bool(data.get("dedupe", True)),
            dropped_columns=tuple(data.get("dropped_columns", DROPPED_COLUMNS)),
        )


@dataclass(slots=True)
class PreparedData:
    """Model-ready data: features, labels, CV groups, and the trail of what was done."""

    X: pd.DataFrame
    y: np.ndarray
    groups: np.ndarray
    meta: pd.DataFrame
    label: str
    feature_set: str
    features: list[str]
    steps: list[dict[str, Any]] = field(default_factory=list)
    #: Each row's sub-genre ("" when unknown) for genre models, so a sub-genre-aware candidate can
    #: learn from the finer labels; None for sub-genre models or frames without the column.
    subgenre: np.ndarray | None = None

    @property
    def classes(self) -> list[str]:
        return sorted(set(self.y.tolist()))


def label_column(label: str) -> str:
    if label not in LABEL_COLUMNS:
        raise DatasetError(f"unknown label {label!r}: use one of {', '.join(LABEL_COLUMNS)}")
    return LABEL_COLUMNS[label]


def _coverage(frame: pd.DataFrame, column: str) -> float:
    if column not in frame.columns or len(frame) == 0:
        return 0.0
    return float(pd.to_numeric(frame[column], errors="coerce").notna().mean())


def audio_columns(frame: pd.DataFrame) -> list[str]:
    """The audio features this frame actually has (e.g. the shared dev file lacks key/mode)."""
    return [name for name in FEATURE_NAMES if _coverage(frame, name) >= MIN_COVERAGE]


def resolve_feature_set(frame: pd.DataFrame, feature_set: str = "auto") -> tuple[str, list[str]]:
    """Name and columns of a feature set; popularity is never part of one."""
    if feature_set not in (*FEATURE_SETS, "auto"):
        raise DatasetError(f"unknown feature set {feature_set!r}: use auto, {', '.join(FEATURE_SETS)}")
    audio = audio_columns(frame)
    if not audio:
        raise DatasetError(f"the frame has none of the audio feature columns {', '.join(FEATURE_NAMES)}")
    has_year = _coverage(frame, "release_year") >= MIN_COVERAGE
    if feature_set == "audio+year" and not has_year:
        raise DatasetError("feature set audio+year needs a release_year column with values")
    if feature_set == "audio" or (feature_set == "auto" and not has_year):
        return "audio", audio
    return "audio+year", [*audio, "release_year"]


def primary_artist(frame: pd.DataFrame) -> pd.Series:
    """The first credited artist, normalised, used to group CV folds so no artist leaks.

    `artists` is ";"-joined; TidyTuesday's `track_artist` may itself contain commas inside one
    name ("Tyler, The Creator"), so it is taken whole. Rows with no artist get their own group
    (their track id) rather than one shared "unknown" group that would swallow a whole fold.
    """
    source = frame["artists"] if "artists" in frame.columns else frame.get("track_artist")
    if source is None:
        raise DatasetError("the frame needs an artists or track_artist column to group by artist")
    names = source.fillna("").astype(str).str.split(";").str[0].str.strip().str.casefold()
    fallback = "track:" + frame.get("track_id", pd.Series(frame.index.astype(str), index=frame.index)).astype(
        str
    )
    return names.where(names != "", fallback)


def _step(steps: list[dict[str, Any]], name: str, before: int, after: int, **details: Any) -> None:
    steps.append({"step": name, "rows_before": before, "rows_removed": before - after, **details})


def _drop_unlabelled(frame: pd.DataFrame, column: str, steps: list[dict[str, Any]]) -> pd.DataFrame:
    labels = frame[column].fillna("").astype(str).str.strip()
    kept = frame[labels != ""]
    _step(steps, "drop_unlabelled", len(frame), len(kept), column=column)
    return kept


def _dedupe(frame: pd.DataFrame, column: str, steps: list[dict[str, Any]]) -> pd.DataFrame:
    if "track_id" not in frame.columns:
        raise DatasetError("deduplication needs a track_id column (or set dedupe=False)")
    kept = frame.drop_duplicates(subset=["track_id", column], keep="first")
    multi = int((kept.groupby("track_id")[column].nunique() > 1).sum())
    _step(steps, "dedupe", len(frame), len(kept), key=["track_id", column], tracks_with_several_labels=multi)
    return kept


def _duration_cut(frame: pd.DataFrame, cut_ms: float, steps: list[dict[str, Any]]) -> pd.DataFrame:
    # Rows with no duration are kept: the cut removes known outliers, it is not a completeness filter.
    if "duration_ms" not in frame.columns:
        steps.append({"step": "duration_cut", "skipped": "no duration_ms column"})
        return frame
    duration = pd.to_numeric(frame["duration_ms"], errors="coerce")
    kept = frame[~(duration > cut_ms)]
    _step(steps, "duration_cut", len(frame), len(kept), threshold_ms=cut_ms)
    return kept


def _features(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame[columns].apply(pd.to_numeric, errors="coerce").astype("float64").reset_index(drop=True)


def prepare(
    frame: pd.DataFrame,
    *,
    label: str = "genre",
    feature_set: str = "auto",
    config: PreprocessConfig | None = None,
    features: Sequence[str] | None = None,
) -> PreparedData:
    """Apply the recorded steps; pass `features` to reuse a trained model's exact columns."""
    config = config or PreprocessConfig()
    column = label_column(label)
    if column not in frame.columns:
        raise DatasetError(f"label {label!r} needs a {column} column, which the frame lacks")
    steps: list[dict[str, Any]] = [{"step": "input", "rows": len(frame)}]
    if features is None:
        feature_set, columns = resolve_feature_set(frame, feature_set)
    else:
        columns = list(features)
        check_feature_columns(frame, columns)
    data = _drop_unlabelled(frame, column, steps)
    if config.dedupe:
        data = _dedupe(data, column, steps)
    if config.duration_cut_ms is not None:
        data = _duration_cut(data, config.duration_cut_ms, steps)
    steps.append({"step": "drop_columns", "columns": [c for c in config.dropped_columns if c in frame]})
    steps.append({"step": "select_features", "feature_set": feature_set, "features": columns})
    meta = pd.DataFrame({c: data[c].fillna("").astype(str) if c in data else "" for c in META_COLUMNS})
    finer = LABEL_COLUMNS["subgenre"]
    subgenre = data[finer].fillna("").astype(str).str.strip().to_numpy() if label == "genre" and finer in data else None
    return PreparedData(
        X=_features(data, columns),
        y=data[column].astype(str).str.strip().to_numpy(),
        groups=primary_artist(data).to_numpy(),
        meta=meta.reset_index(drop=True),
        label=label,
        feature_set=feature_set,
        features=columns,
        steps=steps,
        subgenre=subgenre,
    )


def check_feature_columns(frame: pd.DataFrame, features: Sequence[str]) -> None:
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise MissingFeatures(missing)
