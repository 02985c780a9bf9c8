"""A user's taste, rebuilt from Spotify: liked tracks (every page) and top tracks of the three
time ranges, features through the provider chain in batches, the model's genre mix, and the
distributions on the public dataset's grids. The blog's `update_users_tastes`."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from django.contrib.auth import get_user_model
from django.db import transaction

from genrelens.accounts.models import SpotifyAccount, UserTaste
from genrelens.accounts.services import account_client, capabilities_load, capabilities_save
from genrelens.catalog.genres import ESTIMATED_FEATURES, ModelOutput, page_genres
from genrelens.catalog.local import LOCAL_SOURCE
from genrelens.catalog.taste import default_dataset, public_taste_get
from genrelens.catalog.tracklists import features_fetch, preferred_features, spotify_tracks_store
from genrelens.core.errors import NotFound, ProviderError
from genrelens.core.spotify.client import TIME_RANGES, SpotifyClient
from genrelens.core.spotify.models import Track
from genrelens.core.taste.documents import user_taste
from genrelens.core.types import FEATURE_NAMES
from genrelens.jobs.wiring import feature_providers, reccobeats_client, spotify_settings
from genrelens.shared_cache import user_changed


def library_tracks(client: SpotifyClient) -> list[Track]:
    """Liked tracks, then top tracks not liked, each once (top tracks may be outside the library)."""
    saved, _skipped = client.saved_tracks()
    tracks = {s.track.id: s.track for s in saved}
    for time_range in TIME_RANGES:
        for track in client.top_tracks(time_range):
            tracks.setdefault(track.id, track)
    return list(tracks.values())


def taste_refresh(*, user_id: int) -> dict[str, Any]:
    """Rebuild and store one user's taste document; returns a summary for the job's result."""
    account = SpotifyAccount.objects.filter(user_id=user_id).first()
    if account is None:
        raise NotFound("this user has no Spotify login to read a library from")
    dataset = default_dataset()  # before any request: without public data there is nothing to compare with
    settings = spotify_settings()
    client = account_client(settings=settings, account=account, capabilities=capabilities_load(settings=settings))
    try:
        tracks = library_tracks(client)
        spotify_tracks_store(tracks=tracks)
        providers = feature_providers(spotify=client, reccobeats=reccobeats_client(settings))
        report = features_fetch(refs=[t.to_ref() for t in tracks], providers=providers)
        if report.interrupted:  # a taste without those tracks' features would be wrong, not late
            raise ProviderError(f"features of {len(report.missing)} tracks could not be read for now "
                                f"({report.summary()}); the refresh runs again later")
    finally:
        capabilities_save(settings=settings, capabilities=client.capabilities)
        client.close()
    document = taste_document([t.id for t in tracks], public=public_taste_get(dataset=dataset))
    with transaction.atomic():
        UserTaste.objects.update_or_create(user_id=user_id, defaults={"dataset_name": dataset.name,
                                                                      "document": document})
        user_changed(user_id)
    return {"tracks": len(tracks), "with_features": document["coverage"]["with_features"],
            "dataset": dataset.name}


def taste_document(keys: list[str], *, public: dict[str, Any], weights: list[float] | None = None,
                   found: dict[str, tuple[dict[str, Any], str]] | None = None) -> dict[str, Any]:
    """The core's user taste for these catalog tracks (features as stored, genres from the model),
    each track counted `weights[i]` times when given (plays), else once. `found`: the tracks'
    `preferred_features`, when the caller has them already. Tracks whose features were estimated
    from a file are scored as the analysis page and track lists score them (`page_genres`), and the
    document's `genre_basis` says how much of the genre mix rests on them."""
    found = preferred_features_of(keys) if found is None else found
    rows = [found[k][0] if k in found else {} for k in keys]
    frame = pd.DataFrame([{n: _nan(r.get(n)) for n in FEATURE_NAMES} for r in rows], columns=list(FEATURE_NAMES))
    if weights is not None:
        frame["weight"] = weights
    estimated = [k in found and found[k][1] == LOCAL_SOURCE for k in keys]
    output = page_genres([r or None for r in rows], [None] * len(rows), estimated)
    genres = sorted({g for p in output.probabilities if p for g in p})
    probabilities = (pd.DataFrame([{g: (p or {}).get(g, math.nan) for g in genres} for p in output.probabilities],
                                  columns=genres) if genres else None)
    return user_taste(frame, public=public, probabilities=probabilities,
                      sources=[found[k][1] if k in found else None for k in keys],
                      genre_basis=genre_basis(output))


def genre_basis(output: ModelOutput) -> dict[str, Any]:
    """How many of the tracks with genres had them from estimated features, the model that scored
    those and how often its top genre matched Spotify's (None when no track was estimated)."""
    scored = [i for i, p in enumerate(output.probabilities) if p]
    on_estimates = [output.claims[i] for i in scored if output.claims[i]["basis"] == ESTIMATED_FEATURES]
    first = on_estimates[0] if on_estimates else None
    return {"estimated_tracks": len(on_estimates), "tracks_with_genres": len(scored),
            "model": first["model"] if first else None, "agreement": first["agreement"] if first else None}


_CHUNK = 5_000


def preferred_features_of(keys: list[str]) -> dict[str, tuple[dict[str, Any], str]]:
    """`preferred_features` for any number of keys (a query's parameters are limited: SQLite)."""
    found: dict[str, tuple[dict[str, Any], str]] = {}
    for start in range(0, len(keys), _CHUNK):
        found.update(preferred_features(keys[start:start + _CHUNK]))
    return found


def _nan(value: Any) -> float:
    return math.nan if value is None else float(value)


def users_with_spotify() -> list[int]:
    return list(get_user_model().objects.filter(spotify_account__isnull=False).values_list("pk", flat=True))
