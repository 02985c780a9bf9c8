"""Tastes, share links and comparing them: two users, aggregates only, expiry and revocation."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from genrelens.accounts.models import ShareLink, UserTaste
from genrelens.shared_cache import user_changed
from tests.api.conftest import Browser, WebApp

# Refreshes run on a Celery worker (a thread of this process, on the embedded broker: see tests/conftest_jobs.py)
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("job_worker")]


def refreshed(browser: Browser) -> dict:
    job = browser.post("/rest/taste/refresh")
    assert job.status_code == 202, job.text
    url = job.json()["status_url"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = browser.get(url).json()
        if body["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert body["status"] == "done", body
    return browser.get("/rest/taste").json()


def test_a_users_taste_is_refreshed_in_the_background_and_shared_as_aggregates(anyweb: WebApp, public_model) -> None:
    ann = anyweb.logged_in("ann")
    assert ann.get("/rest/taste").status_code == 404
    taste = refreshed(ann)
    coverage = taste["coverage"]
    assert coverage["tracks"] >= 100 and coverage["with_features"] > 0.5 * coverage["tracks"]
    expected = "reccobeats" if anyweb.sandbox.profile == "devmode-2026" else "spotify"
    assert expected in coverage["by_source"]
    assert abs(sum(taste["genre_mix"]["mean_probability"].values()) - 1) < 1e-6
    assert set(taste["closeness"]) == set(ann.get("/rest/taste/public").json()["genres"])
    # every genre of a Spotify library comes from Spotify-scale features: nothing to warn of
    assert taste["genre_basis"]["estimated_tracks"] == 0 and taste["genre_basis"]["agreement"] is None
    assert 0 < taste["genre_basis"]["tracks_with_genres"] <= coverage["with_features"]

    link = ann.post("/rest/share", json={"days": 7})
    assert link.status_code == 201, link.text
    token = link.json()["token"]
    assert len(token) >= 32  # 32 random bytes, URL-safe: 256 bits

    stranger = anyweb.browser()
    shared = stranger.get(f"/rest/shared/{token}")
    assert shared.status_code == 200
    text = json.dumps(shared.json())
    names = [t["name"] for t in ann.get("/rest/likedtracks", params={"limit": 50}).json()["items"]]
    ids = [t["id"] for t in ann.get("/rest/likedtracks", params={"limit": 50}).json()["items"]]
    assert not [n for n in names if f'"{n}"' in text] and not [i for i in ids if i in text]
    assert "ann" not in shared.json()["taste"].get("dataset", "")
    assert shared.json()["taste"]["genre_basis"] == taste["genre_basis"]

    versus_public = stranger.get("/rest/compare", params={"token": token, "with": "public"}).json()
    assert 0 <= versus_public["similarity"] <= 1 and "overlap" in versus_public["measure"]
    assert versus_public["biggest_differences"]

    ben = anyweb.logged_in("ben")
    refreshed(ben)
    versus_ben = ben.get("/rest/compare", params={"token": token, "with": "me"}).json()
    assert versus_ben["a"]["label"] and versus_ben["b"]["label"] == "you"
    assert 0 <= versus_ben["similarity"] <= 1
    identical = ann.get("/rest/compare", params={"token": token, "with": "me"}).json()
    assert identical["similarity"] == pytest.approx(1.0, abs=1e-6)


def test_a_taste_stored_before_its_genre_basis_was_recorded_is_still_served(web: WebApp, public_model) -> None:
    ann = web.logged_in("ann")
    refreshed(ann)
    stored = UserTaste.objects.get()  # the only one
    stored.document = {k: v for k, v in stored.document.items() if k != "genre_basis"}
    stored.save()
    user_changed(stored.user_id)  # as every write of a taste does: the served copy is renewed
    served = ann.get("/rest/taste")  # validated against the schema
    assert served.status_code == 200, served.text
    assert served.json().get("genre_basis") is None and served.json()["genre_mix"]
    link = ann.post("/rest/share", json={"days": 7}).json()
    assert web.browser().get(f"/rest/shared/{link['token']}").json()["taste"]["genre_basis"] is None


def test_only_the_owner_revokes_and_revoked_or_expired_links_are_gone(web: WebApp, public_model) -> None:
    ann = web.logged_in("ann")
    refreshed(ann)
    token = ann.post("/rest/share", json={}).json()["token"]
    assert [link["token"] for link in ann.get("/rest/share").json()["items"]] == [token]

    ben = web.logged_in("ben")
    assert ben.get("/rest/share").json()["items"] == []  # ben sees only his own links
    assert ben.delete(f"/rest/share/{token}").status_code == 404
    assert web.browser().get(f"/rest/shared/{token}").status_code == 200

    assert ann.delete(f"/rest/share/{token}").status_code == 204
    assert web.browser().get(f"/rest/shared/{token}").status_code == 404

    second = ann.post("/rest/share", json={"days": 1}).json()["token"]
    ShareLink.objects.filter(token=second).update(expires_at=timezone.now() - timedelta(seconds=1))
    gone = web.browser().get(f"/rest/shared/{second}")
    assert gone.status_code == 404 and "expired" in gone.json()["error"]["message"]
    assert web.browser().get("/rest/shared/not-a-token").status_code == 404
    assert ann.post("/rest/share", json={"days": 9999}).status_code == 400


def test_a_user_reads_only_their_own_taste_and_jobs(web: WebApp, public_model) -> None:
    ann, ben = web.logged_in("ann"), web.logged_in("ben")
    job = ann.post("/rest/taste/refresh").json()
    assert ben.get(job["status_url"]).status_code == 404
    refreshed(ann)
    assert ben.get("/rest/taste").status_code == 404  # ann's taste is not ben's
    assert web.browser().get("/rest/taste").json()["error"]["code"] == "not_logged_in"
    assert web.browser().post("/rest/share", json={}).status_code in (401, 403)


def test_refresh_tastes_rebuilds_every_logged_in_user(web: WebApp, public_model) -> None:
    web.logged_in("ann")
    web.logged_in("ben")
    out = StringIO()
    call_command("refresh-tastes", stdout=out)
    assert UserTaste.objects.count() == 2 and out.getvalue().count("tracks") == 2
