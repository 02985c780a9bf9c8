"""Django's ModelBackend, with the logged-in user read from the shared cache.

Every request of a logged-in user loads that user (django.contrib.auth.get_user): one query, a
quarter of a stored answer's cost under load (bench/bench_load.py). The copy is dropped whenever the
user is saved or deleted (password, is_active, is_staff all change by save()), and it lives five
minutes at most, so a change made some other way still takes effect.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from genrelens.accounts.sessions import forget_user
from genrelens.shared_cache import shared

USER_SECONDS = 300
PATH = "genrelens.accounts.backends.CachedModelBackend"


def _key(user_id: Any) -> str:
    return f"user:{user_id}"


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        cache = shared()
        user = cache.get(_key(user_id))
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(_key(user_id), user, USER_SECONDS)
        return user


def _forget(sender: Any, instance: Any, **kwargs: Any) -> None:
    user_id = instance.pk

    def forget() -> None:
        shared().delete(_key(user_id))
        forget_user(user_id)  # the copies kept beside its sessions

    forget()  # at once, and again after the commit: a reader in between kept the old row
    transaction.on_commit(forget)


post_save.connect(_forget, sender=get_user_model(), dispatch_uid="genrelens-user-cache-save")
post_delete.connect(_forget, sender=get_user_model(), dispatch_uid="genrelens-user-cache-delete")
