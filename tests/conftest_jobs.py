"""Background jobs in tests: the embedded (filesystem) broker in a temporary folder, and a real
Celery worker consuming from it.

`job_worker` runs the worker in a thread of the test process (celery.contrib.testing): the
messages really go through the broker, serialised, acknowledged late, but the worker sees the
test's database and settings overrides, which a worker process would not. The suites about the
queue itself (tests/jobs/test_celery_*.py) start real worker processes instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app


@pytest.fixture(scope="session", autouse=True)
def broker_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every message any test sends goes to a folder of this session, never to var/broker."""
    root = tmp_path_factory.mktemp("broker")
    options = {"data_folder_in": str(root / "queue"), "data_folder_out": str(root / "queue"),
               "control_folder": str(root / "control"), "processed_folder": str(root / "processed"),
               "store_processed": False, "polling_interval": 0.05}
    for key in ("data_folder_in", "control_folder", "processed_folder"):
        Path(options[key]).mkdir(parents=True, exist_ok=True)
    app.conf.broker_url = "filesystem://localhost/"
    app.conf.broker_transport_options = options
    return root


@contextmanager
def worker_thread(broker_dir: Path, *, purge: bool = True) -> Iterator[Any]:
    """A Celery worker (one job at a time) on the embedded broker, by default from an empty queue."""
    if purge:  # messages earlier tests left, for jobs their database no longer has
        shutil.rmtree(broker_dir / "queue")
        (broker_dir / "queue").mkdir()
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING",
                      shutdown_timeout=60) as worker:
        yield worker


@pytest.fixture
def job_worker(broker_dir: Path) -> Iterator[Any]:
    with worker_thread(broker_dir) as worker:
        yield worker
