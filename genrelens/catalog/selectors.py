"""Reads from the catalog, shaped for the data-science core.

`labelled_frame` hands the ML and report code the blog's shape, one row per (track, label) with
the features as columns, built by ONE SQL query: each feature source is a LEFT JOIN through a
FilteredRelation and the columns are COALESCEd in the configured order of preference.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from django.conf import settings
from django.db.models import F, FilteredRelation, Q
from django.db.models.functions import Coalesce

from genrelens.catalog.models import Dataset, GenreLabel, TrainedModel
from genrelens.core.dataset.formats import CANONICAL_COLUMNS
from genrelens.core.errors import NotFound
from genrelens.core.types import FEATURE_NAMES


def dataset_get(*, name: str) -> Dataset:
    try:
        return Dataset.objects.get(name=name)
    except Dataset.DoesNotExist:
        known = ", ".join(Dataset.objects.order_by("name").values_list("name", flat=True)) or "none yet"
        raise NotFound(f"no dataset named {name!r} (known: {known})") from None


def feature_sources_for(dataset: Dataset) -> list[str]:
    """The dataset's own features first, then the configured providers' (local audio last)."""
    providers = [p for p in settings.GENRELENS_FEATURE_PROVIDERS if p != "dataset"]
    return list(dict.fromkeys([dataset.feature_source, *providers, "local"]))


def labelled_frame(*, dataset: str, sources: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per genre label of `dataset`, canonical columns plus `feature_source`."""
    ds = dataset_get(name=dataset)
    sources = list(sources or feature_sources_for(ds))
    joins = {
        f"f{i}": FilteredRelation("track__audio_features", condition=Q(track__audio_features__source=src))
        for i, src in enumerate(sources)
    }
    features = {
        name: Coalesce(*(F(f"f{i}__{name}") for i in range(len(sources)))) if len(sources) > 1
        else F(f"f0__{name}")
        for name in FEATURE_NAMES
    }
    feature_source = (Coalesce(*(F(f"f{i}__source") for i in range(len(sources)))) if len(sources) > 1
                      else F("f0__source"))
    query = (
        GenreLabel.objects.filter(dataset=ds)
        .annotate(**joins)
        .annotate(**{f"_{k}": v for k, v in features.items()}, feature_source=feature_source)
        .values(
            "id",
            "genre",
            "subgenre",
            "playlist_key",
            "track__key",
            "track__name",
            "track__artist_names",
            "track__popularity",
            "track__duration_ms",
            "track__album__spotify_id",
            "track__album__name",
            "track__album__release_date",
            "track__album__release_year",
            "playlist__name",
            "feature_source",
            *(f"_{k}" for k in FEATURE_NAMES),
        )
        .order_by("id")
    )
    frame = pd.DataFrame.from_records(list(query))
    if frame.empty:
        return pd.DataFrame(columns=[*CANONICAL_COLUMNS, "feature_source"])
    return _to_canonical(frame)


def _to_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "track_id": frame["track__key"],
        "track_name": frame["track__name"],
        "track_artist": frame["track__artist_names"].str.replace(";", ", ", regex=False),
        "artists": frame["track__artist_names"],
        "track_popularity": frame["track__popularity"].astype(float),
        "track_album_id": frame["track__album__spotify_id"].fillna(""),
        "track_album_name": frame["track__album__name"].fillna(""),
        "release_date": frame["track__album__release_date"].fillna(""),
        "release_year": frame["track__album__release_year"].astype(float),
        "playlist_id": frame["playlist_key"],
        "playlist_name": frame["playlist__name"].fillna(""),
        "playlist_genre": frame["genre"],
        "playlist_subgenre": frame["subgenre"],
    })
    for name in FEATURE_NAMES:
        out[name] = frame[f"_{name}"].astype(float)
    # duration lives on the track too: a provider without duration (ReccoBeats) still gets one
    out["duration_ms"] = out["duration_ms"].fillna(frame["track__duration_ms"].astype(float))
    out["feature_source"] = frame["feature_source"].fillna("")
    return out.reset_index(drop=True)


def model_get(*, ref: str | None = None) -> TrainedModel:
    """A registered model by version (or database id); the active one when `ref` is None."""
    if ref is None:
        active = TrainedModel.objects.filter(is_active=True).first()
        if active is None:
            raise NotFound("no active model: run `genrelens train` first")
        return active
    query = TrainedModel.objects.filter(version=ref)
    if ref.isdigit():
        query = query | TrainedModel.objects.filter(pk=int(ref))
    found = query.first()
    if found is None:
        known = ", ".join(TrainedModel.objects.values_list("version", flat=True)[:10]) or "none"
        raise NotFound(f"no model {ref!r} (registered: {known})")
    return found
