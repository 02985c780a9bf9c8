"""Logging in from a browser: the real flow over HTTP with cookies, and every way it can go wrong."""

from __future__ import annotations

import pytest
import requests

from genrelens.accounts.models import PendingLogin, SpotifyAccount
from tests.api.conftest import WebApp, query_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_browser_logs_in_with_spotify_and_lands_back_in_the_app_logged_in(web: WebApp) -> None:
    browser = web.browser()
    assert browser.get("/rest/me").json() == {"connected": False, "login_url": "/rest/auth/login", "user": None}

    start = browser.get("/rest/auth/login", params={"next": "/taste"})
    assert start.status_code == 302
    authorize = query_of(start.headers["Location"])
    assert start.headers["Location"].startswith(web.sandbox.authorize_url)
    assert authorize["state"][0] and authorize["redirect_uri"] == [f"{web.base_url}/connect"]

    done = browser.login("ann", next_path="/taste")
    assert done.status_code == 302 and done.headers["Location"] == "/taste"
    me = browser.get("/rest/me").json()
    assert me["connected"] and me["user"]["spotify_id"] == "ann"
    account = SpotifyAccount.objects.get(spotify_id="ann")
    assert account.user is not None and account.user.username == "spotify:ann"
    # the first login started above was never finished; the one that was is used up
    assert list(PendingLogin.objects.values_list("state", flat=True)) == authorize["state"]


def test_pkce_logins_work_without_a_client_secret(web: WebApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPOTIFY_CLIENT_SECRET", "")
    browser = web.browser()
    start = browser.get("/rest/auth/login")
    assert query_of(start.headers["Location"])["code_challenge_method"] == ["S256"]
    assert browser.login("ben").status_code == 302
    assert browser.get("/rest/me").json()["user"]["spotify_id"] == "ben"


def test_the_next_path_never_leaves_the_site(web: WebApp) -> None:
    done = web.browser().login("ann", next_path="//evil.example/steal")
    assert done.headers["Location"] == "/"


def test_a_replayed_redirect_is_refused_with_a_way_to_reconnect(web: WebApp) -> None:
    browser = web.browser()
    start = browser.get("/rest/auth/login")
    authorize = requests.get(start.headers["Location"], params={"login_hint": "ann"}, allow_redirects=False,
                             timeout=30)
    callback = authorize.headers["Location"]
    assert browser.http.get(callback, allow_redirects=False, timeout=30).status_code == 302
    replay = web.browser().http.get(callback, allow_redirects=False, timeout=30)
    assert replay.status_code == 401
    body = replay.json()["error"]
    assert body["code"] == "reauth" and body["details"] == {"reconnect_url": "/rest/auth/login"}
    assert "start the login again" in body["message"]


def test_a_forged_state_is_a_401_page_for_browsers(web: WebApp) -> None:
    page = requests.get(f"{web.base_url}/connect", params={"code": "x", "state": "forged"},
                        headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 401
    assert "state does not match" in page.text and 'href="/rest/auth/login"' in page.text


def test_refusing_consent_ends_in_a_clear_401(live_server, sandbox_factory, monkeypatch, settings) -> None:
    from tests.api.conftest import _web

    web = _web(live_server, sandbox_factory("legacy", auto_approve=False), monkeypatch, settings)
    browser = web.browser()
    start = browser.get("/rest/auth/login")
    params = {k: v[0] for k, v in query_of(start.headers["Location"]).items()}
    cancel = requests.post(web.sandbox.authorize_url, data={**params, "user": "ann", "action": "cancel"},
                           allow_redirects=False, timeout=30)
    refused = browser.http.get(cancel.headers["Location"], allow_redirects=False, timeout=30)
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "Spotify login was refused: access_denied"
    assert not PendingLogin.objects.exists()  # that attempt is over
    assert not SpotifyAccount.objects.exists()


def test_a_revoked_refresh_token_asks_to_reconnect_instead_of_failing(web: WebApp) -> None:
    browser = web.logged_in("ann")
    web.sandbox.revoke_tokens()
    web.sandbox.expire_tokens()
    answer = browser.get("/rest/toptracks")
    assert answer.status_code == 401, answer.text
    error = answer.json()["error"]
    assert error["code"] == "reauth" and error["details"]["reconnect_url"] == "/rest/auth/login"
    assert "access_token" not in answer.text and "refresh_token" not in answer.text


def test_logout_ends_the_session_and_needs_csrf(web: WebApp) -> None:
    browser = web.logged_in("ann")
    forged = browser.post("/rest/auth/logout", headers={"X-CSRFToken": "wrong"})
    assert forged.status_code == 403
    assert browser.post("/rest/auth/logout").status_code == 204
    assert browser.get("/rest/me").json()["connected"] is False
    assert browser.get("/rest/likedtracks").json()["error"]["code"] == "not_logged_in"


def test_the_cli_login_and_the_browser_login_share_one_account(web: WebApp) -> None:
    from io import StringIO

    from django.core.management import call_command

    url = StringIO()
    call_command("login", "--url-only", stdout=url)
    redirect = requests.get(url.getvalue().strip(), params={"login_hint": "ann"}, allow_redirects=False, timeout=30)
    call_command("login", "--redirected-url", redirect.headers["Location"], stdout=StringIO())
    web.logged_in("ann")
    assert SpotifyAccount.objects.count() == 1 and SpotifyAccount.objects.get().user is not None
