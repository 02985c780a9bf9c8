"""Sessions as Django's cached_db keeps them, with the logged-in user kept beside each one.

A logged-in request reads its session, then its user: two round trips to Redis before the answer's
own (bench/bench_load.py). Here the user is kept under the session's key, so one MGET brings both
(`genrelens.accounts.middleware` uses it; `SESSION_ENGINE` names this module). Whoever keeps a
user also files the session under that user (a Redis set), so a save or delete of the user drops
every copy (accounts/backends.py), and a copy lives five minutes at most in any case. A copy is
only ever used after the session itself was found, for the user id it names, with its hash checked.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

from genrelens.shared_cache import remember, take_members

USER_SECONDS = 300


def _user_key(session_key: str) -> str:
    return f"sessionuser:{session_key}"


def _sessions_key(user_id: Any) -> str:
    return f"usersessions:{user_id}"


class SessionStore(CachedDbStore):
    _kept_user: Any = None

    def load(self) -> dict[str, Any]:
        user_key = _user_key(self._get_or_create_session_key())
        try:
            found = self._cache.get_many([self.cache_key, user_key])
        except Exception:  # as cached_db: an unreadable key is a new session
            found = {}
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
