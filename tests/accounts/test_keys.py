"""Keys (issue 19, finding 8): token keys rotate through a list, weak keys stop start-up, a public
deployment needs explicit keys, and a token no key opens asks the user to reconnect."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from config.env import installation_secret
from genrelens.accounts.crypto import decrypt_json, decrypt_text, encrypt_json, encrypt_text, parse_token_keys
from genrelens.accounts.models import SpotifyAccount
from genrelens.accounts.services import tokens_rotate
from genrelens.core.errors import ReauthRequired

ROOT = Path(__file__).resolve().parents[2]
STRONG_SECRET = "k" + Fernet.generate_key().decode() * 2


@pytest.mark.parametrize("weak", ["x", "correct horse battery staple", base64.urlsafe_b64encode(b"\0" * 32).decode(),
                                  base64.urlsafe_b64encode(b"ab" * 16).decode()])
def test_weak_or_malformed_token_keys_are_refused(weak: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"Fernet\.generate_key"):
        parse_token_keys([weak])


def test_generated_keys_are_accepted_in_order() -> None:
    keys = [Fernet.generate_key().decode() for _ in range(2)]
    assert parse_token_keys([f" {keys[0]} ", keys[1], ""]) == keys


def test_a_key_list_rotates_without_logging_anyone_out(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.GENRELENS_TOKEN_KEYS = [old]
    token = encrypt_json({"access_token": "a"})
    settings.GENRELENS_TOKEN_KEYS = [new, old]
    assert decrypt_json(token) == {"access_token": "a"}  # the old key still opens it
    assert Fernet(new.encode()).decrypt(encrypt_json({"x": 1}).encode())  # the newest encrypts


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_stored_tokens_so_old_keys_can_go(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.GENRELENS_TOKEN_KEYS = []  # tokens written before any key was configured (SECRET_KEY-derived)
    SpotifyAccount.objects.create(spotify_id="ann", token=encrypt_json({"access_token": "a"}))
    settings.GENRELENS_TOKEN_KEYS = [old]
    SpotifyAccount.objects.create(spotify_id="ben", token=encrypt_json({"access_token": "b"}))
    settings.GENRELENS_TOKEN_KEYS = [new, old]
    assert tokens_rotate() == (2, 0)
    settings.GENRELENS_TOKEN_KEYS = [new]
    settings.SECRET_KEY = STRONG_SECRET  # the derived key is gone too
    assert {decrypt_json(a.token)["access_token"] for a in SpotifyAccount.objects.all()} == {"a", "b"}


def test_a_token_no_key_opens_asks_the_user_to_reconnect(settings) -> None:
    settings.GENRELENS_TOKEN_KEYS = [Fernet.generate_key().decode()]
    token, verifier = encrypt_json({"access_token": "a"}), encrypt_text("verifier")
    settings.GENRELENS_TOKEN_KEYS = [Fernet.generate_key().decode()]
    settings.SECRET_KEY = STRONG_SECRET
    with pytest.raises(ReauthRequired, match="reconnect with Spotify"):
        decrypt_json(token)
    with pytest.raises(ReauthRequired, match="reconnect with Spotify"):
        decrypt_text(verifier)


def test_a_lost_var_dir_is_reported_not_silent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    installation_secret(tmp_path / "fresh")  # a fresh install says nothing
    assert capsys.readouterr().err == ""
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "genrelens.sqlite3").write_bytes(b"")  # var/ kept its database, lost its secret
    installation_secret(tmp_path / "old")
    assert "users are logged out" in capsys.readouterr().err


def check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"SECRET_KEY", "GENRELENS_TOKEN_KEY", "GENRELENS_TOKEN_KEYS", "DEBUG", "GENRELENS_DEPLOY"}}
    return subprocess.run([sys.executable, "-m", "genrelens.cli", "check"], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, "GENRELENS_VAR_DIR": str(tmp_path), **env}, timeout=120)


def test_a_weak_token_key_stops_start_up(tmp_path: Path) -> None:
    result = check(tmp_path, GENRELENS_TOKEN_KEY="x")
    assert result.returncode != 0 and "GENRELENS_TOKEN_KEY: a key is not a Fernet key" in result.stderr


def test_a_deployment_refuses_to_start_without_explicit_strong_keys(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    cases = [
        ({}, "needs SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"SECRET_KEY": STRONG_SECRET}, "needs GENRELENS_TOKEN_KEYS"),
        ({"SECRET_KEY": STRONG_SECRET, "GENRELENS_TOKEN_KEYS": key, "DEBUG": "1"}, "set DEBUG=0"),
    ]
    for env, message in cases:
        result = check(tmp_path, GENRELENS_DEPLOY="1", **env)
        assert result.returncode != 0 and message in result.stderr, (env, result.stderr[-500:])
    assert not (tmp_path / "secret_key").exists()  # nothing was made up
    ok = check(tmp_path, GENRELENS_DEPLOY="1", SECRET_KEY=STRONG_SECRET, GENRELENS_TOKEN_KEYS=key)
    assert ok.returncode == 0, ok.stderr
    assert check(tmp_path).returncode == 0  # the embedded default (demo, tests) still starts on its own
