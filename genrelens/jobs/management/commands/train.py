"""`genrelens train`: select, train, check and save a genre model, and make it the active one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.catalog.services import model_register
from genrelens.core.errors import GenrelensError
from genrelens.core.ml.train import TrainResult, train
from genrelens.jobs.datasets import resolve_dataset, resolve_local


class Command(BaseCommand):
    help = "Train a genre model with artist-grouped model selection; save it with its model card."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", help="catalog dataset name or a dataset file (default: the latest import)")
        parser.add_argument("--label", choices=["genre", "subgenre"], default="genre")
        parser.add_argument("--search", choices=["quick", "full"], default="quick",
                            help="quick: small grids, under 2 minutes here; full: the blog's larger grids")
        parser.add_argument("--features", default="auto", choices=["auto", "audio", "audio+year"],
                            help="feature set (auto: the best the dataset supports)")
        parser.add_argument("--source", choices=["dataset", "local"], default="dataset",
                            help="local: train on your analysed audio files (genrelens analyze) instead")
        parser.add_argument("--label-from", choices=["tag", "folder"], default="tag",
                            help="with --source local: label by the files' genre tag or their parent folder")
        parser.add_argument("--json", action="store_true", help="print the model card as JSON")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            dataset = (resolve_local(opts["label_from"]) if opts["source"] == "local"
                       else resolve_dataset(opts["dataset"]))
            result = train(dataset.frame, label=opts["label"], search=opts["search"], feature_set=opts["features"],
                           dataset_name=dataset.name, dataset_sha256=dataset.sha256,
                           out_dir=Path(settings.GENRELENS_MODEL_DIR), progress=not opts["json"])
        except GenrelensError as exc:
            raise CommandError(str(exc)) from exc
        registered = model_register(card=result.card, path=str(result.artifact_path))
        if opts["json"]:
            self.stdout.write(json.dumps(result.card, default=str))
        else:
            self.stdout.write(_summary(result, registered.version))


def _summary(result: TrainResult, version: str) -> str:
    table = result.summary()
    metrics = result.card.get("metrics", {})
    lines = [f"model {version} (active), trained in {result.seconds:.1f} s: {result.artifact_path}",
             "score summary (accuracy, artist-grouped CV beside random-split CV):",
             table.head(15).to_string(index=False), "", f"metrics: {json.dumps(metrics, default=str)[:800]}"]
    return "\n".join(lines)
