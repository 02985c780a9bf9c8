"""The Spotify client a request acts with: the logged-in user's, or the app's own for anonymous reads.

Every client is built with the app's remembered capabilities and, once the view is done, what it
learnt (a 403 on audio-features, a search page limit of 10) is saved for every later request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rest_framework.request import Request

from genrelens.accounts.models import SpotifyAccount
from genrelens.accounts.services import (
    account_client,
    account_for_user,
    app_client_get,
    capabilities_load,
    capabilities_save,
)
from genrelens.api.exceptions import NotLoggedIn, Restricted
from genrelens.core.errors import ConfigurationError
from genrelens.core.providers.base import FeatureProvider
from genrelens.core.spotify.client import SpotifyClient
from genrelens.core.spotify.settings import SpotifySettings
from genrelens.jobs.wiring import feature_providers, reccobeats_client, spotify_settings


def configured_settings() -> SpotifySettings:
    try:
        settings = spotify_settings()
    except ConfigurationError as exc:
        raise Restricted("Spotify", f"the Spotify settings are invalid ({exc})") from exc
    if not settings.client_id:
        raise Restricted("Spotify", "no SPOTIFY_CLIENT_ID is configured on this server")
    return settings


def caller_account(request: Request) -> SpotifyAccount | None:
    if not request.user.is_authenticated:
        return None
    return account_for_user(user=request.user)


def require_account(request: Request) -> SpotifyAccount:
    account = caller_account(request)
    if account is None:
        raise NotLoggedIn()
    return account


@contextmanager
def user_spotify(request: Request) -> Iterator[SpotifyClient]:
    """The logged-in user's client (401 not_logged_in without a login)."""
    account = require_account(request)
    settings = configured_settings()
    client = account_client(settings=settings, account=account, capabilities=capabilities_load(settings=settings))
    loaded = client.capabilities.as_dict()
    try:
        yield client
    finally:
        capabilities_save(settings=settings, capabilities=client.capabilities, loaded=loaded)
        client.close()


@contextmanager
def any_spotify(request: Request) -> Iterator[SpotifyClient | None]:
    """The user's client when logged in, else the app's (None when Spotify is not usable at all)."""
    if caller_account(request) is not None:
        with user_spotify(request) as client:
            yield client
        return
    try:
        settings = configured_settings()
    except Restricted:
        yield None
        return
    client = app_client_get(settings=settings)
    if client is None:
        yield None
        return
    loaded = client.capabilities.as_dict()
    try:
        yield client
    finally:
        capabilities_save(settings=settings, capabilities=client.capabilities, loaded=loaded)
        client.close()


def providers_for(client: SpotifyClient | None) -> list[FeatureProvider]:
    """The configured feature chain for this request: the caller's Spotify client (if any) and ReccoBeats."""
    try:
        settings = spotify_settings()
    except ConfigurationError:
        return feature_providers(spotify=None, reccobeats=None)
    return feature_providers(spotify=client, reccobeats=reccobeats_client(settings))
