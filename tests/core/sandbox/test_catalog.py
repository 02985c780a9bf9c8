"""The synthetic catalog (deterministic, realistic) and the catalog built from a dataset file."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import requests

from genrelens.core.sandbox.catalog import SPOTIFY_USER_ID
from genrelens.core.sandbox.features import load_profiles
from genrelens.core.sandbox.synthetic import build_synthetic
from tests.conftest_sandbox import REPO_ROOT, user_token


@pytest.fixture(scope="module")
def catalog():
    return build_synthetic(seed=3, n_tracks=3000)


def test_same_seed_same_catalog_other_seed_other_catalog(catalog):
    again = build_synthetic(seed=3, n_tracks=3000)
    assert list(again.tracks) == list(catalog.tracks)
    assert [t.features for t in again.tracks.values()] == [t.features for t in catalog.tracks.values()]
    assert {p.id: p.track_ids for p in again.playlists.values()} == {
        p.id: p.track_ids for p in catalog.playlists.values()}
    other = build_synthetic(seed=4, n_tracks=3000)
    assert set(other.tracks).isdisjoint(catalog.tracks)


def test_every_track_is_in_a_playlist_and_some_in_several(catalog):
    counts = Counter(t for p in catalog.playlists.values() for t in p.track_ids)
    assert set(counts) == set(catalog.tracks)
    assert sum(1 for c in counts.values() if c > 1) > len(catalog.tracks) // 10


def test_playlists_are_named_after_subgenres_with_long_ones(catalog):
    names = [p.name.lower() for p in catalog.playlists.values()]
    for sub in ("dance pop", "gangster rap", "hard rock", "big room", "reggaeton", "death metal"):
        assert sum(sub in n for n in names) >= 3
    sizes = [len(p.track_ids) for p in catalog.playlists.values()]
    assert any(s > 100 for s in sizes) and any(50 < s <= 100 for s in sizes)
    owners = Counter(p.owner_id for p in catalog.playlists.values())
    assert owners[SPOTIFY_USER_ID] > 10 and owners["ann"] and owners["ben"] and owners["cem"]


def test_users_have_libraries_and_one_is_idle(catalog):
    users = {u.id: u for u in catalog.sandbox_users()}
    assert set(users) == {"ann", "ben", "cem"}
    assert users["cem"].playing is None and users["ann"].playing and users["ben"].playing
    for user in users.values():
        assert user.liked and all(len(user.top[r]) >= 40 for r in ("short_term", "medium_term", "long_term"))


def test_feature_distributions_follow_the_derived_genre_profiles():
    catalog = build_synthetic(seed=1, n_tracks=6000)
    profiles = load_profiles()
    columns = profiles["audio_columns"]
    by_genre: dict[str, list[dict]] = {}
    for track in catalog.tracks.values():
        by_genre.setdefault(track.genre, []).append(track.features)
    for genre, profile in (("pop", "pop"), ("hip hop", "rap"), ("edm", "edm"), ("latin", "latin")):
        for name in ("danceability", "energy", "speechiness", "valence"):
            drawn = np.mean([f[name] for f in by_genre[genre]])
            expected = profiles["genres"][profile]["mean"][columns.index(name)]
            assert abs(drawn - expected) < 0.05, (genre, name, drawn, expected)
    mean = {g: np.mean([f["speechiness"] for f in fs]) for g, fs in by_genre.items()}
    assert mean["hip hop"] > 2 * mean["rock"]
    energy = {g: np.mean([f["energy"] for f in fs]) for g, fs in by_genre.items()}
    dance = {g: np.mean([f["danceability"] for f in fs]) for g, fs in by_genre.items()}
    assert energy["metal"] > energy["rock"] and dance["metal"] < dance["rock"]
    edm = by_genre["edm"]
    assert np.corrcoef([f["energy"] for f in edm], [f["loudness"] for f in edm])[0, 1] > 0.4


def test_too_small_a_catalog_is_refused():
    with pytest.raises(ValueError, match="at least 100"):
        build_synthetic(seed=0, n_tracks=10)


TIDY_HEADER = ["track_id", "track_name", "track_artist", "track_popularity", "track_album_name", "release_year",
               "playlist_genre", "playlist_subgenre", "danceability", "energy", "speechiness", "acousticness",
               "instrumentalness", "liveness", "valence", "tempo", "loudness", "duration_min"]


def write_tidy_csv(path: Path, n: int = 60) -> list[list[str]]:
    rows = []
    subs = (("pop", "dance pop"), ("rap", "gangster rap"), ("rock", "hard rock"))
    for i in range(n):
        genre, sub = subs[i % 3]
        track_id = f"{i:022d}".replace("0", "A", 3)
        rows.append([track_id, f"Song {i}", f"Artist {i % 7}", str(i % 100), f"Album {i % 11}", str(2000 + i % 20),
                     genre, sub, f"{0.3 + i / 200:.3f}", "0.7", "0.05", "0.1", "0.0", "0.12", "0.5",
                     f"{100 + i:.1f}", "-6.5", "3.5"])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(TIDY_HEADER)
        writer.writerows(rows)
    return rows


def test_a_dataset_file_becomes_the_served_catalog(sandbox_factory, tmp_path):
    rows = write_tidy_csv(tmp_path / "songs.csv")
    sandbox = sandbox_factory("legacy", extra_args=("--catalog", str(tmp_path / "songs.csv")))
    sandbox.reset()
    info = sandbox.catalog_info()
    assert info["counts"]["tracks"] == 60 and info["source"].startswith("dataset:songs.csv")
    token = sandbox.client_token()
    headers = {"Authorization": f"Bearer {token}"}
    found = requests.get(sandbox.api_base + "search", params={"q": "gangster rap", "type": "playlist"},
                         headers=headers, timeout=10).json()["playlists"]["items"]
    assert found and found[0]["name"] == "gangster rap"
    items = requests.get(found[0]["href"] + "/items", headers=headers, timeout=10).json()["items"]
    by_id = {r[0]: r for r in rows}
    assert {i["track"]["id"] for i in items} <= set(by_id)
    first = items[0]["track"]
    assert first["name"] == by_id[first["id"]][1] and first["artists"][0]["name"] == by_id[first["id"]][2]
    features = requests.get(sandbox.api_base + "audio-features", params={"ids": first["id"]}, headers=headers,
                            timeout=10).json()["audio_features"][0]
    assert features["tempo"] == pytest.approx(float(by_id[first["id"]][15]))
    assert features["duration_ms"] == 210000 and features["key"] is None  # the file has no key
    artist = requests.get(first["artists"][0]["href"], headers=headers, timeout=10).json()
    best = max(int(r[3]) for r in rows if r[2] == artist["name"])
    assert artist["popularity"] == best
    me = requests.get(sandbox.api_base + "me/tracks", timeout=10, headers={
        "Authorization": f"Bearer {user_token(sandbox, 'ann')['access_token']}"}).json()
    assert me["total"] > 0 and me["items"][0]["track"]["id"] in by_id


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "genrelens.core.sandbox", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=30)


def test_cli_rejects_a_missing_dataset_naming_it(tmp_path):
    result = run_cli("--port", "0", "--catalog", str(tmp_path / "absent.csv"))
    assert result.returncode == 2 and "absent.csv" in result.stderr


def test_cli_rejects_an_unknown_profile():
    result = run_cli("--profile", "2019")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_profiles_file_is_small_and_from_the_shared_data():
    path = Path(__file__).parents[3] / "genrelens" / "core" / "sandbox" / "feature_profiles.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert path.stat().st_size < 16_000 and data["rows"] > 10_000
    assert set(data["genres"]) == {"edm", "latin", "pop", "r&b", "rap", "rock"}


SHARED_CSV = Path(__file__).parents[3] / ".." / "shared" / "data" / "tidytuesday-songs-dev.csv"


@pytest.mark.shared_data
def test_committed_profiles_are_what_the_script_derives_from_the_shared_data():
    if not SHARED_CSV.is_file():
        pytest.skip(f"shared data absent: {SHARED_CSV}")
    from genrelens.core.sandbox.derive_profiles import derive

    derived = json.loads(json.dumps(derive(SHARED_CSV)))
    committed = load_profiles()
    assert derived == committed


FINGERPRINT = """
import hashlib, json
from genrelens.core.sandbox.synthetic import build_synthetic
c = build_synthetic(7, 1000)
blob = json.dumps([[t.id, t.name, t.features, t.artist_ids] for t in c.tracks.values()]
                  + [[p.id, p.name, p.owner_id, p.track_ids] for p in c.playlists.values()]
                  + [[u.id, u.liked, u.top, u.playing] for u in c.users.values()])
print(hashlib.sha256(blob.encode()).hexdigest())
"""


def test_the_catalog_does_not_depend_on_pythons_hash_seed():
    prints = {
        subprocess.run([sys.executable, "-c", FINGERPRINT], cwd=REPO_ROOT, capture_output=True, text=True,
                       timeout=60, env={"PYTHONHASHSEED": seed, "PATH": ""}, check=True).stdout
        for seed in ("1", "2")
    }
    assert len(prints) == 1
