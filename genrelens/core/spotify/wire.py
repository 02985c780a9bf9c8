"""What goes over the wire: a requests.Session that counts every request by endpoint template.

The dataset builder reports how many requests a run cost and compares the figure with the
sandbox's `/_sandbox/stats`, so the keys here use the same shape: "GET /v1/playlists/{id}/items".
Counting in the session (rather than per typed call) also sees token requests, 401 refreshes and
every retry, which is what the upstream quota is charged for.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import requests

#: path segments after which the next segment is a resource id, not a fixed word
_ID_PARENTS = frozenset(
    {"playlists", "albums", "tracks", "artists", "categories", "users", "audio-features", "audio-analysis", "track"}
)
#: fixed words that may follow an id parent ("/v1/albums/{id}/tracks" but "/v1/me/tracks")
_NEVER_IDS = frozenset({"items", "tracks", "playlists", "followers", "audio-features"})


def endpoint_template(method: str, url: str) -> str:
    """"GET https://host/v1/playlists/37i9/items?limit=50" -> "GET /v1/playlists/{id}/items"."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    shaped: list[str] = []
    for i, segment in enumerate(segments):
        parent = segments[i - 1] if i else ""
        if parent == "top" and "me" in segments[:i]:
            shaped.append("{type}")  # /me/top/{tracks|artists}, as the sandbox names the route
            continue
        is_id = parent in _ID_PARENTS and segment not in _NEVER_IDS and not _is_fixed_after_me(segments, i)
        shaped.append("{id}" if is_id else segment)
    return f"{method.upper()} /" + "/".join(shaped)


def _is_fixed_after_me(segments: list[str], i: int) -> bool:
    # "/v1/me/top/tracks" and "/v1/me/tracks" never carry an id after "tracks"
    return "me" in segments[:i]


class RequestCounter:
    """Thread-safe counts of requests per endpoint template."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, key: str) -> None:
        with self._lock:
            self._counts[key] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def by_endpoint(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


class CountingSession(requests.Session):
    """A plain session (no retry adapter: the policy in retry.py owns retries) that counts requests."""

    def __init__(self, counter: RequestCounter | None = None) -> None:
        super().__init__()
        self.counter = counter if counter is not None else RequestCounter()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        verb = method.decode() if isinstance(method, bytes) else method
        target = url.decode() if isinstance(url, bytes) else url
        self.counter.add(endpoint_template(verb, target))
        return super().request(method, url, *args, **kwargs)
