"""`genrelens analyze` fills the catalog from generated audio, and the provider chain uses it."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from genrelens.catalog.feature_store import CatalogFeatureStore
from genrelens.catalog.models import AudioFeatures, GenreLabel, LocalFile, Track, TrackAnalysis
from genrelens.core.audio.synth import write_demo_folder
from genrelens.core.providers.chain import run_chain
from genrelens.core.types import TrackRef
from genrelens.jobs.wiring import feature_providers

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def music(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("music") / "rock"
    write_demo_folder(folder, duration=8.0)
    (folder / "broken.flac").write_bytes(b"fLaC not really")
    return folder.parent


def analyze(*args: str) -> list[dict]:
    out = StringIO()
    call_command("analyze", *args, "--json", "--workers", "1", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


def test_it_fills_the_catalog_and_reports_bad_files_while_the_rest_go_on(music: Path) -> None:
    documents = {Path(d["path"]).name: d for d in analyze(str(music), "--recursive")}
    assert documents["broken.flac"]["error"] and documents["broken.flac"]["track_id"] is None
    good = [d for name, d in documents.items() if name != "broken.flac"]
    assert len(good) == 4 and all(d["error"] is None and d["track_id"].startswith("local:") for d in good)
    assert set(good[0]["features"]) == {"danceability", "energy", "key", "loudness", "mode", "speechiness",
                                        "acousticness", "instrumentalness", "liveness", "valence", "tempo",
                                        "duration_ms", "time_signature"}
    assert Track.objects.filter(is_local=True).count() == 4
    assert AudioFeatures.objects.filter(source="local").count() == 4
    house = documents["house_124_c_major.mp3"]
    assert abs(house["features"]["tempo"] - 124) < 1.5
    assert TrackAnalysis.objects.get(track__key=house["track_id"]).beats == house["beats"]
    assert set(GenreLabel.objects.filter(dataset__name="local-tags").values_list("genre", flat=True)) == {
        "rock", "electronic", "classical", "spoken word"}
    assert set(GenreLabel.objects.filter(dataset__name="local-folders").values_list("genre", flat=True)) == {"rock"}


def test_running_again_skips_files_already_analysed(music: Path) -> None:
    analyze(str(music), "--recursive")
    again = analyze(str(music), "--recursive")
    assert sum(1 for d in again if d.get("skipped")) == 4
    assert AudioFeatures.objects.filter(source="local").count() == 4


def test_the_provider_chain_answers_local_tracks_from_their_files(music: Path, settings) -> None:
    analyze(str(music / "rock" / "talk.wav"))
    track = Track.objects.get(is_local=True)
    AudioFeatures.objects.filter(track=track).delete()  # as if the features had never been stored
    settings.GENRELENS_FEATURE_PROVIDERS = ["dataset", "local"]
    providers = feature_providers(spotify=None, reccobeats=None)
    report = run_chain([TrackRef(key=track.key)], providers, CatalogFeatureStore(), progress=False)
    assert report.source_of == {track.key: "local"}
    assert AudioFeatures.objects.get(track=track).source == "local"
    assert LocalFile.objects.get(track=track).path.endswith("talk.wav")


def test_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file or folder"):
        analyze(str(tmp_path / "nope.mp3"))


@pytest.mark.slow
def test_train_source_local_learns_genres_from_folder_names(tmp_path: Path, settings) -> None:
    from genrelens.catalog.models import TrainedModel
    from genrelens.core.audio.synth import drum_pattern, song, write_audio

    settings.GENRELENS_MODEL_DIR = tmp_path / "models"
    for folder in ("fast", "calm"):
        (tmp_path / "lib" / folder).mkdir(parents=True)
    for i in range(5):
        fast = drum_pattern(150 + 4 * i, 6.0, style="rock", seed=i)
        calm = song(6.0, bpm=70 + 2 * i, key=i, mode=i % 2, seed=i)
        write_audio(tmp_path / "lib" / "fast" / f"f{i}.wav", fast.samples, fast.sr)
        write_audio(tmp_path / "lib" / "calm" / f"c{i}.wav", calm.samples, calm.sr)
    analyze(str(tmp_path / "lib"), "--recursive")
    out = StringIO()
    call_command("train", "--source", "local", "--label-from", "folder", "--json", stdout=out, stderr=StringIO())
    card = json.loads(out.getvalue())
    assert card["classes"] == ["calm", "fast"] and card["dataset"]["name"] == "local-folders"
    assert "local_model" not in card  # its features are local estimates already: no noisy companion
    assert TrainedModel.objects.get(is_active=True).version == card["model_id"]


def test_train_source_local_without_analysed_files_says_what_to_do() -> None:
    with pytest.raises(CommandError, match="run `genrelens analyze`"):
        call_command("train", "--source", "local", stdout=StringIO(), stderr=StringIO())
