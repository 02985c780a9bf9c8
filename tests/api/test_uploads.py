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
from genrelens.jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)  # the analysis runs in another thread


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
    return client.post("/api/uploads/", {"file": handle}, format="multipart")


def wait_for(client: APIClient, status_url: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(status_url).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"job still {body['status']} after {timeout} s")


def test_an_uploaded_file_is_analysed_in_the_background_and_served_with_its_beats(
        client: APIClient, drums: Path, settings) -> None:
    response = upload(client, "drums.wav", drums.read_bytes())
    assert response.status_code == 202, response.json()
    assert response.json()["status"] in ("queued", "running", "done")
    job = wait_for(client, response.json()["status_url"])
    assert job["status"] == "done", job["error"]
    assert job["track_id"].startswith("local:")

    document = client.get(job["analysis_url"]).json()
    assert document["feature_source"] == "local" and document["track"]["is_local"]
    assert abs(document["features"]["tempo"] - 128) < 1.5
    assert document["sources"][0]["how"]["tempo"] == "measured"
    beats = document["rhythm"]["beats"]
    assert len(beats) > 10 and all(b2 > b1 for b1, b2 in itertools.pairwise(beats))
    assert "no active model" in document["genres_note"]
    assert list((Path(settings.MEDIA_ROOT) / "uploads").iterdir()) == []  # deleted once analysed


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("notes.txt", b"hello", 400, "unsupported type .txt"),
        ("song.mp3", b"just some text, not audio", 400, "not audio of the type its name says"),
        ("big.wav", b"RIFF" + b"\0" * 3000, 413, "larger than the limit of 2,048 bytes"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_error_and_nothing_is_stored(
        client: APIClient, settings, name: str, content: bytes, status: int, message: str) -> None:
    settings.GENRELENS_UPLOAD_MAX_BYTES = 2048
    response = upload(client, name, content)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["status"] == status and message in error["message"]
    assert not Job.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "uploads").exists()


def test_a_corrupt_file_fails_its_job_with_the_reason(client: APIClient, settings) -> None:
    response = upload(client, "broken.flac", b"fLaC" + b"\x00garbage" * 100)
    job = wait_for(client, response.json()["status_url"])
    assert job["status"] == "failed" and "unreadable or corrupt" in job["error"]
    assert job["track_id"] is None and not Track.objects.exists()
    assert list((Path(settings.MEDIA_ROOT) / "uploads").iterdir()) == []  # deleted on failure too


def test_an_unknown_track_and_upload_give_404_in_the_error_shape(client: APIClient) -> None:
    missing = client.get("/api/tracks/local:abc/analysis/")
    assert missing.status_code == 404 and "no track" in missing.json()["error"]["message"]
    assert client.get("/api/uploads/6f1c3a52-1111-4a7e-9d55-3c2b1a0f9e77/").status_code == 404


def test_the_openapi_schema_describes_the_endpoints(client: APIClient) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/uploads/", "/api/uploads/{job_id}/", "/api/tracks/{key}/analysis/"} <= set(schema["paths"])


def test_with_jobs_out_of_process_the_worker_runs_the_queue(client: APIClient, drums: Path, settings) -> None:
    from django.core.management import call_command

    settings.GENRELENS_JOBS_IN_PROCESS = False
    response = upload(client, "drums.wav", drums.read_bytes())
    assert client.get(response.json()["status_url"]).json()["status"] == "queued"
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "done" in out.getvalue()
    assert client.get(response.json()["status_url"]).json()["status"] == "done"
