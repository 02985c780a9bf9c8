"""An export (zip, folder or file) read whole: every file parsed before anything is written."""

from __future__ import annotations

from pathlib import Path

from genrelens.core.listening.archive import Limits, export_entries
from genrelens.core.listening.formats import parse_file
from genrelens.core.listening.types import ExportInvalid, ParsedExport


def read_export(path: Path, limits: Limits | None = None) -> ParsedExport:
    """Parse every readable file; raises ExportInvalid (naming the file and entry) on the first bad
    one, and when nothing in the export is listening data."""
    parsed = ParsedExport()
    for entry in export_entries(path, limits or Limits()):
        found = parse_file(entry.name, entry.data)
        if found is None:
            parsed.ignored.append(entry.name)
        else:
            parsed.files.append(found)
    if not parsed.files:
        raise ExportInvalid(f"{path.name}: no listening data found (expected a Spotify data export, "
                            "a Last.fm CSV or an Exportify CSV)")
    if not parsed.plays:
        skipped = ", ".join(f"{n:,} {why}" for why, n in parsed.skipped.items()) or "no rows"
        raise ExportInvalid(f"{path.name}: no music to import ({skipped})")
    return parsed
