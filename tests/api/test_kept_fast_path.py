"""Kept answers served before DRF (genrelens/api/kept.py): the same responses as DRF's path, the
same callers refused, each request counted once by the throttles.

Requests run in this thread through Django's test client, against the sandbox behind the live
server's login. Which path answered is told by DRF's `initial`, which every request on DRF's path
runs: made to fail, a request it answers fails."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import Client
from rest_framework.throttling import SimpleRateThrottle

from genrelens.accounts import sessions
from genrelens.api.kept import KeptApi
from genrelens.shared_cache import user_changed
from tests.api.conftest import WebApp
from tests.api.test_taste_and_share import refreshed


class Paths:
    """Which path may answer: `drf_only()` turns the kept path off, `kept_only()` fails DRF's."""

    def __init__(self) -> None:
        self.monkeypatch = pytest.MonkeyPatch()  # its own: undo() leaves the fixtures' patches alone

    def drf_only(self) -> None:
        self.monkeypatch.undo()
        self.monkeypatch.setattr(KeptApi, "_kept_response", lambda view, request: None)

    def kept_only(self) -> None:
        self.monkeypatch.undo()

        def refuse(view: Any, request: Any, *args: Any, **kwargs: Any) -> None:
            raise AssertionError(f"{request.get_full_path()} went through DRF")

        self.monkeypatch.setattr(KeptApi, "initial", refuse)

    def both(self) -> None:
        self.monkeypatch.undo()


@pytest.fixture
def paths() -> Iterator[Paths]:
    chosen = Paths()
    yield chosen
    chosen.both()


def client_of(web: WebApp, user: str | None) -> Client:
    client = Client()
    if user is not None:
        client.cookies["sessionid"] = web.logged_in(user).http.cookies["sessionid"]
    return client


def same_response(client: Client, path: str, paths: Paths, **headers: str) -> None:
    paths.drf_only()
    reference = client.get(path, **headers)
    paths.kept_only()
    kept = client.get(path, **headers)
    assert reference.status_code == kept.status_code == 200
    assert dict(kept.items()) == dict(reference.items())
    assert kept.content == reference.content


def liked(client: Client) -> list[dict[str, Any]]:
    return json.loads(client.get("/rest/likedtracks?limit=20").content)["items"]


def keep_liked(client: Client) -> None:
    """The first page stores its tracks, a catalog write that retires what that request kept: the
    second keeps it."""
    liked(client)
    liked(client)


@pytest.mark.parametrize("who", ["ann", None])
def test_a_kept_answer_is_served_before_drf_as_drf_serves_it(web: WebApp, public_model: Any, paths: Paths,
                                                              who: str | None) -> None:
    ann = client_of(web, "ann")
    track = next(item for item in liked(ann) if item["features"])
    client = ann if who else Client()
    endpoints = [f"/rest/analysis?track_id={track['id']}", f"/rest/search?q={track['name']}&limit=5"]
    if who:
        endpoints = ["/rest/likedtracks?limit=20", endpoints[0]]  # a logged-in search is DRF's
    for path in endpoints:
        paths.both()
        client.get(path)  # built and kept on DRF's path
        same_response(client, path, paths, HTTP_ACCEPT_ENCODING="gzip, deflate")
        same_response(client, path, paths)
        same_response(client, path, paths, HTTP_ACCEPT="application/json, text/plain, */*")
    paths.kept_only()
    body = client.get(endpoints[0], HTTP_ACCEPT_ENCODING="gzip")
    assert body["Content-Encoding"] == "gzip" and json.loads(gzip.decompress(body.content))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("job_worker")
def test_a_kept_taste_is_served_before_drf_and_a_new_one_is_not_missed(web: WebApp, public_model: Any,
                                                                       paths: Paths) -> None:
    browser = web.logged_in("ann")
    refreshed(browser)
    client = Client()
    client.cookies["sessionid"] = browser.http.cookies["sessionid"]
    client.get("/rest/taste")
    same_response(client, "/rest/taste", paths, HTTP_ACCEPT_ENCODING="gzip")
    same_response(client, "/rest/taste?source=", paths)  # an empty choice is no choice: the same answer
    user_changed(User.objects.get(spotify_account__spotify_id="ann").pk)  # a write retires it: DRF's path builds it
    paths.kept_only()
    with pytest.raises(AssertionError, match="went through DRF"):
        client.get("/rest/taste")


def test_what_the_kept_path_does_not_answer_goes_through_drf(web: WebApp, paths: Paths) -> None:
    ann, ben = client_of(web, "ann"), client_of(web, "ben")
    keep_liked(ann)
    paths.kept_only()
    assert liked(ann)
    for client, path, headers in [
        (ben, "/rest/likedtracks?limit=20", {}),  # ben's page is not ann's, and not kept yet
        (Client(), "/rest/likedtracks?limit=20", {}),  # nobody logged in
        (ann, "/rest/likedtracks?limit=20&format=json", {}),
        (ann, "/rest/likedtracks?limit=20", {"HTTP_ACCEPT": "text/html"}),
        (ann, "/rest/likedtracks?limit=lots", {}),
    ]:
        with pytest.raises(AssertionError, match="went through DRF"):
            client.get(path, **headers)
    paths.both()
    assert Client().get("/rest/likedtracks?limit=20").status_code == 401
    refused = ann.get("/rest/likedtracks?limit=lots")
    assert refused.status_code == 400 and "limit" in json.loads(refused.content)["error"]["message"]
    assert [t["id"] for t in liked(ben)] != [t["id"] for t in liked(ann)]


def test_each_request_is_counted_once_whichever_path_answers_it(web: WebApp, paths: Paths,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ann = client_of(web, "ann")
    keep_liked(ann)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute", "user": "4/minute"})
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: 600.0)  # one window throughout
    codes = [ann.get("/rest/likedtracks?limit=20").status_code for _ in range(3)]  # kept path
    codes.append(ann.get("/rest/likedtracks?limit=21").status_code)  # not kept: DRF's path builds it
    refused = ann.get("/rest/likedtracks?limit=20")
    assert codes == [200, 200, 200, 200] and refused.status_code == 429
    assert refused["Retry-After"] == "60" and json.loads(refused.content)["error"]["code"] == "throttled"


class RoundTrips:
    """Counts reads of the shared cache (each a round trip to Redis in production)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads: list[list[str]] = []
        cache = caches["shared"]
        read = cache.get_many

        def counted(keys: Any, *args: Any, **kwargs: Any) -> Any:
            self.reads.append(list(keys))
            return read(keys, *args, **kwargs)

        monkeypatch.setattr(cache, "get_many", counted)


def test_a_logged_in_kept_answer_is_read_with_the_session_in_one_round_trip(
        web: WebApp, public_model: Any, paths: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    ann = client_of(web, "ann")
    track = next(item for item in liked(ann) if item["features"])
    endpoints = ["/rest/likedtracks?limit=20", f"/rest/analysis?track_id={track['id']}"]
    for path in endpoints:
        ann.get(path)  # a first analysis is stored: a write that retires what that request kept
        ann.get(path)  # built and kept on DRF's path
    trips = RoundTrips(monkeypatch)
    paths.kept_only()
    for path in endpoints:
        trips.reads.clear()
        assert ann.get(path).status_code == 200
        assert len(trips.reads) == 1 and any(k.startswith("answer:") for k in trips.reads[0]), trips.reads


def test_a_wrong_guess_of_the_sessions_user_serves_the_right_users_answer(web: WebApp, paths: Paths,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ann, ben = client_of(web, "ann"), client_of(web, "ben")
    keep_liked(ann)
    keep_liked(ben)
    ann_page, ben_page = liked(ann), liked(ben)
    assert [t["id"] for t in ann_page] != [t["id"] for t in ben_page]
    ann_session, ben_id = ann.cookies["sessionid"].value, User.objects.get(spotify_account__spotify_id="ben").pk
    monkeypatch.setitem(sessions._user_ids, ann_session, ben_id)  # this process believes ann's session is ben's
    trips = RoundTrips(monkeypatch)
    paths.kept_only()
    assert liked(ann) == ann_page  # ben's page was read with her session, and not served
    assert len(trips.reads) == 2  # the guess, belied, cost a second read
    trips.reads.clear()
    assert liked(ann) == ann_page and len(trips.reads) == 1  # and was put right
