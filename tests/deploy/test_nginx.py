"""The production layout: Debian's nginx in front of gunicorn (deploy/), both on loopback."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.web.test_serving import ASSET, INDEX, fake_build, free_port, wait_listening

ROOT = Path(__file__).resolve().parents[2]
NGINX = Path("/usr/sbin/nginx")
MAX_BODY = 200_000

pytestmark = [pytest.mark.deploy,
              pytest.mark.skipif(not NGINX.exists(), reason="nginx is missing: `make test-e2e` installs it")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn on deploy/gunicorn.conf.py and nginx on the rendered deploy/nginx.conf; nginx's URL."""
    tmp = tmp_path_factory.mktemp("deploy")
    upstream, listen = f"127.0.0.1:{free_port()}", free_port()
    env = {**os.environ, "GENRELENS_VAR_DIR": str(tmp / "var"), "DATABASE_URL": "", "DEBUG": "0",
           "GENRELENS_FRONTEND_DIST": str(fake_build(tmp / "dist")), "GENRELENS_BIND": upstream,
           "WEB_CONCURRENCY": "2", "GENRELENS_UPLOAD_MAX_BYTES": str(MAX_BODY),
           "NGINX_LISTEN": f"127.0.0.1:{listen}", "NGINX_SERVER_NAME": "localhost"}
    genrelens = [sys.executable, "-m", "genrelens.cli"]
    subprocess.run([*genrelens, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*genrelens, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    nginx = None
    try:
        wait_listening(gunicorn)
        nginx = start_nginx(tmp, env)
        yield f"http://127.0.0.1:{listen}"
    finally:
        for process in (nginx, gunicorn):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def start_nginx(tmp: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """nginx in the foreground (a child of this test), every file it writes under tmp."""
    site = subprocess.run([str(ROOT / "deploy" / "render-nginx.sh")], env=env, capture_output=True, text=True,
                          check=True).stdout
    site = site.replace("/var/log/nginx/genrelens.access.log", str(tmp / "access.log"))
    (tmp / "site.conf").write_text(site)
    temp = tmp / "nginx-temp"
    temp.mkdir()
    # nginx's workers drop to `nobody`, who cannot read pytest's private tmp dirs: keep root's user.
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(f"""{user}
daemon off; master_process on; worker_processes 1; pid {tmp}/nginx.pid; error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
  include {tmp}/site.conf;
}}
""")
    check = subprocess.run([str(NGINX), "-t", "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([str(NGINX), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # A file nginx serves itself: the probe waits for nginx, not for a busy gunicorn.
    url = f"http://{env['NGINX_LISTEN']}/static/{ASSET}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return process
        except (requests.ConnectionError, requests.Timeout):
            assert process.poll() is None, (tmp / "error.log").read_text()
            time.sleep(0.1)
    raise AssertionError("nginx did not answer")


def test_app_routes_get_the_app_page_through_nginx_never_cached_with_a_csrf_cookie(site: str) -> None:
    page = requests.get(site + "/taste", timeout=60)
    assert page.status_code == 200 and page.text == INDEX
    assert page.headers["Server"].startswith("nginx") and page.headers["Cache-Control"] == "no-cache"
    assert page.cookies.get("csrftoken")


def test_hashed_assets_come_gzipped_and_cached_for_a_year(site: str) -> None:
    asset = requests.get(f"{site}/static/{ASSET}", headers={"Accept-Encoding": "gzip"}, timeout=10, stream=True)
    assert asset.status_code == 200 and asset.headers["Content-Encoding"] == "gzip"
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(asset.raw.read()).startswith(b"export const answer")
    unhashed = requests.get(f"{site}/static/index.html", timeout=10)
    assert unhashed.headers["Cache-Control"] == "public, max-age=300"


def test_the_api_answers_through_nginx(site: str) -> None:
    schema = requests.get(site + "/rest/schema", timeout=30)
    assert schema.status_code == 200 and "openapi" in schema.text
    assert schema.headers["Server"].startswith("nginx")
    me = requests.get(site + "/rest/me", timeout=30)
    assert me.status_code == 200 and me.json()["connected"] is False
    assert requests.get(site + "/rest/no-such-thing", timeout=30).status_code == 404


def test_admin_pages_name_hashed_static_files_that_nginx_serves(site: str) -> None:
    login = requests.get(site + "/admin/login/", timeout=30)
    assert login.status_code == 200
    css = re.search(r"/static/admin/css/base\.[0-9a-f]{12}\.css", login.text)
    assert css
    assert "immutable" in requests.get(site + css.group(0), timeout=10).headers["Cache-Control"]


def test_uploads_larger_than_the_limit_stop_at_nginx(site: str) -> None:
    too_big = requests.post(site + "/rest/uploads", files={"file": ("a.wav", b"\0" * (MAX_BODY + 1))},
                            timeout=30)
    assert too_big.status_code == 413 and too_big.headers["Server"].startswith("nginx")


def test_the_access_log_never_holds_a_query_string(site: str, tmp_path_factory) -> None:
    requests.get(site + "/connect?code=secret-one-time-code&state=s", timeout=30)
    logs = list(tmp_path_factory.getbasetemp().glob("deploy*/access.log"))
    assert logs and "/connect" in logs[0].read_text()
    assert "secret-one-time-code" not in logs[0].read_text()
