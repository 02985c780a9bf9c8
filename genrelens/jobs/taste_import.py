"""A taste from an export: read it whole, store its new plays, match every track the user has
played or kept in that source to the catalog, fetch features through the provider chain, and store
the taste weighted by listening (counted plays: 30 s or more, every scrobble) and unweighted
(each track once). Re-importing adds no plays and rebuilds the same taste."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from genrelens.catalog.models import Track
from genrelens.catalog.taste import default_dataset, public_taste_get
from genrelens.catalog.tracklists import features_fetch
from genrelens.core.errors import NotFound
from genrelens.core.listening.archive import Limits
from genrelens.core.listening.read import read_export
from genrelens.core.listening.tracks import ListenedTrack, listened_tracks
from genrelens.core.listening.types import Kind, Source
from genrelens.core.listening.types import Play as ParsedPlay
from genrelens.core.types import TrackRef
from genrelens.jobs.taste import preferred_features_of, taste_document
from genrelens.jobs.wiring import feature_providers, reccobeats_client, spotify_settings
from genrelens.listening.matching import Match, tracks_match
from genrelens.listening.models import Play, TasteImport
from genrelens.listening.services import imported_taste_save, plays_store, taste_import_progress

#: tracks per round of the provider chain: a multiple of ReccoBeats' 40 and the dataset's 500,
#: so rounds cost at most one part-filled request each, and progress moves between them
FEATURE_ROUND = 4_000
WEIGHTING = "counted plays: streams of 30 s or more, every Last.fm scrobble"
Progress = Callable[[str, int, int], None]


def taste_import(*, user_id: int, path: Path, limits: Limits | None = None, import_id: uuid.UUID | None = None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Import the export at `path` for this user; returns the counts and each rebuilt source's report."""
    report = progress or _stored_progress(import_id)
    report(TasteImport.Stage.READING, 0, 0)
    dataset = default_dataset()  # before any work: without public data there is no taste to draw
    parsed = read_export(path, limits)  # all of it, before anything is written
    report(TasteImport.Stage.STORING, 0, len(parsed.plays))
    stored = plays_store(user_id=user_id, plays=parsed.plays)
    sources = sorted({p.source for p in parsed.plays})
    result: dict[str, Any] = {"files": parsed.summary()["files"], "ignored": parsed.ignored,
                              "skipped": dict(parsed.skipped), "plays_read": len(parsed.plays),
                              "plays_new": stored.new, "sources": {}}
    for source in sources:
        # the taste is of every play stored for the source; when this import holds all of them (a
        # first import, the same export again) they need not be read back
        plays = ([p for p in stored.unique if p.source == source] if source not in stored.others
                 else stored_plays(user_id=user_id, source=source))
        result["sources"][source] = taste_rebuild(user_id=user_id, source=source, plays=plays,
                                                  dataset_name=dataset.name, progress=report)
    return result


def _stored_progress(import_id: uuid.UUID | None) -> Progress:
    return lambda stage, done, total: taste_import_progress(import_id=import_id, stage=stage, done=done, total=total)


def stored_plays(*, user_id: int, source: str) -> list[ParsedPlay]:
    rows = Play.objects.filter(user_id=user_id, source=source).values_list(
        "kind", "ms_played", "artist_name", "track_name", "album_name", "spotify_id", "duration_ms")
    kinds, origin = {k.value: k for k in Kind}, Source(source)
    return [ParsedPlay(source=origin, kind=kinds[kind], artist=artist, title=title, album=album,
                       spotify_id=spotify_id or None, ms_played=ms, duration_ms=duration)
            for kind, ms, artist, title, album, spotify_id, duration in rows.iterator(chunk_size=20_000)]


def taste_rebuild(*, user_id: int, source: str, plays: Sequence[ParsedPlay], dataset_name: str,
                  progress: Progress) -> dict[str, Any]:
    """Match, fetch features and store the taste of `plays`: everything this user has from `source`."""
    tracks = listened_tracks(plays)
    progress(TasteImport.Stage.MATCHING, 0, len(tracks))
    matches = tracks_match(tracks)
    keys = list(dict.fromkeys(m.key for m in matches.values()))
    _features_fetch(keys, progress)
    progress(TasteImport.Stage.TASTE, 0, 0)
    found = preferred_features_of(keys)
    public = _public(dataset_name)
    weights = _counted_by_key(tracks, matches)
    weighted = (taste_document(list(weights), public=public, weights=list(weights.values()), found=found)
                if weights else None)
    kept = list(dict.fromkeys(matches[t.identity].key for t in tracks
                              if t.identity in matches and (t.counted or t.in_library)))
    unweighted = taste_document(kept, public=public, found=found)
    report = match_report(tracks, matches, {k: source for k, (_, source) in found.items()})
    imported_taste_save(user_id=user_id, source=source, dataset_name=dataset_name, weighted=weighted,
                        unweighted=unweighted, report=report)
    return report


def _public(dataset_name: str) -> dict[str, Any]:
    from genrelens.catalog.models import Dataset

    return public_taste_get(dataset=Dataset.objects.get(name=dataset_name))


def _features_fetch(keys: Sequence[str], progress: Progress) -> None:
    progress(TasteImport.Stage.FEATURES, 0, len(keys))
    providers = feature_providers(spotify=None, reccobeats=reccobeats_client(spotify_settings()))
    for start in range(0, len(keys), FEATURE_ROUND):
        features_fetch(refs=_refs(keys[start:start + FEATURE_ROUND]), providers=providers)
        progress(TasteImport.Stage.FEATURES, min(start + FEATURE_ROUND, len(keys)), len(keys))


def _refs(keys: Sequence[str]) -> list[TrackRef]:
    rows = Track.objects.filter(key__in=list(keys)).values_list("key", "spotify_id", "name", "artist_names",
                                                                 "duration_ms", "isrc")
    return [TrackRef(key=key, spotify_id=spotify_id or None, title=name,
                     artists=tuple(a for a in artists.split(";") if a), duration_ms=duration, isrc=isrc or None)
            for key, spotify_id, name, artists, duration, isrc in rows]


def _counted_by_key(tracks: Sequence[ListenedTrack], matches: dict[str, Match]) -> dict[str, float]:
    weights: Counter[str] = Counter()
    for track in tracks:
        if track.counted and track.identity in matches:
            weights[matches[track.identity].key] += track.counted
    return {k: float(n) for k, n in weights.items()}


def match_report(tracks: Sequence[ListenedTrack], matches: dict[str, Match],
                 sources: dict[str, str]) -> dict[str, Any]:
    """Plays and distinct tracks: matched or not, by how, and by the source of their features."""
    plays: dict[str, Counter[str]] = {"by_how": Counter(), "by_source": Counter()}
    distinct: dict[str, Counter[str]] = {"by_how": Counter(), "by_source": Counter()}
    for track in tracks:
        match = matches.get(track.identity)
        how = match.how if match else "unmatched"
        source = sources.get(match.key, "none") if match else "none"
        for bucket, n in ((plays, track.plays), (distinct, 1)):
            bucket["by_how"][how] += n
            bucket["by_source"][source] += n
    total_plays = sum(t.plays for t in tracks)
    return {
        "weighting": WEIGHTING,
        "plays": {"total": total_plays, "counted": sum(t.counted for t in tracks),
                  "matched": total_plays - plays["by_how"]["unmatched"],
                  "with_features": total_plays - plays["by_source"]["none"],
                  **{k: dict(v) for k, v in plays.items()}},
        "tracks": {"total": len(tracks), "matched": len(tracks) - distinct["by_how"]["unmatched"],
                   "with_features": len(tracks) - distinct["by_source"]["none"],
                   **{k: dict(v) for k, v in distinct.items()}},
    }


def taste_from_local(*, user_id: int, owner_id: int | None) -> dict[str, Any]:
    """A taste (source "local") of the local tracks analysed so far: the installation's own
    (`genrelens analyze` folders) when `owner_id` is None, else that user's uploads. Each track
    once: local files have no plays."""
    from genrelens.catalog.local import LOCAL_SOURCE
    from genrelens.catalog.models import LocalFile

    files = LocalFile.objects.filter(owner_id=owner_id) if owner_id is not None else LocalFile.objects.filter(
        owner__isnull=True, owner_session="")
    keys = list(dict.fromkeys(files.values_list("track__key", flat=True)))
    if not keys:
        raise NotFound("no analysed local music yet: run `genrelens analyze FOLDER` or upload audio first")
    dataset = default_dataset()
    found = preferred_features_of(keys)
    document = taste_document(keys, public=public_taste_get(dataset=dataset), found=found)
    with_features = sum(1 for k in keys if k in found)
    counts = {"total": len(keys), "matched": len(keys), "with_features": with_features,
              "by_how": {LOCAL_SOURCE: len(keys)},
              "by_source": dict(Counter(found[k][1] if k in found else "none" for k in keys))}
    report = {"weighting": "each analysed file's track once", "plays": {**counts, "total": 0, "matched": 0,
                                                                       "with_features": 0, "by_how": {},
                                                                       "by_source": {}},
              "tracks": counts}
    imported_taste_save(user_id=user_id, source=Source.LOCAL.value, dataset_name=dataset.name, weighted=None,
                        unweighted=document, report=report)
    return report
