"""Read-side documents the API serves: a track's analysis (features with provenance, genre
probabilities from the active model, beats for local tracks)."""

from __future__ import annotations

import functools
import logging
import math
from typing import Any

import pandas as pd
from django.conf import settings

from genrelens.catalog.local import Owner, local_document, local_track_visible
from genrelens.catalog.models import AudioFeatures, Track, TrainedModel
from genrelens.catalog.models_on_disk import trained_model_load
from genrelens.catalog.selectors import model_get
from genrelens.core.errors import GenrelensError, NotFound
from genrelens.core.types import FEATURE_NAMES

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _load(pk: int, path: str, sha256: str) -> Any:
    """Loaded models stay in memory: unpickling on every request would dominate its latency.
    The key holds the path and sha256 checked at load, so a changed row is loaded (and checked) anew."""
    return trained_model_load(record=TrainedModel(pk=pk, version=str(pk), path=path, sha256=sha256))


def _rank(source: str) -> int:
    order = [*settings.GENRELENS_FEATURE_PROVIDERS, "local"]
    kind = source.split(":")[0]
    return order.index(kind) if kind in order else len(order)


def track_document(*, key: str, viewer: Owner) -> dict[str, Any]:
    """The track's document; a local track exists only for the owners of its files (and staff)."""
    track = Track.objects.select_related("album").filter(key=key).first()
    if track is None or (track.is_local and not local_track_visible(track=track, viewer=viewer)):
        raise NotFound(f"no track {key!r} in the catalog")
    rows = sorted(AudioFeatures.objects.filter(track=track), key=lambda r: (_rank(r.source), r.source))
    sources = [{"source": r.source, "source_version": r.source_version, "fetched_at": r.fetched_at.isoformat(),
                "features": {n: getattr(r, n) for n in FEATURE_NAMES}, "how": r.how} for r in rows]
    preferred = _preferred(sources, track)
    document: dict[str, Any] = {
        "track": {"id": track.key, "name": track.name, "artists": [a for a in track.artist_names.split(";") if a],
                  "album": track.album.name if track.album else "", "duration_ms": track.duration_ms,
                  "release_year": track.album.release_year if track.album else None, "is_local": track.is_local},
        "features": preferred,
        "feature_source": sources[0]["source"] if sources else None,
        "sources": sources,
        "genres": None,
        "genres_note": "",
        "rhythm": None,
    }
    if preferred is None:
        document["genres_note"] = "no audio features for this track yet"
    else:
        document.update(_genres(preferred, document["track"]["release_year"]))
    if track.is_local:
        local = local_document(track=track)
        document["rhythm"] = {k: local[k] for k in ("beats", "downbeats", "sections")}
    return document


def _preferred(sources: list[dict[str, Any]], track: Track) -> dict[str, Any] | None:
    """Each feature from the most preferred source that has it (the chain's order)."""
    if not sources:
        return None
    merged = {n: next((s["features"][n] for s in sources if s["features"][n] is not None), None)
              for n in FEATURE_NAMES}
    if merged["duration_ms"] is None:
        merged["duration_ms"] = track.duration_ms
    return merged


def _genres(features: dict[str, Any], release_year: int | None) -> dict[str, Any]:
    from genrelens.core.ml.predict import predict_frame

    try:
        record = model_get()
    except NotFound as exc:
        return {"genres_note": str(exc)}
    row = {n: (math.nan if v is None else v) for n, v in features.items()}
    row["release_year"] = math.nan if release_year is None else release_year
    try:
        prediction = predict_frame(_load(record.pk, record.path, record.sha256), pd.DataFrame([row])).iloc[0]
    except GenrelensError:
        # the reason names files and columns: it is for the operator's log, not for the caller
        log.exception("model %s could not score track features", record.version)
        return {"genres_note": f"model {record.version} cannot score this track right now"}
    probabilities = {c.removeprefix("p_"): float(v) for c, v in prediction.items() if str(c).startswith("p_")}
    return {"genres": {"model": record.version, "label": record.label,
                       "probabilities": dict(sorted(probabilities.items(), key=lambda kv: -kv[1]))}}
