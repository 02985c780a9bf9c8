"""The ReccoBeats audio-features route: batch limit, unknown ids left out, its own numbers."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.conftest_sandbox import SandboxHandle

FEATURES = {"acousticness", "danceability", "energy", "instrumentalness", "key", "liveness", "loudness",
            "mode", "speechiness", "tempo", "valence"}


def recco(sandbox: SandboxHandle, ids: list[str] | str) -> requests.Response:
    params = {"ids": ids if isinstance(ids, str) else ",".join(ids)}
    return requests.get(sandbox.reccobeats_base + "/audio-features", params=params, timeout=10)


@pytest.fixture
def examples(legacy_sandbox: SandboxHandle) -> dict[str, Any]:
    result: dict[str, Any] = legacy_sandbox.catalog_info()["examples"]
    return result


def test_items_carry_a_uuid_an_open_spotify_href_and_eleven_features(legacy_sandbox, examples):
    known = [t for t in examples["track_ids"] if t not in examples["reccobeats_unknown_track_ids"]]
    content = recco(legacy_sandbox, known).json()["content"]
    assert [c["href"].rsplit("/", 1)[1] for c in content] == known
    item = content[0]
    assert len(item["id"]) == 36 and item["id"].count("-") == 4
    assert item["href"] == f"https://open.spotify.com/track/{known[0]}"
    assert set(item) == FEATURES | {"id", "href", "isrc"}


def test_unknown_ids_are_left_out_not_nulled(legacy_sandbox, examples):
    unknown = examples["reccobeats_unknown_track_ids"][:2]
    known = [t for t in examples["track_ids"] if t not in unknown][:2]
    content = recco(legacy_sandbox, [unknown[0], known[0], "nothing0000000000000000", known[1]]).json()
    assert [c["href"].rsplit("/", 1)[1] for c in content["content"]] == known


def test_repeated_ids_parameters_work_too(legacy_sandbox, examples):
    known = [t for t in examples["track_ids"] if t not in examples["reccobeats_unknown_track_ids"]][:2]
    response = requests.get(legacy_sandbox.reccobeats_base + "/audio-features", params=[("ids", k) for k in known],
                            timeout=10)
    assert len(response.json()["content"]) == 2


def test_more_than_forty_ids_is_a_400_in_reccobeats_style(legacy_sandbox, examples):
    response = recco(legacy_sandbox, [examples["track_ids"][0]] * 41)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["code"] == 4004 and "40" in body["message"]
    assert recco(legacy_sandbox, [examples["track_ids"][0]] * 40).status_code == 200


def test_numbers_differ_slightly_and_deterministically_from_spotify(legacy_sandbox, examples):
    token = legacy_sandbox.client_token()
    known = [t for t in examples["track_ids"] if t not in examples["reccobeats_unknown_track_ids"]]
    spotify = requests.get(legacy_sandbox.api_base + "audio-features", params={"ids": ",".join(known)},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["audio_features"]
    first = recco(legacy_sandbox, known).json()["content"]
    assert first == recco(legacy_sandbox, known).json()["content"]
    for theirs, ours in zip(spotify, first, strict=True):
        assert ours["energy"] != theirs["energy"] and abs(ours["energy"] - theirs["energy"]) < 0.2
        assert abs(ours["tempo"] - theirs["tempo"]) / theirs["tempo"] < 0.06


def test_known_share_is_about_ninety_percent(legacy_sandbox):
    counts = legacy_sandbox.catalog_info()["counts"]
    assert 0.85 <= counts["reccobeats_known"] / counts["tracks"] <= 0.9


def test_served_in_devmode_too_without_auth(devmode_sandbox):
    track = devmode_sandbox.catalog_info()["examples"]["track_ids"]
    assert recco(devmode_sandbox, track).status_code == 200
