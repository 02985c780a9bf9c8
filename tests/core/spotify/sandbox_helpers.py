"""Glue between the sandbox fixtures and the adapter: settings, logins, sleep recording."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from genrelens.core.spotify import SpotifySettings, authorize_url, exchange_code, new_pkce_pair
from genrelens.core.spotify.auth import MemoryCacheHandler

USER_SCOPE = (
    "user-read-private user-top-read user-library-read user-read-currently-playing "
    "playlist-read-private playlist-read-collaborative"
)


class Sleeps(list[float]):
    """Injected instead of time.sleep: records what the policy wanted to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def settings_for(sandbox: Any, *, pkce: bool = False, **overrides: Any) -> SpotifySettings:
    values: dict[str, Any] = dict(
        client_id=sandbox.client_id,
        client_secret="" if pkce else sandbox.client_secret,
        api_base=sandbox.api_base,
        accounts_base=sandbox.accounts_base,
        reccobeats_base=sandbox.reccobeats_base,
        retry_after_cap=5.0,
        max_retries=3,
        timeout=10.0,
    )
    values.update(overrides)
    return SpotifySettings(**values)


def login(sandbox: Any, user: str = "ann", *, pkce: bool = False, scope: str = USER_SCOPE) -> MemoryCacheHandler:
    """The web login through our own helpers: authorize_url -> (auto-approved) redirect -> exchange_code."""
    settings = settings_for(sandbox, pkce=pkce)
    pair = new_pkce_pair() if pkce else None
    url = authorize_url(settings, "st-" + user, scope, pair.challenge if pair else None)
    response = requests.get(url, params={"login_hint": user}, allow_redirects=False, timeout=10)
    assert response.status_code in (302, 303), response.text[:300]
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == ["st-" + user]
    cache = MemoryCacheHandler()
    exchange_code(settings, query["code"][0], cache, pair.verifier if pair else None, scope=scope)
    return cache


def v1_requests(sandbox: Any) -> dict[str, int]:
    """The sandbox's own request counts, Web API and ReccoBeats only."""
    by = sandbox.stats()["by_endpoint"]
    return {k: v for k, v in by.items() if "/v1/" in k}


def count(sandbox: Any, key: str) -> int:
    return int(sandbox.stats()["by_endpoint"].get(key, 0))
