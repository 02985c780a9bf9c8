"""A track's analysis document: metadata, features with provenance, genre probabilities with the
model's measured accuracy beside them, percentiles within each genre, beats for local tracks.

Documents are stored (AnalysisDocument) keyed by track, active model and the feature rows used,
so a repeated request is one read; anything that changes the answer changes the key.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce

from genrelens.catalog.genres import SPOTIFY_TERMS_NOTE, active_model, headline_accuracy, loaded, predict_genres
from genrelens.catalog.local import Owner, local_document, local_track_visible
from genrelens.catalog.models import AnalysisDocument, AudioFeatures, Track, TrainedModel
from genrelens.catalog.taste import public_taste_for_model
from genrelens.catalog.tracklists import features_fetch, preferred_features, source_rank, spotify_tracks_store
from genrelens.core.errors import GenrelensError, NotFound
from genrelens.core.ml.local_claims import note_for
from genrelens.core.providers.base import FeatureProvider
from genrelens.core.spotify.models import Track as SpotifyTrack
from genrelens.core.types import FEATURE_NAMES, TrackRef

log = logging.getLogger(__name__)

#: the document's shape; part of the stored key, so documents of an older shape are rebuilt
DOCUMENT_VERSION = 3
#: the local analysis' estimates that carry a confidence
CONFIDENCES = ("tempo", "beats", "time_signature", "key")
#: looks a Spotify track up by id (None when Spotify does not know it)
TrackFetcher = Callable[[str], SpotifyTrack | None]


def track_find(*, key: str) -> Track | None:
    return (Track.objects.select_related("album").filter(key=key).first()
            or (Track.objects.select_related("album").filter(spotify_id=key).first() if key else None))


def analysis_get(*, key: str, viewer: Owner, fetch_track: TrackFetcher | None = None,
                 providers: Sequence[FeatureProvider] = ()) -> dict[str, Any]:
    """The stored document for this track, model and features, computing and storing it on a miss.

    A track the catalog lacks is looked up with `fetch_track` (one upstream request); a track with
    no features yet goes through the provider chain once. A local track exists only for the owners
    of its files (and staff): its tags and audio are theirs.
    """
    track = track_find(key=key) or _fetch(key, fetch_track)
    if track.is_local and not local_track_visible(track=track, viewer=viewer):
        raise NotFound(f"no track {key!r} in the catalog")
    rows = list(AudioFeatures.objects.filter(track=track))
    chain_note = ""
    if not rows and providers:
        report = features_fetch(refs=[_ref(track)], providers=providers)
        rows = list(AudioFeatures.objects.filter(track=track))
        chain_note = "; ".join(f"{name}: {why}" for name, why in report.blocked.items())
    record = active_model()
    version = record.version if record else ""
    sources_key = _sources_key(rows)
    stored = AnalysisDocument.objects.filter(track=track, model_version=version, sources_key=sources_key).first()
    if stored is not None:
        return stored.document
    document = _build(track, rows, chain_note)
    document["stored"] = {"model_version": version, "sources_key": sources_key}
    try:
        with transaction.atomic():
            AnalysisDocument.objects.create(track=track, model_version=version, sources_key=sources_key,
                                            document=document)
    except IntegrityError:
        pass  # a concurrent request stored the same document first
    return document


def analysis_stored(*, key: str, viewer: Owner) -> dict[str, Any] | None:
    """The stored document when the track and its features are already here: no client, no request."""
    if not key.startswith("local:"):
        document = _stored_by_key(key)
        if document is not None:
            return document
    track = track_find(key=key)
    if track is None or (track.is_local and not local_track_visible(track=track, viewer=viewer)):
        return None
    rows = list(AudioFeatures.objects.filter(track=track))
    if not rows:
        return None
    record = active_model()
    stored = AnalysisDocument.objects.filter(track=track, model_version=record.version if record else "",
                                             sources_key=_sources_key(rows)).first()
    return stored.document if stored else None


def analysis_kept_for(key: str) -> tuple[list[str], list[object]] | None:
    """What a kept copy of this track's stored analysis depends on (the scopes whose writes retire it,
    and what else names it); None for a local track, whose answer depends on who asks."""
    if key.startswith("local:"):
        return None
    return ["model", f"features:{key}"], [key, DOCUMENT_VERSION]


def _stored_by_key(key: str) -> dict[str, Any] | None:
    """The same answer as below in two queries instead of four, for the common case (a Spotify track
    by its key): the feature rows by the track's key, then the document for them and the active
    model's version in one. Under load each query is a round trip to PostgreSQL (bench_load.py)."""
    rows = list(AudioFeatures.objects.filter(track__key=key, track__is_local=False)
                .only("source", "source_version", "fetched_at"))
    if not rows:
        return None
    active = TrainedModel.objects.filter(is_active=True).values("version")[:1]
    document: dict[str, Any] | None = (
        AnalysisDocument.objects.filter(track__key=key, sources_key=_sources_key(rows),
                                        model_version=Coalesce(Subquery(active), Value("")))
        .values_list("document", flat=True).first())
    return document


def _fetch(key: str, fetch_track: TrackFetcher | None) -> Track:
    found = fetch_track(key) if fetch_track and not key.startswith("local:") else None
    if found is None:
        raise NotFound(f"no track {key!r} in the catalog" + ("" if fetch_track else " (and no Spotify to ask)"))
    spotify_tracks_store(tracks=[found])
    track = track_find(key=found.id)
    assert track is not None  # just stored
    return track


def _ref(track: Track) -> TrackRef:
    return TrackRef(key=track.key, spotify_id=track.spotify_id or None, title=track.name,
                    artists=tuple(a for a in track.artist_names.split(";") if a), duration_ms=track.duration_ms,
                    isrc=track.isrc or None)


def _sources_key(rows: Sequence[AudioFeatures]) -> str:
    rows_text = sorted(f"{r.source}@{r.source_version}@{r.fetched_at.isoformat()}" for r in rows)
    text = "|".join([f"v{DOCUMENT_VERSION}", *rows_text])
    return hashlib.sha256(text.encode()).hexdigest()


def _build(track: Track, rows: list[AudioFeatures], chain_note: str) -> dict[str, Any]:
    rows.sort(key=lambda r: (source_rank(r.source), r.source))
    preferred = preferred_features([track.key]).get(track.key)
    year = track.album.release_year if track.album else None
    document: dict[str, Any] = {
        "track": _metadata(track, year),
        "features": preferred[0] if preferred else None,
        "feature_source": preferred[1] if preferred else None,
        "reason": None,
        "sources": [_source_row(r) for r in rows],
        "genres": None,
        "percentiles": None,
        "rhythm": None,
        "fidelity": None,
    }
    if preferred is None:
        document["reason"] = "No provider has audio features for this track" + (
            f" ({chain_note})." if chain_note else ".")
    else:
        document["genres"], document["reason"] = _genres(preferred[0], year, track.is_local)
        document["percentiles"] = _percentiles(preferred[0])
    if track.is_local:
        from genrelens.core.audio.calibration import fidelity

        local = local_document(track=track)
        document["rhythm"] = {k: local[k] for k in ("beats", "downbeats", "sections")}
        document["rhythm"]["confidence"] = {k: local["confidence"].get(k) for k in CONFIDENCES}
        document["fidelity"] = fidelity()
    return document


def _metadata(track: Track, year: int | None) -> dict[str, Any]:
    return {"id": track.key, "name": track.name, "artists": [a for a in track.artist_names.split(";") if a],
            "album": track.album.name if track.album else "", "duration_ms": track.duration_ms,
            "release_year": year, "is_local": track.is_local, "popularity": track.popularity,
            "uri": f"spotify:track:{track.spotify_id}" if track.spotify_id else None}


def _source_row(row: AudioFeatures) -> dict[str, Any]:
    return {"source": row.source, "source_version": row.source_version, "fetched_at": row.fetched_at.isoformat(),
            "features": {n: getattr(row, n) for n in FEATURE_NAMES}, "how": row.how}


def _genres(features: dict[str, Any], year: int | None, is_local: bool) -> tuple[dict[str, Any] | None, str | None]:
    """The genre block, or None with the reason (plain words; details are in the log)."""
    record = active_model()
    if record is None:
        return None, "No genre model is active yet (run `genrelens train`), so no genre probabilities."
    if is_local:
        return _local_genres(record, features, year)
    probabilities = predict_genres([features], [year]).probabilities[0]
    if probabilities is None:
        return None, f"The genre model {record.version} cannot score this track right now."
    return _block(record, record.version, probabilities, headline_accuracy(record.card)), None


def _block(record: TrainedModel, model: str, probabilities: dict[str, float],
           accuracy: dict[str, Any] | None) -> dict[str, Any]:
    metrics = record.card.get("metrics", {})
    return {
        "model": model,
        "label": record.label,
        "probabilities": probabilities,
        "accuracy": accuracy,
        "baselines": {"random": metrics.get("baselines", {}).get("random", {}).get("accuracy"),
                      "majority": metrics.get("baselines", {}).get("majority", {}).get("accuracy")},
        "dataset": {"name": record.dataset_name, "licence_note": SPOTIFY_TERMS_NOTE},
        "note": "",
        "local_agreement": None,
    }


def _local_genres(record: TrainedModel, features: dict[str, Any],
                  year: int | None) -> tuple[dict[str, Any] | None, str | None]:
    """For features measured on a user's file: the model `local_basis` chooses (the active model's
    local companion, trained on the same songs with the local estimates' measured noise, when it is
    the more accurate, else the active model); beside them, how often such genres agreed with those
    from Spotify's features for the same recordings (bench/bench_descriptors.py). Never shown as if
    from Spotify's features.

    The companion's accuracy on the dataset is not measured (it learnt from noisy copies), so the
    block's accuracy is null and the measured agreement is the number to judge it by."""
    from genrelens.catalog.local_genres import local_basis
    from genrelens.core.ml.local_claims import local_genre_claim

    basis = local_basis(record)
    try:
        claim = local_genre_claim(loaded(record), features, release_year=year, local_model=basis.companion)
    except (GenrelensError, KeyError, ValueError, OSError) as exc:
        log.warning("model %s cannot score a local track: %s", record.version, exc)
        return None, f"The genre model {record.version} cannot score this track right now."
    agreement = basis.agreement
    note = note_for(agreement["top1"], agreement["top2"], agreement["recordings"])
    if basis.companion is None:
        block = _block(record, record.version, claim["probabilities"], headline_accuracy(record.card))
        block["note"] = note
    else:
        block = _block(record, basis.companion.model_id, claim["probabilities"], None)
        training = basis.companion.card.get("training", {})
        pooled = training.get("pooled_with")
        block["note"] = note + (
            f" They come from {basis.companion.model_id}, the genre model's companion for local files: trained on "
            "the same songs with the estimates' measured errors added"
            + (", reading the estimates stretched back onto the spread of Spotify's values" if training.get("stretch")
               else "")
            + (f", and pooled with {pooled['model']}'s own reading of the estimates (weight {pooled['weight']:g})."
               if pooled else "."))
    block["local_agreement"] = agreement
    return block, None


def _percentiles(features: dict[str, Any]) -> dict[str, dict[str, float | None]] | None:
    from genrelens.core.taste.documents import percentiles_of

    public = public_taste_for_model()
    if public is None:
        return None
    return percentiles_of({k: v for k, v in features.items() if v is not None}, public)
