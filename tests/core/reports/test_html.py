from __future__ import annotations

import base64
import html
import re

from genrelens.core.ml.synthetic import separable_frame
from genrelens.core.reports import eda_report, model_report
from genrelens.core.reports.html import SPOTIFY_NOTE

_IMG = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def _embedded_pngs(html_text: str) -> list[bytes]:
    return [base64.b64decode(m) for m in _IMG.findall(html_text)]


def test_eda_report_embeds_every_png_it_writes(tmp_path):
    path = eda_report(separable_frame(n_per_genre=60), tmp_path, dataset_name="synthetic")
    pngs = sorted(tmp_path.glob("*.png"))
    assert [p.name for p in pngs] == ["correlation.png", "counts.png", "duration.png", "kde.png",
                                      "median_correlation.png"]
    embedded = _embedded_pngs(path.read_text())
    assert sorted(embedded) == sorted(p.read_bytes() for p in pngs)
    assert all(data.startswith(b"\x89PNG") for data in embedded)


def test_the_spotify_note_appears_only_for_spotify_derived_data(tmp_path):
    synthetic = separable_frame(n_per_genre=40)
    note = html.escape(SPOTIFY_NOTE)
    assert note not in eda_report(synthetic, tmp_path / "a").read_text()
    spotify_like = synthetic.assign(track_id=[f"{i:022d}" for i in range(len(synthetic))])
    assert note in eda_report(spotify_like, tmp_path / "b").read_text()


def test_model_report_shows_the_blogs_model_figures_and_names_confused_tracks(report_training, tmp_path):
    frame = separable_frame(n_per_genre=60, seed=8)
    path = model_report(report_training.model, frame, tmp_path, dataset_name="held-out synthetic")
    text = path.read_text()
    for heading in ("Model selection", "Baselines", "Confusion matrix", "Most confused pairs",
                    "Feature importance", "Surrogate decision tree", "Calibration"):
        assert f"<h2>{heading}</h2>" in text
    assert len(_embedded_pngs(text)) == 6 == len(list(tmp_path.glob("*.png")))
    assert re.search(r"<td>Song \d+</td>", text)  # a confused track, by name
    assert "out-of-fold" not in text


def test_on_its_training_data_the_model_report_uses_held_out_predictions(report_training, tmp_path):
    training_frame = separable_frame(n_per_genre=120, seed=0)
    text = model_report(report_training.model, training_frame, tmp_path, dataset_sha256="1" * 64).read_text()
    assert "out-of-fold predictions" in text
    held_out = report_training.card["metrics"]["grouped"]["accuracy"]
    assert f"Accuracy on these rows {held_out:.1%}" in text
