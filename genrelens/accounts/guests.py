"""Guests: people without a Spotify login who import their own listening data.

A guest is an ordinary Django user with a random name and no password, signed in to the browser
session that made the first import. Everything a taste needs (plays, tastes, share links, compare)
is keyed by user, so a guest gets all of it through the same code as a Spotify user, instead of a
second, session-keyed path through every view (as uploads of audio have). The cost: a guest's
account lives in that browser's session cookie; clearing it loses access (the data stays until an
operator removes unused guests). No name, e-mail or address is asked for or stored.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model, login
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from genrelens.accounts.backends import PATH

GUEST_PREFIX = "guest-"


def guest_create() -> AbstractBaseUser:
    user = get_user_model().objects.create_user(username=f"{GUEST_PREFIX}{secrets.token_hex(12)}")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def guest_sign_in(request: HttpRequest) -> AbstractBaseUser:
    """The caller's user; an anonymous caller becomes a new guest, signed in to this session."""
    if request.user.is_authenticated:
        return request.user
    anonymous = request.session.session_key
    user = guest_create()
    login(request, user, backend=PATH)  # a new session key and CSRF token: no session fixation
    if anonymous:
        _adopt(anonymous, user)
    return user


def _adopt(session_key: str, user: AbstractBaseUser) -> None:
    """What the anonymous session owned (uploaded audio and its jobs) follows its person to the guest:
    the session key it was filed under has just been replaced."""
    from genrelens.catalog.models import LocalFile
    from genrelens.jobs.models import Job

    for model in (Job, LocalFile):
        model.objects.filter(owner__isnull=True, owner_session=session_key).update(owner=user, owner_session="")


def is_guest(user: AbstractBaseUser) -> bool:
    return user.get_username().startswith(GUEST_PREFIX) and not user.has_usable_password()
