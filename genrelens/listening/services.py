"""Writes: plays (deduplicated by fingerprint), an import's progress, and the tastes built from plays."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from genrelens.core.listening.types import Play as ParsedPlay
from genrelens.listening.models import ImportedTaste, Play, TasteImport

_BATCH = 5_000


def play_fingerprint(play: ParsedPlay) -> str:
    """The same row of the same export always gives the same fingerprint (and so, one Play)."""
    parts = (play.source, play.kind, play.played_at.isoformat() if play.played_at else "", str(play.ms_played),
             play.spotify_id or "", play.artist, play.title, play.album, str(play.duration_ms))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def plays_store(*, user_id: int, plays: Sequence[ParsedPlay]) -> int:
    """Add the plays this user does not have yet, in one transaction; returns how many were new."""
    rows = {play_fingerprint(p): p for p in plays}
    with transaction.atomic():
        before = Play.objects.filter(user_id=user_id).count()
        items = list(rows.items())
        for start in range(0, len(items), _BATCH):
            Play.objects.bulk_create([_row(user_id, f, p) for f, p in items[start:start + _BATCH]],
                                     ignore_conflicts=True)
        return Play.objects.filter(user_id=user_id).count() - before


def _row(user_id: int, fingerprint: str, play: ParsedPlay) -> Play:
    return Play(user_id=user_id, source=play.source.value, kind=play.kind.value, played_at=play.played_at,
                ms_played=play.ms_played, artist_name=play.artist[:500], track_name=play.title[:500],
                album_name=play.album[:500], spotify_id=play.spotify_id or "", duration_ms=play.duration_ms,
                fingerprint=fingerprint)


def taste_import_create(*, user_id: int) -> TasteImport:
    return TasteImport.objects.create(user_id=user_id)


def taste_import_progress(*, import_id: uuid.UUID | None, stage: str, done: int = 0, total: int = 0) -> None:
    if import_id is not None:
        TasteImport.objects.filter(pk=import_id).update(stage=stage, done=done, total=total)


def taste_import_finish(*, import_id: uuid.UUID | None, result: dict[str, Any] | None = None,
                        error: str = "") -> None:
    if import_id is None:
        return
    stage = TasteImport.Stage.FAILED if error else TasteImport.Stage.DONE
    TasteImport.objects.filter(pk=import_id).update(stage=stage, result=result, error=error)


def imported_taste_save(*, user_id: int, source: str, dataset_name: str, weighted: dict[str, Any] | None,
                        unweighted: dict[str, Any], report: dict[str, Any]) -> ImportedTaste:
    taste, _ = ImportedTaste.objects.update_or_create(user_id=user_id, source=source, defaults={
        "dataset_name": dataset_name, "weighted": weighted, "unweighted": unweighted, "report": report})
    return taste
