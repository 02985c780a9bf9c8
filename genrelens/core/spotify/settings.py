"""Where Spotify, its accounts service and ReccoBeats live, and how hard we try to reach them.

Every URL is a setting so that pointing genrelens at the local sandbox is only a matter of
environment variables; spotipy itself reads no URL from the environment (spotify-api-2026.md §2.9).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from genrelens.core.errors import ConfigurationError

DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/connect"
DEFAULT_API_BASE = "https://api.spotify.com/v1/"
DEFAULT_ACCOUNTS_BASE = "https://accounts.spotify.com"
DEFAULT_RECCOBEATS_BASE = "https://api.reccobeats.com/v1"

_LOOPBACK_HOSTS = ("127.0.0.1", "::1", "[::1]")


@dataclass(frozen=True, slots=True)
class SpotifySettings:
    """Credentials, endpoints and the retry budget of the Spotify adapter.

    An empty `client_secret` means the app authenticates users with PKCE (no secret on this
    machine); client-credentials calls then cannot be made.
    """

    client_id: str = ""
    client_secret: str = ""
    redirect_uri: str = DEFAULT_REDIRECT_URI
    api_base: str = DEFAULT_API_BASE
    accounts_base: str = DEFAULT_ACCOUNTS_BASE
    reccobeats_base: str = DEFAULT_RECCOBEATS_BASE
    #: longest Retry-After (seconds) we sleep through; above it the call raises RateLimited at once
    retry_after_cap: float = 30.0
    #: retries after a 5xx, a connection error or a (short) 429, per call
    max_retries: int = 4
    #: seconds per HTTP request (spotipy's auth managers default to no timeout at all)
    timeout: float = 10.0

    def __post_init__(self) -> None:
        _check_url("SPOTIFY_API_BASE", self.api_base)
        _check_url("SPOTIFY_ACCOUNTS_BASE", self.accounts_base)
        _check_url("RECCOBEATS_API_BASE", self.reccobeats_base)
        _check_redirect_uri(self.redirect_uri)
        if self.retry_after_cap < 0:
            raise ConfigurationError(f"SPOTIFY_RETRY_AFTER_CAP must be >= 0, got {self.retry_after_cap}")
        if self.max_retries < 0:
            raise ConfigurationError(f"SPOTIFY_MAX_RETRIES must be >= 0, got {self.max_retries}")
        if self.timeout <= 0:
            raise ConfigurationError(f"SPOTIFY_TIMEOUT must be > 0, got {self.timeout}")

    @property
    def uses_pkce(self) -> bool:
        return not self.client_secret

    @property
    def api_prefix(self) -> str:
        """The API base with exactly one trailing slash: spotipy glues relative paths onto it."""
        return self.api_base.rstrip("/") + "/"

    @property
    def token_url(self) -> str:
        return self.accounts_base.rstrip("/") + "/api/token"

    @property
    def authorize_endpoint(self) -> str:
        return self.accounts_base.rstrip("/") + "/authorize"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SpotifySettings:
        """Read the SPOTIFY_* / RECCOBEATS_* variables; unset or empty ones keep their defaults.

        The secret may come from a file instead: SPOTIFY_CLIENT_SECRET_FILE=/run/secrets/spotify.

        >>> SpotifySettings.from_env({"SPOTIFY_API_BASE": "http://127.0.0.1:8765/v1/"}).api_prefix
        'http://127.0.0.1:8765/v1/'
        """
        env = os.environ if environ is None else environ

        def text(name: str, default: str) -> str:
            return env.get(name, "").strip() or default

        return cls(
            client_id=text("SPOTIFY_CLIENT_ID", ""),
            client_secret=_secret(env, "SPOTIFY_CLIENT_SECRET"),
            redirect_uri=text("SPOTIFY_REDIRECT_URI", DEFAULT_REDIRECT_URI),
            api_base=text("SPOTIFY_API_BASE", DEFAULT_API_BASE),
            accounts_base=text("SPOTIFY_ACCOUNTS_BASE", DEFAULT_ACCOUNTS_BASE),
            reccobeats_base=text("RECCOBEATS_API_BASE", DEFAULT_RECCOBEATS_BASE),
            retry_after_cap=_number(env, "SPOTIFY_RETRY_AFTER_CAP", 30.0),
            max_retries=int(_number(env, "SPOTIFY_MAX_RETRIES", 4, whole=True)),
            timeout=_number(env, "SPOTIFY_TIMEOUT", 10.0),
        )


def _secret(env: Mapping[str, str], name: str) -> str:
    """NAME, or the contents of the file NAME_FILE points at (Docker/Kubernetes secrets), not both."""
    direct = env.get(name, "").strip()
    path = env.get(f"{name}_FILE", "").strip()
    if direct and path:
        raise ConfigurationError(f"set {name} or {name}_FILE, not both")
    if not path:
        return direct
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError as exc:
        raise ConfigurationError(f"{name}_FILE={path!r} cannot be read: {exc.strerror}") from None


def _number(env: Mapping[str, str], name: str, default: float, *, whole: bool = False) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ConfigurationError(f"{name} must be {kind}, got {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigurationError(f"{name} must be a finite number, got {raw!r}")
    return value


def _check_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"{name} must be an absolute http(s) URL, got {url!r}")


def _check_redirect_uri(url: str) -> None:
    """Spotify refuses `localhost` and plain-HTTP redirect URIs since 2025-11-27, except loopback IPs."""
    _check_url("SPOTIFY_REDIRECT_URI", url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host == "localhost":
        raise ConfigurationError(
            f"SPOTIFY_REDIRECT_URI {url!r}: Spotify no longer accepts 'localhost'; use http://127.0.0.1:PORT/..."
        )
    if parts.scheme == "http" and host not in _LOOPBACK_HOSTS and f"[{host}]" not in _LOOPBACK_HOSTS:
        raise ConfigurationError(
            f"SPOTIFY_REDIRECT_URI {url!r}: plain http is only accepted for loopback IPs; use https"
        )
