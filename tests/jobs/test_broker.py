"""The embedded broker under contention: producers and consumers in parallel, as the web app and
workers are. kombu's own filesystem transport let a consumer take a message file before it was
written (an empty read, and the worker stopped), let a producer read the exchange's routing table
before it was written (the producer's messages lost), and routed nothing in a second broker folder
of the same process; see genrelens/jobs/broker.py."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from queue import Empty

from kombu import Connection, Exchange, Queue

import config.celery  # noqa: F401  (points filesystem:// at genrelens.jobs.broker)
from genrelens.jobs.broker import Transport

MESSAGES = 400  # per producer


def _connection(root: Path) -> Connection:
    options = {"data_folder_in": str(root / "queue"), "data_folder_out": str(root / "queue"),
               "control_folder": str(root / "control"), "processed_folder": str(root / "processed"),
               "polling_interval": 0.001}
    return Connection("filesystem://", transport_options=options)


def _folders(root: Path) -> Path:
    for name in ("queue", "control", "processed"):
        (root / name).mkdir(parents=True)
    return root


def test_every_message_reaches_exactly_one_consumer_whole(tmp_path: Path) -> None:
    _folders(tmp_path)
    with _connection(tmp_path) as probe:
        assert isinstance(probe.transport, Transport)
    received: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    producing = threading.Event()
    producing.set()

    def produce(who: int) -> None:
        try:
            with _connection(tmp_path) as conn:
                queue = conn.SimpleQueue("contended")
                for n in range(MESSAGES):
                    queue.put({"who": who, "n": n, "padding": "x" * 4096})  # big enough to be caught mid-write
                queue.close()
        except BaseException as exc:  # a torn routing table raises here, in the producer
            errors.append(exc)

    def consume() -> None:
        try:
            with _connection(tmp_path) as conn:
                queue = conn.SimpleQueue("contended")
                while True:
                    try:
                        message = queue.get(block=True, timeout=0.5)
                    except Empty:
                        if not producing.is_set():
                            break
                        continue
                    received.append((message.payload["who"], message.payload["n"]))
                    message.ack()
                queue.close()
        except BaseException as exc:  # a torn message raises here, in the consumer
            errors.append(exc)

    consumers = [threading.Thread(target=consume) for _ in range(3)]
    producers = [threading.Thread(target=produce, args=(who,)) for who in range(2)]
    for thread in consumers + producers:
        thread.start()
    for thread in producers:
        thread.join()
    producing.clear()
    for thread in consumers:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(received) == [(who, n) for who in range(2) for n in range(MESSAGES)]
    assert list((tmp_path / "queue").iterdir()) == [] and list((tmp_path / "processed").iterdir()) == []


def test_a_second_broker_folder_in_the_same_process_routes_its_messages(tmp_path: Path) -> None:
    # kombu keeps bindings in one process-wide state and wrote the table only for the first folder
    for attempt in ("first", "second"):
        root = _folders(tmp_path / attempt)
        with _connection(root) as conn:
            queue = conn.SimpleQueue("twice")
            queue.put({"attempt": attempt})
            assert queue.get(block=True, timeout=5).payload == {"attempt": attempt}
            queue.close()


def test_concurrent_declarations_leave_one_whole_routing_table(tmp_path: Path) -> None:
    _folders(tmp_path)
    errors: list[BaseException] = []

    def declare(name: str) -> None:
        try:
            with _connection(tmp_path) as conn:
                Queue(name, Exchange("shared"), routing_key=name)(conn.default_channel).declare()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=declare, args=(f"q{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    table = json.loads((tmp_path / "control" / "shared.exchange").read_text())
    assert sorted(queue for _, _, queue in table) == [f"q{n}" for n in range(8)]
