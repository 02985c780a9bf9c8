"""The retry policy on its own: real failures raised in sequence, sleeping recorded instead of waited."""

import pytest

from genrelens.core.errors import RateLimited, ReauthRequired, UpstreamError
from genrelens.core.spotify.retry import RetryPolicy, parse_retry_after


class Script:
    """Raises the given failures in order, then returns "ok"."""

    def __init__(self, *failures: UpstreamError) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def fail(status, retry_after=None):
    return UpstreamError(f"HTTP {status}", status=status, retry_after=retry_after)


def policy(slept, **kw):
    return RetryPolicy(sleep=slept.append, jitter=lambda: 0.5, **kw)


def test_429_sleeps_for_retry_after_then_succeeds():
    slept: list[float] = []
    script = Script(fail(429, 1.0), fail(429, 2.0))
    assert policy(slept).run("search", script) == "ok"
    assert slept == [1.0, 2.0]
    assert script.calls == 3


def test_429_above_the_cap_raises_at_once_without_sleeping():
    slept: list[float] = []
    script = Script(fail(429, 3600.0))
    with pytest.raises(RateLimited) as info:
        policy(slept, retry_after_cap=30).run("search", script)
    assert info.value.retry_after == 3600.0
    assert info.value.endpoint == "search"
    assert slept == [] and script.calls == 1


def test_5xx_and_connection_errors_back_off_exponentially_with_a_cap():
    slept: list[float] = []
    script = Script(fail(500), fail(502), UpstreamError("refused", status=None), fail(503))
    p = policy(slept, max_retries=5, backoff_base=1.0, backoff_cap=3.0)
    assert p.run("tracks", script) == "ok"
    # equal jitter at 0.5: 3/4 of min(cap, base * 2^(n-1))
    assert slept == [0.75, 1.5, 2.25, 2.25]


def test_5xx_burst_longer_than_the_budget_gives_up_with_a_transient_error():
    slept: list[float] = []
    script = Script(*[fail(503)] * 10)
    with pytest.raises(UpstreamError) as info:
        policy(slept, max_retries=3).run("tracks", script)
    assert info.value.status == 503 and not info.value.permanent
    assert script.calls == 4 and len(slept) == 3


def test_401_refreshes_once_then_retries():
    refreshed: list[int] = []
    script = Script(fail(401))
    assert RetryPolicy(sleep=lambda s: None).run("me", script, refresh=lambda: refreshed.append(1)) == "ok"
    assert refreshed == [1]


def test_a_second_401_after_refresh_means_log_in_again():
    script = Script(fail(401), fail(401))
    with pytest.raises(ReauthRequired):
        RetryPolicy(sleep=lambda s: None).run("me", script, refresh=lambda: None)


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_client_errors_are_not_retried(status):
    script = Script(fail(status))
    with pytest.raises(UpstreamError) as info:
        RetryPolicy(sleep=lambda s: None).run("x", script)
    assert info.value.status == status and info.value.permanent
    assert script.calls == 1


def test_backoff_jitter_stays_within_half_and_full_delay():
    p = RetryPolicy(backoff_base=2.0, backoff_cap=100.0)
    for n in range(1, 6):
        full = 2.0 * 2 ** (n - 1)
        assert full / 2 <= p.backoff(n) <= full


@pytest.mark.parametrize(
    ("header", "seconds"), [("3", 3.0), (" 1.5 ", 1.5), ("", None), (None, None), ("soon", None), ("-4", 0.0)]
)
def test_parse_retry_after(header, seconds):
    assert parse_retry_after(header) == seconds


def test_parse_retry_after_accepts_http_dates():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
