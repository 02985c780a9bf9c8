"""Fetch a dataset from an http(s) URL into a local cache, with a progress bar and its sha256."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import requests
from tqdm import tqdm

from genrelens.core.errors import ImportFailed


def is_url(source: str) -> bool:
    return urlparse(source).scheme in {"http", "https"}


def cached_path(url: str, cache_dir: Path) -> Path:
    name = Path(urlparse(url).path).name or "download"
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return cache_dir / f"{digest}-{name}"


def download(url: str, cache_dir: Path, *, timeout: float = 30.0, progress: bool = True) -> Path:
    """The file behind `url`, downloaded once into `cache_dir` (an interrupted download leaves no file)."""
    target = cached_path(url, cache_dir)
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        response = requests.get(url, stream=True, timeout=timeout)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise ImportFailed(f"{url}: could not download ({exc})") from exc
    total = int(response.headers.get("Content-Length") or 0) or None
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as fh, tqdm(total=total, unit="B", unit_scale=True, desc=target.name,
                                             disable=not progress) as bar:
            for chunk in response.iter_content(chunk_size=1 << 16):
                fh.write(chunk)
                bar.update(len(chunk))
        os.replace(tmp, target)  # atomic: the cache never holds half a file
    except (OSError, requests.RequestException) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ImportFailed(f"{url}: download interrupted ({exc})") from exc
    return target
