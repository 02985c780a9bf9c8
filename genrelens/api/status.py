"""What this installation can do: health of its parts, Spotify capabilities and providers, the
active model's card, and the datasets in the catalog."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from genrelens.accounts.services import capabilities_load
from genrelens.api import shapes
from genrelens.api.clients import caller_account
from genrelens.api.exceptions import restriction_why
from genrelens.api.views import PublicApi
from genrelens.catalog.genres import active_model, loaded, model_card
from genrelens.catalog.models import Dataset
from genrelens.core.errors import ConfigurationError, NotFound
from genrelens.core.spotify.capabilities import DEVMODE_SEARCH_LIMIT
from genrelens.core.spotify.settings import SpotifySettings
from genrelens.jobs.wiring import spotify_settings

#: seconds a health probe of an upstream may take; a health check must answer quickly itself
PROBE_TIMEOUT = 2.0
#: a Dataset whose `source` starts with this was generated, not collected from real music
SYNTHETIC_PREFIX = "synthetic:"
_FLAG_ENDPOINTS = {"audio_features": "audio-features", "categories": "browse/categories",
                   "category_playlists": "browse/categories/{id}/playlists",
                   "playlist_items_any": "playlists/{id}/items"}


def _check(ok: bool, detail: str) -> dict[str, Any]:
    return {"ok": ok, "detail": detail}


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return _check(False, f"{connection.vendor} does not answer ({type(exc).__name__})")
    return _check(True, f"{connection.vendor} answers")


def _model() -> dict[str, Any]:
    record = active_model()
    if record is None:
        return _check(False, "no active model: run `genrelens train`")
    try:
        loaded(record)
    except Exception as exc:  # any failure to load means the model is unusable
        return _check(False, f"model {record.version} does not load ({type(exc).__name__})")
    return _check(True, f"model {record.version} loaded")


def _probe(name: str, url: str) -> dict[str, Any]:
    """Any HTTP answer below 500 means the service is up (without a token it answers 401 or 404)."""
    try:
        status = requests.get(url, timeout=PROBE_TIMEOUT, allow_redirects=False).status_code
    except requests.RequestException as exc:
        return _check(False, f"{name} cannot be reached ({type(exc).__name__})")
    return _check(status < 500, f"{name} answered HTTP {status}")


def _spotify_settings() -> SpotifySettings | None:
    try:
        return spotify_settings()
    except ConfigurationError:
        return None


class HealthApi(PublicApi):
    @extend_schema(responses={200: shapes.Health, 503: shapes.Health},
                   description="Whether the database, the active model and each upstream answer. 503 when the "
                               "database does not.")
    def get(self, request: Request) -> Response:
        config = _spotify_settings()
        checks = {"database": _database(), "model": _model()}
        if config is None:
            checks["spotify"] = checks["reccobeats"] = _check(False, "the Spotify settings are invalid")
        else:
            checks["spotify"] = _probe("Spotify", config.api_prefix + "me")
            checks["reccobeats"] = _probe("ReccoBeats", config.reccobeats_base.rstrip("/") + "/audio-features")
        healthy = all(c["ok"] for c in checks.values())
        body = {"status": "ok" if healthy else "degraded", "checks": checks}
        return Response(body, status=503 if not checks["database"]["ok"] else 200)


class CapabilitiesApi(PublicApi):
    @extend_schema(responses={200: shapes.Capabilities},
                   description="What the connected Spotify app may do (as seen so far), which feature providers "
                               "are on, and why anything is off.")
    def get(self, request: Request) -> Response:
        config = _spotify_settings()
        configured = bool(config and config.client_id)
        caps = capabilities_load(settings=config) if config and configured else None
        flags = {name: getattr(caps, name) if caps else None
                 for name in ("audio_features", "categories", "category_playlists", "playlist_items_any",
                              "batch_tracks", "batch_artists")}
        off = [{"what": _FLAG_ENDPOINTS.get(name, name), "why": restriction_why(_FLAG_ENDPOINTS.get(name, name))}
               for name, value in flags.items() if value is False]
        if caps and caps.search_limit <= DEVMODE_SEARCH_LIMIT:
            off.append({"what": "search pages", "why": f"Spotify returns at most {caps.search_limit} results per "
                                                       "search request to development-mode apps."})
        if not configured:
            off.append({"what": "Spotify", "why": "no SPOTIFY_CLIENT_ID is configured on this server"})
        return Response({
            "logged_in": caller_account(request) is not None,
            "spotify": {"configured": configured, "flags": flags,
                        "search_limit": caps.search_limit if caps else 50, "off": off},
            "providers": _providers(configured, flags),
        })


def _providers(spotify_configured: bool, flags: dict[str, bool | None]) -> list[dict[str, Any]]:
    chosen = list(settings.GENRELENS_FEATURE_PROVIDERS)
    out = []
    for name in dict.fromkeys([*chosen, "dataset", "spotify", "reccobeats", "local"]):
        enabled, reason = name in chosen, "" if name in chosen else "not in GENRELENS_FEATURE_PROVIDERS"
        if name == "spotify" and enabled and not spotify_configured:
            enabled, reason = False, "Spotify is not configured"
        elif name == "spotify" and enabled and flags["audio_features"] is False:
            enabled, reason = False, restriction_why("audio-features")
        elif name == "local" and not enabled:
            reason = "used for your uploaded and analysed files only"
        out.append({"name": name, "enabled": enabled, "reason": reason})
    return out


class ModelApi(PublicApi):
    @extend_schema(responses={200: shapes.ModelCard, 404: shapes.Error},
                   description="The active genre model's card: accuracy with its protocol, baselines, confusion "
                               "matrix, training data and its licence note.")
    def get(self, request: Request) -> Response:
        record = active_model()
        if record is None:
            raise NotFound("no active model: run `genrelens train`")
        return Response(model_card(record))


class DatasetsApi(PublicApi):
    @extend_schema(responses={200: shapes.Datasets})
    def get(self, request: Request) -> Response:
        items = [{"name": d.name, "source": d.source, "format": d.format, "licence": d.licence,
                  "row_count": d.row_count, "imported_at": d.imported_at,
                  "synthetic": (d.source.startswith(SYNTHETIC_PREFIX) or d.licence.startswith(SYNTHETIC_PREFIX)
                                or d.format == "sandbox")}
                 for d in Dataset.objects.order_by("name")]
        return Response(shapes.Datasets({"items": items}).data)
