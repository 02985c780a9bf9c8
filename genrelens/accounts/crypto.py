"""Tokens at rest are encrypted with Fernet, under a list of keys so the key can be rotated.

Keys come from GENRELENS_TOKEN_KEYS (comma-separated, newest first; the newest encrypts, every
one decrypts) and GENRELENS_TOKEN_KEY (one more, kept for existing configurations). Without any,
the key is derived from SECRET_KEY, itself unique per installation. The SECRET_KEY-derived key
stays last in the list, so tokens written before keys were configured still open and are
re-encrypted under the newest key by `tokens_rotate`.

A token no key opens (a key was dropped, var/ with its secret was lost) is never ignored:
reading it raises ReauthRequired, which tells the user to reconnect.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from genrelens.core.errors import ReauthRequired

#: a random 32-byte key has about 30 distinct byte values; fewer than this means a made-up key
MIN_DISTINCT_BYTES = 16
_RECONNECT = "the stored Spotify login cannot be decrypted (the encryption key changed): reconnect with Spotify"


def parse_token_keys(values: list[str], *, setting: str = "GENRELENS_TOKEN_KEYS") -> list[str]:
    """Validate configured keys: each a Fernet key (`Fernet.generate_key()`: 32 random bytes,
    url-safe base64). Anything else, a passphrase or a one-character key, is refused at start-up."""
    return [_check_key(value.strip(), setting) for value in values if value.strip()]


def _check_key(value: str, setting: str) -> str:
    hint = ('make one with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"')
    try:
        raw = base64.urlsafe_b64decode(value.encode())
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{setting}: a key is not a Fernet key (32 bytes, url-safe base64); {hint}")
    if len(set(raw)) < MIN_DISTINCT_BYTES:
        raise ImproperlyConfigured(f"{setting}: a key is too regular to be random; {hint}")
    return value


def _derived_key() -> bytes:
    # Purpose label: the SECRET_KEY is not reused as-is for a second job.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"genrelens spotify tokens").derive(
        settings.SECRET_KEY.encode())
    return base64.urlsafe_b64encode(key)


def _fernet() -> MultiFernet:
    keys = [k.encode() for k in settings.GENRELENS_TOKEN_KEYS]
    return MultiFernet([Fernet(k) for k in [*keys, _derived_key()]])


def encrypt_json(value: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(value).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_decrypt(token))
    return data


def encrypt_text(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    return _decrypt(token).decode()


def rotate(token: str) -> str:
    """The same secret encrypted under the newest key (ReauthRequired when no key opens it)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise ReauthRequired(_RECONNECT) from None


def _decrypt(token: str) -> bytes:
    try:
        return _fernet().decrypt(token.encode())
    except InvalidToken:
        raise ReauthRequired(_RECONNECT) from None
