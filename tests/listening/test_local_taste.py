"""A taste from the local music `genrelens analyze` measured (each file's track once, no plays)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from genrelens.catalog.local_genres import local_model_for
from genrelens.catalog.models import LocalFile
from genrelens.catalog.tracklists import preferred_features
from genrelens.core.audio.synth import write_demo_folder
from genrelens.core.ml.local_model import local_row
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

    # Its genres come from estimated features, scored as the analysis page scores them, and it says so.
    companion = local_model_for(public_model)
    assert companion is not None, "train saves the companion beside the active model"
    card = public_model.card["local_model"]["agreement"]
    assert taste.unweighted["genre_basis"] == {
        "estimated_tracks": 4, "tracks_with_genres": 4, "model": companion.model_id,
        "agreement": {"top1": card["top1"], "top2": card["top2"], "recordings": card["recordings"]}}
    keys = list(LocalFile.objects.values_list("track__key", flat=True))
    features = preferred_features(keys)
    expected = np.mean([companion.predict_proba(local_row(features[k][0]))[0] for k in keys], axis=0)
    mix = taste.unweighted["genre_mix"]["mean_probability"]
    assert [mix[str(c)] for c in companion.classes] == pytest.approx(expected.tolist())


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
    assert (body["genre_basis"]["estimated_tracks"], body["genre_basis"]["tracks_with_genres"]) == (1, 1)
    assert client.get(started["status_url"]).status_code == 200  # the upload followed its person
    assert client.get("/rest/taste/sources").json()["guest"] is True


def test_an_anonymous_caller_with_nothing_uploaded_is_told_so_and_no_guest_is_made(public_model) -> None:
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    users = get_user_model().objects.count()
    answer = APIClient().post("/rest/taste/local")
    assert answer.status_code == 404 and "upload audio first" in answer.json()["error"]["message"]
    assert get_user_model().objects.count() == users
