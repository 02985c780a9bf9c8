"""Spotify accounts: consent page, code flows with secret and PKCE, refresh, and their failures."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.conftest_sandbox import DEFAULT_REDIRECT_URI, SandboxHandle, user_token


def me(sandbox: SandboxHandle, token: str) -> requests.Response:
    return requests.get(sandbox.api_base + "me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def refresh(sandbox: SandboxHandle, refresh_token: str, *, pkce: bool = False) -> requests.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    if pkce:
        return requests.post(sandbox.token_url, data={**data, "client_id": sandbox.client_id}, timeout=10)
    return requests.post(sandbox.token_url, data=data, auth=(sandbox.client_id, sandbox.client_secret),
                         timeout=10)


def authorize(sandbox: SandboxHandle, **extra: str) -> requests.Response:
    params = {"client_id": sandbox.client_id, "response_type": "code", "redirect_uri": DEFAULT_REDIRECT_URI,
              "scope": "user-top-read", "state": "s1", **extra}
    return requests.get(sandbox.authorize_url, params=params, allow_redirects=False, timeout=10)


@pytest.fixture
def consent_sandbox(sandbox_factory) -> SandboxHandle:
    handle: SandboxHandle = sandbox_factory("legacy", auto_approve=False)
    handle.reset()
    return handle


def test_secret_code_flow_gives_a_user_token_and_refresh_token(legacy_sandbox):
    token = user_token(legacy_sandbox, user="ben", scope="user-top-read user-library-read")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert token["scope"] == "user-library-read user-top-read"
    assert me(legacy_sandbox, token["access_token"]).json()["id"] == "ben"


def test_pkce_code_flow_and_rotating_refresh(legacy_sandbox):
    token = user_token(legacy_sandbox, user="cem", pkce=True)
    assert me(legacy_sandbox, token["access_token"]).json()["id"] == "cem"
    renewed = refresh(legacy_sandbox, token["refresh_token"], pkce=True)
    assert renewed.status_code == 200 and renewed.json()["refresh_token"] != token["refresh_token"]
    assert me(legacy_sandbox, renewed.json()["access_token"]).json()["id"] == "cem"
    # PKCE refresh tokens are single-use.
    again = refresh(legacy_sandbox, token["refresh_token"], pkce=True)
    assert again.json()["error"] == "invalid_grant"


def test_secret_refresh_keeps_the_refresh_token(legacy_sandbox):
    token = user_token(legacy_sandbox)
    first = refresh(legacy_sandbox, token["refresh_token"])
    assert first.status_code == 200 and "refresh_token" not in first.json()
    assert refresh(legacy_sandbox, token["refresh_token"]).status_code == 200


def test_wrong_pkce_verifier_is_invalid_grant(legacy_sandbox):
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"right-verifier").digest()).rstrip(b"=").decode()
    location = authorize(legacy_sandbox, code_challenge=challenge, code_challenge_method="S256").headers[
        "Location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": DEFAULT_REDIRECT_URI,
            "client_id": legacy_sandbox.client_id, "code_verifier": "wrong-verifier"}
    response = requests.post(legacy_sandbox.token_url, data=data, timeout=10)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "code_verifier was incorrect"}


def test_a_code_works_once(legacy_sandbox):
    code = parse_qs(urlsplit(authorize(legacy_sandbox).headers["Location"]).query)["code"][0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": DEFAULT_REDIRECT_URI}
    auth = (legacy_sandbox.client_id, legacy_sandbox.client_secret)
    assert requests.post(legacy_sandbox.token_url, data=data, auth=auth, timeout=10).status_code == 200
    second = requests.post(legacy_sandbox.token_url, data=data, auth=auth, timeout=10)
    assert second.status_code == 400
    assert second.json() == {"error": "invalid_grant", "error_description": "Invalid authorization code"}


def test_wrong_secret_is_invalid_client(legacy_sandbox):
    response = requests.post(legacy_sandbox.token_url, data={"grant_type": "client_credentials"},
                             auth=(legacy_sandbox.client_id, "wrong"), timeout=10)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client"


def test_expire_control_makes_every_access_token_answer_401(legacy_sandbox):
    token = user_token(legacy_sandbox)
    app_token = legacy_sandbox.client_token()
    legacy_sandbox.expire_tokens()
    for access in (token["access_token"], app_token):
        response = me(legacy_sandbox, access)
        assert response.status_code == 401
        assert response.json() == {"error": {"status": 401, "message": "The access token expired"}}
    # Refreshing still works and gives a token that is not expired.
    assert me(legacy_sandbox, refresh(legacy_sandbox, token["refresh_token"]).json()["access_token"]).ok


def test_revoke_control_makes_refresh_invalid_grant(legacy_sandbox):
    token = user_token(legacy_sandbox)
    legacy_sandbox.revoke_tokens()
    response = refresh(legacy_sandbox, token["refresh_token"])
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Refresh token revoked"}


def test_consent_page_offers_users_and_agree_redirects_with_code(consent_sandbox):
    page = authorize(consent_sandbox)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "Agree" in page.text and "Cancel" in page.text and "ben" in page.text
    token = user_token(consent_sandbox, user="ben")  # submits the form with "Agree"
    assert me(consent_sandbox, token["access_token"]).json()["id"] == "ben"


def test_consent_cancel_redirects_with_access_denied(consent_sandbox):
    form = {"client_id": consent_sandbox.client_id, "response_type": "code", "state": "s9",
            "redirect_uri": DEFAULT_REDIRECT_URI, "user": "ann", "action": "cancel"}
    response = requests.post(consent_sandbox.authorize_url, data=form, allow_redirects=False, timeout=10)
    assert response.status_code == 303
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query == {"error": ["access_denied"], "state": ["s9"]}


def test_unknown_client_gets_an_error_page(legacy_sandbox):
    response = authorize(legacy_sandbox, client_id="someone-else")
    assert response.status_code == 400 and "INVALID_CLIENT" in response.text


def test_access_tokens_expire_an_hour_later_on_the_sandbox_clock(legacy_sandbox):
    token = user_token(legacy_sandbox)
    legacy_sandbox.advance_clock(3599)
    assert me(legacy_sandbox, token["access_token"]).ok
    legacy_sandbox.advance_clock(2)
    assert me(legacy_sandbox, token["access_token"]).json() == {
        "error": {"status": 401, "message": "The access token expired"}}
    assert me(legacy_sandbox, refresh(legacy_sandbox, token["refresh_token"]).json()["access_token"]).ok


def test_refresh_tokens_die_six_months_after_login_even_when_rotated(legacy_sandbox):
    token = user_token(legacy_sandbox, pkce=True)
    legacy_sandbox.advance_clock(150 * 86400)
    rotated = refresh(legacy_sandbox, token["refresh_token"], pkce=True).json()["refresh_token"]
    legacy_sandbox.advance_clock(40 * 86400)  # 190 days after the login, 40 after the rotation
    response = refresh(legacy_sandbox, rotated, pkce=True)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Refresh token expired"}


def test_the_clock_only_moves_forward_and_reset_rewinds_it(legacy_sandbox):
    response = requests.post(legacy_sandbox.base_url + "/_sandbox/clock", json={"advance_s": -5}, timeout=10)
    assert response.status_code == 400
    legacy_sandbox.advance_clock(60)
    legacy_sandbox.reset()
    assert requests.get(legacy_sandbox.base_url + "/_sandbox/clock", timeout=10).json()["offset_s"] == 0
