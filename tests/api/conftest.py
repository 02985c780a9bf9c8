"""The web app as a browser meets it: Django's live server on a real port, the Spotify sandbox in
its own process, a `requests.Session` with cookies as the browser, and every JSON answer checked
against the app's own OpenAPI schema (`/rest/schema`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

from tests.conftest_sandbox import SandboxHandle

_SPEC: dict[str, Any] = {}


def _openapi(base_url: str) -> OpenAPI:
    if "spec" not in _SPEC:
        body = requests.get(f"{base_url}/rest/schema", params={"format": "json"}, timeout=30)
        body.raise_for_status()
        _SPEC["spec"] = OpenAPI.from_dict(body.json())
    spec: OpenAPI = _SPEC["spec"]
    return spec


@dataclass
class Browser:
    """A cookie-keeping HTTP client whose every API answer must match the schema."""

    base_url: str
    http: requests.Session = field(default_factory=requests.Session)
    checked: int = 0

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def request(self, method: str, path: str, *, validate: bool = True, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        if method not in ("GET", "HEAD"):
            token = self.http.cookies.get("csrftoken")
            kwargs.setdefault("headers", {})
            if token:
                kwargs["headers"].setdefault("X-CSRFToken", token)
            kwargs["headers"].setdefault("Referer", self.base_url + "/")
        response = self.http.request(method, self.base_url + path, **kwargs)
        if validate and path.startswith("/rest/") and "json" in response.headers.get("Content-Type", ""):
            _openapi(self.base_url).validate_response(RequestsOpenAPIRequest(response.request),
                                                      RequestsOpenAPIResponse(response))
            self.checked += 1
        return response

    def login(self, user: str = "ann", next_path: str = "/") -> requests.Response:
        """The whole browser flow: our login → Spotify's authorize (auto-approved) → /connect."""
        start = self.get("/rest/auth/login", params={"next": next_path})
        assert start.status_code == 302, start.text
        authorize = self.http.get(start.headers["Location"], params={"login_hint": user}, allow_redirects=False,
                                  timeout=30)
        assert authorize.status_code in (302, 303), authorize.text[:300]
        return self.http.get(authorize.headers["Location"], allow_redirects=False, timeout=60)

    def ensure_csrf(self) -> None:
        self.get("/rest/me")
        assert self.http.cookies.get("csrftoken"), "the app sets the CSRF cookie on /rest/me"


@dataclass
class WebApp:
    base_url: str
    sandbox: SandboxHandle

    def browser(self) -> Browser:
        return Browser(self.base_url)

    def logged_in(self, user: str = "ann") -> Browser:
        browser = self.browser()
        done = browser.login(user)
        assert done.status_code == 302 and urlsplit(done.headers["Location"]).path == "/", done.text[:300]
        browser.ensure_csrf()
        return browser


def spotify_env(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxHandle, redirect_uri: str, *,
                pkce: bool = False) -> None:
    for name, value in {"SPOTIFY_CLIENT_ID": sandbox.client_id,
                        "SPOTIFY_CLIENT_SECRET": "" if pkce else sandbox.client_secret,
                        "SPOTIFY_API_BASE": sandbox.api_base,
                        "SPOTIFY_ACCOUNTS_BASE": sandbox.accounts_base,
                        "RECCOBEATS_API_BASE": sandbox.reccobeats_base,
                        "SPOTIFY_REDIRECT_URI": redirect_uri,
                        "SPOTIFY_RETRY_AFTER_CAP": "1",
                        "SPOTIFY_MAX_RETRIES": "1"}.items():
        monkeypatch.setenv(name, value)


def _web(live_server: Any, sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, settings: Any) -> WebApp:
    from genrelens.accounts import services

    settings.MEDIA_ROOT = settings.GENRELENS_VAR_DIR / "test-media"
    services._APP_TOKENS.clear()  # the sandbox's reset revoked them; a real app keeps its token
    # Spotify wants a loopback IP in redirect URIs, never "localhost" (since Nov 2025)
    base_url = live_server.url.replace("://localhost:", "://127.0.0.1:")
    spotify_env(monkeypatch, sandbox, f"{base_url}/connect")
    return WebApp(base_url, sandbox)


@pytest.fixture
def web(live_server: Any, legacy_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, settings: Any) -> WebApp:
    """The app against the legacy (2020) sandbox."""
    return _web(live_server, legacy_sandbox, monkeypatch, settings)


@pytest.fixture
def devweb(live_server: Any, devmode_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch,
           settings: Any) -> WebApp:
    """The app against the devmode-2026 sandbox (a new development-mode app today)."""
    return _web(live_server, devmode_sandbox, monkeypatch, settings)


@pytest.fixture(params=["legacy", "devmode-2026"])
def anyweb(request: pytest.FixtureRequest, live_server: Any, sandbox_factory: Any, monkeypatch: pytest.MonkeyPatch,
           settings: Any) -> Iterator[WebApp]:
    """The same test in both profiles."""
    sandbox = sandbox_factory(request.param)
    sandbox.reset()
    yield _web(live_server, sandbox, monkeypatch, settings)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.fixture(scope="session")
def model_artifact(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The synthetic public dataset and a model trained on it, once per test session."""
    from tests.api.models import synthetic_frame, train_model

    frame = synthetic_frame()
    return frame, train_model(frame, tmp_path_factory.mktemp("models"))


@pytest.fixture
def public_model(model_artifact: tuple[Any, Path], settings: Any) -> Any:
    """That dataset imported and that model registered as the active one, in this test's database."""
    import json

    from genrelens.catalog.services import dataset_import, model_register
    from tests.api.models import DATASET_NAME, parsed

    frame, artifact = model_artifact
    settings.GENRELENS_MODEL_DIR = artifact.parent
    dataset_import(parsed=parsed(frame), name=DATASET_NAME, source="synthetic:sandbox-catalog seed 7",
                   licence="generated by genrelens' sandbox")
    card = json.loads(artifact.with_suffix(".json").read_text())
    return model_register(card=card, path=str(artifact))
