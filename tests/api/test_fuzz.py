"""Hostile input, generated: schemathesis reads `/rest/schema` and sends every operation requests
made from it (valid and invalid), to a real server against the sandbox, as an anonymous caller and
as a logged-in user. Every answer must be below 500 and match the schema, and no request may read or
change another user's data: ben owns a taste, a share link, a queued refresh job and an upload job,
and the generated path parameters are swapped for ben's ids every other time.

At least 1,000 requests in all (counted; checked once every operation has run in both roles).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
import schemathesis
from django.core.cache import cache
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import CheckContext
from schemathesis.specs.openapi.checks import ignored_auth, negative_data_rejection, positive_data_acceptance

from tests.api.conftest import WebApp

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

#: examples per operation and role; the schema has about 30 operations, two roles: > 1,000 requests
EXAMPLES = 14
MIN_REQUESTS = 1000
ROLES = ("anonymous", "ann")

SENT: Counter[str] = Counter()  # requests per role
RAN: set[tuple[str, str]] = set()  # (role, operation) pairs that ran


class Ben:
    """The other user, and what of his must never be read or changed by the caller under test."""

    def __init__(self, web: WebApp) -> None:
        from django.contrib.auth import get_user_model

        from genrelens.accounts.models import ShareLink, UserTaste
        from genrelens.jobs.models import Job

        web.logged_in("ben")  # a real login: his SpotifyAccount and user row
        self.user = get_user_model().objects.get(spotify_account__spotify_id="ben")
        self.taste_marker = f"ben-only-{uuid.uuid4().hex}"
        UserTaste.objects.update_or_create(user=self.user, defaults={"document": {"marker": self.taste_marker}})
        self.share = ShareLink.objects.create(token=f"ben{uuid.uuid4().hex}", user=self.user, owner_name="Ben",
                                              snapshot={"marker": self.taste_marker},
                                              expires_at=timezone.now() + timedelta(days=7))
        self.refresh = Job.objects.create(kind="refresh_taste", payload={"user_id": self.user.pk}, owner=self.user)
        self.upload = Job.objects.create(kind="analyze_upload", payload={"name": "ben.wav"}, owner=self.user)
        self.secrets = (self.taste_marker, str(self.refresh.pk), str(self.upload.pk))

    def untouched(self) -> None:
        self.share.refresh_from_db()
        assert self.share.revoked_at is None, "another caller revoked ben's share link"


@pytest.fixture
def fuzz_app(web: WebApp, settings: Any, monkeypatch: pytest.MonkeyPatch) -> WebApp:
    # No job_worker: jobs stay queued. The fuzzer checks the API, not the work behind it (tests/jobs run that).
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute", "user": "100000/minute"})
    cache.clear()
    return web


@pytest.fixture
def ben(fuzz_app: WebApp) -> Iterator[Ben]:
    BEN.append(Ben(fuzz_app))
    yield BEN[-1]
    BEN.clear()


def _session(app: WebApp, ben: Ben, role: str) -> Iterator[requests.Session]:
    browser = app.logged_in(role) if role != "anonymous" else app.browser()
    if role == "anonymous":
        browser.get("/rest/me")  # the CSRF cookie, as the app's first call gets it
    browser.http.base_url = app.base_url  # type: ignore[attr-defined]
    browser.http.headers.update({"X-CSRFToken": browser.http.cookies.get("csrftoken", ""),
                                 "Referer": app.base_url + "/"})
    yield browser.http
    ben.untouched()


@pytest.fixture
def anonymous(fuzz_app: WebApp, ben: Ben) -> Iterator[requests.Session]:
    yield from _session(fuzz_app, ben, "anonymous")


@pytest.fixture
def ann(fuzz_app: WebApp, ben: Ben) -> Iterator[requests.Session]:
    yield from _session(fuzz_app, ben, "ann")


def _served_schema() -> dict[str, Any]:
    """The schema /rest/schema serves, made the way it makes it (built at collection: the
    generated tests are one per operation)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


# The schema and its docs page are drf-spectacular's own views (an unknown ?format= is its 404, in
# its own media type): everything else is genrelens'.
schema = schemathesis.openapi.from_dict(_served_schema()).exclude(path=["/rest/schema", "/rest/docs"])
BEN: list[Ben] = []  # the current test's ben, for the hook and the check
_SWAPS: Counter[str] = Counter()


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    # every other generated id is ben's: the caller must get a 404 for it, never his data
    if not path_parameters or not BEN:
        return path_parameters
    ben, path = BEN[-1], context.operation.path
    _SWAPS[path] += 1
    if _SWAPS[path] % 2:
        return path_parameters
    if "job_id" in path_parameters:
        path_parameters["job_id"] = str(ben.upload.pk if "uploads" in path else ben.refresh.pk)
    if "token" in path_parameters and path.startswith("/rest/share/"):
        path_parameters["token"] = ben.share.token  # revoking it must fail for anyone but ben
    return path_parameters


def _never_bens(ctx: CheckContext, response: Any, case: schemathesis.Case) -> bool:
    """No answer to anyone but ben carries his taste or his job ids, and his share link stays live."""
    ben = BEN[-1]
    body = response.text
    asked = str(case.path_parameters or {})
    for secret in ben.secrets:
        # a 4xx repeating the id the caller sent ("no upload <id>") reveals nothing new
        if secret in body and not (secret in asked and 400 <= response.status_code < 500):
            raise AssertionError(f"{case.method} {case.formatted_path} answered {response.status_code} "
                                 f"with ben's data: {secret}")
    if ben.share.token in asked and case.method.upper() == "DELETE":
        assert response.status_code in (401, 403, 404), f"ben's share link: {response.status_code}"
    return True


def _check(role: str, session: requests.Session, case: schemathesis.Case) -> None:
    SENT[role] += 1
    RAN.add((role, case.operation.label))
    response = case.call(base_url=session.base_url, session=session, timeout=60)  # type: ignore[attr-defined]
    # The default checks (no 5xx, status/content type/headers/body per the schema) plus ben's. Left
    # out: the checks that expect a 401 for a missing cookie on public operations (the schema
    # documents the session cookie on every operation, and anonymous callers are welcome on most)
    # and the ones that judge which generated values should have been accepted: the API is stricter
    # than JSON Schema can say (Spotify ids, a 500-item page cap, a taste to share first).
    case.validate_response(response, additional_checks=[_never_bens],
                           excluded_checks=[ignored_auth, positive_data_acceptance, negative_data_rejection])
    assert response.status_code < 500, response.text[:500]


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@schema.parametrize()
@FUZZ
def test_anonymous_callers_get_answers_within_the_schema(case: schemathesis.Case,
                                                        anonymous: requests.Session) -> None:
    _check("anonymous", anonymous, case)


@schema.parametrize()
@FUZZ
def test_a_logged_in_user_gets_answers_within_the_schema_and_only_their_own_data(case: schemathesis.Case,
                                                                                 ann: requests.Session) -> None:
    _check("ann", ann, case)


def test_the_fuzzer_sent_enough_requests(request: pytest.FixtureRequest) -> None:
    """Runs after the generated tests (file order): every operation in both roles, 1,000+ requests."""
    operations = {op for _, op in RAN}
    if not operations or len(RAN) < len(operations) * len(ROLES):
        pytest.skip("only part of the generated tests ran (selected with -k?): nothing to count")
    total = sum(SENT.values())
    print(f"schemathesis: {total} generated requests over {len(operations)} operations: {dict(SENT)}")
    assert total >= MIN_REQUESTS, f"{total} generated requests ({dict(SENT)}); raise EXAMPLES"


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/rest/jobs/null,null", "/rest/uploads/42", "/rest/nothing", "/rest/"])
def test_a_path_no_endpoint_matches_is_the_apis_json_404(method: str, path: str) -> None:
    from rest_framework.test import APIClient

    response = getattr(APIClient(), method)(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
