"""End-to-end fixtures: the real app (gunicorn + worker) against the sandbox, driven in Debian's Chromium.

One database is prepared per session (a catalog collected from the sandbox, a model trained on it)
and copied for each Spotify profile, whose server then talks to that profile's sandbox. Playwright
cannot download its own browser here, so it launches /usr/bin/chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest_sandbox import SandboxFactory, SandboxHandle
from tests.web.test_serving import free_port, wait_listening

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("GENRELENS_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "var" / "screenshots"
GENRELENS = [sys.executable, "-m", "genrelens.cli"]
#: The blog's genres with one sub-genre each: a catalog big enough for lists, small enough to train fast.
TAXONOMY = """
[genres]
pop = ["dance pop"]
rock = ["classic rock"]
"hip hop" = ["gangster rap"]
edm = ["electro house"]
latin = ["reggaeton"]
metal = ["speed metal"]
"""

playwright_api = pytest.importorskip("playwright.sync_api")


@dataclass
class App:
    url: str
    profile: str
    sandbox: SandboxHandle


def sandbox_env(sandbox: SandboxHandle, redirect: str) -> dict[str, str]:
    return {"SPOTIFY_CLIENT_ID": sandbox.client_id, "SPOTIFY_CLIENT_SECRET": sandbox.client_secret,
            "SPOTIFY_API_BASE": sandbox.api_base, "SPOTIFY_ACCOUNTS_BASE": sandbox.accounts_base,
            "RECCOBEATS_API_BASE": sandbox.reccobeats_base, "SPOTIFY_REDIRECT_URI": redirect,
            "NO_PROXY": "127.0.0.1,localhost"}


@pytest.fixture(scope="session")
def prepared_var(tmp_path_factory: pytest.TempPathFactory, sandbox_factory: SandboxFactory) -> Path:
    """A var dir with a migrated SQLite database, a catalog collected from the sandbox and a model."""
    var = tmp_path_factory.mktemp("e2e-prepared")
    (var / "taxonomy.toml").write_text(TAXONOMY)
    env = {**os.environ, "GENRELENS_VAR_DIR": str(var), "DATABASE_URL": "",
           **sandbox_env(sandbox_factory("legacy"), "http://127.0.0.1:8000/connect")}
    subprocess.run([*GENRELENS, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    result = subprocess.run([*GENRELENS, "demo_data", "--url", "", "--shared", str(var / "none.csv"),
                             "--taxonomy", str(var / "taxonomy.toml"), "--playlists-per-subgenre", "1"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return var


@pytest.fixture(scope="session")
def app_factory(prepared_var: Path, sandbox_factory: SandboxFactory,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], App]]:
    """`app_factory(profile)`: gunicorn (2 workers) and `genrelens worker` on a copy of the prepared
    database, pointed at that profile's sandbox (its consent page, not auto-approve)."""
    running: dict[str, App] = {}
    processes: list[subprocess.Popen[str]] = []

    def start(profile: str) -> App:
        if profile in running:
            return running[profile]
        var = tmp_path_factory.mktemp(f"e2e-{profile}")
        shutil.copytree(prepared_var, var, dirs_exist_ok=True)
        sandbox = sandbox_factory(profile, auto_approve=False)
        port = free_port()
        env = {**os.environ, "GENRELENS_VAR_DIR": str(var), "DATABASE_URL": "", "DEBUG": "0",
               "GENRELENS_API_RATE": "100000/minute",
               "GENRELENS_API_USER_RATE": "100000/minute",
               **sandbox_env(sandbox, f"http://127.0.0.1:{port}/connect")}
        worker = subprocess.Popen([*GENRELENS, "worker"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, text=True)
        processes.append(worker)
        server = subprocess.Popen([*GENRELENS, "serve", "--port", str(port), "--workers", "2",
                                   "--no-worker"], env=env, cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.append(server)
        running[profile] = App(wait_listening(server), profile, sandbox)
        return running[profile]

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make test-e2e` installs Debian's chromium")
    with playwright_api.sync_playwright() as playwright:
        # Audio plays without a click in the page, as after a person's first gesture.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                             args=["--autoplay-policy=no-user-gesture-required"])
        yield browser
        browser.close()


class Journey:
    """One person's browser session: pages, screenshots named by step, accessibility checks."""

    def __init__(self, browser: Any, app: App, tmp: Path) -> None:
        self.app, self.tmp = app, tmp
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def goto(self, path: str) -> Any:
        self.page.goto(self.app.url + path)
        return self.page

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.app.profile}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def no_serious_accessibility_violations(self, where: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        violations = Axe().run(self.page).response["violations"]
        serious = [f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes'][:3]]}"
                   for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, f"{where}: " + "; ".join(serious)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def journey_factory(browser: Any, tmp_path: Path) -> Iterator[Callable[[App], Journey]]:
    journeys: list[Journey] = []

    def make(app: App) -> Journey:
        journeys.append(Journey(browser, app, tmp_path))
        return journeys[-1]

    yield make
    for journey in journeys:
        journey.close()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
