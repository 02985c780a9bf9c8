"""`genrelens evaluate`: score a saved model on a dataset it has not seen."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.catalog.models_on_disk import trained_model_load
from genrelens.catalog.selectors import model_get
from genrelens.core.errors import GenrelensError
from genrelens.core.ml.predict import evaluate
from genrelens.jobs.datasets import resolve_dataset


class Command(BaseCommand):
    help = "Evaluate a model on another dataset: accuracy, macro-F1, log loss, calibration, baselines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", help="model version or id (default: the active model)")
        parser.add_argument("--dataset", help="catalog dataset name or a dataset file (default: the latest import)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            record = model_get(ref=opts["model"])
            model = trained_model_load(record=record)
            dataset = resolve_dataset(opts["dataset"])
            if dataset.sha256 and dataset.sha256 == record.dataset_sha256:
                self.stderr.write("warning: this is the dataset the model was trained on; scores are optimistic")
            scores = evaluate(model, dataset.frame)
        except GenrelensError as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(scores, default=float))
            return
        self.stdout.write(
            f"model {record.version} on {dataset.name} (n={scores['n']:,}): accuracy {scores['accuracy']:.1%}, "
            f"macro-F1 {scores['macro_f1']:.3f}, log loss {scores['log_loss']:.3f}, ECE {scores['ece']:.3f}\n"
            f"baselines: {json.dumps(scores['baselines'], default=float)}\n"
            "per class (precision / recall / F1):\n" + "\n".join(
                f"  {name:<12} {v['precision']:.2f} / {v['recall']:.2f} / {v['f1']:.2f}"
                for name, v in scores["per_class"].items()))
