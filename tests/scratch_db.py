"""A fresh, empty database for tests that run genrelens in a subprocess.

On the SQLite pass it is a file under the test's tmp dir; on the PostgreSQL pass (DATABASE_URL is
postgres://...) it is a new database on that same server, dropped afterwards, so subprocess
tests exercise the database the suite is being run against.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg


def _server_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextmanager
def scratch_database(tmp_path: Path) -> Iterator[str]:
    server = _server_url()
    if server is None:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    name = f"scratch_{uuid.uuid4().hex[:12]}"
    admin = urlunsplit(urlsplit(server)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def count_rows(url: str, table: str) -> int:
    return int(query_one(url, f"SELECT COUNT(*) FROM {table}")[0])


def query_one(url: str, sql: str) -> tuple:
    """The first row of `sql` on the scratch database at `url` (an empty tuple when there is none)."""
    if url.startswith("sqlite:///"):
        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return tuple(db.execute(sql).fetchone() or ())
        finally:
            db.close()
    with psycopg.connect(url) as conn:
        return tuple(conn.execute(sql).fetchone() or ())
