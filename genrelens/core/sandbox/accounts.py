"""Spotify accounts: the /authorize consent page and the /api/token endpoint.

Grants: client_credentials (Basic auth), authorization_code (Basic auth, or PKCE with client_id +
code_verifier checked against the S256 challenge), refresh_token (both styles). Error bodies are
OAuth's `{"error", "error_description"}`, as spotipy reads them.
"""

from __future__ import annotations

import base64
import binascii
import html
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from genrelens.core.sandbox.control import AuthCode, s256
from genrelens.core.sandbox.http import HttpError, Request, Response, Router, json_response, redirect

if TYPE_CHECKING:
    from genrelens.core.sandbox.app import SandboxApp


def oauth_error(error: str, description: str, status: int = 400) -> HttpError:
    return HttpError(status, description, body={"error": error, "error_description": description})


def html_page(body: str, status: int = 200) -> Response:
    page = f"<!doctype html><html><head><meta charset='utf-8'><title>Sandbox Spotify</title></head>" \
           f"<body>{body}</body></html>"
    return Response(status, page.encode(), "text/html; charset=utf-8")


def with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v]
    return urlunsplit(parts._replace(query=urlencode(query)))


class Accounts:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.config = app.config

    # --- /authorize -----------------------------------------------------------------------------
    def authorize(self, request: Request) -> Response:
        params = {k: v[-1] for k, v in request.params.items()}
        problem = self._check_authorize(params)
        if problem:
            return html_page(f"<h1>{html.escape(problem)}</h1>", 400)
        if params.get("response_type") != "code":
            return redirect(with_query(params["redirect_uri"], {"error": "unsupported_response_type",
                                                                "state": params.get("state", "")}))
        if self.config.auto_approve:
            return self._approve(params, self._user_for(params.get("login_hint", "")))
        return self._consent_page(params)

    def decide(self, request: Request) -> Response:
        """The consent form's submission: Agree redirects with a code, Cancel with access_denied."""
        params = request.form()
        problem = self._check_authorize(params)
        if problem:
            return html_page(f"<h1>{html.escape(problem)}</h1>", 400)
        if params.get("action") != "agree":
            return redirect(with_query(params["redirect_uri"], {"error": "access_denied",
                                                                "state": params.get("state", "")}), 303)
        return self._approve(params, self._user_for(params.get("user", "")), status=303)

    def _check_authorize(self, params: dict[str, str]) -> str:
        if params.get("client_id") != self.config.client_id:
            return "INVALID_CLIENT: Invalid client"
        redirect_uri = params.get("redirect_uri", "")
        if urlsplit(redirect_uri).scheme not in ("http", "https"):
            return "INVALID_CLIENT: Invalid redirect URI"
        if params.get("code_challenge") and params.get("code_challenge_method") != "S256":
            return "code_challenge_method must be S256"
        return ""

    def _user_for(self, hint: str) -> str:
        users = self.app.catalog.sandbox_users()
        return next((u.id for u in users if u.id == hint), users[0].id)

    def _approve(self, params: dict[str, str], user_id: str, status: int = 302) -> Response:
        code = self.app.state.issue_code(AuthCode(
            client_id=params["client_id"],
            user_id=user_id,
            scope=frozenset(params.get("scope", "").replace(",", " ").split()),
            redirect_uri=params["redirect_uri"],
            code_challenge=params.get("code_challenge", ""),
            created=self.app.state.now(),
        ))
        return redirect(with_query(params["redirect_uri"], {"code": code, "state": params.get("state", "")}),
                        status)

    def _consent_page(self, params: dict[str, str]) -> Response:
        keep = ("client_id", "response_type", "redirect_uri", "state", "scope", "code_challenge",
                "code_challenge_method")
        hidden = "".join(
            f"<input type='hidden' name='{k}' value='{html.escape(params.get(k, ''), quote=True)}'>"
            for k in keep
        )
        hint = params.get("login_hint", "")
        options = "".join(
            f"<option value='{u.id}'{' selected' if u.id == hint else ''}>"
            f"{html.escape(u.display_name)} ({u.id})</option>"
            for u in self.app.catalog.sandbox_users()
        )
        scopes = "".join(f"<li>{html.escape(s)}</li>" for s in params.get("scope", "").split())
        body = (
            "<h1>Sandbox Spotify</h1>"
            f"<p><b>{html.escape(params['client_id'])}</b> would like to access your account:</p>"
            f"<ul>{scopes or '<li>your public profile</li>'}</ul>"
            "<form method='post' action='/authorize'>"
            f"{hidden}<label>Log in as <select name='user'>{options}</select></label> "
            "<button type='submit' name='action' value='agree'>Agree</button> "
            "<button type='submit' name='action' value='cancel'>Cancel</button>"
            "</form>"
        )
        return html_page(body)

    # --- /api/token -----------------------------------------------------------------------------
    def token(self, request: Request) -> Response:
        form = request.form()
        grant = form.get("grant_type", "")
        if grant == "client_credentials":
            return self._client_credentials(request, form)
        if grant == "authorization_code":
            return self._authorization_code(request, form)
        if grant == "refresh_token":
            return self._refresh(request, form)
        raise oauth_error("unsupported_grant_type",
                          "grant_type parameter is missing" if not grant else f"unsupported grant_type {grant}")

    def _client(self, request: Request, form: dict[str, str]) -> tuple[str, bool]:
        """(client id, authenticated with the secret?); raises invalid_client for wrong credentials."""
        client_id, secret = _basic_auth(request.headers.get("authorization", ""))
        if client_id is None:
            client_id, secret = form.get("client_id"), form.get("client_secret")
        if client_id != self.config.client_id:
            raise oauth_error("invalid_client", "Invalid client")
        if secret is None:
            return client_id, False
        if secret != self.config.client_secret:
            raise oauth_error("invalid_client", "Invalid client secret")
        return client_id, True

    def _client_credentials(self, request: Request, form: dict[str, str]) -> Response:
        client_id, with_secret = self._client(request, form)
        if not with_secret:
            raise oauth_error("invalid_client", "Invalid client secret")
        token = self.app.state.issue_access(client_id, None, frozenset())
        return json_response({"access_token": token, "token_type": "Bearer", "expires_in": 3600})

    def _authorization_code(self, request: Request, form: dict[str, str]) -> Response:
        client_id, with_secret = self._client(request, form)
        code = self.app.state.take_code(form.get("code", ""))
        if code is None or code.client_id != client_id:
            raise oauth_error("invalid_grant", "Invalid authorization code")
        if form.get("redirect_uri", "") != code.redirect_uri:
            raise oauth_error("invalid_grant", "Invalid redirect URI")
        verifier = form.get("code_verifier")
        # A code asked for with a challenge needs its verifier even when a secret is also sent.
        needs_verifier = bool(code.code_challenge) or not with_secret
        if needs_verifier and (not verifier or s256(verifier) != code.code_challenge):
            raise oauth_error("invalid_grant", "code_verifier was incorrect")
        pkce = not with_secret
        return self._user_tokens(client_id, code.user_id, code.scope, pkce, new_refresh=True)

    def _refresh(self, request: Request, form: dict[str, str]) -> Response:
        client_id, with_secret = self._client(request, form)
        info, problem = self.app.state.use_refresh(form.get("refresh_token", ""), client_id)
        if info is None:
            raise oauth_error("invalid_grant", problem)
        if not info.pkce and not with_secret:
            raise oauth_error("invalid_client", "Invalid client secret")
        # PKCE refresh tokens rotate (each is single-use); secret-flow ones stay and none is returned.
        return self._user_tokens(client_id, info.user_id, info.scope, info.pkce,
                                 new_refresh=info.pkce, login_at=info.login_at)

    def _user_tokens(self, client_id: str, user_id: str, scope: frozenset[str], pkce: bool,
                     *, new_refresh: bool, login_at: float | None = None) -> Response:
        state = self.app.state
        body: dict[str, object] = {
            "access_token": state.issue_access(client_id, user_id, scope),
            "token_type": "Bearer",
            "scope": " ".join(sorted(scope)),
            "expires_in": 3600,
        }
        if new_refresh:
            body["refresh_token"] = state.issue_refresh(client_id, user_id, scope, pkce, login_at)
        return json_response(body)


def _basic_auth(header: str) -> tuple[str | None, str | None]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None, None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise oauth_error("invalid_client", "Invalid client") from None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def register(router: Router, app: SandboxApp) -> None:
    accounts = Accounts(app)
    router.add("GET", "/authorize", accounts.authorize)
    router.add("POST", "/authorize", accounts.decide)
    router.add("POST", "/api/token", accounts.token)
