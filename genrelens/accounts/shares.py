"""Share links: a snapshot of a user's taste (aggregates only) behind an unguessable token.

Tokens are 32 random bytes (256 bits) from `secrets`, URL-safe; a link expires (30 days by
default) and its owner may revoke it. Anyone holding the token reads the snapshot without logging
in, which is what lets two people compare tastes when a dev-mode app admits only 5 users.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from genrelens.accounts.models import ShareLink, UserTaste
from genrelens.core.errors import NotFound
from genrelens.core.taste.documents import share_snapshot

DEFAULT_DAYS = 30
MAX_DAYS = 365


def share_create(*, user: AbstractBaseUser, owner_name: str, days: int = DEFAULT_DAYS,
                 document: Mapping[str, Any] | None = None) -> ShareLink:
    """Share `document` (one of the user's tastes), by default their Spotify library's."""
    if document is None:
        taste = UserTaste.objects.filter(user_id=user.pk).first()
        if taste is None:
            raise NotFound("no taste to share yet: refresh your taste first")
        document = taste.document
    return ShareLink.objects.create(token=secrets.token_urlsafe(32), user_id=user.pk, owner_name=owner_name[:300],
                                    snapshot=share_snapshot(document),
                                    expires_at=timezone.now() + timedelta(days=days))


def share_revoke(*, user: AbstractBaseUser, token: str) -> None:
    """Revoke one of this user's links; someone else's token is "not found", as if it did not exist."""
    if not ShareLink.objects.filter(user_id=user.pk, token=token, revoked_at__isnull=True).update(
            revoked_at=timezone.now()):
        raise NotFound("no such share link")


def share_get(*, token: str) -> ShareLink:
    """A live link (not revoked, not expired); anything else is "not found", saying nothing more."""
    link = ShareLink.objects.filter(token=token, revoked_at__isnull=True, expires_at__gt=timezone.now()).first()
    if link is None:
        raise NotFound("this share link does not exist, has expired or was revoked")
    return link


def share_body(link: ShareLink, *, with_taste: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"token": link.token, "created_at": link.created_at, "expires_at": link.expires_at,
                            "owner_name": link.owner_name, "revoked": link.revoked_at is not None}
    if with_taste:
        body["taste"] = link.snapshot
    return body
