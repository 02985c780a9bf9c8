"""The server entry points used in-process (benchmarks, the lead's CLI)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from genrelens.core.sandbox import SandboxConfig, parse_config, start_in_thread
from genrelens.core.sandbox.server import SandboxHTTPServer
from genrelens.core.sandbox.synthetic import build_synthetic


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxHTTPServer]:
    config = SandboxConfig(port=0, profile="devmode-2026", seed=2, tracks=500)
    running = start_in_thread(config, build_synthetic(seed=2, n_tracks=500))
    yield running
    running.shutdown()
    running.server_close()


def test_a_thread_server_answers_on_its_own_port(server):
    info = requests.get(server.base_url + "/_sandbox/catalog", timeout=10).json()
    assert info["profile"] == "devmode-2026" and info["counts"]["tracks"] == 500


def test_links_follow_the_host_header_the_client_used(server):
    port = server.server_address[1]
    token = requests.post(server.base_url + "/api/token", data={"grant_type": "client_credentials"},
                          auth=("genrelens-sandbox", "genrelens-sandbox-secret"), timeout=10).json()["access_token"]
    page = requests.get(f"http://localhost:{port}/v1/search", params={"q": "pop", "type": "playlist"},
                        headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["playlists"]
    assert page["next"].startswith(f"http://localhost:{port}/v1/search?")
    assert page["items"][0]["href"].startswith(f"http://localhost:{port}/v1/playlists/")


def test_wrong_method_is_405_in_spotifys_error_shape(server):
    response = requests.post(server.base_url + "/v1/me", timeout=10)
    assert response.status_code == 405
    assert response.json() == {"error": {"status": 405, "message": "Method not allowed"}}


def test_config_is_validated():
    with pytest.raises(ValueError, match="profile"):
        SandboxConfig(profile="2019")
    with pytest.raises(ValueError, match="latency"):
        SandboxConfig(latency_ms=-1)
    config = parse_config(["--port", "0", "--profile", "devmode-2026", "--auto-approve", "--latency-ms", "5"])
    assert (config.port, config.legacy, config.auto_approve, config.latency_ms) == (0, False, True, 5.0)
