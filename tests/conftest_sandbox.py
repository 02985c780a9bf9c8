"""pytest plugin: the Spotify/ReccoBeats sandbox as a real subprocess, shared per session.

Register it with `pytest_plugins = ["tests.conftest_sandbox"]` in tests/conftest.py. Then:

    def test_something(legacy_sandbox):
        token = user_token(legacy_sandbox, user="ann")           # real authorization-code flow
        legacy_sandbox.set_faults(rate_429=0.5, retry_after=2)
        assert legacy_sandbox.stats()["by_endpoint"]["GET /v1/me"] == 1

Each profile/seed/size starts once per session (`sandbox_factory`); `legacy_sandbox` and
`devmode_sandbox` reset faults, tokens and stats before every test so tests stay independent.
"""

from __future__ import annotations

import base64
import hashlib
import os
import queue
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 30.0
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/connect"
#: Every scope the sandbox checks, so a helper token can call every user endpoint.
ALL_SCOPES = (
    "user-read-private user-read-email user-top-read user-library-read user-read-currently-playing "
    "user-read-playback-state user-read-recently-played playlist-read-private playlist-read-collaborative"
)


@dataclass
class SandboxHandle:
    """A running sandbox: its URLs, credentials and control calls."""

    base_url: str
    profile: str
    client_id: str = "genrelens-sandbox"
    client_secret: str = "genrelens-sandbox-secret"
    process: subprocess.Popen[str] | None = field(default=None, repr=False)
    http: requests.Session = field(default_factory=requests.Session, repr=False)

    @property
    def api_base(self) -> str:
        return self.base_url + "/v1/"

    @property
    def accounts_base(self) -> str:
        return self.base_url

    @property
    def token_url(self) -> str:
        return self.base_url + "/api/token"

    @property
    def authorize_url(self) -> str:
        return self.base_url + "/authorize"

    @property
    def reccobeats_base(self) -> str:
        return self.base_url + "/reccobeats/v1"

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, f"{self.base_url}/_sandbox/{path}", json=body, timeout=10)
        if response.status_code >= 400:
            raise AssertionError(f"sandbox control {method} {path} failed: {response.status_code} "
                                 f"{response.text}")
        return response.json()

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self._control("GET", "stats")
        return result

    def reset_stats(self) -> None:
        self._control("POST", "stats/reset")

    def faults(self) -> dict[str, Any]:
        result: dict[str, Any] = self._control("GET", "faults")
        return result

    def set_faults(self, **knobs: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._control("POST", "faults", knobs)
        return result

    def expire_tokens(self) -> None:
        self._control("POST", "tokens/expire")

    def revoke_tokens(self) -> None:
        self._control("POST", "tokens/revoke")

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox's clock forward: tokens expire and now-playing moves without sleeping."""
        self._control("POST", "clock", {"advance_s": seconds})

    def users(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._control("GET", "users")["users"]
        return result

    def catalog_info(self) -> dict[str, Any]:
        result: dict[str, Any] = self._control("GET", "catalog")
        return result

    def reset(self) -> None:
        """Faults, tokens, clock and stats back to the start state (the process keeps running)."""
        self._control("POST", "reset")
        self.reset_stats()

    def client_token(self) -> str:
        """A client-credentials access token (Basic auth), for app-level calls."""
        response = self.http.post(self.token_url, data={"grant_type": "client_credentials"},
                                  auth=(self.client_id, self.client_secret), timeout=10)
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def user_token(self, user: str = "ann", scope: str = ALL_SCOPES, **kwargs: Any) -> dict[str, Any]:
        return user_token(self, user=user, scope=scope, **kwargs)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def start_sandbox(profile: str = "legacy", seed: int = 0, tracks: int = 6000,
                  extra_args: Sequence[str] = (), auto_approve: bool = True) -> SandboxHandle:
    """Start `python -m genrelens.core.sandbox --port 0 ...` and wait for its listening line."""
    args = [sys.executable, "-m", "genrelens.core.sandbox", "--host", "127.0.0.1", "--port", "0",
            "--profile", profile, "--seed", str(seed), "--tracks", str(tracks), "--exit-with-parent",
            *extra_args]
    if auto_approve:
        args.append("--auto-approve")
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    line = _first_line(process)
    if not line.startswith("sandbox listening on "):
        process.kill()
        _, err = process.communicate(timeout=5)
        raise RuntimeError(f"sandbox did not start ({' '.join(args)}): {line!r}\n{err}")
    base_url = line.split()[3]
    # Drain stderr so a chatty sandbox can never block on a full pipe.
    threading.Thread(target=_drain, args=(process.stderr,), daemon=True).start()
    return SandboxHandle(base_url=base_url, profile=profile, process=process)


def _first_line(process: subprocess.Popen[str]) -> str:
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=START_TIMEOUT_S).strip()
    except queue.Empty:
        return f"<no listening line within {START_TIMEOUT_S:g} s>"


def _drain(stream: Any) -> None:
    for _ in stream:
        pass


def user_token(sandbox: SandboxHandle, user: str = "ann", scope: str = ALL_SCOPES, *, pkce: bool = False,
               redirect_uri: str = DEFAULT_REDIRECT_URI) -> dict[str, Any]:
    """Run the real authorization-code flow over HTTP and return the token response.

    GET /authorize with `login_hint` (answered at once by an --auto-approve sandbox; otherwise the
    consent form is submitted with "Agree"), read the code from the redirect without following it
    (nothing listens at the redirect URI), then POST /api/token with Basic auth or, with `pkce`,
    with client_id + code_verifier.
    """
    session = requests.Session()
    state = secrets.token_urlsafe(8)
    params = {"client_id": sandbox.client_id, "response_type": "code", "redirect_uri": redirect_uri,
              "scope": scope, "state": state, "login_hint": user}
    verifier = secrets.token_urlsafe(48)
    if pkce:
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
        params.update(code_challenge=challenge.decode(), code_challenge_method="S256")
    response = session.get(sandbox.authorize_url, params=params, allow_redirects=False, timeout=10)
    if response.status_code == 200:
        form = {**params, "user": user, "action": "agree"}
        response = session.post(sandbox.authorize_url, data=form, allow_redirects=False, timeout=10)
    if response.status_code not in (302, 303):
        raise AssertionError(f"/authorize answered {response.status_code}: {response.text[:300]}")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    if query.get("state") != [state] or "code" not in query:
        raise AssertionError(f"unexpected redirect {response.headers['Location']}")
    data = {"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": redirect_uri}
    if pkce:
        data.update(client_id=sandbox.client_id, code_verifier=verifier)
        token_response = session.post(sandbox.token_url, data=data, timeout=10)
    else:
        token_response = session.post(sandbox.token_url, data=data, timeout=10,
                                      auth=(sandbox.client_id, sandbox.client_secret))
    if token_response.status_code != 200:
        raise AssertionError(f"/api/token answered {token_response.status_code}: {token_response.text}")
    token: dict[str, Any] = token_response.json()
    return token


SandboxFactory = Callable[..., SandboxHandle]


@pytest.fixture(scope="session")
def sandbox_factory() -> Iterator[SandboxFactory]:
    """`sandbox_factory(profile="legacy", seed=0, tracks=6000, extra_args=(), auto_approve=True)`:
    one process per distinct set of arguments, reused for the whole session, stopped at its end."""
    running: dict[tuple[Any, ...], SandboxHandle] = {}

    def get(profile: str = "legacy", seed: int = 0, tracks: int = 6000, extra_args: Sequence[str] = (),
            auto_approve: bool = True) -> SandboxHandle:
        key = (profile, seed, tracks, tuple(extra_args), auto_approve)
        if key not in running:
            running[key] = start_sandbox(profile, seed, tracks, extra_args, auto_approve)
        return running[key]

    yield get
    for handle in running.values():
        handle.stop()


@pytest.fixture
def legacy_sandbox(sandbox_factory: SandboxFactory) -> SandboxHandle:
    handle = sandbox_factory("legacy")
    handle.reset()
    return handle


@pytest.fixture
def devmode_sandbox(sandbox_factory: SandboxFactory) -> SandboxHandle:
    handle = sandbox_factory("devmode-2026")
    handle.reset()
    return handle


@pytest.fixture
def sandbox_user_token() -> Callable[..., dict[str, Any]]:
    """The `user_token` helper as a fixture, for suites that prefer not to import it."""
    return user_token
