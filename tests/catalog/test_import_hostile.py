"""Hostile datasets: pickles that run code, archives that inflate without end, downloads without
bounds and redirects that lead somewhere they should not (issue 19, findings 1 and 4)."""

from __future__ import annotations

import gzip
import http.server
import pickle
import re
import threading
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from genrelens.catalog.models import Dataset, Track
from genrelens.core.dataset.download import download
from genrelens.core.dataset.formats import read_dataset
from genrelens.core.errors import ImportFailed
from tests.factories import tidy_raw_file
from tests.hostile import RunsCode

pytestmark = pytest.mark.django_db


def run_import(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves files from `root`, plus /redirect?to=URL, /slow (a byte a second) and /endless."""

    root: Path

    def do_GET(self) -> None:
        if self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/redirect?to="))
            self.end_headers()
        elif self.path == "/slow":
            self._stream(lambda: (time.sleep(0.5), b"x")[1], length=100)
        elif self.path == "/endless":
            self._stream(lambda: b"0" * 65536, length=None)
        else:
            body = (self.root / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def _stream(self, chunk, length: int | None) -> None:
        self.send_response(200)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            for _ in range(length or 10**6):
                self.wfile.write(chunk())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    handler = type("Handler", (_Handler,), {"root": tmp_path})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


# --- finding 1: pickles ----------------------------------------------------------------------


def test_a_pickle_served_over_http_is_never_loaded(tmp_path: Path, server: str, settings) -> None:
    settings.GENRELENS_DOWNLOAD_DIR = tmp_path / "cache"
    marker = tmp_path / "pwned"
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(RunsCode(marker)))
    with pytest.raises(CommandError, match="pickles can run code"):
        run_import(f"{server}/evil.pkl")
    with pytest.raises(CommandError, match="local files only"):
        run_import(f"{server}/evil.pkl", "--trust-pickle")
    assert not marker.exists() and not Dataset.objects.exists()


def test_a_local_pickle_is_loaded_only_behind_trust_pickle(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(RunsCode(marker)))
    with pytest.raises(CommandError, match="pass --trust-pickle"):
        run_import(str(path))
    with pytest.raises(ImportFailed, match="pickles can run code"):
        read_dataset(path)  # the `--dataset PATH` of train/evaluate/report reads through here too
    assert not marker.exists()


# --- finding 4: bounds -----------------------------------------------------------------------


def test_a_compressed_csv_that_inflates_past_the_cap_stops_with_a_clear_error(tmp_path: Path, settings) -> None:
    csv = tidy_raw_file(tmp_path / "songs.csv", n=3).read_bytes()
    bomb = tmp_path / "bomb.csv.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as out:  # a real header, then 64 MB of padding
        out.write(csv)
        out.write(b"\n" * (64 << 20))
    assert bomb.stat().st_size < 200_000
    settings.GENRELENS_DATASET_MAX_BYTES = 8 << 20
    with pytest.raises(CommandError, match="inflates to more than 8,388,608 bytes"):
        run_import(str(bomb))
    assert not Track.objects.exists()
    small = tmp_path / "small.csv.gz"
    small.write_bytes(gzip.compress(csv))
    assert "3 new" in run_import(str(small))  # a compressed file within the cap still imports


def test_a_download_past_the_byte_cap_stops_and_keeps_nothing(tmp_path: Path, server: str) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(ImportFailed, match="passed the limit of 1,000,000 bytes"):
        download(f"{server}/endless", cache, max_bytes=1_000_000, progress=False)
    tidy_raw_file(tmp_path / "big.csv", n=50)
    with pytest.raises(ImportFailed, match="the limit is 1,000"):
        download(f"{server}/big.csv", cache, max_bytes=1_000, progress=False)
    assert list(cache.iterdir()) == []


def test_a_slow_download_is_bounded_in_total_time_not_per_read(tmp_path: Path, server: str) -> None:
    started = time.monotonic()
    with pytest.raises(ImportFailed, match="longer than its time limit"):
        download(f"{server}/slow", tmp_path / "cache", timeout=2.0, progress=False)
    assert time.monotonic() - started < 5.0  # each byte comes in 0.5 s: a per-read timeout never fires


def test_redirects_to_other_schemes_or_private_addresses_are_refused(tmp_path: Path, server: str) -> None:
    tidy_raw_file(tmp_path / "songs.csv", n=2)
    cache = tmp_path / "cache"
    with pytest.raises(ImportFailed, match="only http"):
        download(f"{server}/redirect?to=file:///etc/passwd", cache, progress=False)
    with pytest.raises(ImportFailed, match="private or local address"):
        download(f"{server}/redirect?to={server}/songs.csv", cache, progress=False)
    with pytest.raises(ImportFailed, match="only http"):
        download("file:///etc/passwd", cache, progress=False)
    # asked for, a redirect to a local address is followed
    path = download(f"{server}/redirect?to={server}/songs.csv", cache, progress=False, allow_private_redirects=True)
    assert path.read_bytes() == (tmp_path / "songs.csv").read_bytes()


# --- issue 14: text PostgreSQL cannot store, ids too long to be ids ----------------------------


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"track_name": "So\x00ng"}, "line 3: column track_name: contains a NUL byte"),
        ({"track_id": "x" * 300}, "line 3: column track_id: 300 characters, more than an id has (200)"),
        ({"track_album_id": "a" * 5000}, "line 3: column track_album_id: 5000 characters"),
        ({"playlist_id": "p" * 65}, "line 3: column playlist_id: 65 characters"),
        ({"track_artist": "b" * 5000}, "line 3: an artist name of 5000 characters (at most 190)"),
    ],
)
def test_a_row_the_database_could_not_store_fails_the_import_by_line_and_column(
        tmp_path: Path, override: dict[str, str], expected: str) -> None:
    # Before: SQLite took these rows and PostgreSQL failed mid-import with a bare DataError.
    from tests.factories import TIDY_RAW_COLUMNS, tidy_raw_row, write_csv

    path = write_csv(tmp_path / "hostile.csv", [tidy_raw_row(0), tidy_raw_row(1, **override)], TIDY_RAW_COLUMNS)
    with pytest.raises(CommandError, match=re.escape(expected)):
        run_import(str(path))
    assert not Track.objects.exists() and not Dataset.objects.exists()
    run_import(str(path), "--skip-invalid")  # the valid row alone
    assert list(Track.objects.values_list("name", flat=True)) == ["Song 0"]


def test_a_binary_file_named_csv_is_refused_as_not_text(tmp_path: Path) -> None:
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    with pytest.raises(CommandError, match="not UTF-8 text"):
        run_import(str(path))
    assert not Track.objects.exists() and not Dataset.objects.exists()
