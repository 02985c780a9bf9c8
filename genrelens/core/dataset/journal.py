"""The collect job's journal: what has been fetched so far, kept durably so a killed run resumes.

A small SQLite file (stdlib `sqlite3`, WAL) per dataset under var/collect/. Every step writes its
results in one transaction per unit of work (a sub-genre's search, a whole playlist, a batch of
artists, a batch of features), keyed so that writing the same unit twice replaces it: a run
killed at any point loses at most the units in flight, and running again neither loses nor
duplicates anything.

It is also the provider chain's `FeatureStore` for the run, so features already fetched are
never asked for again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from genrelens.core.spotify.capabilities import Capabilities
from genrelens.core.spotify.models import Artist, ArtistRef, Playlist, PlaylistItem, SkipCounts, Track
from genrelens.core.types import AudioFeatures, SourcedFeatures

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS searches (subgenre TEXT PRIMARY KEY, playlists TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS playlists (
    id TEXT PRIMARY KEY, record TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
    skipped_null INTEGER NOT NULL DEFAULT 0, skipped_local INTEGER NOT NULL DEFAULT 0,
    skipped_episodes INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS entries (
    playlist_id TEXT NOT NULL, position INTEGER NOT NULL, track_id TEXT NOT NULL,
    PRIMARY KEY (playlist_id, position));
CREATE TABLE IF NOT EXISTS tracks (id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS artists (id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS features (
    track_id TEXT NOT NULL, source TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (track_id, source));
CREATE TABLE IF NOT EXISTS blocked (step TEXT PRIMARY KEY, reason TEXT NOT NULL);
"""


class Journal:
    """Durable progress of one collect run. Thread-safe: one connection behind a lock."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, args))

    # -- meta ------------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self._rows("SELECT v FROM meta WHERE k = ?", key)
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def capabilities(self) -> Capabilities | None:
        """What an earlier run learnt about the app, so a resumed run does not knock on closed doors."""
        saved = self.get_meta("capabilities")
        return Capabilities.from_dict(json.loads(saved)) if saved else None

    def save_capabilities(self, capabilities: Capabilities) -> None:
        self.set_meta("capabilities", json.dumps(capabilities.as_dict(), sort_keys=True))

    # -- step 1: searches ------------------------------------------------------------------------

    def searched(self) -> dict[str, list[Playlist]]:
        return {sub: [Playlist(**p) for p in json.loads(raw)]
                for sub, raw in self._rows("SELECT subgenre, playlists FROM searches")}

    def save_search(self, subgenre: str, playlists: Sequence[Playlist]) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO searches VALUES (?, ?)",
                       (subgenre, json.dumps([asdict(p) for p in playlists])))

    # -- step 2: playlist items -----------------------------------------------------------------

    def playlist_status(self) -> dict[str, str]:
        return dict(self._rows("SELECT id, status FROM playlists"))

    def save_playlist(self, playlist: Playlist, items: Sequence[PlaylistItem], skipped: SkipCounts) -> None:
        """A whole playlist in one transaction: its tracks, its ordered entries, what was skipped."""
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO tracks VALUES (?, ?)",
                           [(i.track.id, json.dumps(asdict(i.track))) for i in items])
            db.execute("DELETE FROM entries WHERE playlist_id = ?", (playlist.id,))
            db.executemany("INSERT INTO entries VALUES (?, ?, ?)",
                           [(playlist.id, pos, i.track.id) for pos, i in enumerate(items)])
            db.execute("INSERT OR REPLACE INTO playlists VALUES (?, ?, 'done', '', ?, ?, ?)",
                       (playlist.id, json.dumps(asdict(playlist)), skipped.null, skipped.local, skipped.episodes))

    def block_playlist(self, playlist: Playlist, reason: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO playlists (id, record, status, reason) VALUES (?, ?, 'blocked', ?)",
                       (playlist.id, json.dumps(asdict(playlist)), reason))

    def blocked_playlist_reasons(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT reason FROM playlists WHERE status = 'blocked'")]

    def skipped(self) -> SkipCounts:
        row = self._rows("SELECT COALESCE(SUM(skipped_null), 0), COALESCE(SUM(skipped_local), 0), "
                         "COALESCE(SUM(skipped_episodes), 0) FROM playlists")[0]
        return SkipCounts(null=row[0], local=row[1], episodes=row[2])

    def entries(self) -> list[tuple[str, int, str]]:
        return [tuple(r) for r in self._rows("SELECT playlist_id, position, track_id FROM entries "
                                             "ORDER BY playlist_id, position")]

    def playlists(self, status: str = "done") -> list[Playlist]:
        return [Playlist(**json.loads(r[0])) for r in self._rows("SELECT record FROM playlists WHERE status = ?",
                                                                 status)]

    def tracks(self) -> list[Track]:
        return [_track(json.loads(r[0])) for r in self._rows("SELECT record FROM tracks ORDER BY id")]

    # -- step 3: artists --------------------------------------------------------------------------

    def artist_ids(self) -> set[str]:
        return {r[0] for r in self._rows("SELECT id FROM artists")}

    def save_artists(self, artists: Iterable[Artist]) -> None:
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO artists VALUES (?, ?)",
                           [(a.id, json.dumps(asdict(a))) for a in artists])

    def artists(self) -> dict[str, Artist]:
        out = {}
        for (raw,) in self._rows("SELECT record FROM artists"):
            data = json.loads(raw)
            data["genres"] = tuple(data.get("genres") or ())
            out[data["id"]] = Artist(**data)
        return out

    # -- step 4: features (the chain's FeatureStore) ---------------------------------------------

    def keys_with_features(self, keys: Sequence[str]) -> set[str]:
        have = {r[0] for r in self._rows("SELECT DISTINCT track_id FROM features")}
        return have.intersection(keys)

    def save_features(self, items: Sequence[SourcedFeatures]) -> None:
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO features VALUES (?, ?, ?)", [
                (i.track_key, i.source, json.dumps({"features": i.features.as_dict(), "version": i.source_version,
                                                     "fetched_at": i.fetched_at.isoformat(), "how": dict(i.how)}))
                for i in items])

    def features(self) -> list[SourcedFeatures]:
        out = []
        for key, source, raw in self._rows("SELECT track_id, source, record FROM features ORDER BY track_id"):
            data = json.loads(raw)
            out.append(SourcedFeatures(track_key=key, source=source, features=AudioFeatures(**data["features"]),
                                       source_version=data["version"], how=data["how"],
                                       fetched_at=datetime.fromisoformat(data["fetched_at"])))
        return out

    # -- degradations ------------------------------------------------------------------------------

    def block_step(self, step: str, reason: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO blocked VALUES (?, ?)", (step, reason))

    def blocked(self) -> dict[str, str]:
        return dict(self._rows("SELECT step, reason FROM blocked ORDER BY step"))


def _track(data: dict[str, Any]) -> Track:
    data["artists"] = tuple(ArtistRef(**a) for a in data["artists"])
    return Track(**data)
