"""`genrelens train`: select, train, check and save a genre model, and make it the active one."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.core.errors import GenrelensError
from genrelens.core.ml.train import TrainResult
from genrelens.jobs.services import job_create
from genrelens.jobs.training import TrainOptions, model_train_and_register


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
        parser.add_argument("--queue", action="store_true",
                            help="run it as a background job on the workers (genrelens jobs shows it)")

    def handle(self, *args: Any, **opts: Any) -> None:
        options = TrainOptions(dataset=opts["dataset"], label=opts["label"], search=opts["search"],
                               features=opts["features"], source=opts["source"], label_from=opts["label_from"])
        if opts["queue"]:
            job = job_create(kind="train", payload=asdict(options))
            self.stdout.write(f"queued train job {job.pk}: follow it with `genrelens jobs {job.pk}`")
            return
        try:
            result, version = model_train_and_register(options, progress=not opts["json"])
        except GenrelensError as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(json.dumps(result.card, default=str))
        else:
            self.stdout.write(_summary(result, version))


def _summary(result: TrainResult, version: str) -> str:
    table = result.summary()
    metrics = result.card.get("metrics", {})
    lines = [f"model {version} (active), trained in {result.seconds:.1f} s: {result.artifact_path}",
             "score summary (accuracy, artist-grouped CV beside random-split CV):",
             table.head(15).to_string(index=False), "", f"metrics: {json.dumps(metrics, default=str)[:800]}"]
    return "\n".join(lines)
