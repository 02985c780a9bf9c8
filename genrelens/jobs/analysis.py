"""Analysing a folder of audio as a background job: split into chunks (one task each, on any
worker), each file analysed in a limited child process and stored with upserts, so a chunk run
twice after a kill stores each track once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from genrelens.catalog.local import local_analysis_store, local_keys_analysed
from genrelens.core.errors import NotFound


def folder_chunks(*, paths: list[str], recursive: bool, chunk: int) -> list[list[str]]:
    """The audio files under `paths`, sorted, in chunks of `chunk` (the same chunks on every run)."""
    from genrelens.core.audio.pool import expand_paths

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise NotFound(f"no such file or folder: {', '.join(missing)}")
    files = sorted(str(f.resolve()) for f in expand_paths(paths, recursive=recursive))
    return [files[i:i + chunk] for i in range(0, len(files), chunk)]


def files_analyse(*, paths: list[str], progress: Callable[[int, int], None]) -> dict[str, Any]:
    """Analyse and store each file not in the catalog yet; a file that fails is reported, not fatal."""
    from genrelens.core.audio.analyze import ANALYSER_VERSION
    from genrelens.core.audio.identity import content_key
    from genrelens.core.audio.sandboxed import analyze_limited

    known = local_keys_analysed()
    counts: dict[str, Any] = {"analysed": 0, "skipped": 0, "failed": 0, "errors": []}
    for done, path in enumerate(paths):
        progress(done, len(paths))
        if _key(content_key, path) in known:
            counts["skipped"] += 1
            continue
        result = analyze_limited(path, memory_bytes=settings.GENRELENS_ANALYSIS_MEMORY_BYTES,
                                 seconds=settings.GENRELENS_ANALYSIS_SECONDS)
        if result.error is not None:
            counts["failed"] += 1
            counts["errors"].append(f"{Path(path).name}: {result.error.removeprefix(f'{path}: ')}")
            continue
        local_analysis_store(result=result, analyser_version=ANALYSER_VERSION)
        counts["analysed"] += 1
    return counts


def _key(content_key: Callable[[str], str], path: str) -> str | None:
    from genrelens.core.audio.decode import AudioError

    try:
        return content_key(path)
    except AudioError:  # unreadable: the analysis says why
        return None
