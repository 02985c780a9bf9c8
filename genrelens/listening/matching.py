"""Listened tracks matched to catalog tracks: by Spotify id (a catalog row is added for an id it
lacks, so the provider chain can ask ReccoBeats by it), else by the catalog's match key
(normalised primary artist and title), the candidate within 2 s of the track's duration when the
file gave one, else one that has features."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from genrelens.catalog.models import AudioFeatures, Track
from genrelens.catalog.services import match_key
from genrelens.core.listening.tracks import ListenedTrack
from genrelens.core.providers.dataset import DURATION_TOLERANCE_MS
from genrelens.shared_cache import catalog_changed

_CHUNK = 900  # below SQLite's smallest limit on query parameters


@dataclass(frozen=True, slots=True)
class Match:
    key: str  # the catalog track's key
    how: str  # "uri", "name+duration" or "name"


def tracks_match(tracks: Sequence[ListenedTrack]) -> dict[str, Match]:
    """identity -> its catalog track, for the tracks that have one."""
    by_id = [t for t in tracks if t.spotify_id]
    matches = {t.identity: Match(t.identity, "uri") for t in by_id}
    _catalog_add(by_id)
    by_name = [t for t in tracks if not t.spotify_id and t.name_key]
    candidates = _candidates(sorted({t.name_key for t in by_name}))
    for track in by_name:
        chosen = _choose(track, candidates.get(track.name_key, []))
        if chosen is not None:
            matches[track.identity] = chosen
    return matches


def _catalog_add(tracks: Sequence[ListenedTrack]) -> None:
    ids = [t.identity for t in tracks]
    known: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        known.update(Track.objects.filter(key__in=ids[start:start + _CHUNK]).values_list("key", flat=True))
    if len(known) < len(set(ids)):
        catalog_changed()
    Track.objects.bulk_create([
        Track(key=t.identity, spotify_id=t.identity, name=t.title[:500], artist_names=t.artist[:1000],
              duration_ms=t.duration_ms, match_key=match_key([t.artist], t.title))
        for t in tracks if t.identity not in known], batch_size=2_000, ignore_conflicts=True)


@dataclass(frozen=True, slots=True)
class _Candidate:
    key: str
    duration_ms: int | None
    has_features: bool


def _candidates(keys: Sequence[str]) -> dict[str, list[_Candidate]]:
    found: dict[str, list[_Candidate]] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = list(Track.objects.filter(match_key__in=keys[start:start + _CHUNK])
                    .values_list("key", "match_key", "duration_ms").order_by("id"))
        with_features = set(AudioFeatures.objects.filter(track__match_key__in=keys[start:start + _CHUNK])
                            .values_list("track__key", flat=True))
        for key, name, duration in rows:
            found.setdefault(name, []).append(_Candidate(key, duration, key in with_features))
    return found


def _choose(track: ListenedTrack, candidates: Sequence[_Candidate]) -> Match | None:
    if not candidates:
        return None
    if track.duration_ms is not None:
        close = [c for c in candidates if c.duration_ms is not None
                 and abs(c.duration_ms - track.duration_ms) <= DURATION_TOLERANCE_MS]
        if close:
            best = min(close, key=lambda c: (not c.has_features, abs((c.duration_ms or 0) - (track.duration_ms or 0))))
            return Match(best.key, "name+duration")
        if any(c.duration_ms is not None for c in candidates):
            return None  # another length: a remix, a live take, another recording
    # without a duration to tell versions apart, the first with features (the catalog's oldest row)
    best = next((c for c in candidates if c.has_features), candidates[0])
    return Match(best.key, "name")
