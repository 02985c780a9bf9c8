"""Writes: plays (deduplicated by fingerprint), an import's progress, and the tastes built from plays."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from genrelens.core.listening.types import Play as ParsedPlay
from genrelens.listening.models import ImportedTaste, Play, TasteImport
from genrelens.shared_cache import user_changed

_BATCH = 5_000


def play_fingerprint(play: ParsedPlay) -> str:
    """The same row of the same export always gives the same fingerprint (and so, one Play)."""
    parts = (play.source, play.kind, play.played_at.isoformat() if play.played_at else "", str(play.ms_played),
             play.spotify_id or "", play.artist, play.title, play.album, str(play.duration_ms))
    # 128 bits: collisions are out of reach, and the unique index is half the size of sha256's
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Stored:
    new: int  # plays added
    unique: list[ParsedPlay]  # this import's plays, each once
    others: frozenset[str]  # sources with stored plays this import does not have (an earlier, other export)


def plays_store(*, user_id: int, plays: Sequence[ParsedPlay]) -> Stored:
    """Add the plays this user does not have yet, in one transaction."""
    rows = {play_fingerprint(p): p for p in plays}
    with transaction.atomic():
        known = dict(Play.objects.filter(user_id=user_id).values_list("fingerprint", "source"))
        fresh = [_row(user_id, f, p) for f, p in rows.items() if f not in known]
        before = len(known)
        with connection.cursor() as cursor:
            # plain executemany: Django's bulk_create compiles every value of 200,000 rows through
            # the ORM first, ten times slower; ON CONFLICT keeps a concurrent import from doubling
            for start in range(0, len(fresh), _BATCH):
                cursor.executemany(_INSERT, fresh[start:start + _BATCH])
        new = Play.objects.filter(user_id=user_id).count() - before
    return Stored(new=new, unique=list(rows.values()),
                  others=frozenset(source for f, source in known.items() if f not in rows))


_COLUMNS = ("user_id", "source", "kind", "played_at", "ms_played", "artist_name", "track_name", "album_name",
            "spotify_id", "duration_ms", "fingerprint")
_INSERT = (f"INSERT INTO {Play._meta.db_table} ({', '.join(_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
           "ON CONFLICT (user_id, fingerprint) DO NOTHING")


def _row(user_id: int, fingerprint: str, play: ParsedPlay) -> tuple[object, ...]:
    played_at = connection.ops.adapt_datetimefield_value(play.played_at) if play.played_at else None
    return (user_id, play.source.value, play.kind.value, played_at, play.ms_played, play.artist[:500],
            play.title[:500], play.album[:500], play.spotify_id or "", play.duration_ms, fingerprint)


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
    user_changed(user_id)
    return taste
