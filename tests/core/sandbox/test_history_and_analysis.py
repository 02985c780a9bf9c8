"""GET /v1/me/player/recently-played and GET /v1/audio-analysis/{id} over real HTTP."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.conftest_sandbox import SandboxHandle

PLAYED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def get(sandbox: SandboxHandle, path: str, token: str, **params: Any) -> requests.Response:
    url = path if path.startswith("http") else sandbox.api_base + path
    return requests.get(url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=30)


@pytest.fixture(params=["legacy_sandbox", "devmode_sandbox"], ids=["legacy", "devmode"])
def sandbox(request: pytest.FixtureRequest) -> SandboxHandle:
    handle: SandboxHandle = request.getfixturevalue(request.param)
    return handle


def ann(sandbox: SandboxHandle, scope: str | None = None) -> str:
    token: str = (sandbox.user_token("ann", scope) if scope else sandbox.user_token("ann"))["access_token"]
    return token


def millis(item: dict[str, Any]) -> int:
    """played_at as the Unix milliseconds the cursors count in."""
    moment = datetime.strptime(item["played_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


# --- recently played --------------------------------------------------------------------------


def test_recently_played_lists_the_last_fifty_plays_newest_first(sandbox):
    body = get(sandbox, "me/player/recently-played", ann(sandbox), limit=50).json()
    items = body["items"]
    assert len(items) == 50 and body["limit"] == 50 and body["next"] is None
    assert all(PLAYED_AT.match(i["played_at"]) for i in items)
    times = [millis(i) for i in items]
    assert times == sorted(times, reverse=True) and len(set(times)) == 50
    assert body["cursors"] == {"after": str(times[0]), "before": str(times[-1])}
    for item in items:
        context = item["context"]
        assert context["type"] in ("playlist", "album")
        assert context["uri"] == f"spotify:{context['type']}:{context['href'].rsplit('/', 1)[1]}"
        assert item["track"]["type"] == "track" and item["track"]["id"]
    # plays come in sessions: consecutive plays from one context
    assert len({i["context"]["uri"] for i in items}) < 30


def test_before_cursors_page_back_to_the_oldest_play(sandbox):
    token = ann(sandbox)
    everything = get(sandbox, "me/player/recently-played", token, limit=50).json()["items"]
    page = get(sandbox, "me/player/recently-played", token).json()  # Spotify's default: 20
    seen: list[dict[str, Any]] = []
    while True:
        seen += page["items"]
        if page["next"] is None:
            break
        assert f"before={page['cursors']['before']}" in page["next"]
        page = get(sandbox, page["next"], token).json()
    assert [len(seen), seen] == [50, everything]


def test_after_cursor_returns_the_plays_just_after_it(sandbox):
    token = ann(sandbox)
    everything = get(sandbox, "me/player/recently-played", token, limit=50).json()["items"]
    cursor = millis(everything[30])
    page = get(sandbox, "me/player/recently-played", token, after=cursor, limit=10).json()
    assert page["items"] == everything[20:30]
    assert f"after={millis(everything[20])}" in page["next"]
    newer = get(sandbox, page["next"], token).json()
    assert newer["items"] == everything[10:20]
    last = get(sandbox, "me/player/recently-played", token, after=millis(everything[3])).json()
    assert last["items"] == everything[:3] and last["next"] is None


def test_an_idle_listener_has_a_shorter_history(legacy_sandbox):
    token = legacy_sandbox.user_token("cem")["access_token"]
    body = get(legacy_sandbox, "me/player/recently-played", token, limit=50).json()
    assert len(body["items"]) == 12 and body["next"] is None


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 51}, {"before": "yesterday"},
                                    {"before": 1, "after": 1}], ids=["limit0", "limit51", "text", "both"])
def test_bad_recently_played_parameters_are_400(legacy_sandbox, params):
    response = get(legacy_sandbox, "me/player/recently-played", ann(legacy_sandbox), **params)
    assert response.status_code == 400 and response.json()["error"]["status"] == 400


def test_recently_played_needs_its_scope_and_a_user(legacy_sandbox):
    without = ann(legacy_sandbox, "user-read-private user-library-read")
    for token in (without, legacy_sandbox.client_token()):
        response = get(legacy_sandbox, "me/player/recently-played", token)
        assert response.status_code == 403
        assert response.json() == {"error": {"status": 403, "message": "Insufficient client scope"}}


# --- audio analysis ---------------------------------------------------------------------------


@pytest.fixture
def analysed(legacy_sandbox: SandboxHandle) -> tuple[dict[str, Any], dict[str, Any]]:
    token = legacy_sandbox.client_token()
    track_id = legacy_sandbox.catalog_info()["examples"]["track_ids"][0]
    features = get(legacy_sandbox, f"audio-features/{track_id}", token).json()
    return get(legacy_sandbox, f"audio-analysis/{track_id}", token).json(), features


def test_the_analysis_follows_the_tracks_features(analysed):
    analysis, features = analysed
    track = analysis["track"]
    for key in ("tempo", "key", "mode", "time_signature"):
        assert track[key] == features[key]
    assert track["duration"] == features["duration_ms"] / 1000
    assert track["num_samples"] == round(track["duration"] * track["analysis_sample_rate"])
    beats = analysis["beats"]
    period = sum(b["duration"] for b in beats) / len(beats)
    assert period == pytest.approx(60 / features["tempo"], rel=0.02)
    bar_starts = [b["start"] for b in analysis["bars"]]
    assert bar_starts == [b["start"] for b in beats[:: features["time_signature"]]]
    assert len(analysis["tatums"]) == 2 * len(beats)
    assert beats[0]["start"] > 0 and beats[-1]["start"] < track["duration"]


def test_sections_and_segments_cover_the_track_without_gaps(analysed):
    analysis, features = analysed
    duration = analysis["track"]["duration"]
    for kind in ("sections", "segments"):
        parts = analysis[kind]
        assert parts[0]["start"] == 0.0
        for before, after in itertools.pairwise(parts):
            assert after["start"] == pytest.approx(before["start"] + before["duration"], abs=2e-5)
        assert parts[-1]["start"] + parts[-1]["duration"] == pytest.approx(duration, abs=2e-5)
    assert all(s["key"] == features["key"] and s["mode"] == features["mode"] for s in analysis["sections"])
    segments = analysis["segments"]
    assert 2.5 < len(segments) / duration < 6  # about four sound events a second
    assert all(max(s["pitches"]) == 1.0 and len(s["timbre"]) == 12 for s in segments)
    assert all(s["loudness_end"] == n["loudness_start"] for s, n in itertools.pairwise(segments))
    tonic = [s["pitches"][features["key"]] for s in segments]
    off_key = [s["pitches"][(features["key"] + 1) % 12] for s in segments]
    assert sum(tonic) > 1.5 * sum(off_key)  # the key's tonic dominates its neighbour a semitone up


def test_the_analysis_is_the_same_every_time_and_differs_between_tracks(legacy_sandbox):
    token = legacy_sandbox.client_token()
    first, second = legacy_sandbox.catalog_info()["examples"]["track_ids"][:2]
    one = get(legacy_sandbox, f"audio-analysis/{first}", token).json()
    assert get(legacy_sandbox, f"audio-analysis/{first}", token).json() == one
    other = get(legacy_sandbox, f"audio-analysis/{second}", token).json()
    assert other["beats"] != one["beats"]


def test_unknown_and_malformed_ids(legacy_sandbox):
    token = legacy_sandbox.client_token()
    assert get(legacy_sandbox, "audio-analysis/unknown0000000000000000", token).status_code == 404
    assert get(legacy_sandbox, "audio-analysis/not-an-id", token).status_code == 400


def test_dev_mode_apps_get_403_without_a_message(devmode_sandbox):
    track_id = devmode_sandbox.catalog_info()["examples"]["track_ids"][0]
    response = get(devmode_sandbox, f"audio-analysis/{track_id}", ann(devmode_sandbox))
    assert response.status_code == 403 and response.json() == {"error": {"status": 403}}


# --- stats, latency, faults -------------------------------------------------------------------

NEW_ROUTES = ("/v1/me/player/recently-played", "/v1/audio-analysis/{id}")


def paths_of(sandbox: SandboxHandle) -> dict[str, str]:
    track_id = sandbox.catalog_info()["examples"]["track_ids"][0]
    return {NEW_ROUTES[0]: "me/player/recently-played", NEW_ROUTES[1]: f"audio-analysis/{track_id}"}


def test_the_new_routes_are_counted_by_template(legacy_sandbox):
    token = ann(legacy_sandbox)
    legacy_sandbox.reset_stats()
    for path in paths_of(legacy_sandbox).values():
        for _ in range(3):
            assert get(legacy_sandbox, path, token).status_code == 200
    by_endpoint = legacy_sandbox.stats()["by_endpoint"]
    assert {route: by_endpoint[f"GET {route}"] for route in NEW_ROUTES} == dict.fromkeys(NEW_ROUTES, 3)


def test_latency_and_scripted_faults_apply_to_the_new_routes(legacy_sandbox):
    token = ann(legacy_sandbox)
    paths = paths_of(legacy_sandbox)
    legacy_sandbox.set_faults(script=[{"path": route, "status": 503} for route in NEW_ROUTES] + [
        {"path": NEW_ROUTES[0], "status": 429, "retry_after": 4}])
    for path in paths.values():
        assert get(legacy_sandbox, path, token).status_code == 503
    limited = get(legacy_sandbox, paths[NEW_ROUTES[0]], token)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "4"
    legacy_sandbox.set_faults(latency_ms=150)
    for path in paths.values():
        start = time.perf_counter()
        assert get(legacy_sandbox, path, token).status_code == 200
        assert time.perf_counter() - start >= 0.15


def test_random_faults_reach_the_new_routes(legacy_sandbox):
    token = ann(legacy_sandbox)
    legacy_sandbox.set_faults(rate_5xx=1.0)
    for path in paths_of(legacy_sandbox).values():
        assert get(legacy_sandbox, path, token).status_code in (500, 502, 503)
