"""Self-contained HTML reports: every figure saved as a PNG and embedded as base64 in one file,
so the report can be mailed or opened offline without its folder."""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from genrelens.core.ml.artifacts import LoadedModel
from genrelens.core.ml.predict import held_out_proba, prepare_for_model, score_prepared
from genrelens.core.reports import eda
from genrelens.core.reports import model as model_figs

_SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")

SPOTIFY_NOTE = (
    "The audio features in this dataset derive from Spotify's Web API (audio-features endpoint), "
    "which is closed to new apps; they are used here for development and testing only."
)

_CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} .note{background:#fff6d6;border-left:4px solid #e0b100;padding:.6em 1em}
figure{margin:1.5em 0} img{max-width:100%;border:1px solid #ddd} figcaption{color:#555;font-size:.9em}
table{border-collapse:collapse;font-size:.85em} td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}
th{background:#f2f2f2}
"""


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    caption: str
    figure: Figure | None = None
    table: pd.DataFrame | None = None
    slug: str = ""


def is_spotify_derived(frame: pd.DataFrame) -> bool:
    """True when most track ids look like Spotify ids (22 base-62 characters)."""
    if "track_id" not in frame.columns or len(frame) == 0:
        return False
    ids = frame["track_id"].dropna().astype(str)
    return bool(len(ids)) and float(ids.str.match(_SPOTIFY_ID).mean()) > 0.5


def _png(figure: Figure, path: Path) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    data = buffer.getvalue()
    path.write_bytes(data)
    return data


def _section_html(section: Section, out_dir: Path) -> str:
    parts = [f"<h2>{html.escape(section.title)}</h2>"]
    if section.figure is not None:
        data = _png(section.figure, out_dir / f"{section.slug}.png")
        encoded = base64.b64encode(data).decode("ascii")
        parts.append(
            f'<figure><img alt="{html.escape(section.title)}" src="data:image/png;base64,{encoded}">'
            f"<figcaption>{html.escape(section.caption)}</figcaption></figure>"
        )
    else:
        parts.append(f"<p>{html.escape(section.caption)}</p>")
    if section.table is not None:
        parts.append(section.table.to_html(float_format=lambda v: f"{v:.3f}", border=0, index=False))
    return "\n".join(parts)


def write_report(title: str, intro: Sequence[str], sections: Sequence[Section], out_dir: Path, name: str) -> Path:
    """Write `<name>.html` plus one PNG per figure into out_dir; returns the HTML path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    body = "\n".join(_section_html(s, out_dir) for s in sections)
    notes = "\n".join(f'<p class="note">{html.escape(line)}</p>' for line in intro)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1><p>Generated {stamp}.</p>"
        f"{notes}\n{body}</body></html>\n"
    )
    path = out_dir / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    return path


def _provenance(frame: pd.DataFrame, dataset_name: str) -> list[str]:
    lines = [f"Dataset: {dataset_name or 'unnamed'} ({len(frame):,} rows)."]
    if is_spotify_derived(frame):
        lines.append(SPOTIFY_NOTE)
    return lines


def eda_report(
    frame: pd.DataFrame, out_dir: Path | str, *, label: str = "genre", dataset_name: str = "",
    duration_cut_ms: float = 500_000.0,
) -> Path:
    """The blog's exploration: counts, KDEs, correlations, genre similarity, duration and the cut."""
    sections = [
        Section("Rows per label", "How balanced the classes are.", eda.genre_counts(frame, label), slug="counts"),
        Section("Feature distributions", "Kernel density per label, each curve normalised on its own.",
                eda.feature_kde_grid(frame, label), slug="kde"),
        Section("Feature correlations", "Pearson correlation, lower triangle.", eda.correlation_heatmap(frame),
                slug="correlation"),
        Section("Label similarity", "Correlation between the labels' standardised median feature profiles.",
                eda.genre_median_correlation(frame, label), slug="median_correlation"),
    ]
    if "duration_ms" in frame.columns:
        sections.append(Section("Duration and the outlier cut", "Boxplots before and after the cut.",
                                eda.duration_boxplots(frame, duration_cut_ms, label), slug="duration"))
    return write_report(f"genrelens EDA: {dataset_name or 'dataset'}", _provenance(frame, dataset_name),
                        sections, Path(out_dir), "eda")


def _selection_section(model: LoadedModel) -> Section:
    records = model.card.get("selection") or []
    if not records:
        return Section("Model selection", "The model card holds no selection summary.")
    summary = pd.DataFrame(records).astype({"random_mean": float, "random_std": float})
    return Section(
        "Model selection",
        "Out-of-fold accuracy with artist-grouped CV (decides) and random-split CV (shown for contrast).",
        model_figs.score_summary_figure(summary),
        summary.drop(columns=["seconds"], errors="ignore"),
        slug="selection",
    )


def model_report(
    model: LoadedModel, frame: pd.DataFrame, out_dir: Path | str, *, dataset_name: str = "",
    dataset_sha256: str = "",
) -> Path:
    """The model's figures on `frame`; says so when `frame` is the training data (optimistic)."""
    data = prepare_for_model(model, frame)
    intro = _provenance(frame, dataset_name)
    if dataset_sha256 and dataset_sha256 == model.card.get("dataset", {}).get("sha256"):
        # Scoring the fitted model on rows it was trained on would flatter it: use held-out folds.
        proba = held_out_proba(model, data)
        intro.append("This is the training dataset, so accuracy, the confusion matrix, the confused tracks "
                     "and calibration use out-of-fold predictions (artist-grouped CV, the card's folds). "
                     "Importances and the surrogate tree describe the fitted model.")
    else:
        proba = model.predict_proba(data.X)
    pred = np.asarray(model.classes)[proba.argmax(axis=1)]
    scores = score_prepared(model, data.y, proba)
    grouped = model.card.get("metrics", {}).get("grouped", {})
    tree, fidelity = model_figs.surrogate_tree(model, data.X)
    table = model_figs.importances(model, data.X, data.y)
    sections = [
        _selection_section(model),
        Section("Baselines", f"Accuracy on these rows {scores['accuracy']:.1%} (n={scores['n']:,}).",
                model_figs.baselines_figure(scores["accuracy"], scores["baselines"], grouped.get("accuracy")),
                slug="baselines"),
        Section("Confusion matrix", "Rows: true label; columns: predicted.",
                model_figs.confusion_heatmap(scores["confusion"]), slug="confusion"),
        Section("Most confused pairs", "The most frequent mistakes, with the most confidently wrong tracks.",
                table=model_figs.most_confused(data.y, pred, proba.max(axis=1), data.meta)),
        Section("Feature importance", "Permutation and impurity importance.",
                model_figs.importance_figure(table), table.reset_index(names="feature"), slug="importance"),
        Section("Surrogate decision tree", f"Depth-{model_figs.SURROGATE_DEPTH} tree fitted to the model's "
                f"predictions (agreement {fidelity:.0%}); the blog drew a depth-7 tree, unreadable at that size.",
                tree, slug="tree"),
        Section("Calibration", f"ECE on this data {scores['ece']:.3f}.",
                model_figs.calibration_figure(data.y, proba, model.classes, scores["ece"]), slug="calibration"),
    ]
    title = f"genrelens model report: {model.model_id} ({model.card.get('candidate', '?')})"
    return write_report(title, intro, sections, Path(out_dir), "model")
