"""The one retry policy for every remote call genrelens makes (Spotify and ReccoBeats).

spotipy's built-in urllib3 retry sleeps for the whole Retry-After with no upper bound (users see
"hangs" of an hour: spotify-api-2026.md §5.1) and, once exhausted, reports every failure as a 429
without headers (§2.3). So the adapter turns spotipy's retries off and owns the policy here:

* 429: sleep for Retry-After when it is at most `retry_after_cap`, else raise `RateLimited` at once;
* 5xx and connection errors: capped exponential backoff with jitter, a bounded number of times;
* 401: call `refresh` once (a new access token) and try again; a second 401 means log in again;
* anything else: raise the `UpstreamError` to the caller, which knows what a 403/404 means there.

Each client translates its library's exceptions into `UpstreamError` inside `attempt`, so this
loop never sees spotipy or requests types and ReccoBeats shares it unchanged.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar

from genrelens.core.errors import RateLimited, ReauthRequired, UpstreamError

T = TypeVar("T")

#: what to assume when a 429 arrives without a usable Retry-After header
DEFAULT_RETRY_AFTER = 1.0


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often to wait; `sleep` and `jitter` are injectable so tests never wait long."""

    retry_after_cap: float = 30.0
    max_retries: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def backoff(self, failures: int) -> float:
        """Delay before retry number `failures` (1-based): exponential, capped, "equal jitter".

        Half the delay is fixed and half random, so parallel workers hitting the same outage
        spread out without any of them retrying immediately.
        """
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (failures - 1))
        return ceiling / 2 + ceiling / 2 * self.jitter()

    def run(
        self,
        endpoint: str,
        attempt: Callable[[], T],
        *,
        refresh: Callable[[], None] | None = None,
    ) -> T:
        """Call `attempt` until it succeeds or the policy gives up (see the module docstring)."""
        failures = 0
        refreshed = False
        while True:
            try:
                return attempt()
            except UpstreamError as failure:
                if failure.status == 401:
                    if refresh is None or refreshed:
                        raise ReauthRequired(f"{endpoint}: access token rejected after a refresh") from failure
                    refresh()
                    refreshed = True
                    continue
                delay = self._delay_for(endpoint, failure, failures + 1)
                failures += 1
                if failures > self.max_retries:
                    raise self._exhausted(endpoint, failure, failures) from failure
                self.sleep(delay)

    def _delay_for(self, endpoint: str, failure: UpstreamError, failures: int) -> float:
        if failure.status == 429:
            wait = failure.retry_after if failure.retry_after is not None else DEFAULT_RETRY_AFTER
            if wait > self.retry_after_cap:
                raise RateLimited(wait, endpoint) from failure
            return wait
        if failure.status is None or failure.status >= 500:
            return self.backoff(failures)
        raise failure

    def _exhausted(self, endpoint: str, failure: UpstreamError, failures: int) -> Exception:
        if failure.status == 429:
            wait = failure.retry_after if failure.retry_after is not None else DEFAULT_RETRY_AFTER
            return RateLimited(wait, endpoint)
        what = f"HTTP {failure.status}" if failure.status is not None else "no response"
        return UpstreamError(
            f"{endpoint}: gave up after {failures} attempts ({what}: {failure})",
            status=failure.status,
            endpoint=endpoint,
        )


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(text).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(0.0, seconds)
