"""Logging in with Spotify from the command line; tokens stored encrypted, one row per user."""

from __future__ import annotations

from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command

from genrelens.accounts.crypto import decrypt_json
from genrelens.accounts.models import PendingLogin, SpotifyAccount
from genrelens.accounts.services import account_client
from genrelens.jobs.wiring import spotify_settings
from tests.conftest_sandbox import SandboxHandle

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox_env(devmode_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch) -> SandboxHandle:
    for name, value in {"SPOTIFY_CLIENT_ID": devmode_sandbox.client_id,
                        "SPOTIFY_CLIENT_SECRET": devmode_sandbox.client_secret,
                        "SPOTIFY_API_BASE": devmode_sandbox.api_base,
                        "SPOTIFY_ACCOUNTS_BASE": devmode_sandbox.accounts_base,
                        "RECCOBEATS_API_BASE": devmode_sandbox.reccobeats_base}.items():
        monkeypatch.setenv(name, value)
    return devmode_sandbox


def login(user: str) -> str:
    url = StringIO()
    call_command("login", "--url-only", stdout=url)
    redirect = requests.get(url.getvalue().strip(), params={"login_hint": user}, allow_redirects=False, timeout=10)
    out = StringIO()
    call_command("login", "--redirected-url", redirect.headers["Location"], stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("pkce", [False, True])
def test_two_users_log_in_and_each_client_acts_as_its_own_user(
        sandbox_env: SandboxHandle, monkeypatch: pytest.MonkeyPatch, pkce: bool) -> None:
    if pkce:
        monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "")
    assert "logged in as" in login("ann") and "logged in as" in login("ben")
    ann, ben = SpotifyAccount.objects.get(spotify_id="ann"), SpotifyAccount.objects.get(spotify_id="ben")
    assert "access_token" not in ann.token  # encrypted at rest
    assert decrypt_json(ann.token)["access_token"] != decrypt_json(ben.token)["access_token"]
    assert account_client(settings=spotify_settings(), account=ann).me().id == "ann"
    assert account_client(settings=spotify_settings(), account=ben).me().id == "ben"
    assert not PendingLogin.objects.exists()


def test_an_expired_access_token_is_refreshed_into_that_users_row(sandbox_env: SandboxHandle) -> None:
    login("ann")
    before = decrypt_json(SpotifyAccount.objects.get(spotify_id="ann").token)["access_token"]
    sandbox_env.expire_tokens()
    assert account_client(settings=spotify_settings(), account=SpotifyAccount.objects.get()).me().id == "ann"
    assert decrypt_json(SpotifyAccount.objects.get(spotify_id="ann").token)["access_token"] != before


def test_a_forged_state_or_a_refusal_is_a_clear_error(sandbox_env: SandboxHandle) -> None:
    with pytest.raises(CommandError, match="state does not match"):
        call_command("login", "--redirected-url", "http://127.0.0.1:8000/connect?code=x&state=forged")
    with pytest.raises(CommandError, match="refused: access_denied"):
        call_command("login", "--redirected-url", "http://127.0.0.1:8000/connect?error=access_denied&state=s")
    assert not SpotifyAccount.objects.exists()
