"""`genrelens report eda|model`: self-contained HTML reports with the blog's figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.catalog.models_on_disk import trained_model_load
from genrelens.catalog.selectors import model_get
from genrelens.core.errors import GenrelensError
from genrelens.core.reports.html import eda_report, model_report
from genrelens.jobs.datasets import resolve_dataset


class Command(BaseCommand):
    help = "Write an HTML report (figures embedded, PNGs beside it): eda for a dataset, model for a model."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["eda", "model"])
        parser.add_argument("--dataset", help="catalog dataset name or a dataset file (default: the latest import)")
        parser.add_argument("--model", help="model version or id (default: the active model)")
        parser.add_argument("--label", choices=["genre", "subgenre"], default="genre", help="EDA: what to group by")
        parser.add_argument("--out", required=True, type=Path, help="directory for report.html and the PNGs")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            dataset = resolve_dataset(opts["dataset"])
            if opts["kind"] == "eda":
                path = eda_report(dataset.frame, opts["out"], label=opts["label"], dataset_name=dataset.name)
            else:
                model = trained_model_load(record=model_get(ref=opts["model"]))
                path = model_report(model, dataset.frame, opts["out"], dataset_name=dataset.name,
                                    dataset_sha256=dataset.sha256)
        except GenrelensError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"report written: {path}")
