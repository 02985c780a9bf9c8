"""Sessions as Django's cached_db keeps them, with the logged-in user kept beside each one.

A logged-in request reads its session, then its user: two round trips to Redis before the answer's
own (bench/bench_load.py). Here the user is kept under the session's key, so one MGET brings both
(`genrelens.accounts.middleware` uses it; `SESSION_ENGINE` names this module). Whoever keeps a
user also files the session under that user (a Redis set), so a save or delete of the user drops
every copy (accounts/backends.py), and a copy lives five minutes at most in any case. A copy is
only ever used after the session itself was found, for the user id it names, with its hash checked.

A kept answer the request goes on to read can come in that same MGET (`also_read`): under load each
round trip to Redis cost a worker about 0.4 ms, far more than its CPU in-process (bench/bench_load.py).
Its keys often name the user, known only once the session is read, so each process remembers which
user a session key last named (`user_id_guess`); the caller checks the guess against the user the
session names and reads again when it was wrong (genrelens/api/kept.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

from genrelens.shared_cache import ALIAS as SHARED_ALIAS
from genrelens.shared_cache import remember, take_members

USER_SECONDS = 300
#: sessions whose user this process remembers, before it forgets them all and starts again
GUESSES_AT_MOST = 50_000

_user_ids: dict[str, Any] = {}  # session key -> the user id it named when last read here


def _user_key(session_key: str) -> str:
    return f"sessionuser:{session_key}"


def _sessions_key(user_id: Any) -> str:
    return f"usersessions:{user_id}"


class SessionStore(CachedDbStore):
    _kept_user: Any = None
    _also: tuple[str, ...] = ()
    #: what `also_read` asked for, and what of it was found (None: nothing was read for it)
    also_found: tuple[tuple[str, ...], dict[str, Any]] | None = None

    def also_read(self, keys: tuple[str, ...]) -> None:
        """Read these keys of the shared cache in the same round trip as the session, if it is read
        (it has a key and was not read yet); `also_found` then holds them."""
        if settings.SESSION_CACHE_ALIAS == SHARED_ALIAS and not hasattr(self, "_session_cache"):
            self._also = keys

    def user_id_guess(self) -> Any:
        """The user this session named when this process last read it (None: unknown, or nobody)."""
        return _user_ids.get(self.session_key) if self.session_key else None

    def note_user_id(self, user_id: Any) -> None:
        if self.session_key is None or _user_ids.get(self.session_key) == user_id:
            return
        if len(_user_ids) >= GUESSES_AT_MOST:
            _user_ids.clear()  # a guess is only a guess: forgetting costs a round trip, once per session
        _user_ids[self.session_key] = user_id

    def load(self) -> dict[str, Any]:
        user_key = _user_key(self._get_or_create_session_key())
        also, self._also = self._also, ()
        try:
            found = self._cache.get_many([self.cache_key, user_key, *also])
        except Exception:  # as cached_db: an unreadable key is a new session
            found = {}
        if also:
            self.also_found = (also, found)
        self._kept_user = found.get(user_key)
        data = found.get(self.cache_key)
        if data is None:  # not in the cache: cached_db reads the database and fills the cache
            data = super().load()
        return data

    def kept_user(self) -> Any:
        """The user kept beside this session, if any (the caller checks it against the session)."""
        self._get_session()  # loads the session, and the kept user with it, once per request
        return self._kept_user if self.session_key is not None else None

    def keep_user(self, user: Any) -> None:
        if self.session_key is None:
            return
        self._cache.set(_user_key(self.session_key), user, min(USER_SECONDS, self.get_expiry_age()))
        remember(_sessions_key(user.pk), self.session_key, settings.SESSION_COOKIE_AGE)

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            self._cache.delete(_user_key(key))


def forget_user(user_id: Any) -> None:
    """Drop every kept copy of this user (it was saved or deleted)."""
    from django.core.cache import caches

    cache = caches[settings.SESSION_CACHE_ALIAS]
    keys = [_user_key(k) for k in take_members(_sessions_key(user_id))]
    if keys:
        cache.delete_many(keys)
