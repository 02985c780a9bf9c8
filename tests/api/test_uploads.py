"""Uploading audio through the API: limits, background analysis, the analysis document."""

from __future__ import annotations

import io
import itertools
import time
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from genrelens.catalog.models import Track
from genrelens.core.audio.synth import drum_pattern, write_audio
from genrelens.core.ml.local_claims import measured_agreement
from genrelens.core.ml.local_model import POOLED_KEY
from genrelens.jobs.models import Job
from tests.conftest_jobs import worker_thread

pytestmark = pytest.mark.django_db(transaction=True)  # the job runs in the worker's thread


@pytest.fixture
def client(settings, tmp_path: Path) -> APIClient:
    settings.MEDIA_ROOT = tmp_path / "media"
    return APIClient()


@pytest.fixture
def drums(tmp_path: Path) -> Path:
    synth = drum_pattern(128.0, 8.0, style="four_on_the_floor")
    path = tmp_path / "drums.wav"
    write_audio(path, synth.samples, synth.sr)
    return path


def upload(client: APIClient, name: str, content: bytes):
    handle = io.BytesIO(content)
    handle.name = name
    return client.post("/rest/uploads", {"file": handle}, format="multipart")


def wait_for(client: APIClient, status_url: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(status_url).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"job still {body['status']} after {timeout} s")


def test_an_uploaded_file_is_analysed_in_the_background_and_served_with_its_beats(
        client: APIClient, drums: Path, settings, job_worker) -> None:
    response = upload(client, "drums.wav", drums.read_bytes())
    assert response.status_code == 202, response.json()
    assert response.json()["status"] in ("queued", "running", "done")
    job = wait_for(client, response.json()["status_url"])
    assert job["status"] == "done", job["error"]
    assert job["track_id"].startswith("local:")

    document = client.get(job["analysis_url"]).json()
    assert document["feature_source"] == "local" and document["track"]["is_local"]
    assert document["track"]["name"] == "drums"  # untagged: known by the name it had on the uploader's disk
    assert abs(document["features"]["tempo"] - 128) < 1.5
    assert document["sources"][0]["how"]["tempo"] == "measured"
    beats = document["rhythm"]["beats"]
    assert len(beats) > 10 and all(b2 > b1 for b1, b2 in itertools.pairwise(beats))
    confidence = document["rhythm"]["confidence"]  # shown beside each estimate in the app
    assert set(confidence) == {"tempo", "beats", "time_signature", "key"}
    assert confidence["tempo"] > 0.5  # a steady drum pattern: the tempo is no guess
    assert document["genres"] is None and "No genre model is active" in document["reason"]
    assert list((Path(settings.MEDIA_ROOT) / "uploads").iterdir()) == []  # deleted once analysed


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello", "unsupported type .txt"),
        ("song.mp3", b"just some text, not audio", "not audio of the type its name says"),
        ("big.wav", b"RIFF" + b"\0" * 3000, "larger than the limit of 2,048"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_error_and_nothing_is_stored(
        client: APIClient, settings, name: str, content: bytes, message: str) -> None:
    settings.GENRELENS_UPLOAD_MAX_BYTES = 2048
    response = upload(client, name, content)
    assert response.status_code in (400, 413)  # 413: the body was too large to be read at all
    error = response.json()["error"]
    assert error["status"] == response.status_code and message in error["message"]
    assert not Job.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "uploads").exists()


def test_a_corrupt_file_fails_its_job_with_the_reason(client: APIClient, settings, job_worker) -> None:
    response = upload(client, "broken.flac", b"fLaC" + b"\x00garbage" * 100)
    job = wait_for(client, response.json()["status_url"])
    assert job["status"] == "failed" and "unreadable or corrupt" in job["error"]
    assert job["track_id"] is None and not Track.objects.exists()
    assert list((Path(settings.MEDIA_ROOT) / "uploads").iterdir()) == []  # deleted on failure too


def test_an_unknown_track_and_upload_give_404_in_the_error_shape(client: APIClient) -> None:
    missing = client.get("/rest/analysis", {"track_id": "local:" + "ab" * 32})
    assert missing.status_code == 404 and "no track" in missing.json()["error"]["message"]
    assert client.get("/rest/uploads/6f1c3a52-1111-4a7e-9d55-3c2b1a0f9e77").status_code == 404


def test_the_openapi_schema_describes_the_endpoints(client: APIClient) -> None:
    schema = client.get("/rest/schema", HTTP_ACCEPT="application/json").json()
    assert {"/rest/uploads", "/rest/uploads/{job_id}", "/rest/analysis"} <= set(schema["paths"])


def test_an_upload_waits_in_the_queue_until_a_worker_starts(client: APIClient, drums: Path, broker_dir) -> None:
    response = upload(client, "drums.wav", drums.read_bytes())
    time.sleep(0.5)
    assert client.get(response.json()["status_url"]).json()["status"] == "queued"
    assert len(list((broker_dir / "queue").iterdir())) == 1  # the message waits in the broker
    with worker_thread(broker_dir, purge=False):
        assert wait_for(client, response.json()["status_url"])["status"] == "done"


def test_a_local_tracks_genres_carry_their_measured_agreement_and_each_descriptor_its_fidelity(
        client: APIClient, drums: Path, public_model, job_worker) -> None:
    job = wait_for(client, upload(client, "drums.wav", drums.read_bytes()).json()["status_url"])
    document = client.get(job["analysis_url"]).json()
    genres = document["genres"]
    companion = public_model.card["local_model"]  # `train` saved it beside the active model
    assert genres["model"] == companion["model_id"] == f"{public_model.version}-local"
    assert genres["accuracy"] is None  # learnt from noisy copies: its agreement is the number to judge
    assert genres["local_agreement"] == {"top1": companion["agreement"]["top1"],
                                         "top2": companion["agreement"]["top2"],
                                         "recordings": companion["agreement"]["recordings"]}
    assert 0 < genres["local_agreement"]["top1"] <= genres["local_agreement"]["top2"] <= 1
    assert "not from Spotify's" in genres["note"] and companion["model_id"] in genres["note"]
    # pooled with the active model when the shipped benchmark chose that: the note says which
    pooled = measured_agreement()["basis"] == POOLED_KEY
    assert (f"pooled with {public_model.version}'s own reading" in genres["note"]) == pooled
    # and it says when the companion reads the estimates stretched onto Spotify's spread, as the benchmark's does
    stretched = bool(measured_agreement().get("stretch"))
    assert ("stretched back onto the spread of Spotify's values" in genres["note"]) == stretched
    assert set(genres["probabilities"]) == set(public_model.card["classes"])
    assert {"energy", "danceability", "valence"} <= set(document["fidelity"])
    assert all(f["mae"] >= 0 for f in document["fidelity"].values() if f["mae"] is not None)
