"""Serving the single-page app: its routes get index.html, assets come hashed, compressed and cached."""

from __future__ import annotations

import gzip
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
ASSET = "assets/index-AbCd1234.js"
INDEX = f'<!doctype html><html><head><script type="module" src="/static/{ASSET}"></script></head></html>'


def fake_build(dist: Path) -> Path:
    """A build shaped like Vite's: index.html naming a content-hashed script under assets/."""
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / ASSET).write_text("export const answer = 42;\n" * 400)
    (dist / "assets" / "index-Zz9_x-1Q.css").write_text("body { color: #222; }\n" * 100)
    return dist


@pytest.fixture
def built(tmp_path: Path, settings) -> Path:
    settings.GENRELENS_FRONTEND_DIST = fake_build(tmp_path / "dist")
    return settings.GENRELENS_FRONTEND_DIST


@pytest.mark.parametrize("path", ["/", "/taste", "/tracks/4uLU6hMCjMI75M1A2tKUQC", "/compare/abc?x=1",
                                  "/restaurants", "/statistics"])
def test_app_routes_answer_with_the_app_page(built: Path, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert response.content.decode() == INDEX
    assert response["Cache-Control"] == "no-cache"
    assert response.cookies["csrftoken"].value, "the app sends it back on its writes"


@pytest.mark.parametrize("path", ["/rest/no-such-endpoint", "/static/missing.js", "/connect/x", "/admin/nope"])
def test_api_static_and_admin_paths_never_get_the_app_page(built: Path, path: str) -> None:
    response = Client().get(path)
    assert response.status_code in (302, 404)  # the admin sends strangers to its login page
    assert INDEX.encode() not in response.content


def test_writes_to_an_app_route_are_refused(built: Path) -> None:
    assert Client().post("/taste").status_code == 405


def test_an_unbuilt_app_says_how_to_build_it(tmp_path: Path, settings) -> None:
    settings.GENRELENS_FRONTEND_DIST = tmp_path / "never-built"
    response = Client().get("/")
    assert response.status_code == 503
    assert b"make frontend" in response.content


def test_collectstatic_keeps_vites_names_compresses_them_and_hashes_djangos(built: Path, tmp_path: Path,
                                                                              settings) -> None:
    settings.STATICFILES_DIRS = [built]
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    root = settings.STATIC_ROOT
    assert gzip.decompress((root / f"{ASSET}.gz").read_bytes()) == (built / ASSET).read_bytes()
    assert not list((root / "assets").glob("index-AbCd1234.*.js")), "Vite's assets are not hashed twice"
    assert list((root / "admin" / "css").glob("base.[0-9a-f]*.css")), "Django's files get hashed names"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    env = {**os.environ, "GENRELENS_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": "",
           "GENRELENS_FRONTEND_DIST": str(fake_build(tmp_path / "dist"))}
    process = subprocess.Popen([sys.executable, "-m", "genrelens.cli", "serve", "--port", "0", "--workers", "2",
                                "--no-worker"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield wait_listening(process), process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(process: subprocess.Popen[str], timeout: float = 180.0) -> str:
    """gunicorn's `Listening at: URL` line, then until a worker answers; its output is drained after."""
    assert process.stdout is not None
    deadline, url = time.monotonic() + timeout, ""
    while not url and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        if match := re.search(r"Listening at: (http://\S+)", line):
            url = match.group(1)
    assert url, "no Listening line"
    # A full pipe would block the server's logging, so keep reading what it prints.
    threading.Thread(target=lambda: [None for _ in process.stdout or ()], daemon=True).start()
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/static/" + ASSET, timeout=30)
            return url
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise AssertionError("no worker answered")


@pytest.mark.slow
def test_serve_runs_gunicorn_workers_serving_the_app_and_its_long_cached_assets(server) -> None:
    url, process = server
    page = requests.get(url + "/library/liked", timeout=10)
    assert page.status_code == 200 and page.text == INDEX and page.headers["Server"] == "gunicorn"
    asset = requests.get(url + "/static/" + ASSET, headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert asset.status_code == 200 and asset.headers["Content-Encoding"] == "gzip"
    assert asset.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    admin_css = re.search(r"/static/admin/css/base\.[0-9a-f]{12}\.css", requests.get(url + "/admin/login/",
                                                                                     timeout=10).text)
    assert admin_css, "admin pages name the hashed copies"
    assert "immutable" in requests.get(url + admin_css.group(0), timeout=10).headers["Cache-Control"]
    workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert len(workers) == 2


def gunicorn_workers(master: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return {int(pid) for pid in out.split()}


@pytest.mark.slow
def test_a_gunicorn_worker_killed_mid_request_is_replaced_and_the_half_upload_leaves_nothing(
        server, tmp_path: Path) -> None:
    url, process = server
    host, port = url.removeprefix("http://").split(":")
    before = gunicorn_workers(process.pid)
    head = (b"--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"song.wav\"\r\n"
            b"Content-Type: audio/wav\r\n\r\nRIFF" + b"\0" * 4000)
    with socket.create_connection((host, int(port)), timeout=30) as upload:
        upload.sendall(b"POST /rest/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       b"Content-Type: multipart/form-data; boundary=X\r\nContent-Length: 400000\r\n\r\n" + head)
        time.sleep(1.0)  # a worker is now reading a body that never comes
        for pid in before:
            os.kill(pid, signal.SIGKILL)
        assert upload.recv(1024) == b""  # the connection is dropped, not answered from a half body
    deadline = time.monotonic() + 120
    while not (len(gunicorn_workers(process.pid) - before) == 2 and _answers(url)):
        assert time.monotonic() < deadline and process.poll() is None, "the master did not replace its workers"
        time.sleep(0.2)
    db = tmp_path / "var" / "genrelens.sqlite3"
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM jobs_job").fetchone() == (0,)
    uploads = tmp_path / "var" / "media" / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


def _answers(url: str) -> bool:
    try:
        return requests.get(url + "/rest/schema", timeout=10).status_code == 200
    except requests.RequestException:
        return False
