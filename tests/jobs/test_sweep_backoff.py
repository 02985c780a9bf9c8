"""The sweep replaces lost messages without flooding the broker (issue 14): a queued job is sent
again after a lease, then 2, 4, ... leases since its last send (capped), at most
GENRELENS_JOB_SWEEP_MAX_SENDS messages per sweep, the longest unsent first; a send the broker
refused is made on the next sweep; a dead worker's job is sent at once.

The messages are counted in the real embedded broker, read back by a kombu consumer. Time is
simulated: each sweep is given its instant (`jobs_recover(now=...)`), and the sends it made are
dated to that instant, so the schedule is checked exactly however slow the machine is.
"""

from __future__ import annotations

import shutil
import socket
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from queue import Empty

import pytest
from django.utils import timezone

from config.celery import app
from genrelens.jobs.models import Job
from genrelens.jobs.services import job_create, jobs_recover
from tests.jobs import workers as w

LEASE = 60.0  # GENRELENS_JOB_LEASE_SECONDS' default
SWEEP = 30.0  # GENRELENS_JOB_SWEEP_SECONDS' default
CAP = 480.0   # the longest wait between sends, lowered from 1 h so that 20 minutes reach it

pytestmark = pytest.mark.django_db(transaction=True)  # sends happen when the transaction commits


def broker_messages() -> Counter[str]:
    """Take every message out of the broker: how many each job got."""
    counts: Counter[str] = Counter()
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue("celery")
        while True:
            try:
                message = queue.get(block=False)
            except Empty:
                break
            args, _kwargs, _embed = message.payload
            counts[args[0]] += 1
            message.ack()
        queue.close()
    return counts


class Clock:
    """Simulated time for the sweep, a day in the past so that every real timestamp is after it."""

    def __init__(self) -> None:
        self.now: datetime = timezone.now() - timedelta(days=1)
        self.settle()

    def settle(self) -> None:
        """Date what was created or sent since the last instant to this one."""
        Job.objects.filter(created_at__gt=self.now).update(created_at=self.now)
        Job.objects.filter(sent_at__gt=self.now).update(sent_at=self.now)

    def sweep(self, after: float = SWEEP) -> int:
        self.now += timedelta(seconds=after)
        sent = jobs_recover(now=self.now)
        self.settle()
        return sent


@pytest.fixture
def broker(broker_dir: Path, settings) -> Iterator[Path]:
    """An empty queue (earlier tests leave messages for jobs their database no longer has)."""
    settings.GENRELENS_JOB_LEASE_SECONDS = LEASE
    settings.GENRELENS_JOB_RESEND_MAX_SECONDS = CAP
    settings.GENRELENS_JOB_SWEEP_MAX_SENDS = 1000
    shutil.rmtree(broker_dir / "queue")
    (broker_dir / "queue").mkdir()
    yield broker_dir
    broker_messages()


def queued(n: int) -> list[str]:
    return [str(job_create(kind="refresh_taste", payload={"user_id": u}).pk) for u in range(n)]


def allowed_sends(sweeps: int) -> int:
    """The schedule, written out: sent when created, then at the first sweep more than
    min(LEASE * 2**k, CAP) seconds after the (k+1)th send."""
    sends, last = 1, 0.0
    for k in range(1, sweeps + 1):
        if k * SWEEP - last > min(LEASE * 2 ** (sends - 1), CAP):
            sends, last = sends + 1, k * SWEEP
    return sends


def test_a_backlog_whose_messages_wait_in_the_broker_gets_no_duplicate_and_a_lost_message_is_replaced(
        broker: Path) -> None:
    clock = Clock()
    jobs = queued(60)
    clock.settle()
    for _ in range(40):  # 20 minutes, no worker taking anything; the broker holds all 60 messages
        assert clock.sweep() == 0
    lose(10)
    assert clock.sweep() == 10  # the broker lacks 10: that many go again, the longest unsent first
    held = broker_messages()  # one message per job again (which jobs lost theirs, no one can tell)
    assert sum(held.values()) == 60 and set(held) <= set(jobs)
    assert Job.objects.filter(pk__in=jobs, send_count=2).count() == 10


def lose(n: int) -> None:
    """Messages taken by a consumer that died with them (what the embedded broker can lose)."""
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue("celery")
        for _ in range(n):
            queue.get(block=False).ack()
        queue.close()


def test_a_backlog_whose_messages_keep_getting_lost_is_sent_on_the_back_off_schedule_not_every_sweep(
        broker: Path) -> None:
    clock = Clock()
    jobs = queued(60)
    clock.settle()
    received = broker_messages()
    assert received == Counter({job: 1 for job in jobs})  # the send at creation
    sweeps = 40  # 20 minutes, each message lost as soon as it is sent
    for _ in range(sweeps):
        clock.sweep()
        received += broker_messages()
    # 1 + re-sends at 1.5, 4, 8.5, 17 minutes; the sweep before this change sent 39 (every sweep from 1.5 min)
    assert allowed_sends(sweeps) == 5
    assert received == Counter({job: 5 for job in jobs})
    rows = Job.objects.filter(pk__in=jobs)
    assert set(rows.values_list("send_count", flat=True)) == {5}
    assert set(rows.values_list("status", flat=True)) == {"queued"}


def test_once_the_wait_reaches_its_cap_a_job_is_sent_once_per_cap(broker: Path) -> None:
    clock = Clock()
    [job] = queued(1)
    clock.settle()
    sweeps = int(3 * 3600 / SWEEP)  # three hours, every message lost
    received = broker_messages()
    for _ in range(sweeps):
        clock.sweep()
        received += broker_messages()
    assert received[job] == allowed_sends(sweeps)
    # the doubling waits (1, 2, 4, 8 min) take the first quarter hour; then one every CAP (8 min)
    assert 3 * 3600 / CAP < received[job] < 3 * 3600 / CAP + 6


def test_one_sweep_sends_at_most_its_cap_the_longest_unsent_first_and_a_dead_workers_job_before_them(
        broker: Path, settings) -> None:
    settings.GENRELENS_JOB_SWEEP_MAX_SENDS = 20
    clock = Clock()
    jobs = queued(50)
    for i, job in enumerate(jobs):  # sent one second apart, the first the longest ago
        Job.objects.filter(pk=job).update(sent_at=clock.now - timedelta(seconds=len(jobs) - i))
    [dead] = queued(1)
    clock.settle()
    Job.objects.filter(pk=dead).update(status=Job.Status.RUNNING, attempts=1, worker="gone:1:1",
                                       lease_expires_at=clock.now + timedelta(seconds=LEASE + 10))
    broker_messages()

    assert clock.sweep(after=LEASE + 20) == 20  # all 51 are due: the dead one and the 19 sent longest ago
    first = broker_messages()
    assert set(first) == {dead, *jobs[:19]} and set(first.values()) == {1}
    assert clock.sweep() == 20  # the next 19, and the dead one again: it goes out until a worker takes it
    second = broker_messages()
    assert set(second) == {dead, *jobs[19:38]}
    assert clock.sweep() == 13
    assert set(broker_messages()) == {dead, *jobs[38:]}
    assert clock.sweep() == 1  # every queued job sent again once, none twice; waiting 2 leases now


def test_a_dead_workers_job_is_sent_at_once_and_a_running_one_not_at_all(broker: Path) -> None:
    clock = Clock()
    dead, alive = queued(2)
    clock.settle()
    for job, lease_left in ((dead, 5.0), (alive, 5 * LEASE)):
        Job.objects.filter(pk=job).update(status=Job.Status.RUNNING, attempts=1, worker="w:1:1",
                                          lease_expires_at=clock.now + timedelta(seconds=lease_left))
    broker_messages()
    assert clock.sweep(after=10.0) == 1  # its last send was 10 s ago, but its lease ran out
    assert broker_messages() == Counter({dead: 1})
    assert Job.objects.get(pk=dead).attempts == 1  # sent, not run: the worker that takes it claims it


def test_a_send_the_broker_refused_is_made_on_the_next_sweep_and_only_that_one(broker: Path) -> None:
    clock = Clock()
    [delivered] = queued(1)
    (broker / "queue").rename(broker / "queue-gone")  # the broker's storage is gone: sends fail
    try:
        [refused] = queued(1)
        clock.settle()  # both created at the clock's instant
        assert clock.sweep() == 1  # tried again, refused again: still due
    finally:
        (broker / "queue-gone").rename(broker / "queue")
    row = Job.objects.get(pk=refused)
    assert (row.status, row.sent_at, row.send_count) == ("queued", None, 0)
    assert broker_messages() == Counter({delivered: 1})

    assert clock.sweep() == 1  # the broker is back: the refused one, not the one that was delivered
    assert broker_messages() == Counter({refused: 1})
    row.refresh_from_db()
    assert (row.sent_at, row.send_count) == (clock.now, 1)
    # 30 s on: the refused one, sent 30 s ago, waits a lease like any other; the delivered one's
    # message was taken above and never claimed (lost), and it was sent 90 s ago: it goes again
    assert clock.sweep() == 1
    assert broker_messages() == Counter({delivered: 1})


@pytest.mark.skipif(not w.REDIS_URL, reason=w.NEEDS_REDIS)
def test_the_sweep_counts_the_messages_waiting_in_redis_and_goes_on_without_the_count_when_redis_is_down(
        broker: Path) -> None:
    import redis
    from kombu import Connection

    from genrelens.jobs.broker import messages_waiting

    redis.Redis.from_url(w.REDIS_URL).flushdb()
    saved = app.conf.broker_url, app.conf.broker_transport_options
    try:
        app.conf.broker_url, app.conf.broker_transport_options = w.REDIS_URL, {}
        assert messages_waiting() == 0
        with Connection(w.REDIS_URL) as conn:
            queue = conn.SimpleQueue(app.conf.task_default_queue)
            for n in range(3):
                queue.put({"n": n})
            queue.close()
        assert messages_waiting() == 3
        app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"  # nothing listens there
        started = time.monotonic()
        assert messages_waiting() is None
        assert time.monotonic() - started < 10  # one try, not the producer's endless retries
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        redis.Redis.from_url(w.REDIS_URL).flushdb()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
