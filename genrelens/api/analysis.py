"""A track's analysis: features with provenance, genre probabilities beside the model's measured
accuracy, percentiles within each genre, and beats for local tracks; stored after the first request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from genrelens.api import params, shapes
from genrelens.api.clients import any_spotify, providers_for
from genrelens.api.kept import KeptApi, KeptKey, kept_json
from genrelens.api.uploads import request_owner
from genrelens.api.views import PublicApi
from genrelens.catalog.documents import analysis_get, analysis_kept_for, analysis_stored
from genrelens.core.spotify.client import SpotifyClient
from genrelens.core.spotify.models import Track as SpotifyTrack

_LOCAL_PREFIX = "local:"


def track_key(request: HttpRequest | Request) -> str:
    """A Spotify id in any pasted form, or a local file's `local:<sha256>` key."""
    raw = params.required(request, "track_id")
    if raw.startswith(_LOCAL_PREFIX):
        digest = raw[len(_LOCAL_PREFIX):]
        if len(digest) == 64 and all(c in "0123456789abcdef" for c in digest):
            return raw
        raise ValidationError({"track_id": ["a local track id is local: followed by 64 hex digits"]})
    return params.spotify_id(request, "track_id", kind="track")


def _fetcher(client: SpotifyClient | None):
    if client is None:
        return None

    def fetch(key: str) -> SpotifyTrack | None:
        return client.track(key)

    return fetch


def _filed(key: str) -> KeptKey | None:
    kept_for = analysis_kept_for(key)
    if kept_for is None:
        return None
    scopes, names = kept_for
    return KeptKey(name="analysis", scopes=scopes, params=names, seconds=3600)


class AnalysisApi(KeptApi, PublicApi):
    @extend_schema(parameters=[OpenApiParameter("track_id", str, required=True,
                                                description="Spotify id, spotify:track: URI, open.spotify.com URL "
                                                            "or local:<sha256>")],
                   responses={200: shapes.Analysis, 400: shapes.Error, 404: shapes.Error, 409: shapes.Error,
                              502: shapes.Error, 503: shapes.Error},
                   description="One track's analysis: its audio features and where each came from, and its genre "
                               "probabilities with the model behind them (for a local file, estimated from its "
                               "audio, with their measured agreement and each descriptor's fidelity).")
    def get(self, request: Request) -> Response:
        key = track_key(request)
        viewer = request_owner(request)
        filed = _filed(key)
        if filed is None:
            stored: Any = analysis_stored(key=key, viewer=viewer)
        else:
            stored = kept_json(filed, build=lambda: analysis_stored(key=key, viewer=viewer))
        if stored is not None:
            return Response(stored)
        with any_spotify(request) as client:
            document = analysis_get(key=key, viewer=viewer, fetch_track=_fetcher(client),
                                    providers=providers_for(client))
        return Response(document)

    def kept_key(self, request: HttpRequest | Request, user_id: Any) -> KeptKey | None:
        return _filed(track_key(request))  # one answer for every caller
