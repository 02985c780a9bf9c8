"""Spotify login for a web app: authorize URL, code exchange, PKCE, and non-interactive auth managers.

spotipy's user auth managers fall back to an interactive flow (open a browser, start a local HTTP
server, or block on `input()`) whenever they hold no usable token (spotify-api-2026.md §2.4, §5.8).
Inside a web server that is a hang, so the subclasses here raise `ReauthRequired` instead and the
login happens through our own views with `authorize_url` and `exchange_code`.

Tokens live in the `CacheHandler` the caller passes (the web app stores one per user in the
database); nothing here ever touches spotipy's default `.cache` file.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlencode

import requests
from spotipy.cache_handler import CacheHandler, MemoryCacheHandler
from spotipy.oauth2 import SpotifyClientCredentials, SpotifyOAuth, SpotifyOauthError, SpotifyPKCE

from genrelens.core.errors import ConfigurationError, ReauthRequired, UpstreamError
from genrelens.core.spotify.settings import SpotifySettings

#: What genrelens asks users for: profile, library, top tracks, now playing, listening history,
#: their playlists.
USER_SCOPE = (
    "user-read-private user-library-read user-top-read user-read-currently-playing "
    "user-read-playback-state user-read-recently-played playlist-read-private playlist-read-collaborative"
)

__all__ = [
    "USER_SCOPE",
    "AppAuth",
    "CacheHandler",
    "MemoryCacheHandler",
    "PkcePair",
    "TokenStoreHandler",
    "UserAuth",
    "UserPkceAuth",
    "authorize_url",
    "exchange_code",
    "make_user_auth",
    "new_pkce_pair",
    "oauth_error",
    "pkce_challenge",
]


class TokenStoreHandler(CacheHandler):
    """A spotipy cache handler over the caller's own storage (one instance per user).

    The web app and the CLI keep tokens encrypted in the database; they hand over a loader and a
    saver, and spotipy's refreshes go straight back to that user's row, never to a shared file.
    """

    def __init__(self, load: Callable[[], dict[str, Any] | None], save: Callable[[dict[str, Any]], None]) -> None:
        self._load = load
        self._save = save

    def get_cached_token(self) -> dict[str, Any] | None:
        return self._load()

    def save_token_to_cache(self, token_info: dict[str, Any]) -> None:
        self._save(token_info)


@dataclass(frozen=True, slots=True)
class PkcePair:
    """Keep `verifier` server-side (session) between the redirect and the callback; send `challenge`."""

    verifier: str
    challenge: str


def pkce_challenge(verifier: str) -> str:
    """S256 challenge of RFC 7636: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def new_pkce_pair() -> PkcePair:
    # 64 random bytes -> 86 url-safe characters, inside RFC 7636's 43..128
    verifier = secrets.token_urlsafe(64)
    return PkcePair(verifier=verifier, challenge=pkce_challenge(verifier))


def _scope_text(scope: str | Iterable[str] | None) -> str:
    """spotipy accepts comma- or space-separated scopes; normalise to sorted, space-separated."""
    if scope is None:
        return ""
    parts = scope.replace(",", " ").split() if isinstance(scope, str) else list(scope)
    return " ".join(sorted(set(parts)))


def _require_client_id(settings: SpotifySettings) -> None:
    # spotipy would silently fall back to SPOTIPY_CLIENT_ID from the environment; we want a clear error
    if not settings.client_id:
        raise ConfigurationError("SPOTIFY_CLIENT_ID is not set")


def oauth_error(exc: SpotifyOauthError, what: str) -> Exception:
    """Translate a token-endpoint error into ours: invalid_grant means the user must log in again."""
    if exc.error == "invalid_grant":
        return ReauthRequired(f"{what}: {exc.error_description or 'invalid_grant'}")
    if exc.error == "invalid_client":
        return ConfigurationError(f"{what}: Spotify rejected the client id/secret ({exc.error_description})")
    # any other body (an HTML 5xx page, a proxy error) is worth another try
    return UpstreamError(f"{what}: token endpoint failed: {exc}", status=None, endpoint="accounts/api/token")


class AppAuth(SpotifyClientCredentials):
    """Client-credentials manager aimed at the configured accounts service."""

    def __init__(self, settings: SpotifySettings, cache_handler: CacheHandler, session: requests.Session) -> None:
        _require_client_id(settings)
        if not settings.client_secret:
            raise ConfigurationError("app-level calls need SPOTIFY_CLIENT_SECRET (client credentials)")
        super().__init__(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            cache_handler=cache_handler,
            requests_session=session,
            requests_timeout=settings.timeout,
        )
        # instance attribute shadows the class constant: no monkeypatching of spotipy (doc §2.6)
        self.OAUTH_TOKEN_URL = settings.token_url

    def force_refresh(self) -> None:
        """Fetch a new token even though ours has not expired by the clock (the server said 401)."""
        self.get_access_token(as_dict=False, check_cache=False)


class UserAuth(SpotifyOAuth):
    """Authorization-code manager (app has a secret) that never starts an interactive login."""

    def __init__(
        self,
        settings: SpotifySettings,
        cache_handler: CacheHandler,
        session: requests.Session | bool = True,
        scope: str | Iterable[str] | None = None,
    ) -> None:
        _require_client_id(settings)
        super().__init__(
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            redirect_uri=settings.redirect_uri,
            scope=_scope_text(scope) or None,
            cache_handler=cache_handler,
            requests_session=session,
            requests_timeout=settings.timeout,
            open_browser=False,
        )
        self.OAUTH_TOKEN_URL = settings.token_url
        self.OAUTH_AUTHORIZE_URL = settings.authorize_endpoint

    def get_auth_response(self, open_browser: bool | None = None) -> NoReturn:
        raise ReauthRequired("no usable Spotify token for this user: log in again")

    def force_refresh(self) -> None:
        self.refresh_access_token(_cached_refresh_token(self.cache_handler))


class UserPkceAuth(SpotifyPKCE):
    """PKCE manager (no secret on this machine) that never starts an interactive login."""

    def __init__(
        self,
        settings: SpotifySettings,
        cache_handler: CacheHandler,
        session: requests.Session | bool = True,
        scope: str | Iterable[str] | None = None,
    ) -> None:
        _require_client_id(settings)
        super().__init__(
            client_id=settings.client_id,
            redirect_uri=settings.redirect_uri,
            scope=_scope_text(scope) or None,
            cache_handler=cache_handler,
            requests_session=session,
            requests_timeout=settings.timeout,
            open_browser=False,
        )
        self.OAUTH_TOKEN_URL = settings.token_url
        self.OAUTH_AUTHORIZE_URL = settings.authorize_endpoint

    def _get_auth_response(self, open_browser: bool | None = None) -> NoReturn:
        raise ReauthRequired("no usable Spotify token for this user: log in again")

    def get_authorization_code(self, response: str | None = None) -> str:
        if response:
            return str(self.parse_response_code(response))
        self._get_auth_response()

    def force_refresh(self) -> None:
        self.refresh_access_token(_cached_refresh_token(self.cache_handler))


def _cached_refresh_token(cache_handler: CacheHandler) -> str:
    token = cache_handler.get_cached_token()
    if not token or not token.get("refresh_token"):
        raise ReauthRequired("no refresh token stored for this user: log in again")
    return str(token["refresh_token"])


def make_user_auth(
    settings: SpotifySettings,
    cache_handler: CacheHandler,
    session: requests.Session | bool = True,
    scope: str | Iterable[str] | None = None,
) -> UserAuth | UserPkceAuth:
    """The user auth manager this app needs: PKCE exactly when no client secret is configured."""
    if settings.uses_pkce:
        return UserPkceAuth(settings, cache_handler, session, scope)
    return UserAuth(settings, cache_handler, session, scope)


def authorize_url(
    settings: SpotifySettings,
    state: str,
    scope: str | Iterable[str],
    code_challenge: str | None = None,
    *,
    show_dialog: bool = False,
) -> str:
    """Where to send the user's browser to log in; Spotify redirects back to `redirect_uri`.

    `state` must be unguessable and checked on the callback (CSRF). Without a client secret a
    `code_challenge` (from `new_pkce_pair`) is required.
    """
    _require_client_id(settings)
    if not state:
        raise ValueError("authorize_url needs a non-empty state (CSRF protection)")
    if settings.uses_pkce and not code_challenge:
        raise ConfigurationError("no SPOTIFY_CLIENT_SECRET: the PKCE flow needs a code_challenge")
    params: dict[str, str] = {
        "client_id": settings.client_id,
        "response_type": "code",
        "redirect_uri": settings.redirect_uri,
        "state": state,
    }
    if scope_text := _scope_text(scope):
        params["scope"] = scope_text
    if code_challenge:
        params["code_challenge_method"] = "S256"
        params["code_challenge"] = code_challenge
    if show_dialog:
        params["show_dialog"] = "true"
    return f"{settings.authorize_endpoint}?{urlencode(params)}"


def exchange_code(
    settings: SpotifySettings,
    code: str,
    cache_handler: CacheHandler,
    code_verifier: str | None = None,
    *,
    scope: str | Iterable[str] | None = None,
) -> dict[str, Any]:
    """Trade the callback's `code` for tokens, store them in `cache_handler`, return the token info.

    Not retried: an authorization code is single-use, so a second POST could only fail.
    Raises ReauthRequired when Spotify rejects the code (used, expired, wrong verifier).
    """
    if not code:
        raise ValueError("exchange_code needs the `code` from the callback URL")
    if settings.uses_pkce and not code_verifier:
        raise ConfigurationError("no SPOTIFY_CLIENT_SECRET: the PKCE flow needs the code_verifier")
    with requests.Session() as session:
        # a verifier means the authorize URL carried a challenge: Spotify then wants the PKCE exchange
        auth: UserAuth | UserPkceAuth = (
            UserPkceAuth(settings, cache_handler, session, scope)
            if code_verifier
            else UserAuth(settings, cache_handler, session, scope)
        )
        try:
            if isinstance(auth, UserPkceAuth):
                auth.code_verifier = code_verifier
                auth.code_challenge = pkce_challenge(code_verifier or "")
                auth.get_access_token(code=code, check_cache=False)
            else:
                auth.get_access_token(code=code, as_dict=False, check_cache=False)
        except SpotifyOauthError as exc:
            raise oauth_error(exc, "authorization code exchange") from exc
        except requests.RequestException as exc:
            raise UpstreamError(f"token endpoint unreachable: {exc}", status=None) from exc
    token = cache_handler.get_cached_token()
    if not token:
        raise UpstreamError("token endpoint answered but no token was stored", status=None)
    return dict(token)
