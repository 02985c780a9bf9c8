"""Model artifacts are pickles (issue 19, finding 10): a TrainedModel row cannot be edited to load
another file, loading is confined to GENRELENS_MODEL_DIR, and the sha256 recorded at registration
is checked before a byte is unpickled, even when the card beside the file was forged too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import joblib
import pytest
from django.contrib.auth.models import User
from django.test import Client

from genrelens.catalog.local import Owner
from genrelens.catalog.models import AudioFeatures, Track, TrainedModel
from genrelens.catalog.models_on_disk import model_artifact_path, trained_model_load
from genrelens.catalog.services import model_register
from genrelens.core.files import file_sha256
from genrelens.core.ml import train
from genrelens.core.ml.artifacts import ArtifactError
from genrelens.core.ml.synthetic import separable_frame
from tests.hostile import RunsCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(tmp_path: Path, settings) -> TrainedModel:
    settings.GENRELENS_MODEL_DIR = tmp_path / "models"
    result = train(separable_frame(n_per_genre=40, seed=0), dataset_name="s", dataset_sha256="0" * 64,
                   out_dir=settings.GENRELENS_MODEL_DIR, progress=False, candidates=("logistic_regression",),
                   n_splits=3, n_jobs=1)
    return model_register(card=result.card, path=str(result.artifact_path))


def forge(artifact: Path, marker: Path) -> None:
    """Replace an artifact with code to run, and rewrite its card to vouch for it (both are files)."""
    joblib.dump({"format_version": 1, "pipeline": RunsCode(marker)}, artifact)
    card_path = artifact.with_suffix(".json")
    card = json.loads(card_path.read_text()) if card_path.exists() else {
        "model_id": "evil", "features": [], "classes": [], "label": "genre", "artifact": {}}
    card["artifact"]["sha256"] = file_sha256(artifact)
    card_path.write_text(json.dumps(card))


def test_the_sha256_is_recorded_at_registration_and_the_model_loads(registered: TrainedModel) -> None:
    assert registered.sha256 == file_sha256(model_artifact_path(record=registered))
    assert trained_model_load(record=registered).model_id == registered.version


def test_a_model_survives_its_var_directory_moving(registered: TrainedModel, settings, tmp_path: Path) -> None:
    # recorded relative to the model directory: a copied or restored var directory keeps its model
    assert not Path(registered.path).is_absolute()
    moved = tmp_path / "moved" / "models"
    shutil.copytree(settings.GENRELENS_MODEL_DIR, moved)
    shutil.rmtree(settings.GENRELENS_MODEL_DIR)
    settings.GENRELENS_MODEL_DIR = moved
    assert trained_model_load(record=registered).model_id == registered.version


def test_a_swapped_artifact_with_a_forged_card_is_refused_before_unpickling(
        registered: TrainedModel, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    forge(model_artifact_path(record=registered), marker)
    with pytest.raises(ArtifactError, match="not the file that was registered"):
        trained_model_load(record=registered)
    assert not marker.exists()


def test_a_path_outside_the_model_directory_is_refused(registered: TrainedModel, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    elsewhere = tmp_path / "elsewhere" / "evil.joblib"
    elsewhere.parent.mkdir()
    forge(elsewhere, marker)
    link = model_artifact_path(record=registered).parent / "link.joblib"
    link.symlink_to(elsewhere)
    for path in (str(elsewhere), str(link), "../elsewhere/evil.joblib"):
        registered.path, registered.sha256 = path, file_sha256(elsewhere)
        with pytest.raises(ArtifactError, match="outside the model directory"):
            trained_model_load(record=registered)
    assert not marker.exists()


def test_staff_cannot_edit_a_models_path_or_sha256_in_the_admin(registered: TrainedModel) -> None:
    staff = Client()
    staff.force_login(User.objects.create_superuser("admin", password="a-long-password-1"))
    url = f"/admin/catalog/trainedmodel/{registered.pk}/change/"
    page = staff.get(url).content.decode()
    assert 'name="path"' not in page and 'name="sha256"' not in page and 'name="card"' not in page
    staff.post(url, {"path": "/tmp/evil.joblib", "sha256": "0" * 64, "is_active": "on"})
    registered.refresh_from_db()
    assert registered.path != "/tmp/evil.joblib" and registered.sha256 != "0" * 64


def test_a_model_that_cannot_load_gives_a_plain_note_without_paths(registered: TrainedModel, settings) -> None:
    from genrelens.catalog.documents import analysis_get

    track = Track.objects.create(key="t1", name="t")
    AudioFeatures.objects.create(track=track, source="dataset:s", fetched_at="2026-01-01T00:00:00Z", energy=0.5)
    model_artifact_path(record=registered).unlink()
    document = analysis_get(key="t1", viewer=Owner())
    assert document["genres"] is None and "cannot score this track" in document["reason"]
    assert str(settings.GENRELENS_MODEL_DIR) not in json.dumps(document, default=str)


def test_rows_registered_with_an_absolute_path_are_migrated_to_relative(
        registered: TrainedModel, settings, tmp_path: Path) -> None:
    from importlib import import_module

    from django.apps import apps
    migration = import_module("genrelens.catalog.migrations.0006_relative_model_paths")
    artifact = model_artifact_path(record=registered)
    outside = tmp_path / "elsewhere.joblib"
    other = TrainedModel.objects.create(version="outside", path=str(outside), sha256="0" * 64)
    registered.path = str(artifact)  # as rows were recorded before aac1dd5
    registered.save()

    migration.relative_model_paths(apps, None)

    registered.refresh_from_db()
    other.refresh_from_db()
    assert registered.path == str(artifact.relative_to(Path(settings.GENRELENS_MODEL_DIR).resolve()))
    assert other.path == str(outside)  # outside the model directory: left as it is, and still refused
    moved = tmp_path / "moved" / "models"
    shutil.copytree(settings.GENRELENS_MODEL_DIR, moved)
    shutil.rmtree(settings.GENRELENS_MODEL_DIR)
    settings.GENRELENS_MODEL_DIR = moved
    assert trained_model_load(record=registered).model_id == registered.version
