"""Feature providers by name, imported only when asked for (like healthchecks' TRANSPORTS).

Lazy imports keep `genrelens.core.providers` cheap: asking for `dataset` does not import spotipy,
and `local` (librosa, numba) loads only when configured.
"""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Mapping
from typing import Any

from genrelens.core.errors import ConfigurationError
from genrelens.core.providers.base import FeatureProvider

#: name -> "module:Class"
PROVIDERS: dict[str, str] = {
    "dataset": "genrelens.core.providers.dataset:DatasetProvider",
    "spotify": "genrelens.core.providers.spotify:SpotifyFeaturesProvider",
    "reccobeats": "genrelens.core.providers.reccobeats:ReccoBeatsProvider",
    "local": "genrelens.core.providers.local:LocalAudioProvider",
}

DEFAULT_PROVIDERS = "dataset,spotify,reccobeats"
ENV_VAR = "GENRELENS_FEATURE_PROVIDERS"


def parse_provider_list(text: str) -> list[str]:
    """"dataset, spotify,reccobeats" -> ["dataset", "spotify", "reccobeats"], checked against PROVIDERS.

    Order matters (the chain asks providers in this order); a name twice is an error because
    it would only repeat requests that already failed.
    """
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise ConfigurationError(f"{ENV_VAR} names no provider; known: {', '.join(PROVIDERS)}")
    unknown = [n for n in names if n not in PROVIDERS]
    if unknown:
        raise ConfigurationError(
            f"{ENV_VAR}: unknown provider(s) {', '.join(repr(n) for n in unknown)}; known: {', '.join(PROVIDERS)}"
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigurationError(f"{ENV_VAR}: provider(s) listed twice: {', '.join(repeated)}")
    return names


def providers_from_env(environ: Mapping[str, str] | None = None) -> list[str]:
    """The configured provider order (GENRELENS_FEATURE_PROVIDERS, default dataset,spotify,reccobeats)."""
    env = os.environ if environ is None else environ
    return parse_provider_list(env.get(ENV_VAR, "").strip() or DEFAULT_PROVIDERS)


def provider_class(name: str) -> type[FeatureProvider]:
    if name not in PROVIDERS:
        raise ConfigurationError(f"unknown feature provider {name!r}; known: {', '.join(PROVIDERS)}")
    module_name, _, class_name = PROVIDERS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise ConfigurationError(f"feature provider {name!r} is not installed ({exc})") from exc
    cls = getattr(module, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, FeatureProvider)):
        raise ConfigurationError(f"{PROVIDERS[name]} is not a FeatureProvider")
    return cls


def get_provider(name: str, **deps: Any) -> FeatureProvider:
    """Instantiate provider `name`, handing it the dependencies its constructor asks for.

    One `deps` bag serves every provider (spotify_client=..., reccobeats_client=...,
    dataset_lookup=...): each takes what its `__init__` names and ignores the rest.
    """
    cls = provider_class(name)
    params = inspect.signature(cls).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return cls(**deps)
    wanted = {k: v for k, v in deps.items() if k in params}
    missing = [
        p.name
        for p in params.values()
        if p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        and p.name not in wanted
    ]
    if missing:
        raise ConfigurationError(f"feature provider {name!r} needs: {', '.join(missing)}")
    return cls(**wanted)


def build_providers(names: list[str], **deps: Any) -> list[FeatureProvider]:
    return [get_provider(name, **deps) for name in names]
