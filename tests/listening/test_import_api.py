"""A person without a Spotify login, in the browser: upload an export, watch it, get the taste,
share it. Every answer is checked against the app's OpenAPI schema."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from genrelens.listening.models import Play
from tests.api.conftest import Browser, WebApp
from tests.listening.exports import extended_history, write_zip

pytestmark = pytest.mark.django_db(transaction=True)


def _stored_upload(import_id: str) -> Path:
    from genrelens.jobs.models import Job
    from genrelens.listening.models import TasteImport

    path = Path(Job.objects.get(pk=TasteImport.objects.get(pk=import_id).job_id).payload["path"])
    assert path.parent.name == "exports"
    return path


def uploaded(browser: Browser, path: Path) -> dict[str, Any]:
    browser.ensure_csrf()
    with path.open("rb") as handle:
        started = browser.post("/rest/taste/imports", files={"file": (path.name, handle)})
    assert started.status_code == 202, started.text
    url, deadline = started.json()["status_url"], time.monotonic() + 120
    while time.monotonic() < deadline:
        body = browser.get(url).json()
        if body["stage"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"import did not finish: {body}")


def test_a_guest_imports_an_export_sees_the_taste_and_shares_it(web: WebApp, public_model, job_worker, tmp_path: Path,
                                                                 settings) -> None:
    history = extended_history(400, 60)
    export = write_zip(tmp_path / "my_spotify_data.zip", {"Streaming_History_Audio_2016-2025_0.json": history})
    guest = web.browser()
    assert guest.get("/rest/me").json()["connected"] is False
    done = uploaded(guest, export)
    assert done["stage"] == "done", done["error"]
    assert done["result"]["sources"]["spotify_export"]["tracks"]["by_how"] == {"uri": 60}
    assert not _stored_upload(done["id"]).exists()  # the upload is gone once read

    sources = guest.get("/rest/taste/sources").json()
    assert sources["guest"] is True and [s["source"] for s in sources["items"]] == ["spotify_export"]
    taste = guest.get("/rest/taste").json()
    assert (taste["source"], taste["weighting"]) == ("spotify_export", "plays")
    assert taste["match"]["plays"]["total"] == 400 and taste["genre_mix"] is not None
    flat = guest.get("/rest/taste", params={"weighting": "tracks"}).json()
    assert flat["weighting"] == "tracks" and flat["genre_mix"] != taste["genre_mix"]

    link = guest.post("/rest/share", json={"days": 3, "source": "spotify_export", "weighting": "plays"})
    assert link.status_code == 201, link.text
    stranger = web.browser()
    shared = stranger.get(f"/rest/shared/{link.json()['token']}").json()
    text = json.dumps(shared)
    played = [row for row in history[:60] if row["spotify_track_uri"]]
    assert not [r for r in played if r["spotify_track_uri"].rsplit(":", 1)[-1] in text
                or f'"{r["master_metadata_track_name"]}"' in text]
    compared = stranger.get("/rest/compare", params={"token": link.json()["token"], "with": "public"}).json()
    assert 0 <= compared["similarity"] <= 1
    assert stranger.get(done["status_url"]).status_code == 401  # nobody else sees the import


def test_a_malformed_upload_fails_naming_file_and_entry_and_stores_nothing(web: WebApp, public_model, job_worker,
                                                                             tmp_path: Path) -> None:
    rows = extended_history(30, 10)
    rows[6]["ts"] = "last tuesday"
    bad = write_zip(tmp_path / "my_spotify_data.zip", {"Streaming_History_Audio_2019_0.json": rows})
    failed = uploaded(web.browser(), bad)
    assert failed["stage"] == "failed"
    assert "Streaming_History_Audio_2019_0.json, entry 7: ts is not a date and time" in failed["error"]
    assert not Play.objects.exists()


def test_a_zip_bomb_fails_before_unpacking(web: WebApp, public_model, job_worker, tmp_path: Path,
                                           settings) -> None:
    settings.GENRELENS_EXPORT_MAX_UNPACKED_BYTES = 5_000_000
    bomb = write_zip(tmp_path / "my_spotify_data.zip", {"Streaming_History_Audio_2019_0.json": [" " * 8_000_000]})
    failed = uploaded(web.browser(), bomb)
    assert failed["stage"] == "failed" and "unpacked; the limit is 5,000,000" in failed["error"]
    assert "my_spotify_data.zip" in failed["error"]  # their file's name, not our stored copy's


def test_an_import_whose_job_ran_out_of_attempts_reads_as_failed(web: WebApp, public_model, tmp_path: Path,
                                                                  settings) -> None:
    from genrelens.jobs.models import Job
    from genrelens.jobs.services import job_run, jobs_recover
    from genrelens.listening.models import TasteImport

    # no job_worker here: nobody runs the job, as if every worker had died
    guest = web.browser()
    guest.ensure_csrf()
    export = write_zip(tmp_path / "my_spotify_data.zip",
                       {"Streaming_History_Audio_2019_0.json": extended_history(5, 5)})
    with export.open("rb") as handle:
        started = guest.post("/rest/taste/imports", files={"file": (export.name, handle)}).json()
    item = TasteImport.objects.get(pk=started["id"])
    Job.objects.filter(pk=item.job_id).update(status=Job.Status.RUNNING, attempts=settings.GENRELENS_JOB_MAX_ATTEMPTS,
                                              lease_expires_at="2000-01-01T00:00:00Z")
    assert jobs_recover() == 1  # the sweep sends it again...
    job_run(job_id=item.job_id)  # ...and the worker that receives it finds it out of attempts
    body = guest.get(started["status_url"]).json()
    assert body["stage"] == "failed" and "stopped before finishing" in body["error"]
    assert not _stored_upload(started["id"]).exists()  # its file went with it
