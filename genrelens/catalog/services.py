"""Writes to the catalog. Keyword-only, typed, atomic functions named `<entity>_<action>`.

Imports are bulk upserts keyed on each entity's stable `key`. A row already stored is only
completed (an empty field filled), never overwritten: two datasets that list the same track with a
different popularity or album spelling would otherwise rewrite it on every import, one after the
other. So re-importing any file, after any other, changes nothing and creates no duplicates; each
dataset's own features and labels are kept apart (per source, per dataset).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import pandas as pd
from django.db import models, transaction

from genrelens.catalog.models import (
    Album,
    Artist,
    AudioFeatures,
    Dataset,
    GenreLabel,
    Playlist,
    PlaylistTrack,
    Track,
    TrackArtist,
    TrainedModel,
)
from genrelens.catalog.models_on_disk import recorded_path
from genrelens.core.dataset.formats import ParsedDataset
from genrelens.core.errors import ImportFailed
from genrelens.core.files import file_sha256
from genrelens.core.providers.dataset import name_key
from genrelens.core.types import FEATURE_NAMES, INT_FEATURES, SourcedFeatures
from genrelens.shared_cache import catalog_changed, features_changed, model_changed

#: Rows per INSERT/UPDATE and keys per IN (...) lookup; SQLite allows 32,766 variables a statement.
BATCH = 2000
M = TypeVar("M", bound=models.Model)


@dataclass(slots=True)
class ImportResult:
    dataset: str
    format: str
    rows_read: int
    tracks_created: int = 0
    tracks_updated: int = 0
    labels_created: int = 0
    features_created: int = 0
    rows_rejected: int = 0
    rejected: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0
    genre_counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "format": self.format,
            "rows_read": self.rows_read,
            "tracks_created": self.tracks_created,
            "tracks_updated": self.tracks_updated,
            "labels_created": self.labels_created,
            "features_created": self.features_created,
            "rows_rejected": self.rows_rejected,
            "rejected": self.rejected,
            "notes": self.notes,
            "genre_counts": self.genre_counts,
            "seconds": round(self.seconds, 3),
        }


# --------------------------------------------------------------------------------------------
# Generic bulk upsert


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(model: type[M], keys: Sequence[str], fields: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(keys):
        for row in model.objects.filter(key__in=chunk).values("id", "key", *fields):  # type: ignore[attr-defined]
            found[row["key"]] = row
    return found


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _upsert(model: type[M], rows: dict[str, dict[str, Any]]) -> tuple[dict[str, int], int, int]:
    """Insert missing keys, fill the empty fields of stored ones; return (key -> id, created, completed)."""
    if not rows:
        return {}, 0, 0
    fields = list(next(iter(rows.values())))
    existing = _existing(model, list(rows), fields)
    new = [model(key=key, **values) for key, values in rows.items() if key not in existing]
    completed = []
    for key, values in rows.items():
        old = existing.get(key)
        if old is not None and any(_blank(old[f]) and not _blank(v) for f, v in values.items()):
            merged = {f: v if _blank(old[f]) else old[f] for f, v in values.items()}
            completed.append(model(id=old["id"], key=key, **merged))
    model.objects.bulk_create(new, batch_size=BATCH)  # type: ignore[attr-defined]
    if completed:
        model.objects.bulk_update(completed, fields, batch_size=BATCH)  # type: ignore[attr-defined]
    if new or completed:
        catalog_changed()
    ids = {key: row["id"] for key, row in existing.items()}
    if new:
        ids.update({k: v["id"] for k, v in _existing(model, [o.key for o in new], []).items()})  # type: ignore[attr-defined]
    return ids, len(new), len(completed)


def _insert_missing(model: type[M], objects: Iterable[M]) -> int:
    """Insert objects their model's unique constraint does not hold yet; return how many were new."""
    objects = list(objects)
    if not objects:
        return 0
    before = model.objects.count()  # type: ignore[attr-defined]
    model.objects.bulk_create(objects, batch_size=BATCH, ignore_conflicts=True)  # type: ignore[attr-defined]
    created = model.objects.count() - before  # type: ignore[attr-defined]
    if created:
        catalog_changed()
    return int(created)


# --------------------------------------------------------------------------------------------
# Mapping canonical rows to catalog rows


def _clean(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _int_or_none(value: Any) -> int | None:
    value = _clean(value)
    return None if value is None else round(float(value))


def match_key(artists: Sequence[str], title: str) -> str:
    key = name_key(artists, title)
    return "|".join(key)[:600] if key else ""


def artist_key(name: str) -> str:
    return "name:" + " ".join(name.casefold().split())


def _split_artists(text: str) -> list[str]:
    return [a.strip() for a in str(text).split(";") if a.strip()]


def _album_key(row: Any, artists: list[str]) -> str | None:
    if row.track_album_id:
        return str(row.track_album_id)
    if not row.track_album_name:
        return None
    first = artists[0].casefold() if artists else ""
    return f"name:{first}|{str(row.track_album_name).casefold()}"


def _looks_like_spotify_id(value: str) -> bool:
    return len(value) == 22 and value.isalnum()


@dataclass(slots=True)
class _Rows:
    artists: dict[str, dict[str, Any]] = field(default_factory=dict)
    albums: dict[str, dict[str, Any]] = field(default_factory=dict)
    tracks: dict[str, dict[str, Any]] = field(default_factory=dict)
    track_album: dict[str, str | None] = field(default_factory=dict)
    track_artists: dict[str, list[str]] = field(default_factory=dict)
    playlists: dict[str, dict[str, Any]] = field(default_factory=dict)
    playlist_entries: dict[str, list[str]] = field(default_factory=dict)
    labels: set[tuple[str, str, str, str]] = field(default_factory=set)
    features: dict[str, dict[str, Any]] = field(default_factory=dict)


def _collect_rows(frame: pd.DataFrame) -> _Rows:
    """One pass over the canonical frame, gathering each entity once (first occurrence wins)."""
    rows = _Rows()
    for row in frame.itertuples(index=False):
        track_key = str(row.track_id)
        artists = _split_artists(row.artists) or _split_artists(str(row.track_artist).replace(", ", ";"))
        if track_key not in rows.tracks:
            for name in artists:
                rows.artists.setdefault(artist_key(name), {"name": name[:500]})
            album_key = _album_key(row, artists)
            if album_key and album_key not in rows.albums:
                year = _int_or_none(row.release_year)
                rows.albums[album_key] = {
                    "name": str(row.track_album_name)[:500],
                    "spotify_id": str(row.track_album_id),
                    "release_date": str(row.release_date)[:10],
                    "release_year": year,
                }
            rows.track_album[track_key] = album_key
            rows.track_artists[track_key] = [artist_key(a) for a in artists]
            rows.tracks[track_key] = {
                "spotify_id": track_key if _looks_like_spotify_id(track_key) else "",
                "name": str(row.track_name)[:500],
                "artist_names": ";".join(artists)[:1000],
                "duration_ms": _int_or_none(row.duration_ms),
                "popularity": _int_or_none(row.track_popularity),
                "match_key": match_key(artists, str(row.track_name)),
            }
            rows.features[track_key] = {name: _clean(getattr(row, name)) for name in FEATURE_NAMES}
        playlist_key = str(row.playlist_id)
        if playlist_key:
            rows.playlists.setdefault(playlist_key, {"name": str(row.playlist_name)[:500],
                                                     "spotify_id": playlist_key})
            rows.playlist_entries.setdefault(playlist_key, []).append(track_key)
        if row.playlist_genre:
            rows.labels.add((track_key, str(row.playlist_genre), str(row.playlist_subgenre), playlist_key))
    return rows


# --------------------------------------------------------------------------------------------
# The import service


def dataset_import(
    *,
    parsed: ParsedDataset,
    name: str,
    source: str,
    licence: str = "",
    skip_invalid: bool = False,
    store_features: bool = True,
) -> ImportResult:
    """Store a parsed dataset: all of it in one transaction, or nothing.

    With rejected rows and no `skip_invalid`, raises ImportFailed and writes nothing.
    """
    started = time.perf_counter()
    result = ImportResult(dataset=name, format=parsed.format, rows_read=parsed.rows_read,
                          rows_rejected=len(parsed.rejected),
                          rejected=[r.as_dict() for r in parsed.rejected], notes=list(parsed.notes))
    if parsed.rejected and not skip_invalid:
        shown = "\n  ".join(r.reason for r in parsed.rejected[:20])
        more = f"\n  ... and {len(parsed.rejected) - 20} more" if len(parsed.rejected) > 20 else ""
        raise ImportFailed(
            f"{len(parsed.rejected)} invalid row(s); nothing was imported "
            f"(use --skip-invalid to import the valid rows):\n  {shown}{more}"
        )
    if parsed.frame.empty:
        raise ImportFailed("no valid rows to import; nothing was imported")
    rows = _collect_rows(parsed.frame)
    with transaction.atomic():
        catalog_changed()  # a dataset's tracks, labels and public taste
        dataset = _dataset_upsert(name=name, source=source, licence=licence, parsed=parsed)
        _store(rows, dataset=dataset, result=result, store_features=store_features)
    result.genre_counts = {str(k): int(v) for k, v in
                           parsed.frame["playlist_genre"].replace("", "(none)").value_counts().items()}
    result.seconds = time.perf_counter() - started
    return result


def _dataset_upsert(*, name: str, source: str, licence: str, parsed: ParsedDataset) -> Dataset:
    dataset, _ = Dataset.objects.get_or_create(name=name, defaults={"source": source})
    dataset.source = source
    dataset.format = parsed.format
    dataset.sha256 = parsed.sha256
    dataset.row_count = parsed.rows_read
    if licence:
        dataset.licence = licence
    dataset.save()
    return dataset


def _store(rows: _Rows, *, dataset: Dataset, result: ImportResult, store_features: bool) -> None:
    artist_ids, _, _ = _upsert(Artist, rows.artists)
    album_ids, _, _ = _upsert(Album, rows.albums)
    track_rows = {
        key: {**values, "album_id": album_ids.get(rows.track_album[key] or "")}
        for key, values in rows.tracks.items()
    }
    track_ids, result.tracks_created, result.tracks_updated = _upsert(Track, track_rows)
    _insert_missing(
        TrackArtist,
        (TrackArtist(track_id=track_ids[t], artist_id=artist_ids[a], position=i)
         for t, keys in rows.track_artists.items() for i, a in enumerate(dict.fromkeys(keys))),
    )
    playlist_ids, _, _ = _upsert(Playlist, rows.playlists)
    _insert_missing(
        PlaylistTrack,
        (PlaylistTrack(playlist_id=playlist_ids[p], track_id=track_ids[t], position=i)
         for p, keys in rows.playlist_entries.items() for i, t in enumerate(keys)),
    )
    result.labels_created = _insert_missing(
        GenreLabel,
        (GenreLabel(dataset=dataset, track_id=track_ids[t], genre=g[:100], subgenre=s[:100],
                    playlist_id=playlist_ids.get(p) if p else None, playlist_key=p)
         for t, g, s, p in sorted(rows.labels)),
    )
    if not store_features:
        return
    # duration alone is no audio feature (the track row has it): a file without features stores none
    result.features_created = features_upsert(
        rows={track_ids[k]: v for k, v in rows.features.items()
              if any(x is not None for name, x in v.items() if name != "duration_ms")},
        source=dataset.feature_source,
        source_version=dataset.sha256[:12],
    )


def collected_dataset_store(
    *, name: str, frame: pd.DataFrame, features: Sequence[SourcedFeatures], source: str, licence: str = ""
) -> ImportResult:
    """Store a collected dataset: its tracks and labels, and each feature under the source that gave it.

    One transaction: a run interrupted here stores nothing, and the next run stores it all.
    """
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()
    parsed = ParsedDataset(frame=frame, format="collect", rows_read=len(frame), sha256=digest)
    with transaction.atomic():
        result = dataset_import(parsed=parsed, name=name, source=source, licence=licence, store_features=False)
        wanted = set(frame["track_id"])
        result.features_created = sourced_features_save(items=[f for f in features if f.track_key in wanted])
    return result


def features_upsert(
    *, rows: dict[int, dict[str, Any]], source: str, source_version: str = "",
    how: dict[int, dict[str, str]] | None = None,
) -> int:
    """Store one source's features per track id: new rows inserted, changed rows updated in place
    (only this source's own row: another source's numbers are never touched). Returns rows created."""
    existing: dict[int, dict[str, Any]] = {}
    track_ids = list(rows)
    for chunk in _chunks(track_ids):
        for row in AudioFeatures.objects.filter(source=source, track_id__in=chunk).values("id", "track_id",
                                                                                          *FEATURE_NAMES):
            existing[row["track_id"]] = row
    now = datetime.now(UTC)
    how = how or {}
    new, changed = [], []
    for track_id, values in rows.items():
        values = {k: (int(v) if k in INT_FEATURES and v is not None else v) for k, v in values.items()}
        old = existing.get(track_id)
        if old is None:
            new.append(AudioFeatures(track_id=track_id, source=source, source_version=source_version,
                                     fetched_at=now, how=how.get(track_id, {}), **values))
        elif any(old[k] != v for k, v in values.items()):
            changed.append(AudioFeatures(id=old["id"], track_id=track_id, source=source,
                                         source_version=source_version, fetched_at=now,
                                         how=how.get(track_id, {}), **values))
    AudioFeatures.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        AudioFeatures.objects.bulk_update(changed, [*FEATURE_NAMES, "fetched_at", "source_version", "how"],
                                          batch_size=BATCH)
    touched = [f.track_id for f in (*new, *changed)]
    for chunk in _chunks(touched):
        features_changed(Track.objects.filter(id__in=chunk).values_list("key", flat=True))
    return len(new)


def sourced_features_save(*, items: Sequence[SourcedFeatures]) -> int:
    """Store provider answers (the feature chain's store). Returns rows created."""
    keys = list({item.track_key for item in items})
    track_ids = {k: v["id"] for k, v in _existing(Track, keys, []).items()}
    unknown = [k for k in keys if k not in track_ids]
    if unknown:
        raise ImportFailed(f"features for tracks not in the catalog: {', '.join(unknown[:5])}")
    created = 0
    by_source: dict[tuple[str, str], list[SourcedFeatures]] = {}
    for item in items:
        by_source.setdefault((item.source, item.source_version), []).append(item)
    with transaction.atomic():
        for (source, version), group in by_source.items():
            created += features_upsert(
                rows={track_ids[i.track_key]: i.features.as_dict() for i in group},
                source=source, source_version=version,
                how={track_ids[i.track_key]: dict(i.how) for i in group},
            )
    return created


def model_register(*, card: dict[str, Any], path: str, activate: bool = True) -> TrainedModel:
    """Record a saved model; the newest becomes the active one unless told otherwise. Its path is
    recorded relative to the model directory (`recorded_path`)."""
    stored, artifact = recorded_path(path)
    with transaction.atomic():
        if activate:
            TrainedModel.objects.filter(is_active=True).update(is_active=False)
        dataset = card.get("dataset", {})
        model_changed()
        return TrainedModel.objects.create(
            version=str(card["model_id"]), path=stored, label=str(card.get("label", "genre")),
            dataset_name=str(dataset.get("name", "")), dataset_sha256=str(dataset.get("sha256", "")),
            card=card, is_active=activate, sha256=file_sha256(artifact),
        )


def model_activate(*, model: TrainedModel) -> TrainedModel:
    with transaction.atomic():
        TrainedModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
        model.is_active = True
        model.save(update_fields=["is_active"])
        model_changed()
    return model
