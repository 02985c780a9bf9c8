"""Logging users in with Spotify and handing out clients that act as them."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.db import transaction
from django.utils import timezone

from genrelens.accounts.crypto import decrypt_json, decrypt_text, encrypt_json, encrypt_text, rotate
from genrelens.accounts.models import PendingLogin, SpotifyAccount
from genrelens.core.errors import NotFound, ReauthRequired
from genrelens.core.spotify.auth import USER_SCOPE, MemoryCacheHandler, TokenStoreHandler, exchange_code, new_pkce_pair
from genrelens.core.spotify.auth import authorize_url as spotify_authorize_url
from genrelens.core.spotify.capabilities import Capabilities
from genrelens.core.spotify.client import SpotifyClient, user_client
from genrelens.core.spotify.settings import SpotifySettings

#: a started login must be finished within this time
LOGIN_TTL = timedelta(minutes=15)


def login_start(*, settings: SpotifySettings, scope: str = USER_SCOPE) -> str:
    """The URL to send the user to; its state and PKCE verifier are kept server-side."""
    PendingLogin.objects.filter(created_at__lt=timezone.now() - LOGIN_TTL).delete()
    state = secrets.token_urlsafe(24)
    pair = new_pkce_pair() if settings.uses_pkce else None
    PendingLogin.objects.create(state=state, code_verifier=encrypt_text(pair.verifier) if pair else "")
    return spotify_authorize_url(settings, state, scope, pair.challenge if pair else None)


def login_finish(*, settings: SpotifySettings, redirected_url: str) -> SpotifyAccount:
    """Complete a login from the URL Spotify redirected to (?code=..&state=.., or ?error=..)."""
    query = parse_qs(urlsplit(redirected_url).query)
    if "error" in query:
        raise ReauthRequired(f"Spotify login was refused: {query['error'][0]}")
    state, code = query.get("state", [""])[0], query.get("code", [""])[0]
    pending = PendingLogin.objects.filter(state=state, created_at__gte=timezone.now() - LOGIN_TTL).first()
    if not state or pending is None:
        raise ReauthRequired("unknown or expired login (state does not match): start the login again")
    verifier = decrypt_text(pending.code_verifier) if pending.code_verifier else None
    cache = MemoryCacheHandler()
    token = exchange_code(settings, code, cache, verifier)
    me = user_client(settings, cache).me()
    with transaction.atomic():
        pending.delete()
        account, _ = SpotifyAccount.objects.update_or_create(spotify_id=me.id, defaults={
            "display_name": me.display_name or me.id, "token": encrypt_json(token),
            "scope": str(token.get("scope", ""))})
    return account


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
