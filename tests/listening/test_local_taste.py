"""A taste from the local music `genrelens analyze` measured (each file's track once, no plays)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from genrelens.core.audio.synth import write_demo_folder
from genrelens.listening.models import ImportedTaste

pytestmark = pytest.mark.django_db


def test_analysed_local_music_becomes_a_taste_of_its_own(tmp_path: Path, public_model) -> None:
    write_demo_folder(tmp_path / "music", duration=8.0)
    call_command("analyze", str(tmp_path / "music"), "--workers", "1", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("taste", "local", "--user", "lou", stdout=out)
    assert "lou: local: 4 of 4 analysed tracks with features" in out.getvalue()
    taste = ImportedTaste.objects.get(user__username="lou", source="local")
    assert taste.weighted is None and taste.unweighted["track_count"] == 4
    assert taste.unweighted["coverage"]["by_source"] == {"local": 4}
    assert taste.report["tracks"]["by_source"] == {"local": 4}


def test_without_analysed_music_it_says_what_to_do(public_model) -> None:
    with pytest.raises(CommandError, match="genrelens analyze FOLDER"):
        call_command("taste", "local", "--user", "lou", stdout=StringIO())


@pytest.mark.django_db(transaction=True)  # the upload is analysed in another thread
def test_an_anonymous_uploader_becomes_a_guest_who_keeps_their_uploads_and_gets_their_taste(
        tmp_path: Path, settings, public_model, job_worker) -> None:
    from rest_framework.test import APIClient

    from genrelens.core.audio.synth import drum_pattern, write_audio
    from tests.api.test_uploads import upload, wait_for

    settings.MEDIA_ROOT = tmp_path / "media"
    synth = drum_pattern(128.0, 8.0, style="four_on_the_floor")
    write_audio(tmp_path / "drums.wav", synth.samples, synth.sr)
    client = APIClient()
    started = upload(client, "drums.wav", (tmp_path / "drums.wav").read_bytes()).json()
    assert wait_for(client, started["status_url"])["status"] == "done"
    taste = client.post("/rest/taste/local")
    assert taste.status_code == 200, taste.content
    body = taste.json()
    assert (body["source"], body["weighting"], body["track_count"]) == ("local", "tracks", 1)
    assert client.get(started["status_url"]).status_code == 200  # the upload followed its person
    assert client.get("/rest/taste/sources").json()["guest"] is True


def test_an_anonymous_caller_with_nothing_uploaded_is_told_so_and_no_guest_is_made(public_model) -> None:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    users = get_user_model().objects.count()
    answer = APIClient().post("/rest/taste/local")
    assert answer.status_code == 404 and "upload audio first" in answer.json()["error"]["message"]
    assert get_user_model().objects.count() == users
