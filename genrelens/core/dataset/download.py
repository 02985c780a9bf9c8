"""Fetch a dataset from an http(s) URL into a local cache, with a progress bar and its sha256.

A URL is untrusted input: the download is capped in bytes and in total time, only http(s) is
followed, and a redirect to another scheme or to a private, loopback or link-local address is
refused unless the caller allows it (the URL the user typed may be local: that is their choice,
a server redirecting there is not). Compressed files are inflated through a counting reader, so a
small `.csv.gz` that inflates to gigabytes stops at the cap with a clear error.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import ipaddress
import lzma
import os
import socket
import tempfile
import time
import zipfile
from pathlib import Path
from typing import IO, cast
from urllib.parse import urljoin, urlparse

import requests
from tqdm import tqdm

from genrelens.core.errors import ImportFailed

#: default cap on a download's bytes, and on a compressed dataset's inflated bytes (2 GiB)
MAX_BYTES = 2 * 1024**3
#: redirects followed before giving up
MAX_REDIRECTS = 5
_SCHEMES = {"http", "https"}
_REDIRECTS = {301, 302, 303, 307, 308}


def is_url(source: str) -> bool:
    return urlparse(source).scheme in _SCHEMES


def cached_path(url: str, cache_dir: Path) -> Path:
    name = Path(urlparse(url).path).name or "download"
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return cache_dir / f"{digest}-{name}"


def download(
    url: str, cache_dir: Path, *, timeout: float = 30.0, progress: bool = True, max_bytes: int = MAX_BYTES,
    allow_private_redirects: bool = False,
) -> Path:
    """The file behind `url`, downloaded once into `cache_dir` (an interrupted download leaves no file).

    `timeout` bounds the whole download (connecting, redirects and every byte), not each read;
    past `max_bytes` the download stops and nothing is kept.
    """
    if not is_url(url):
        raise ImportFailed(f"{url}: only http(s) URLs can be downloaded")
    target = cached_path(url, cache_dir)
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    response = _get_following_redirects(url, deadline, allow_private_redirects)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh:
            _copy_capped(response, fh, url=url, deadline=deadline, max_bytes=max_bytes,
                         label=target.name, progress=progress)
        os.replace(tmp, target)  # atomic: the cache never holds half a file
    except (OSError, requests.RequestException) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ImportFailed(f"{url}: download interrupted ({exc})") from exc
    except ImportFailed:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        response.close()
    return target


def _get_following_redirects(url: str, deadline: float, allow_private: bool) -> requests.Response:
    """GET with redirects followed by hand, so each hop's scheme and address can be checked."""
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = requests.get(url, stream=True, allow_redirects=False, timeout=_remaining(deadline, url))
        except requests.RequestException as exc:
            raise ImportFailed(f"{url}: could not download ({exc})") from exc
        if response.status_code not in _REDIRECTS:
            _raise_for_status(response, url)
            return response
        response.close()
        url = urljoin(url, response.headers.get("Location", ""))
        _check_redirect(url, allow_private)
    raise ImportFailed(f"{url}: more than {MAX_REDIRECTS} redirects")


def _raise_for_status(response: requests.Response, url: str) -> None:
    try:
        response.raise_for_status()
    except requests.HTTPError as exc:
        response.close()
        raise ImportFailed(f"{url}: could not download ({exc})") from exc


def _check_redirect(url: str, allow_private: bool) -> None:
    parts = urlparse(url)
    if parts.scheme not in _SCHEMES:
        raise ImportFailed(f"refused a redirect to {parts.scheme or 'a relative'}: URL {url!r} (only http(s))")
    if not allow_private and _is_private_host(parts.hostname or ""):
        raise ImportFailed(f"refused a redirect to {parts.hostname}, a private or local address")


def _is_private_host(host: str) -> bool:
    """True when any address the host resolves to is not a public one (loopback, private, link-local...)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False  # unresolvable: the request itself will fail with a clear error
    return any(not ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_global for info in infos)


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise ImportFailed(f"{url}: download took longer than its time limit")
    return left


def _copy_capped(response: requests.Response, out: IO[bytes], *, url: str, deadline: float, max_bytes: int,
                 label: str, progress: bool) -> None:
    declared = int(response.headers.get("Content-Length") or 0) or None
    if declared is not None and declared > max_bytes:
        raise ImportFailed(f"{url}: the file is {declared:,} bytes; the limit is {max_bytes:,}")
    written = 0
    with tqdm(total=declared, unit="B", unit_scale=True, desc=label, disable=not progress) as bar:
        # read1 returns what has arrived instead of waiting for a full chunk, so a server that
        # trickles bytes meets the deadline check below (iter_content would wait on each chunk)
        while chunk := response.raw.read1(1 << 16, decode_content=True):
            written += len(chunk)
            if written > max_bytes:
                raise ImportFailed(f"{url}: the download passed the limit of {max_bytes:,} bytes")
            _remaining(deadline, url)
            out.write(chunk)
            bar.update(len(chunk))


# --- reading compressed files within a cap ---------------------------------------------------

class _Capped(io.RawIOBase):
    """A binary stream that raises ImportFailed once more than `limit` bytes were read from it."""

    def __init__(self, inner: IO[bytes], *, limit: int, name: str) -> None:
        self._inner, self._limit, self._name, self._read = inner, limit, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        self._read += len(data)
        if self._read > self._limit:
            raise ImportFailed(f"{self._name}: inflates to more than {self._limit:,} bytes (the limit)")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_capped(path: Path, *, max_bytes: int = MAX_BYTES) -> io.BufferedReader:
    """The file's bytes, inflated when its suffix says it is compressed (.gz, .bz2, .xz, a
    one-file .zip), and never more than `max_bytes` of them."""
    suffix = path.suffix.lower()
    inner: IO[bytes]
    if suffix == ".gz":
        inner = cast(IO[bytes], gzip.GzipFile(path, "rb"))
    elif suffix == ".bz2":
        inner = cast(IO[bytes], bz2.BZ2File(path, "rb"))
    elif suffix == ".xz":
        inner = cast(IO[bytes], lzma.LZMAFile(path, "rb"))  # noqa: SIM115 - closed by the _Capped wrapper
    elif suffix == ".zip":
        inner = _zip_member(path)
    else:
        inner = path.open("rb")
    return io.BufferedReader(_Capped(inner, limit=max_bytes, name=path.name), buffer_size=1 << 20)


def _zip_member(path: Path) -> IO[bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ImportFailed(f"{path}: not a readable zip file ({exc})") from exc
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) != 1:
        archive.close()
        raise ImportFailed(f"{path}: a zip must hold exactly one file (it holds {len(members)})")
    return archive.open(members[0])
