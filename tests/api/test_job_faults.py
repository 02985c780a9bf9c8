"""Faults while background jobs run (issue 14): a taste refresh for 20 users and a collect, once
clean and once under 2 s latency, 5xx bursts and a 429 storm with a long Retry-After from the
sandbox. The web app keeps answering another user meanwhile, and afterwards nothing the jobs
wrote is missing or doubled compared with the clean run. Sizes and Retry-After are scaled down
so the test takes a couple of minutes."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count

from genrelens.accounts.models import SpotifyAccount, UserTaste
from genrelens.accounts.services import account_user
from genrelens.catalog.models import AudioFeatures, GenreLabel, Track
from genrelens.jobs.models import Job
from genrelens.jobs.services import job_create
from tests.api.conftest import WebApp
from tests.api.models import DATASET_NAME

# Jobs run on a Celery worker thread of this process on the embedded broker (tests/conftest_jobs.py):
# what is tested here is the jobs' behaviour under upstream faults, not the queue.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.usefixtures("job_worker")]

USERS = 20
TAXONOMY = '[genres]\npop = ["dance pop"]\nrock = ["classic rock"]\n'
#: the storm, in seconds from the start of the faulted run: (at, knobs)
STORM = [(0.0, {"latency_ms": 2000, "rate_5xx": 0.3}),
         (4.0, {"latency_ms": 0, "rate_5xx": 0.0, "rate_429": 0.5, "retry_after": 3}),
         (9.0, {"rate_5xx": 0.2, "rate_429": 0.0}),
         (12.0, {"latency_ms": 0, "rate_5xx": 0.0, "rate_429": 0.0})]


def twenty_users(web: WebApp) -> list[int]:
    """ann, ben and cem log in through the app; 17 more users share their libraries (a Spotify
    account per user, each with its own id, as twenty people would be)."""
    for name in ("ann", "ben", "cem"):
        web.logged_in(name)
    real = list(SpotifyAccount.objects.order_by("spotify_id"))
    for i in range(USERS - len(real)):
        source = real[i % len(real)]
        account_user(account=SpotifyAccount.objects.create(
            spotify_id=f"{source.spotify_id}-{i}", display_name=f"{source.display_name} {i}", token=source.token,
            scope=source.scope))
    return list(SpotifyAccount.objects.values_list("user_id", flat=True))


def run_jobs(name: str, taxonomy: Path, timeout: float = 300) -> tuple[Job, Job]:
    collect = job_create(kind="collect", payload={"name": name, "taxonomy": str(taxonomy),
                                                  "playlists_per_subgenre": 2, "concurrency": 2})
    tastes = job_create(kind="refresh_tastes", payload={})
    deadline = time.monotonic() + timeout
    while not all(Job.objects.get(pk=j.pk).finished for j in (collect, tastes)):
        assert time.monotonic() < deadline, list(Job.objects.values_list("kind", "status", "retries", "error"))
        time.sleep(0.2)
    return Job.objects.get(pk=collect.pk), Job.objects.get(pk=tastes.pk)


def outcome(dataset: str) -> dict[str, Any]:
    """What the jobs wrote: each user's taste coverage, and the collected labels. Not which source
    answered: when Spotify fails for now, ReccoBeats answering instead is the chain doing its job."""
    coverage = {t.user_id: {k: t.document["coverage"][k] for k in ("tracks", "with_features")}
                for t in UserTaste.objects.all()}
    labels = Counter(GenreLabel.objects.filter(dataset__name=dataset).values_list("track__key", "genre", "subgenre"))
    return {"coverage": coverage, "labels": labels}


def forget_what_the_jobs_wrote() -> None:
    """Back to the catalog before the clean run: the public dataset only."""
    UserTaste.objects.all().delete()
    Track.objects.exclude(labels__dataset__name=DATASET_NAME).delete()


def storm(sandbox: Any, stop: threading.Event) -> None:
    started = time.monotonic()
    for at, knobs in STORM:
        if stop.wait(max(0.0, at - (time.monotonic() - started))):
            break
        sandbox.set_faults(**knobs)
    sandbox.set_faults(latency_ms=0, rate_5xx=0.0, rate_429=0.0)


def test_jobs_under_latency_5xx_and_429_storms_lose_and_double_nothing_while_the_app_answers(
        web: WebApp, public_model: Any, settings: Any, tmp_path: Path) -> None:
    settings.GENRELENS_JOB_BACKOFF_SECONDS = 0.5
    settings.GENRELENS_VAR_DIR = tmp_path / "var"  # the collect journals
    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_text(TAXONOMY)
    users = twenty_users(web)
    assert len(users) == USERS
    other = web.browser()  # someone else, using the app meanwhile

    collect, tastes = run_jobs("clean", taxonomy)
    assert (collect.status, tastes.status, tastes.result["failed"]) == ("done", "done", 0), (
        collect.error, tastes.result)
    clean = outcome("clean")
    assert len(clean["coverage"]) == USERS and sum(clean["labels"].values()) > 0
    forget_what_the_jobs_wrote()

    stop, answers = threading.Event(), []
    faults = threading.Thread(target=storm, args=(web.sandbox, stop))
    faults.start()
    try:
        collect, tastes = run_jobs("faulted", taxonomy)
        while faults.is_alive() or not answers:  # the app is asked until the storm is over
            began = time.monotonic()
            answers.append((other.get("/rest/taste/public").status_code, time.monotonic() - began))
            time.sleep(0.2)
    finally:
        stop.set()
        faults.join()
    assert (collect.status, tastes.status, tastes.result["failed"]) == ("done", "done", 0), (
        collect.error, tastes.result)
    retried = Job.objects.filter(retries__gt=0).count()
    assert retried > 0, "the storm should have put some jobs off"
    faulted = outcome("faulted")
    assert faulted["coverage"] == clean["coverage"]
    assert faulted["labels"] == clean["labels"]
    doubled = AudioFeatures.objects.values("track_id", "source").annotate(n=Count("id")).filter(n__gt=1)
    assert not doubled.exists()
    assert {status for status, _ in answers} == {200} and max(s for _, s in answers) < 2.0, answers
