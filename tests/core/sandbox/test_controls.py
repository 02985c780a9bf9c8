"""Fault knobs, scripted faults and request stats of the /_sandbox/ controls."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest_sandbox import SandboxHandle


def get(sandbox: SandboxHandle, path: str, token: str, **params: Any) -> requests.Response:
    return requests.get(sandbox.api_base + path, params=params, headers={"Authorization": f"Bearer {token}"},
                        timeout=10)


@pytest.fixture
def token(legacy_sandbox: SandboxHandle) -> str:
    return legacy_sandbox.client_token()


def test_stats_count_by_route_template_and_status(legacy_sandbox, token):
    examples = legacy_sandbox.catalog_info()["examples"]
    for track_id in examples["track_ids"][:3]:
        get(legacy_sandbox, f"tracks/{track_id}", token)
    get(legacy_sandbox, "tracks/unknownid0000000000000", token)
    stats = legacy_sandbox.stats()
    assert stats["by_endpoint"]["GET /v1/tracks/{id}"] == 4
    assert stats["by_endpoint"]["POST /api/token"] == 1
    assert stats["by_status"] == {"200": 4, "404": 1}
    assert stats["total"] == 5  # /_sandbox calls are not counted
    legacy_sandbox.reset_stats()
    assert legacy_sandbox.stats() == {"total": 0, "by_endpoint": {}, "by_status": {}}


def test_rate_429_answers_with_retry_after(legacy_sandbox, token):
    legacy_sandbox.set_faults(rate_429=1.0, retry_after=7)
    response = get(legacy_sandbox, "search", token, q="pop", type="playlist")
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert response.json() == {"error": {"status": 429, "message": "API rate limit exceeded"}}
    # The token endpoint is not hit by random faults, so clients can still authenticate.
    assert legacy_sandbox.client_token()


def test_rate_5xx_gives_server_errors_at_the_asked_share(legacy_sandbox, token):
    legacy_sandbox.set_faults(rate_5xx=0.5)
    statuses = [get(legacy_sandbox, "me/playlists", token).status_code for _ in range(60)]
    errors = sum(s >= 500 for s in statuses)
    assert set(statuses) <= {403, 500, 502, 503} and 15 <= errors <= 45


def test_random_faults_repeat_after_reset(legacy_sandbox, token):
    def run() -> list[int]:
        legacy_sandbox.reset()
        legacy_sandbox.set_faults(rate_429=0.3, rate_5xx=0.2)
        fresh = legacy_sandbox.client_token()
        return [get(legacy_sandbox, "search", fresh, q="pop", type="artist").status_code for _ in range(20)]

    assert run() == run()


def test_script_faults_are_consumed_in_order(legacy_sandbox, token):
    script = [{"path": "/v1/search", "status": 503, "count": 1},
              {"path": "/v1/search", "status": 429, "count": 2, "retry_after": 3}]
    state = legacy_sandbox.set_faults(script=script)
    assert state["script"][1]["count"] == 2
    statuses = [get(legacy_sandbox, "search", token, q="pop", type="track") for _ in range(4)]
    assert [r.status_code for r in statuses] == [503, 429, 429, 200]
    assert statuses[1].headers["Retry-After"] == "3"
    assert legacy_sandbox.faults()["script"] == []


def test_script_can_match_a_route_template(legacy_sandbox, token):
    examples = legacy_sandbox.catalog_info()["examples"]
    legacy_sandbox.set_faults(script=[{"path": "/v1/tracks/{id}", "status": 502}])
    assert get(legacy_sandbox, f"tracks/{examples['track_ids'][0]}", token).status_code == 502
    assert get(legacy_sandbox, f"tracks/{examples['track_ids'][0]}", token).status_code == 200


def test_bad_fault_knobs_are_rejected_with_a_reason(legacy_sandbox):
    response = requests.post(legacy_sandbox.base_url + "/_sandbox/faults", json={"rate_429": 2}, timeout=10)
    assert response.status_code == 400 and "between 0 and 1" in response.json()["error"]["message"]
    response = requests.post(legacy_sandbox.base_url + "/_sandbox/faults", json={"nope": 1}, timeout=10)
    assert response.status_code == 400 and "unknown fault knob" in response.json()["error"]["message"]


def test_reset_restores_faults(legacy_sandbox):
    legacy_sandbox.set_faults(rate_429=0.5, latency_ms=5, null_items=0.1)
    legacy_sandbox.reset()
    faults = legacy_sandbox.faults()
    assert faults["rate_429"] == 0 and faults["latency_ms"] == 0 and faults["null_items"] == 0


def test_playlist_item_faults_are_stable_across_pages(legacy_sandbox, token):
    legacy_sandbox.set_faults(null_items=0.2, local_items=0.2, episode_items=0.2)
    playlist = next(p for p in legacy_sandbox.users()[0]["owns"])

    def kinds() -> list[str]:
        page = get(legacy_sandbox, f"playlists/{playlist}/items", token,
                   additional_types="track,episode").json()
        out = []
        for item in page["items"]:
            body = item["item"]
            assert body == item["track"]
            out.append("null" if body is None else "local" if item["is_local"] else body["type"])
        return out

    first = kinds()
    assert first == kinds()
    assert {"null", "local", "episode", "track"} <= set(first)
    local = next(i for i in get(legacy_sandbox, f"playlists/{playlist}/items", token).json()["items"]
                 if i["is_local"])
    assert local["item"]["id"] is None and local["item"]["uri"].startswith("spotify:local:")


def test_episodes_are_null_unless_asked_for(legacy_sandbox, token):
    legacy_sandbox.set_faults(episode_items=1.0)
    playlist = legacy_sandbox.users()[0]["owns"][0]
    page = get(legacy_sandbox, f"playlists/{playlist}/items", token, additional_types="track").json()
    assert all(i["item"] is None for i in page["items"])


def test_latency_is_added(legacy_sandbox, token):
    legacy_sandbox.set_faults(latency_ms=150)
    response = get(legacy_sandbox, "search", token, q="pop", type="artist")
    assert response.elapsed.total_seconds() >= 0.15


def test_scripted_quota_429_carries_the_reason(legacy_sandbox, token):
    legacy_sandbox.set_faults(script=[{"path": "/v1/me/playlists", "status": 429, "retry_after": 30,
                                       "reason": "QUOTA_EXCEEDED"}])
    response = get(legacy_sandbox, "me/playlists", token)
    assert response.status_code == 429 and response.headers["Retry-After"] == "30"
    assert response.json() == {"error": {"status": 429, "message": "Too many requests",
                                         "reason": "QUOTA_EXCEEDED"}}


def test_script_can_fault_the_token_endpoint(legacy_sandbox):
    legacy_sandbox.set_faults(script=[{"path": "/api/token", "status": 503}])
    response = requests.post(legacy_sandbox.token_url, data={"grant_type": "client_credentials"},
                             auth=(legacy_sandbox.client_id, legacy_sandbox.client_secret), timeout=10)
    assert response.status_code == 503 and response.json()["error"] == "server_error"
    assert legacy_sandbox.client_token()


def test_null_search_items_blank_some_playlist_results_stably(legacy_sandbox, token):
    legacy_sandbox.set_faults(null_search_items=0.3)

    def ids() -> list[str | None]:
        page = get(legacy_sandbox, "search", token, q="pop", type="playlist,track", limit=50).json()
        assert None not in page["tracks"]["items"]  # only playlist results are blanked
        return [p and p["id"] for p in page["playlists"]["items"]]

    first = ids()
    assert first == ids() and None in first and any(first)


def test_reccobeats_faults_use_reccobeats_error_bodies(legacy_sandbox):
    legacy_sandbox.set_faults(rate_429=1.0, retry_after=4)
    response = requests.get(legacy_sandbox.reccobeats_base + "/audio-features", params={"ids": "x"}, timeout=10)
    assert response.status_code == 429 and response.headers["Retry-After"] == "4"
    assert response.json()["code"] == 4291
    assert legacy_sandbox.stats()["by_endpoint"] == {"GET /reccobeats/v1/audio-features": 1}
