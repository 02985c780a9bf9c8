"""train -> evaluate -> predict -> report from the command line, on data with a known answer."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from genrelens.catalog.models import TrainedModel
from genrelens.core.ml.synthetic import separable_frame

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def files(tmp_path: Path, settings) -> dict[str, Path]:
    settings.GENRELENS_MODEL_DIR = tmp_path / "models"
    paths = {}
    for name, seed in (("train", 0), ("other", 1)):
        paths[name] = tmp_path / f"{name}.csv"
        separable_frame(n_per_genre=120, seed=seed).to_csv(paths[name], index=False)
    return paths


@pytest.mark.slow
def test_train_then_evaluate_on_another_file_then_predict_and_report(files: dict[str, Path], tmp_path: Path) -> None:
    card = json.loads(run("train", "--dataset", str(files["train"]), "--json"))
    assert card["classes"] == ["alpha", "beta", "noise"]
    assert TrainedModel.objects.get(is_active=True).version == card["model_id"]

    scores = json.loads(run("evaluate", "--dataset", str(files["other"]), "--json"))
    assert set(scores) >= {"accuracy", "macro_f1", "log_loss", "ece", "n", "baselines", "per_class"}
    assert scores["per_class"]["alpha"]["recall"] > 0.9 and scores["per_class"]["beta"]["recall"] > 0.9
    assert scores["accuracy"] > scores["baselines"]["majority"]["accuracy"] + 0.2

    rows = pd.read_csv(files["other"]).head(5)
    rows.to_csv(tmp_path / "rows.csv", index=False)
    predicted = pd.read_csv(StringIO(run("predict", str(tmp_path / "rows.csv"))))
    assert len(predicted) == 5

    report = run("report", "model", "--dataset", str(files["other"]), "--out", str(tmp_path / "model-report"))
    assert "report written" in report and (tmp_path / "model-report").glob("*.png")
    html = next((tmp_path / "model-report").glob("*.html")).read_text()
    assert html.count("data:image/png;base64,") >= 5


def test_evaluate_without_a_model_is_a_clear_error(files: dict[str, Path]) -> None:
    with pytest.raises(CommandError, match="no active model"):
        run("evaluate", "--dataset", str(files["other"]))


def test_the_eda_report_renders_for_a_file(files: dict[str, Path], tmp_path: Path) -> None:
    run("report", "eda", "--dataset", str(files["train"]), "--out", str(tmp_path / "eda"))
    assert len(list((tmp_path / "eda").glob("*.png"))) >= 4
