"""`genrelens predict`: genre probabilities for rows of audio features (a CSV file or stdin)."""

from __future__ import annotations

import sys
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.catalog.models_on_disk import trained_model_load
from genrelens.catalog.selectors import model_get
from genrelens.core.errors import GenrelensError
from genrelens.core.ml.predict import predict_frame


class Command(BaseCommand):
    help = "Predict genres for CSV rows of audio features (a file, or - for stdin); writes CSV or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", nargs="?", default="-", help="CSV file with feature columns, or - (stdin)")
        parser.add_argument("--model", help="model version or id (default: the active model)")
        parser.add_argument("--top", type=int, default=3, help="how many top labels to list (default 3)")
        parser.add_argument("--json", action="store_true", help="JSON lines instead of CSV")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            frame = pd.read_csv(sys.stdin if opts["source"] == "-" else opts["source"])
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise CommandError(f"{opts['source']}: not a readable CSV ({exc})") from exc
        try:
            model = trained_model_load(record=model_get(ref=opts["model"]))
            predictions = predict_frame(model, frame, top_k=opts["top"])
        except GenrelensError as exc:
            raise CommandError(str(exc)) from exc
        if opts["json"]:
            self.stdout.write(predictions.to_json(orient="records", lines=True))
        else:
            self.stdout.write(predictions.to_csv(index=False), ending="")
