"""The shared cache: the one seam to Redis (or to nothing, on one machine).

Stored answers (an analysis, a taste, a search page) are cheap to keep and dear to rebuild under load:
each rebuild is two to eleven queries. Each answer is kept with the current *generation* of every
scope it depends on ("catalog", "user:42", "features:<track key>", "model") and served only while
those are still current; a write that changes a scope gives it a new generation (now, and again
once its transaction commits), so the old answer is built again on its next request.

A generation is a random token, never a counter: if Redis evicts a generation, the next reader makes
a new one and misses, where a counter restarting at 0 could find a stale answer filed under 0.

The cache must be shared by every process that writes (the web workers and the Celery workers), or a
write in one would not reach the others' answers. Without GENRELENS_CACHE_URL the "shared" cache is
Django's dummy cache: nothing is kept and every answer is built, which is right for one machine.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import transaction

T = TypeVar("T")

ALIAS = "shared"
#: a generation outlives every answer filed under it, so an answer never outlives its generation
GENERATION_SECONDS = 7 * 24 * 3600
#: XFetch's beta (Vattani, Chierichetti, Lowenstein, "Optimal Probabilistic Cache Stampede
#: Prevention", VLDB 2015): 1 is their optimum; a larger one rebuilds earlier
EARLY_BETA = 1.0
#: how long past its time a kept answer is still served while one caller rebuilds it: at their
#: expiry every concurrent caller rebuilt liked tracks at once (bench/bench_load.py's p99 spikes)
STALE_SECONDS = 30


def shared() -> BaseCache:
    return caches[ALIAS]


def _generation_key(scope: str) -> str:
    return f"gen:{scope}"


def _tokens(cache: BaseCache, keys: Sequence[str], found: dict[str, Any]) -> list[str]:
    """The current generation of each scope (read already into `found`), made where there is none."""
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, GENERATION_SECONDS)  # add: a concurrent maker wins
            found[key] = cache.get(key) or uuid.uuid4().hex  # a dummy cache keeps nothing
    return [str(found[k]) for k in keys]


def scopes_changed(scopes: Iterable[str]) -> None:
    """New generations for these scopes now, and again once the current transaction commits: a
    reader between the write and the commit builds from the old state and files it under the first
    new generation, which the second one retires."""
    keys = [_generation_key(s) for s in scopes]
    if not keys:
        return

    def renew() -> None:
        shared().set_many({k: uuid.uuid4().hex for k in keys}, GENERATION_SECONDS)

    renew()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(renew)


def answer(*, name: str, scopes: Sequence[str], params: Sequence[object], build: Callable[[], T],
           seconds: int) -> T:
    """`build()`'s value, kept for `seconds` with the generations of its scopes; served while they
    are still current. The answer and the generations are read in one round trip. A value built
    while a scope changes carries the generation read before, which that change retired.

    Near or past its time (`_rebuild_early`), one caller claims the rebuild and the others are
    served the kept copy meanwhile, for up to STALE_SECONDS past its time; a changed scope is never
    served stale: every caller builds."""
    cache = shared()
    generation_keys, key = _keys(name, scopes, params)
    found = cache.get_many([*generation_keys, key])
    tokens = _tokens(cache, generation_keys, found)
    entry = found.get(key)
    claim = None
    if entry is not None and entry[0] == tokens:
        if not _rebuild_early(entry):
            return entry[1]  # type: ignore[no-any-return]
        claim = _claim_rebuild(cache, key, entry)
        if claim is None:  # another caller is rebuilding it
            return entry[1]  # type: ignore[no-any-return]
    started = time.monotonic()
    try:
        value = build()
        if value is not None:  # None is "not there yet": whoever asked goes on to make it, unseen by scopes
            cache.set(key, (tokens, value, time.monotonic() - started, time.time() + seconds),
                      seconds + STALE_SECONDS)
    finally:
        if claim is not None:
            cache.delete(claim)
    return value


def _claim_rebuild(cache: BaseCache, key: str, entry: tuple[Any, ...]) -> str | None:
    """The claim's key if this caller is the one to rebuild the answer at `key`, else None. A claim
    lapses on its own (ten builds' time, within STALE_SECONDS) if its caller dies while building."""
    claim = f"{key}:rebuilding"
    lapses = min(STALE_SECONDS, max(5, math.ceil(10 * float(entry[2]))))  # entry[2]: its build's cost
    return claim if cache.add(claim, 1, lapses) else None


def kept(*, name: str, scopes: Sequence[str], params: Sequence[object],
         fetched: tuple[Sequence[str], dict[str, Any]] | None = None) -> Any | None:
    """What `answer` would serve without building (None where it would build), in one round trip
    and writing nothing: for a caller that has a faster way to serve a kept answer than its own.
    One it declines for an early rebuild draws again in `answer`, so early rebuilds come somewhat
    later than XFetch's beta says (the chance squared), and still surely by the expiry.

    `fetched`: keys the caller read already (`keys_of`) and what of them it found; used, with no
    round trip, when they are this answer's keys."""
    generation_keys, key = _keys(name, scopes, params)
    if fetched is not None and set(fetched[0]).issuperset((*generation_keys, key)):
        found = fetched[1]
    else:
        found = shared().get_many([*generation_keys, key])
    if any(k not in found for k in generation_keys):
        return None
    entry = found.get(key)
    return entry[1] if _current(entry, [str(found[k]) for k in generation_keys]) else None


def keys_of(*, name: str, scopes: Sequence[str], params: Sequence[object]) -> tuple[str, ...]:
    """The cache keys `kept` reads for this answer."""
    generation_keys, key = _keys(name, scopes, params)
    return (*generation_keys, key)


def _keys(name: str, scopes: Sequence[str], params: Sequence[object]) -> tuple[list[str], str]:
    digest = hashlib.blake2b(repr(tuple(params)).encode(), digest_size=16).hexdigest()
    return [_generation_key(s) for s in scopes], f"answer:{name}:{digest}"


def _current(entry: tuple[Any, ...] | None, tokens: list[str]) -> bool:
    return entry is not None and entry[0] == tokens and not _rebuild_early(entry)


def _rebuild_early(kept: tuple[Any, ...]) -> bool:
    """Whether this caller rebuilds a kept answer shortly before it expires (XFetch): the nearer its
    end, and the longer it took to build, the likelier. So one caller rebuilds it while the others
    are still served the kept copy, where at its expiry every concurrent caller would rebuild it at
    once (a stampede). Alone it did not end liked tracks' p99 spikes under load (kept a minute:
    100 to 780 ms at 16 callers, bench/bench_load.py): under load the early rebuild outlasted what
    was left, and every caller at the expiry rebuilt too. With `answer`'s claim the others are
    served the kept copy until the one rebuild is done (worst p99 of 20 rounds at 16 callers: 110 ms)."""
    if len(kept) < 4:  # kept before it recorded its cost
        return False
    cost, expires = kept[2], kept[3]
    return time.time() - cost * EARLY_BETA * math.log(1.0 - random.random()) >= expires


def catalog_changed() -> None:
    scopes_changed(["catalog"])


def user_changed(user_id: int) -> None:
    scopes_changed([f"user:{user_id}"])


def features_changed(track_keys: Iterable[str]) -> None:
    """A track's features changed: its analysis, and any catalog page that shows them."""
    scopes_changed(["catalog", *(f"features:{k}" for k in track_keys)])


def model_changed() -> None:
    scopes_changed(["model", "catalog"])


def remember(key: str, member: str, seconds: int) -> None:
    """Add `member` to the set at `key` (kept `seconds` after its last addition)."""
    cache = shared()
    if isinstance(cache, RedisCache):
        name = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(name, write=True).pipeline(transaction=True)
        pipe.sadd(name, member).expire(name, seconds).execute()
    else:  # one process's memory (the tests) or nothing at all: no concurrent writer to lose
        cache.set(key, {*(cache.get(key) or ()), member}, seconds)


def take_members(key: str) -> set[str]:
    """The set at `key`, removed in the same step, so a member added meanwhile is not lost."""
    cache = shared()
    if isinstance(cache, RedisCache):
        name = cache.make_and_validate_key(key)
        pipe = cache._cache.get_client(name, write=True).pipeline(transaction=True)
        members, _ = pipe.smembers(name).delete(name).execute()
        return {m.decode() for m in members}
    members = set(cache.get(key) or ())
    cache.delete(key)
    return members


#: INCRBY only when the key exists (Django's contract for incr), in one round trip instead of two
_INCR_IF_EXISTS = """
if redis.call('exists', KEYS[1]) == 1 then return redis.call('incrby', KEYS[1], ARGV[1]) end
return false
"""


class _KeptClient(RedisCacheClient):
    """Django's Redis client builds a new redis.Redis on every call, about 0.15 ms of Python each
    (its response-callback table) and six calls per request; one per connection pool does (a
    redis.Redis is safe to share between threads: each command takes a connection from the pool)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._kept.get(id(pool))
        if client is None:  # two threads may both make one: either will do
            client = self._kept[id(pool)] = self._client(connection_pool=pool)
        return client

    def get_many(self, keys: list[Any]) -> dict[Any, Any]:
        """One MGET on a pooled connection, past redis-py's wrappers around every command (argument
        deprecation checks, metrics, retries): 27 to 30 us of CPU where `Redis.mget` takes 45 to 60,
        and every kept request makes two. Whatever fails goes the ordinary way, retries and all."""
        pool = self._get_connection_pool(False)
        connection = pool.get_connection()
        try:
            connection.send_command("MGET", *keys)
            values = connection.read_response()
        except Exception:
            connection.disconnect()  # whatever it held is unread: the pool reconnects it
            return super().get_many(keys)
        finally:
            pool.release(connection)
        return {k: self._serializer.loads(v) for k, v in zip(keys, values, strict=True) if v is not None}

    def incr(self, key: Any, delta: int) -> int:
        value = self.get_client(key, write=True).eval(_INCR_IF_EXISTS, 1, key, delta)
        if value is None:
            raise ValueError(f"Key {key!r} not found.")
        return int(value)


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: Any) -> None:
        super().__init__(server, params)
        self._class = _KeptClient
