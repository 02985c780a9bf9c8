"""Track lists shaped for a screen: each track with its preferred features, their source, and the
active model's top genre, whatever list it came from (Spotify, the catalog, local files).

Features for a page come through the provider chain in batches (one request per provider batch,
never one per track), and only for tracks the store has no features for yet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings

from genrelens.catalog.feature_store import CatalogFeatureStore
from genrelens.catalog.genres import predict_genres
from genrelens.catalog.models import Album, Artist, AudioFeatures, Track, TrackArtist
from genrelens.catalog.services import artist_key, match_key
from genrelens.core.providers.base import FeatureProvider
from genrelens.core.providers.chain import ChainReport, run_chain
from genrelens.core.spotify.models import Track as SpotifyTrack
from genrelens.core.types import FEATURE_NAMES, TrackRef
from genrelens.shared_cache import catalog_changed


def source_rank(source: str) -> int:
    """Where a source stands in the configured chain (lower is preferred; local audio last)."""
    order = [*settings.GENRELENS_FEATURE_PROVIDERS, "local"]
    kind = source.split(":")[0]
    return order.index(kind) if kind in order else len(order)


# --- writes ---------------------------------------------------------------------------------------


def spotify_tracks_store(*, tracks: Sequence[SpotifyTrack]) -> None:
    """Add the tracks (with albums and artists) the catalog lacks. Existing rows are left as they
    are: an imported dataset's metadata is not rewritten by a page someone browsed."""
    fresh = {t.id: t for t in tracks if t.id}
    known = set(Track.objects.filter(key__in=list(fresh)).values_list("key", flat=True))
    fresh = {k: t for k, t in fresh.items() if k not in known}
    if not fresh:
        return
    catalog_changed()
    albums = _albums_store(fresh.values())
    artists = _artists_store(fresh.values())
    Track.objects.bulk_create([
        Track(key=t.id, spotify_id=t.id, name=t.name[:500], artist_names=";".join(t.artist_names)[:1000],
              album_id=albums.get(t.album_id), duration_ms=t.duration_ms, popularity=t.popularity,
              isrc=t.isrc or "", match_key=match_key(t.artist_names, t.name))
        for t in fresh.values()
    ], ignore_conflicts=True)
    track_ids = dict(Track.objects.filter(key__in=list(fresh)).values_list("key", "id"))
    TrackArtist.objects.bulk_create([
        TrackArtist(track_id=track_ids[t.id], artist_id=artists[_artist_key(a.id, a.name)], position=i)
        for t in fresh.values() if t.id in track_ids
        for i, a in enumerate(dict.fromkeys(t.artists))
    ], ignore_conflicts=True)


def _artist_key(spotify_id: str | None, name: str) -> str:
    return spotify_id or artist_key(name)


def _albums_store(tracks: Any) -> dict[str, int]:
    wanted = {t.album_id: t for t in tracks if t.album_id}
    Album.objects.bulk_create([
        Album(key=k, spotify_id=k, name=t.album_name[:500], release_date=t.release_date[:10],
              release_year=int(t.release_date[:4]) if t.release_date[:4].isdigit() else None)
        for k, t in wanted.items()
    ], ignore_conflicts=True)
    return dict(Album.objects.filter(key__in=list(wanted)).values_list("key", "id"))


def _artists_store(tracks: Any) -> dict[str, int]:
    wanted = {_artist_key(a.id, a.name): a for t in tracks for a in t.artists}
    Artist.objects.bulk_create([Artist(key=k, spotify_id=a.id or "", name=a.name[:500]) for k, a in wanted.items()],
                               ignore_conflicts=True)
    return dict(Artist.objects.filter(key__in=list(wanted)).values_list("key", "id"))


def features_fetch(*, refs: Sequence[TrackRef], providers: Sequence[FeatureProvider]) -> ChainReport:
    """Features for the tracks that have none stored yet, through the chain, in batches."""
    return run_chain(refs, providers, CatalogFeatureStore(), progress=False)


def features_fetch_missing(*, refs: Sequence[TrackRef],
                           providers: Callable[[], Sequence[FeatureProvider]]) -> ChainReport | None:
    """`features_fetch`, building the provider chain only when some track has no features stored.

    Most pages are all stored: then this is one query, and the chain (whose local provider lists
    the installation's local files) is never built. None when nothing was missing."""
    stored = CatalogFeatureStore().keys_with_features([ref.key for ref in refs])
    missing = [ref for ref in refs if ref.key not in stored]
    return features_fetch(refs=missing, providers=providers()) if missing else None


# --- reads ----------------------------------------------------------------------------------------


def preferred_features(keys: Sequence[str]) -> dict[str, tuple[dict[str, Any], str]]:
    """key -> (each feature from the most preferred source that has it, that source)."""
    rows: dict[str, list[AudioFeatures]] = {}
    for row in AudioFeatures.objects.filter(track__key__in=list(keys)).select_related("track").order_by("id"):
        rows.setdefault(row.track.key, []).append(row)
    out: dict[str, tuple[dict[str, Any], str]] = {}
    for key, found in rows.items():
        found.sort(key=lambda r: (source_rank(r.source), r.source))
        merged = {n: next((getattr(r, n) for r in found if getattr(r, n) is not None), None) for n in FEATURE_NAMES}
        if merged["duration_ms"] is None:
            merged["duration_ms"] = found[0].track.duration_ms
        out[key] = (merged, found[0].source)
    return out


def track_page(*, keys: Sequence[str], total: int, offset: int, limit: int,
               report: ChainReport | None = None) -> dict[str, Any]:
    """A page of tracks in `keys` order, each with features, source and top genre, plus coverage."""
    tracks = {t.key: t for t in Track.objects.filter(key__in=list(keys)).select_related("album")}
    ordered = [tracks[k] for k in dict.fromkeys(keys) if k in tracks]
    features = preferred_features([t.key for t in ordered])
    model = predict_genres([features[t.key][0] if t.key in features else None for t in ordered],
                           [t.album.release_year if t.album else None for t in ordered])
    items = [track_item(t, features.get(t.key), model.top(i), _why_missing(report)) for i, t in enumerate(ordered)]
    sources = Counter(item["feature_source"] for item in items if item["feature_source"])
    nxt = offset + limit
    return {
        "items": items, "total": total, "offset": offset, "limit": limit,
        "next_offset": nxt if nxt < total else None,
        "coverage": {"tracks": len(items), "with_features": sum(sources.values()), "by_source": dict(sources)},
        "model": model.summary,
    }


def track_item(track: Track, features: tuple[dict[str, Any], str] | None, top: Mapping[str, Any] | None,
               why_missing: str) -> dict[str, Any]:
    return {
        "id": track.key,
        "uri": f"spotify:track:{track.spotify_id}" if track.spotify_id else None,
        "name": track.name,
        "artists": [a for a in track.artist_names.split(";") if a],
        "album": track.album.name if track.album else "",
        "album_id": track.album.spotify_id or None if track.album else None,
        "image_url": None,
        "duration_ms": track.duration_ms,
        "release_year": track.album.release_year if track.album else None,
        "popularity": track.popularity,
        "is_local": track.is_local,
        "features": features[0] if features else None,
        "feature_source": features[1] if features else None,
        "features_note": None if features else why_missing,
        "top_genre": dict(top) if top else None,
    }


def _why_missing(report: ChainReport | None) -> str:
    base = "no provider has audio features for this track"
    if report and report.blocked:
        return f"{base} (skipped: " + "; ".join(f"{name}: {why}" for name, why in report.blocked.items()) + ")"
    return base

