"""Tokens at rest are encrypted with Fernet under a key derived from the installation's secret."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from genrelens.core.errors import ReauthRequired


def _fernet() -> Fernet:
    # GENRELENS_TOKEN_KEY lets tokens survive a SECRET_KEY rotation; by default the key is derived
    # from SECRET_KEY (itself unique per installation), with a purpose label so it is not reused.
    secret = (settings.GENRELENS_TOKEN_KEY or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"genrelens spotify tokens").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_json(value: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(value).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise ReauthRequired("the stored Spotify token cannot be decrypted (the key changed): log in again") from None
    return data


def encrypt_text(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
