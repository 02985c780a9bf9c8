"""Removing guests nobody uses any more (`genrelens guests prune --older-than DAYS`): a guest idle
for that long goes with everything it owns, in batches; a guest who wrote anything since, or
whose session was saved since, stays; so does everyone who is not a guest."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from genrelens.accounts.guests import guest_create, guests_prune
from genrelens.accounts.models import ShareLink, UserTaste
from genrelens.catalog.models import LocalFile, Track
from genrelens.jobs.models import Job
from genrelens.listening.models import ImportedTaste, Play, TasteImport
from tests.api.conftest import model_artifact, public_model, web  # noqa: F401
from tests.listening.exports import extended_history, write_zip
from tests.listening.test_import_api import uploaded

DAY = timedelta(days=1)
OWNED = (Play, ImportedTaste, TasteImport, UserTaste, ShareLink, LocalFile, Job)


def owned_rows(user_id: int) -> dict[str, int]:
    rows = {m.__name__: m.objects.filter(**{"owner_id" if m in (LocalFile, Job) else "user_id": user_id}).count()
            for m in OWNED}
    return {name: n for name, n in rows.items() if n}


def age(user_id: int, days: float) -> None:
    """Everything the user wrote, as if written `days` ago (auto_now fields need an UPDATE)."""
    then = timezone.now() - days * DAY
    get_user_model().objects.filter(pk=user_id).update(date_joined=then, last_login=then)
    for model, field in ((TasteImport, "updated_at"), (ImportedTaste, "updated_at"), (UserTaste, "updated_at"),
                         (ShareLink, "created_at")):
        model.objects.filter(user_id=user_id).update(**{field: then})
    LocalFile.objects.filter(owner_id=user_id).update(analysed_at=then)
    Job.objects.filter(owner_id=user_id).update(created_at=then)
    for session in Session.objects.all():
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            Session.objects.filter(pk=session.pk).update(expire_date=then + timedelta(weeks=2))


def idle_guest(days: float = 40) -> int:
    guest = guest_create()
    age(guest.pk, days)
    return guest.pk


@pytest.mark.django_db(transaction=True)
def test_a_guest_who_imported_a_month_ago_goes_with_everything_and_one_who_imported_today_stays(
        web, public_model, job_worker, tmp_path: Path) -> None:  # noqa: F811
    export = write_zip(tmp_path / "my_spotify_data.zip",
                       {"Streaming_History_Audio_2019_0.json": extended_history(120, 30)})
    users = []
    for _ in range(2):
        browser = web.browser()
        done = uploaded(browser, export)
        assert done["stage"] == "done", done["error"]
        assert browser.post("/rest/share", json={"days": 3, "source": "spotify_export"}).status_code == 201
        users.append(TasteImport.objects.get(pk=done["id"]).user_id)
    gone, kept = users
    age(gone, 31)
    before = owned_rows(gone)
    assert before["Play"] == 120 and {"ImportedTaste", "TasteImport", "ShareLink", "Job"} <= set(before)
    tracks = Track.objects.count()

    out = StringIO()
    call_command("guests", "prune", "--older-than", "30", stdout=out)
    assert "1 guest(s) unused for 30 days deleted" in out.getvalue() and "listening.Play 120" in out.getvalue()
    assert not get_user_model().objects.filter(pk=gone).exists() and owned_rows(gone) == {}
    assert owned_rows(kept) == before  # the other guest, same import, untouched
    assert Track.objects.count() == tracks  # the shared catalog stays


@pytest.mark.django_db
def test_any_write_since_the_cutoff_keeps_a_guest_and_non_guests_are_never_deleted(settings) -> None:
    track = Track.objects.create(key="local:test")
    recent = timezone.now() - 2 * DAY
    kept = {}
    for name, write in {
        "import": lambda u: TasteImport.objects.create(user_id=u),
        "taste": lambda u: ImportedTaste.objects.create(user_id=u, source="lastfm", unweighted={}),
        "share": lambda u: ShareLink.objects.create(user_id=u, token=f"t{u}", snapshot={}, expires_at=recent),
        "upload": lambda u: LocalFile.objects.create(track=track, path=f"/m/{u}.wav", owner_id=u),
        "job": lambda u: Job.objects.create(kind="refresh_taste", owner_id=u),
    }.items():
        kept[name] = idle_guest()
        write(kept[name])  # written now, by the guest idle otherwise
    kept["joined"] = idle_guest(days=3)
    kept["session"] = idle_guest()
    Client().force_login(get_user_model().objects.get(pk=kept["session"]))  # a session saved now
    person = get_user_model().objects.create_user(username="guest-but-has-a-password", password="pw-long-enough")
    spotify_user = get_user_model().objects.create_user(username="spotify-someone")  # no password either
    for user in (person, spotify_user):
        age(user.pk, 400)
    idle = [idle_guest() for _ in range(5)]
    Client().force_login(get_user_model().objects.get(pk=idle[0]))
    age(idle[0], 40)  # its session, saved 40 days ago, has expired

    calls: list[tuple[int, int]] = []
    pruned = guests_prune(older_than=30 * DAY, batch=2, progress=lambda done, total: calls.append((done, total)))
    assert pruned.guests == 5 and calls == [(0, 5), (2, 5), (4, 5), (5, 5)]
    remaining = set(get_user_model().objects.values_list("pk", flat=True))
    assert remaining == {*kept.values(), person.pk, spotify_user.pk}
    assert guests_prune(older_than=30 * DAY).guests == 0  # nothing left to do: a second run is a no-op


@pytest.mark.django_db
def test_a_waiting_upload_of_a_pruned_guest_is_deleted_and_only_under_media_root(tmp_path: Path, settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    stored = tmp_path / "media" / "exports" / "abc.zip"
    outside = tmp_path / "elsewhere.zip"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"PK")
    outside.write_bytes(b"PK")
    guest = idle_guest()
    for path in (stored, outside):
        Job.objects.create(kind="import_taste", owner_id=guest, payload={"path": str(path)},
                           created_at=timezone.now() - 40 * DAY)
    age(guest, 40)
    pruned = guests_prune(older_than=30 * DAY)
    assert (pruned.guests, pruned.files, pruned.rows["jobs.Job"]) == (1, 1, 2)
    assert not stored.exists() and outside.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("argv", [["--older-than", "0"], ["--older-than", "a week"], ["--older-than", "-3"],
                                  ["--older-than", "30", "--batch", "0"]])
def test_bad_arguments_are_refused_and_delete_nothing(argv: list[str]) -> None:
    idle = idle_guest()
    with pytest.raises(CommandError):
        call_command("guests", "prune", *argv)
    assert get_user_model().objects.filter(pk=idle).exists()


@pytest.mark.django_db
def test_a_dry_run_counts_and_deletes_nothing() -> None:
    idle = [idle_guest() for _ in range(3)]
    out = StringIO()
    call_command("guests", "prune", "--older-than", "30", "--dry-run", stdout=out)
    assert "3 guest(s) unused for 30 days; nothing deleted" in out.getvalue()
    assert get_user_model().objects.filter(pk__in=idle).count() == 3
