"""Guests: people without a Spotify login who import their own listening data.

A guest is an ordinary Django user with a random name and no password, signed in to the browser
session that made the first import. Everything a taste needs (plays, tastes, share links, compare)
is keyed by user, so a guest gets all of it through the same code as a Spotify user, instead of a
second, session-keyed path through every view (as uploads of audio have). The cost: a guest's
account lives in that browser's session cookie; clearing it loses access (the data stays until an
operator removes unused guests: `guests_prune`, `genrelens guests prune`). No name, e-mail or
address is asked for or stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

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


# --- removing guests nobody uses any more ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pruned:
    guests: int  # accounts deleted
    rows: dict[str, int]  # rows deleted with them, by model ("listening.Play": 1234, ...)
    files: int  # uploaded files still waiting for their job, deleted


def guests_prune(*, older_than: timedelta, batch: int = 200, now: datetime | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Pruned:
    """Delete the guests with no activity for `older_than`, with everything they own (plays,
    imported tastes, imports, their taste, share links, uploads and their jobs), `batch` guests
    per transaction, so a run stopped midway has deleted whole guests only and a second run goes
    on. Activity is any write of theirs: joining, an import, a taste, an upload, a job, a share
    link, a change to their session. Catalog tracks their uploads added stay: they are shared."""
    if older_than <= timedelta(0):
        raise ValueError("older_than must be positive")
    if batch < 1:
        raise ValueError("batch must be at least 1")
    cutoff = (now or timezone.now()) - older_than
    ids = idle_guest_ids(cutoff)
    deleted, files = 0, 0
    rows: dict[str, int] = {}
    if progress:
        progress(0, len(ids))
    user_label = get_user_model()._meta.label
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            # checked again in the transaction: a guest who imported something since is kept
            users = idle_guests(cutoff).filter(pk__in=ids[start:start + batch])
            paths = _waiting_upload_files(users)
            _, by_model = users.delete()
        files += sum(_unlink_under_media(path) for path in paths)
        for label, n in by_model.items():
            rows[label] = rows.get(label, 0) + n
        deleted += by_model.get(user_label, 0)
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    rows.pop(user_label, None)
    return Pruned(guests=deleted, rows=rows, files=files)


def idle_guest_ids(cutoff: datetime) -> list[int]:
    """The guests `guests_prune` would delete: no write of theirs, session included, since `cutoff`."""
    in_session = _users_with_session_written_since(cutoff)
    return [pk for pk in idle_guests(cutoff).values_list("pk", flat=True).iterator() if pk not in in_session]


def idle_guests(cutoff: datetime) -> QuerySet:
    """Guests (a guest's name, no password, not staff) with no row of theirs written since
    `cutoff` (their sessions aside: `idle_guest_ids`)."""
    from genrelens.accounts.models import ShareLink, UserTaste
    from genrelens.catalog.models import LocalFile
    from genrelens.jobs.models import Job
    from genrelens.listening.models import ImportedTaste, TasteImport

    recent = [  # what a guest writes: any of it since the cutoff is activity
        TasteImport.objects.filter(user=OuterRef("pk"), updated_at__gte=cutoff),
        ImportedTaste.objects.filter(user=OuterRef("pk"), updated_at__gte=cutoff),
        UserTaste.objects.filter(user=OuterRef("pk"), updated_at__gte=cutoff),
        ShareLink.objects.filter(user=OuterRef("pk"), created_at__gte=cutoff),
        LocalFile.objects.filter(owner=OuterRef("pk"), analysed_at__gte=cutoff),
        Job.objects.filter(owner=OuterRef("pk"), created_at__gte=cutoff),
    ]
    guests = get_user_model().objects.filter(
        username__startswith=GUEST_PREFIX, password__startswith=UNUSABLE_PASSWORD_PREFIX,
        is_staff=False, is_superuser=False, date_joined__lt=cutoff,
    ).filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
    for rows in recent:
        guests = guests.exclude(Exists(rows))
    return guests.order_by("pk")


def _users_with_session_written_since(since: datetime) -> set[int]:
    """Users whose session was saved after `since`. A database session expires
    SESSION_COOKIE_AGE after its last save, so that is when it was saved; other session engines
    keep nothing the server can read, and count for nothing here."""
    if settings.SESSION_ENGINE not in ("django.contrib.sessions.backends.db",
                                       "django.contrib.sessions.backends.cached_db",
                                       "genrelens.accounts.sessions"):
        return set()
    from django.contrib.sessions.models import Session

    saved_since = since + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    users: set[int] = set()
    for session in Session.objects.filter(expire_date__gte=saved_since).iterator(chunk_size=1000):
        user_id = str(session.get_decoded().get("_auth_user_id", ""))
        if user_id.isdigit():
            users.add(int(user_id))
    return users


def _waiting_upload_files(users: QuerySet) -> list[Path]:
    """Files the guests uploaded whose jobs have not run yet (a finished job deleted its own)."""
    from genrelens.jobs.models import Job
    from genrelens.jobs.services import OWNED_FILES

    paths: list[Path] = []
    for kind, payload in Job.objects.filter(owner__in=users, kind__in=list(OWNED_FILES)).values_list("kind", "payload"):
        paths += [Path(payload[key]) for key in OWNED_FILES[kind] if payload.get(key)]
    return paths


def _unlink_under_media(path: Path) -> int:
    """Only files under MEDIA_ROOT are ever deleted, whatever a payload says."""
    resolved = path.resolve()
    if not resolved.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) or not resolved.is_file():
        return 0
    resolved.unlink(missing_ok=True)
    return 1
