"""Logging users in with Spotify and handing out clients that act as them."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from genrelens.accounts.crypto import decrypt_json, decrypt_text, encrypt_json, encrypt_text, rotate
from genrelens.accounts.models import AppCapabilities, PendingLogin, SpotifyAccount
from genrelens.core.errors import ConfigurationError, NotFound, ReauthRequired
from genrelens.core.spotify.auth import USER_SCOPE, MemoryCacheHandler, TokenStoreHandler, exchange_code, new_pkce_pair
from genrelens.core.spotify.auth import authorize_url as spotify_authorize_url
from genrelens.core.spotify.capabilities import Capabilities
from genrelens.core.spotify.client import SpotifyClient, app_client, user_client
from genrelens.core.spotify.settings import SpotifySettings

#: a started login must be finished within this time
LOGIN_TTL = timedelta(minutes=15)


def login_start(*, settings: SpotifySettings, scope: str = USER_SCOPE, next_path: str = "") -> str:
    """The URL to send the user to; its state and PKCE verifier are kept server-side.

    `next_path` is where a browser login returns to; only a path inside this site is kept, so the
    login cannot be used to bounce a user to another site.
    """
    PendingLogin.objects.filter(created_at__lt=timezone.now() - LOGIN_TTL).delete()
    state = secrets.token_urlsafe(24)
    pair = new_pkce_pair() if settings.uses_pkce else None
    PendingLogin.objects.create(state=state, code_verifier=encrypt_text(pair.verifier) if pair else "",
                                next_path=safe_next_path(next_path))
    return spotify_authorize_url(settings, state, scope, pair.challenge if pair else None)


def safe_next_path(value: str) -> str:
    """`value` when it is a local absolute path ("/taste"), else "/"."""
    if not value.startswith("/") or value.startswith("//") or "\\" in value or any(c in value for c in "\r\n"):
        return "/"
    return value[:500]


def login_finish(*, settings: SpotifySettings, redirected_url: str) -> SpotifyAccount:
    """Complete a login from the URL Spotify redirected to (?code=..&state=.., or ?error=..)."""
    account, _ = login_complete(settings=settings, redirected_url=redirected_url)
    return account


def login_complete(*, settings: SpotifySettings, redirected_url: str) -> tuple[SpotifyAccount, str]:
    """`login_finish` plus the path the login started from (a browser goes back there)."""
    query = parse_qs(urlsplit(redirected_url).query)
    state, code = query.get("state", [""])[0], query.get("code", [""])[0]
    if "error" in query:
        # a refusal ends this login attempt: its state cannot be used again
        PendingLogin.objects.filter(state=state).delete()
        raise ReauthRequired(f"Spotify login was refused: {query['error'][0]}")
    pending = PendingLogin.objects.filter(state=state, created_at__gte=timezone.now() - LOGIN_TTL).first()
    if not state or pending is None:
        raise ReauthRequired("unknown or expired login (state does not match): start the login again")
    # one use per state: a replayed redirect finds nothing, even if the exchange below fails
    if PendingLogin.objects.filter(pk=pending.pk).delete()[0] != 1:
        raise ReauthRequired("this login was already used: start the login again")
    verifier = decrypt_text(pending.code_verifier) if pending.code_verifier else None
    cache = MemoryCacheHandler()
    token = exchange_code(settings, code, cache, verifier)
    me = user_client(settings, cache).me()
    account, _ = SpotifyAccount.objects.update_or_create(spotify_id=me.id, defaults={
        "display_name": me.display_name or me.id, "token": encrypt_json(token),
        "scope": str(token.get("scope", ""))})
    return account, pending.next_path or "/"


def account_user(*, account: SpotifyAccount) -> AbstractBaseUser:
    """The Django user this Spotify account signs in as, created on its first browser login."""
    if account.user_id is not None:
        return account.user  # type: ignore[return-value]
    with transaction.atomic():
        user, created = get_user_model().objects.get_or_create(username=f"spotify:{account.spotify_id}"[:150])
        if created:
            user.set_unusable_password()  # only Spotify logs this user in
            user.save(update_fields=["password"])
        SpotifyAccount.objects.filter(pk=account.pk).update(user=user)
    account.user = user
    return user


def account_for_user(*, user: AbstractBaseUser) -> SpotifyAccount | None:
    return SpotifyAccount.objects.filter(user_id=user.pk).first()


def account_logout(*, account: SpotifyAccount) -> None:
    """Forget a user's Spotify token (the browser session is ended by the caller)."""
    SpotifyAccount.objects.filter(pk=account.pk).update(token=encrypt_json({}), updated_at=timezone.now())


def account_get(*, spotify_id: str) -> SpotifyAccount:
    account = SpotifyAccount.objects.filter(spotify_id=spotify_id).first()
    if account is None:
        known = ", ".join(SpotifyAccount.objects.values_list("spotify_id", flat=True)) or "nobody yet"
        raise NotFound(f"{spotify_id!r} has not logged in (logged in: {known}); run `genrelens login`")
    return account


def account_client(
    *, settings: SpotifySettings, account: SpotifyAccount, capabilities: Capabilities | None = None,
    sleep: Callable[[float], None] | None = None,
) -> SpotifyClient:
    """A client acting as this user; refreshed tokens are written back to this user's row only."""

    def load() -> dict[str, object] | None:
        account.refresh_from_db(fields=["token"])
        return decrypt_json(account.token)

    def save(token: dict[str, object]) -> None:
        SpotifyAccount.objects.filter(pk=account.pk).update(token=encrypt_json(token), updated_at=timezone.now())

    return user_client(settings, TokenStoreHandler(load, save), capabilities=capabilities, sleep=sleep)


# --- the app's own client and what it may do ----------------------------------------------------

#: app tokens (client credentials) per client id, shared by the requests of this process
_APP_TOKENS: dict[str, MemoryCacheHandler] = {}


def capabilities_load(*, settings: SpotifySettings) -> Capabilities:
    row = AppCapabilities.objects.filter(client_id=settings.client_id).first()
    try:
        return Capabilities.from_dict(row.data) if row else Capabilities()
    except ConfigurationError:
        return Capabilities()  # a record from an older version: learn again


def capabilities_save(*, settings: SpotifySettings, capabilities: Capabilities,
                      loaded: dict[str, Any] | None = None) -> None:
    """Remember what the app learnt (only when it changed, so reads stay reads). `loaded`: what the
    client started this request with; unchanged from it, nothing was learnt and no query is made."""
    data = capabilities.as_dict()
    if loaded is not None and data == loaded:
        return
    row = AppCapabilities.objects.filter(client_id=settings.client_id).first()
    if row is None:
        AppCapabilities.objects.get_or_create(client_id=settings.client_id, defaults={"data": data})
    elif row.data != data:
        AppCapabilities.objects.filter(pk=row.pk).update(data=data, updated_at=timezone.now())


def app_client_get(*, settings: SpotifySettings) -> SpotifyClient | None:
    """A client-credentials client for requests without a user; None with PKCE (no secret)."""
    if settings.uses_pkce or not settings.client_id:
        return None
    cache = _APP_TOKENS.setdefault(settings.client_id, MemoryCacheHandler())
    return app_client(settings, cache_handler=cache, capabilities=capabilities_load(settings=settings))


def tokens_rotate() -> tuple[int, int]:
    """Re-encrypt every stored token under the newest key; returns (rotated, unreadable).

    Run after putting a new key first in GENRELENS_TOKEN_KEYS; once it reports no unreadable
    token, the old keys can be removed. Unreadable tokens are left as they are: their users are
    asked to reconnect when next used.
    """
    rotated = unreadable = 0
    for account in SpotifyAccount.objects.only("pk", "token").iterator():
        try:
            token = rotate(account.token)
        except ReauthRequired:
            unreadable += 1
            continue
        SpotifyAccount.objects.filter(pk=account.pk).update(token=token)
        rotated += 1
    return rotated, unreadable
