"""`genrelens analyze PATH...`: compute audio features of your own files and add them to the catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from genrelens.catalog.local import local_analysis_store, local_document, local_keys_analysed
from genrelens.catalog.models import LocalFile
from genrelens.jobs.services import job_create


class Command(BaseCommand):
    help = "Analyse local audio files (MP3, FLAC, OGG, WAV): Spotify-style features, beats, sections."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="audio files or folders")
        parser.add_argument("--recursive", action="store_true", help="descend into sub-folders")
        parser.add_argument("--workers", type=int, help="worker processes (default: one per core for many files)")
        parser.add_argument("--json", action="store_true", help="print a JSON list, one object per file")
        parser.add_argument("--queue", action="store_true",
                            help="analyse on the workers, in chunks spread over them (genrelens jobs shows it)")

    def handle(self, *args: Any, **opts: Any) -> None:
        # imported here: the audio stack takes a second to load and other commands do not need it
        from genrelens.core.audio.analyze import ANALYSER_VERSION
        from genrelens.core.audio.pool import analyze_paths, expand_paths

        missing = [p for p in opts["paths"] if not Path(p).exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}")
        if opts["queue"]:
            job = job_create(kind="analyze_folder", payload={
                "paths": [str(Path(p).resolve()) for p in opts["paths"]], "recursive": opts["recursive"]})
            self.stdout.write(f"queued analyze_folder job {job.pk}: follow it with `genrelens jobs {job.pk}`")
            return
        files = expand_paths(opts["paths"], recursive=opts["recursive"])
        if not files:
            raise CommandError("no audio files found (use --recursive to descend into sub-folders)")
        results = {}
        for result in analyze_paths(files, workers=opts["workers"], skip_keys=local_keys_analysed(),
                                    progress=not opts["json"]):
            if result.error is None:
                local_analysis_store(result=result, analyser_version=ANALYSER_VERSION)
            results[str(Path(result.path).resolve())] = result
        documents = [_document(path, results) for path in (str(f.resolve()) for f in files)]
        if opts["json"]:
            self.stdout.write(json.dumps(documents))
            return
        self.stdout.write(_summary(documents, skipped=len(files) - len(results)))


def _document(path: str, results: dict[str, Any]) -> dict[str, Any]:
    """The issue's JSON object: from this run's analysis, or from the catalog for a skipped file."""
    if path in results:
        return dict(results[path].to_json())
    known = LocalFile.objects.select_related("track").filter(path=path).first()
    if known is None:  # same audio as a catalogued file stored under another path
        return {"path": path, "track_id": None, "features": None, "how": {}, "beats": [], "downbeats": [],
                "sections": [], "error": None, "skipped": "already analysed (same audio content)"}
    return {"path": path, "track_id": known.track.key, **local_document(track=known.track), "error": None,
            "skipped": "already analysed"}


def _summary(documents: list[dict[str, Any]], *, skipped: int) -> str:
    done = [d for d in documents if d["error"] is None and "skipped" not in d]
    failed = [d for d in documents if d["error"] is not None]
    lines = [f"analysed {len(done)} file(s), skipped {skipped} already in the catalog, {len(failed)} failed"]
    for d in done:
        f = d["features"]
        lines.append(f"  {Path(d['path']).name}: tempo {f['tempo']:.1f} BPM, key {f['key']} mode {f['mode']}, "
                     f"loudness {f['loudness']:.1f} LUFS, energy {f['energy']:.2f}, {len(d['beats'])} beats")
    lines += [f"  error: {d['error']}" for d in failed]
    return "\n".join(lines)
