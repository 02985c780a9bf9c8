"""The shared cache keeps stored answers, sessions and users; every write retires what it changes.

In-process these run on the local-memory cache the suite sets up (tests/conftest.py); the Redis
tests at the end run against a real server under scripts/with-redis.sh (make test-celery)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client, override_settings
from django.utils.translation import gettext_lazy

from genrelens.api.kept import KeptKey, kept_json
from genrelens.api.renderers import OrjsonRenderer
from genrelens.shared_cache import RedisCache, answer, scopes_changed
from tests.api.conftest import WebApp
from tests.api.test_taste_and_share import refreshed

REDIS_URL = os.environ.get("REDIS_URL", "")
NEEDS_REDIS = "needs a Redis server: run under scripts/with-redis.sh (make test-celery)"


class Builds:
    """A build function that counts its calls and answers what it is told."""

    def __init__(self, value: Any) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> Any:
        self.calls += 1
        return self.value


def ask(build: Builds, *scopes: str) -> Any:
    return answer(name="test", scopes=list(scopes), params=["p"], build=build, seconds=60)


def _kept_entry_key() -> str:
    return "answer:test:" + hashlib.blake2b(repr(("p",)).encode(), digest_size=16).hexdigest()  # as answer() names it


def test_an_answer_is_kept_until_one_of_its_scopes_changes() -> None:
    build = Builds({"n": 1})
    assert ask(build, "a", "b") == {"n": 1} and ask(build, "a", "b") == {"n": 1}
    assert build.calls == 1
    scopes_changed(["c"])  # not one of its scopes
    ask(build, "a", "b")
    assert build.calls == 1
    scopes_changed(["b"])
    build.value = {"n": 2}
    assert ask(build, "a", "b") == {"n": 2} and build.calls == 2


def test_a_lost_generation_means_a_miss_never_an_old_answer() -> None:
    """Redis may evict a generation: the next reader makes a new one instead of finding the old answers."""
    build = Builds("old")
    ask(build, "a")
    caches["shared"].delete("gen:a")
    build.value = "new"
    assert ask(build, "a") == "new"


@pytest.mark.django_db(transaction=True)
def test_a_reader_inside_a_write_cannot_keep_the_old_state_past_the_commit() -> None:
    build = Builds("before")
    ask(build, "a")
    with transaction.atomic():
        scopes_changed(["a"])
        # another request reads the committed (old) state now and files it under the new generation
        assert ask(build, "a") == "before" and build.calls == 2
        build.value = "after"
    assert ask(build, "a") == "after"  # the commit renewed the generation again


def test_nothing_is_kept_without_a_shared_cache() -> None:
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                                   "shared": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}):
        build = Builds(1)
        ask(build, "a")
        ask(build, "a")
        assert build.calls == 2


def test_new_features_retire_that_tracks_analysis_only(web: WebApp, public_model: Any,
                                                       django_assert_num_queries: Any) -> None:
    from genrelens.catalog.services import sourced_features_save
    from genrelens.core.types import AudioFeatures, SourcedFeatures

    browser = web.logged_in("ann")
    items = browser.get("/rest/likedtracks", params={"limit": 20}).json()["items"]
    first, second = [i["id"] for i in items if i["features"]][:2]
    here = Client()  # requests in this thread, where their queries are counted
    here.cookies["sessionid"] = browser.http.cookies["sessionid"]
    for key in (first, second):
        here.get("/rest/analysis", {"track_id": key})  # stored
        here.get("/rest/analysis", {"track_id": key})  # kept
    sourced_features_save(items=[SourcedFeatures(track_key=first, source="dataset", source_version="test",
                                                 features=AudioFeatures(danceability=0.123, energy=0.5))])
    with django_assert_num_queries(0):
        assert here.get("/rest/analysis", {"track_id": second}).status_code == 200
    again = here.get("/rest/analysis", {"track_id": first}).json()  # its sources changed: built again
    assert any(s["source"] == "dataset" for s in again["sources"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("job_worker")
def test_a_new_taste_replaces_the_kept_one(web: WebApp, public_model: Any) -> None:
    from genrelens.accounts.models import UserTaste

    browser = web.logged_in("ann")
    kept = refreshed(browser)
    assert browser.get("/rest/taste").json() == kept
    refreshed(browser)  # the worker writes the new taste; the web side had kept the old answer
    stored = UserTaste.objects.get(user__spotify_account__spotify_id="ann").updated_at
    assert dt.datetime.fromisoformat(browser.get("/rest/taste").json()["updated_at"]) == stored
    assert stored > dt.datetime.fromisoformat(kept["updated_at"])


def test_a_deactivated_user_is_logged_out_at_once_though_kept(web: WebApp) -> None:
    from django.contrib.auth import get_user_model

    browser = web.logged_in("ann")
    assert browser.get("/rest/me").json()["connected"]  # the user is kept now
    user = get_user_model().objects.get(spotify_account__spotify_id="ann")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not browser.get("/rest/me").json()["connected"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("job_worker")
def test_a_kept_answer_goes_compressed_to_a_client_that_accepts_gzip_and_plain_to_others(
        web: WebApp, public_model: Any) -> None:
    import gzip

    browser = web.logged_in("ann")
    refreshed(browser)
    plain = Client()
    plain.cookies["sessionid"] = browser.http.cookies["sessionid"]
    for _ in range(2):  # built, then kept
        zipped = plain.get("/rest/taste", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
        as_json = plain.get("/rest/taste")
        assert not as_json.has_header("Content-Encoding") and "Accept-Encoding" in as_json["Vary"]
        assert json.loads(gzip.decompress(zipped.content)) == as_json.json()
        assert len(zipped.content) < len(as_json.content) / 2  # mostly numbers: 48 KiB to 19
    # requests (the browser here) decompresses it, as a browser does
    assert browser.get("/rest/taste").json() == as_json.json()


def test_the_user_is_kept_beside_the_session_and_used_only_for_that_session(web: WebApp) -> None:
    from django.contrib.auth import get_user_model

    browser = web.logged_in("ann")
    assert browser.get("/rest/me").json()["connected"]
    key = f"sessionuser:{browser.http.cookies['sessionid']}"
    ann = get_user_model().objects.get(spotify_account__spotify_id="ann")
    assert caches["shared"].get(key) == ann
    # a copy naming someone else than the session does is not believed: the session's user is read
    other = get_user_model().objects.create_user("mallory")
    caches["shared"].set(key, other, 60)
    assert browser.get("/rest/me").json()["connected"]
    assert caches["shared"].get(key) == ann  # and kept again
    ann.first_name = "Ann"
    ann.save()  # every copy of the user goes
    assert caches["shared"].get(key) is None
    assert browser.get("/rest/me").json()["connected"] and caches["shared"].get(key) == ann
    assert browser.post("/rest/auth/logout").status_code in (200, 204)
    assert caches["shared"].get(key) is None


def test_the_renderer_writes_what_drf_would() -> None:
    when = dt.datetime(2026, 12, 2, 15, 0, 1, tzinfo=dt.UTC)
    body = {"when": when, "price": Decimal("1.5"), "label": gettext_lazy("genre"), 3: [1.25, None, True]}
    written = json.loads(OrjsonRenderer().render(body))
    assert written == {"when": "2026-12-02T15:00:01Z", "price": 1.5, "label": "genre", "3": [1.25, None, True]}
    indented = OrjsonRenderer().render({"a": 1}, "application/json; indent=2")
    assert indented.decode() == '{\n  "a": 1\n}'
    assert OrjsonRenderer().render(None) == b""


def test_a_kept_answer_is_served_as_the_json_it_rendered_to() -> None:
    build = Builds({"when": dt.datetime(2026, 12, 2, tzinfo=dt.UTC), "n": 1})
    first = kept_json(KeptKey(name="t", scopes=["a"], params=[], seconds=60), build=build)
    again = kept_json(KeptKey(name="t", scopes=["a"], params=[], seconds=60), build=build)
    assert build.calls == 1 and first == again
    assert OrjsonRenderer().render(again) == b'{"when":"2026-12-02T00:00:00Z","n":1}'
    assert json.loads(OrjsonRenderer().render(again, "application/json; indent=2")) == {
        "when": "2026-12-02T00:00:00Z", "n": 1}
    assert kept_json(KeptKey(name="t", scopes=["a"], params=["none"], seconds=60), build=Builds(None)) is None


@pytest.fixture
def two_processes_on_redis() -> tuple[RedisCache, RedisCache]:
    """Two caches on one Redis, each with its own connection pool, as two processes would have."""
    if not REDIS_URL:
        pytest.skip(NEEDS_REDIS)
    location = REDIS_URL.rsplit("/", 1)[0] + "/1"
    web, worker = (RedisCache(location, {"KEY_PREFIX": "genrelens-test"}) for _ in range(2))
    web.clear()
    return web, worker


def test_a_write_in_one_process_retires_the_answer_another_keeps_on_redis(
        two_processes_on_redis: tuple[RedisCache, RedisCache]) -> None:
    web, worker = two_processes_on_redis
    build = Builds("before")
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                                   "shared": {"BACKEND": "genrelens.shared_cache.RedisCache",
                                              "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/1",
                                              "KEY_PREFIX": "genrelens-test"}}):
        assert ask(build, "user:1") == "before" and ask(build, "user:1") == "before"
        assert build.calls == 1
        worker.set("gen:user:1", "renewed by the worker")  # what scopes_changed does there
        build.value = "after"
        assert ask(build, "user:1") == "after"
    assert web.get("gen:user:1") == "renewed by the worker"


def test_the_redis_client_is_made_once_per_pool(two_processes_on_redis: tuple[RedisCache, RedisCache]) -> None:
    web, _ = two_processes_on_redis
    web.set("k", 1)
    assert web.get("k") == 1
    assert web._cache.get_client(write=True) is web._cache.get_client(write=False)


def test_get_many_on_redis_reads_what_was_set_and_survives_a_dropped_connection(
        two_processes_on_redis: tuple[RedisCache, RedisCache]) -> None:
    import redis

    web, worker = two_processes_on_redis
    worker.set_many({"a": {"n": 1}, "b": b"bytes", "c": 3})
    assert web.get_many(["a", "missing", "b", "c"]) == {"a": {"n": 1}, "b": b"bytes", "c": 3}
    redis.Redis.from_url(REDIS_URL).client_kill_filter(_type="normal", skipme=True)  # a Redis restart, as web sees it
    assert web.get_many(["a", "c"]) == {"a": {"n": 1}, "c": 3}  # the pool saw it dropped and connected again


def test_incr_on_redis_raises_for_a_missing_key_and_counts_in_one_call(
        two_processes_on_redis: tuple[RedisCache, RedisCache]) -> None:
    web, worker = two_processes_on_redis
    with pytest.raises(ValueError):
        web.incr("count")
    assert web.get("count") is None  # the failed incr made nothing
    assert web.add("count", 1, 60)
    assert web.incr("count") == 2 and worker.incr("count", 3) == 5
    assert web.get("count") == 5


def test_a_set_of_members_is_added_to_and_taken_whole_on_redis(
        two_processes_on_redis: tuple[RedisCache, RedisCache]) -> None:
    from genrelens.shared_cache import remember, take_members

    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                                   "shared": {"BACKEND": "genrelens.shared_cache.RedisCache",
                                              "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/1",
                                              "KEY_PREFIX": "genrelens-test"}}):
        remember("usersessions:1", "a", 60)
        remember("usersessions:1", "b", 60)
        remember("usersessions:1", "a", 60)
        assert take_members("usersessions:1") == {"a", "b"}
        assert take_members("usersessions:1") == set()


def test_the_rate_limit_counts_per_window_and_says_when_to_come_back(settings: Any, monkeypatch: Any) -> None:
    from rest_framework.test import APIClient
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "1000/minute"})
    now = [600.0]  # the start of a minute
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: now[0])
    client = APIClient()
    codes = [client.get("/rest/analysis?track_id=nothing").status_code for _ in range(5)]
    assert codes == [400, 400, 400, 429, 429]
    refused = client.get("/rest/analysis?track_id=nothing")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    now[0] = 659.0
    assert client.get("/rest/analysis?track_id=nothing")["Retry-After"] == "1"
    now[0] = 660.0  # the next window
    assert client.get("/rest/analysis?track_id=nothing").status_code == 400


def test_nothing_found_is_not_kept() -> None:
    """None means "not stored yet": the caller goes on to make it (an analysis stores its document)."""
    build = Builds(None)
    assert ask(build, "a") is None
    build.value = "stored since"
    assert ask(build, "a") == "stored since"


def test_a_client_far_from_its_limit_is_counted_in_batches_and_near_it_on_every_request() -> None:
    """Two processes (two LocalCounts) share one count: far from the limit each sends a batch at a
    time; past half the limit every request is added first, so the decision is the shared one."""
    from genrelens.api.throttles import BATCH, LocalCounts

    shared_count = 0
    processes = [LocalCounts(), LocalCounts()]
    limit = 200
    allowed = round_trips = 0
    for i in range(400):
        local = processes[i % 2]
        unsent = local.take("anon:1:0", ends=60.0, now=1.0, half_limit=limit / 2)
        if not unsent:
            allowed += 1
            continue
        round_trips += 1
        shared_count += unsent
        local.saw("anon:1:0", shared_count)
        allowed += shared_count <= limit
    assert limit <= allowed <= limit + (len(processes) - 1) * (BATCH - 1)
    # the first half of the limit costs one round trip per batch, not per request
    assert round_trips < 400 - limit / 2 + limit / 2 / BATCH * len(processes) + len(processes)



def test_a_kept_answer_near_its_end_is_rebuilt_early_by_a_caller_not_by_all_at_its_expiry(
        monkeypatch: Any) -> None:
    import random as random_module
    import time as time_module

    from genrelens.shared_cache import _rebuild_early

    monkeypatch.setattr(time_module, "time", lambda: 1000.0)
    draw = [0.5]
    monkeypatch.setattr(random_module, "random", lambda: draw[0])
    assert not _rebuild_early(([], "kept before its cost was recorded"))
    assert not _rebuild_early(([], "cheap: 25 ms to build, 10 s to go", 0.025, 1010.0))
    assert _rebuild_early(([], "dear: 2 s to build, 1 s to go", 2.0, 1001.0))  # -2 ln(0.5) = 1.39 >= 1
    draw[0] = 0.1
    assert not _rebuild_early(([], "the same, a luckier draw", 2.0, 1001.0))  # -2 ln(0.9) = 0.21 < 1
    assert _rebuild_early(([], "expired", 0.0, 1000.0))

    # through answer(): the early rebuild replaces the kept copy and records its own cost and end
    build = Builds("first")
    ask(build)
    key = _kept_entry_key()
    tokens, value, cost, expires = caches["shared"].get(key)
    assert value == "first" and cost >= 0 and expires == 1060.0
    caches["shared"].set(key, (tokens, "first", 2.0, 1001.0), 60)
    draw[0] = 0.5
    build.value = "rebuilt"
    assert ask(build) == "rebuilt" and build.calls == 2


def test_past_its_time_one_caller_rebuilds_while_the_others_are_served_the_kept_copy() -> None:
    """At its time every concurrent caller used to rebuild an answer at once (liked tracks' p99
    spikes under load); now one claims the rebuild and the others get the kept copy meanwhile."""
    import threading
    import time as time_module

    ask(Builds("first"))
    tokens, _value, _cost, _expires = caches["shared"].get(_kept_entry_key())
    caches["shared"].set(_kept_entry_key(), (tokens, "first", 0.01, time_module.time() - 1), 60)  # its time passed

    started, release = threading.Event(), threading.Event()
    slow = Builds("rebuilt")

    def slow_build() -> str:
        started.set()
        assert release.wait(10)
        return slow()

    rebuilder: list[Any] = []
    thread = threading.Thread(target=lambda: rebuilder.append(
        answer(name="test", scopes=[], params=["p"], build=slow_build, seconds=60)))
    thread.start()
    assert started.wait(10)
    others = Builds("a second rebuild")
    assert [ask(others) for _ in range(5)] == ["first"] * 5 and others.calls == 0
    release.set()
    thread.join(10)
    assert rebuilder == ["rebuilt"] and slow.calls == 1
    assert ask(others) == "rebuilt" and others.calls == 0  # the claim is gone with the rebuild
    assert caches["shared"].get(_kept_entry_key() + ":rebuilding") is None


def test_a_changed_scope_is_never_served_stale_even_while_a_rebuild_is_claimed() -> None:
    import time as time_module

    ask(Builds("first"), "a")
    tokens, *_ = caches["shared"].get(_kept_entry_key())
    caches["shared"].set(_kept_entry_key(), (tokens, "first", 0.01, time_module.time() - 1), 60)
    caches["shared"].add(_kept_entry_key() + ":rebuilding", 1, 30)  # someone is rebuilding it
    assert ask(Builds("second"), "a") == "first"
    scopes_changed(["a"])
    build = Builds("after the write")
    assert ask(build, "a") == "after the write" and build.calls == 1


def test_a_failed_rebuild_gives_up_its_claim_and_the_next_caller_tries() -> None:
    import time as time_module

    ask(Builds("first"))
    tokens, *_ = caches["shared"].get(_kept_entry_key())
    caches["shared"].set(_kept_entry_key(), (tokens, "first", 0.01, time_module.time() - 1), 60)

    def failing() -> str:
        raise RuntimeError("upstream down")

    with pytest.raises(RuntimeError, match="upstream down"):
        answer(name="test", scopes=[], params=["p"], build=failing, seconds=60)
    build = Builds("second try")
    assert ask(build) == "second try" and build.calls == 1


def test_a_rebuild_claimed_in_one_process_lets_another_serve_the_kept_copy_on_redis(
        two_processes_on_redis: tuple[RedisCache, RedisCache]) -> None:
    import time as time_module

    _web, worker = two_processes_on_redis
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                                   "shared": {"BACKEND": "genrelens.shared_cache.RedisCache",
                                              "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/1",
                                              "KEY_PREFIX": "genrelens-test"}}):
        ask(Builds("first"))
        tokens, *_ = caches["shared"].get(_kept_entry_key())
        caches["shared"].set(_kept_entry_key(), (tokens, "first", 0.01, time_module.time() - 1), 60)
        assert worker.add(_kept_entry_key() + ":rebuilding", 1, 30)  # the worker process is rebuilding it
        build = Builds("second")
        assert ask(build) == "first" and build.calls == 0
        worker.delete(_kept_entry_key() + ":rebuilding")
        assert ask(build) == "second" and build.calls == 1
        assert worker.get(_kept_entry_key() + ":rebuilding") is None
