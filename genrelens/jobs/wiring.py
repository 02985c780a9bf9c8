"""Build the core's clients and providers from Django settings: the one place the two meet."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings

from genrelens.catalog.feature_store import CatalogDatasetLookup
from genrelens.catalog.local import local_paths
from genrelens.core.providers.base import FeatureProvider
from genrelens.core.providers.registry import build_providers
from genrelens.core.reccobeats import ReccoBeatsClient
from genrelens.core.spotify.client import SpotifyClient
from genrelens.core.spotify.settings import SpotifySettings


def spotify_settings() -> SpotifySettings:
    """SPOTIFY_* and RECCOBEATS_API_BASE from the environment (a bad value raises ConfigurationError)."""
    return SpotifySettings.from_env()


def feature_providers(
    *,
    spotify: SpotifyClient | None,
    reccobeats: ReccoBeatsClient | None,
    names: Sequence[str] | None = None,
) -> list[FeatureProvider]:
    """The configured chain (GENRELENS_FEATURE_PROVIDERS), minus providers that need a missing client."""
    names = list(names or settings.GENRELENS_FEATURE_PROVIDERS)
    if spotify is None:
        names = [n for n in names if n != "spotify"]
    if reccobeats is None:
        names = [n for n in names if n != "reccobeats"]
    return build_providers(names, spotify_client=spotify, reccobeats_client=reccobeats,
                           dataset_lookup=CatalogDatasetLookup(), local_paths=local_paths())


def reccobeats_client(config: SpotifySettings, *, sleep: Callable[[float], None] | None = None) -> ReccoBeatsClient:
    return ReccoBeatsClient.from_settings(config, sleep=sleep)
