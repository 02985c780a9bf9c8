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
    _drop_account_history_covered(parsed)
    if not parsed.files:
        raise ExportInvalid(f"{path.name}: no listening data found (expected a Spotify data export, "
                            "a Last.fm CSV or an Exportify CSV)")
    if not parsed.plays:
        skipped = ", ".join(f"{n:,} {why}" for why, n in parsed.skipped.items()) or "no rows"
        raise ExportInvalid(f"{path.name}: no music to import ({skipped})")
    return parsed


def _drop_account_history_covered(parsed: ParsedExport) -> None:
    """Account data repeats the last year of the extended streaming history, at minute resolution
    and without ids, so the two never match play for play: when both are here, the account
    history's plays inside the extended history's time span are the same streams, and are dropped."""
    extended = [p.played_at for f in parsed.files if f.format == "extended_history" for p in f.plays
                if p.played_at is not None]
    if not extended:
        return
    first, last = min(extended), max(extended)
    for file in parsed.files:
        if file.format != "account_history":
            continue
        kept = [p for p in file.plays if p.played_at is None or not first <= p.played_at <= last]
        if dropped := len(file.plays) - len(kept):
            file.skipped["already in the extended streaming history"] += dropped
            file.plays[:] = kept
