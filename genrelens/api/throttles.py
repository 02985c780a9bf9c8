"""DRF's anonymous and per-user rate limits, counted per fixed window, mostly without a round trip.

DRF's own throttles keep every request's time of the last period in one cache entry, read and
written whole on each request: at the production limit of 1,200 a minute that is a list of 1,200
floats pickled twice per request. Here a window's count is one integer in the shared cache.

And a client far from its limit costs no round trip at all: each process counts that client's
requests itself and adds them to the shared count a batch at a time (`BATCH`). Once the count it
knows (the shared count it last saw plus its own unsent requests) passes half the limit, every
request is added to the shared count before it is answered, so the decision near the limit is the
shared one. Under load that took a round trip to Redis off every request (two for an anonymous
caller, whom both throttles count; bench/bench_load.py).

The prices, both bounded: a client may send up to twice the limit across a window's edge (a fixed
window); and requests a process has not yet sent are not seen by the others, so across P processes
a client can pass its limit by up to (P - 1) * (BATCH - 1) requests in a window, and a process's
unsent count is dropped when its window ends.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

#: requests a process counts itself before it adds them to the shared count
BATCH = 16
#: windows this process keeps local counts for, before it drops those that have ended
_PRUNE_AT = 4096


@dataclass
class _Count:
    unsent: int = 0  # this process's requests not yet added to the shared count
    seen: int = 0  # the shared count when this process last added to it
    ends: float = 0.0


class LocalCounts:
    """One process's counts per client and window. Its lock is held only to read and change these
    numbers, never across a round trip."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, _Count] = {}

    def take(self, key: str, ends: float, now: float, half_limit: float) -> int:
        """Count one request. 0: far from the limit, counted here and allowed; otherwise the unsent
        requests (this one included) that the caller must add to the shared count now."""
        with self._lock:
            count = self._counts.get(key)
            if count is None:
                if len(self._counts) >= _PRUNE_AT:
                    self._counts = {k: c for k, c in self._counts.items() if c.ends > now}
                count = self._counts[key] = _Count(ends=ends)
            count.unsent += 1
            if count.unsent < BATCH and count.seen + count.unsent <= half_limit:
                return 0
            unsent, count.unsent = count.unsent, 0
            return unsent

    def saw(self, key: str, total: int) -> None:
        with self._lock:
            count = self._counts.get(key)
            if count is not None:
                count.seen = max(count.seen, total)

    def forget(self) -> None:
        with self._lock:
            self._counts.clear()


LOCAL = LocalCounts()


def forget_local_counts() -> None:
    """For tests, which empty the shared cache between them: this process's counts go too."""
    LOCAL.forget()


class _CountedWindow(SimpleRateThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        unsent = LOCAL.take(key, self.window_ends, self.now, self.num_requests / 2)
        if not unsent:
            return True
        total = self._add(key, unsent)
        LOCAL.saw(key, total)
        return total <= self.num_requests

    def _add(self, key: str, delta: int) -> int:
        try:
            return int(self.cache.incr(key, delta))
        except ValueError:  # the window's first batch (or its count expired a moment ago)
            if self.cache.add(key, delta, self.duration + 1):
                return delta
            return int(self.cache.incr(key, delta))

    def wait(self) -> float:
        return max(0.0, self.window_ends - self.now)


class AnonWindowThrottle(_CountedWindow, AnonRateThrottle):
    pass


class UserWindowThrottle(_CountedWindow, UserRateThrottle):
    pass
