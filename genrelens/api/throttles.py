"""DRF's anonymous and per-user rate limits, counted per fixed window instead of by a list of times.

DRF's own throttles keep every request's time of the last period in one cache entry, read and
written whole on each request: at the production limit of 1,200 a minute that is a list of 1,200
floats pickled twice per request, and under load the largest cost after the answer itself
(bench/bench_load.py). Here a window's count is one integer, raised in one round trip.
The price of a fixed window: a client may send up to twice the limit across a window's edge.
"""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


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
        return self._count(f"{self.key}:{window}") <= self.num_requests

    def _count(self, key: str) -> int:
        try:
            return int(self.cache.incr(key))
        except ValueError:  # the window's first request (or its count expired a moment ago)
            if self.cache.add(key, 1, self.duration + 1):
                return 1
            return int(self.cache.incr(key))

    def wait(self) -> float:
        return max(0.0, self.window_ends - self.now)


class AnonWindowThrottle(_CountedWindow, AnonRateThrottle):
    pass


class UserWindowThrottle(_CountedWindow, UserRateThrottle):
    pass
