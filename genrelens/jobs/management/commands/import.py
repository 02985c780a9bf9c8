"""`genrelens import SOURCE`: bring a public dataset of audio features into the catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.catalog.services import ImportResult, dataset_import
from genrelens.core.dataset.download import download, is_url
from genrelens.core.dataset.formats import FORMATS, read_dataset
from genrelens.core.dataset.rawfile import dataset_stem, is_html
from genrelens.core.errors import ImportFailed

_SOURCE_HELP = (
    "path or http(s) URL of a dataset file: CSV, TSV or semicolon-separated text (UTF-8, UTF-16 or "
    "Windows-1252), JSON records, an .xlsx workbook (first sheet), or the blog's pickle; each may be "
    "compressed as .gz, .bz2, .xz or a .zip holding one file"
)


class Command(BaseCommand):
    help = "Import a dataset of tracks, genre labels and audio features from a file or an http(s) URL."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help=_SOURCE_HELP)
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS],
                            help="file layout; auto detects it from the header and says what it found. "
                                 + "; ".join(f"{name}: {spec.description}" for name, spec in FORMATS.items()))
        parser.add_argument("--name", help="dataset name (default: the file name without extension)")
        parser.add_argument("--licence", default="", help="licence note stored with the dataset")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="import the valid rows and report the rejected ones "
                                 "(default: any invalid row aborts and nothing is written)")
        parser.add_argument("--json", action="store_true",
                            help="print one JSON object (the summary, or {\"error\": ...} on failure)")
        parser.add_argument("--trust-pickle", action="store_true",
                            help="read a local .pkl file (loading a pickle runs code: only one you made); "
                                 "never allowed for a URL")
        parser.add_argument("--allow-private-redirects", action="store_true",
                            help="follow a URL's redirects to loopback or private addresses (refused by default)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["trust_pickle"] and is_url(opts["source"]):
            raise CommandError("--trust-pickle applies to local files only: a pickle from a URL is never loaded")
        try:
            result = self._import(opts)
        except ImportFailed as exc:
            if opts["json"]:
                self.stdout.write(json.dumps({"error": str(exc), "source": opts["source"]}))
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result.as_json()) if opts["json"] else _summary(result))

    def _import(self, opts: dict[str, Any]) -> ImportResult:
        source: str = opts["source"]
        path = Path(source)
        if is_url(source):
            path = download(source, settings.GENRELENS_DOWNLOAD_DIR, timeout=settings.GENRELENS_DOWNLOAD_TIMEOUT,
                            progress=not opts["json"], max_bytes=settings.GENRELENS_DATASET_MAX_BYTES,
                            allow_private_redirects=opts["allow_private_redirects"])
        try:
            parsed = read_dataset(path, opts["format"], trust_pickle=opts["trust_pickle"],
                                  max_bytes=settings.GENRELENS_DATASET_MAX_BYTES)
        except ImportFailed:
            if is_url(source) and is_html(path):
                path.unlink(missing_ok=True)  # a web page is no dataset: fetch the URL afresh next time
            raise
        if not opts["json"]:
            self.stderr.write(f"detected format: {parsed.format} ({FORMATS[parsed.format].description})")
        name = opts["name"] or dataset_stem(Path(source.split("?", 1)[0]) if is_url(source) else path)
        return dataset_import(parsed=parsed, name=name, source=source, licence=opts["licence"],
                              skip_invalid=opts["skip_invalid"])

    requires_system_checks: list[str] = []


def _fetch(url: str, opts: dict[str, Any]) -> Path:
    return download(url, settings.GENRELENS_DOWNLOAD_DIR, timeout=settings.GENRELENS_DOWNLOAD_TIMEOUT,
                    progress=not opts["json"], max_bytes=settings.GENRELENS_DATASET_MAX_BYTES,
                    allow_private_redirects=opts["allow_private_redirects"])


def _summary(result: ImportResult) -> str:
    lines = [
        f"dataset {result.dataset!r} ({result.format}): {result.rows_read} rows read in {result.seconds:.2f} s",
        f"  tracks: {result.tracks_created} new, {result.tracks_updated} completed; "
        f"labels: {result.labels_created} new; features: {result.features_created} new",
    ]
    lines += [f"  note: {note}" for note in result.notes]
    if result.rows_rejected:
        lines.append(f"  {result.rows_rejected} row(s) rejected:")
        lines += [f"    {r['reason']}" for r in result.rejected[:20]]
    width = max((len(g) for g in result.genre_counts), default=5)
    lines.append("  rows per genre:")
    lines += [f"    {genre:<{width}}  {count:>6}" for genre, count in result.genre_counts.items()]
    return "\n".join(lines)
