"""A track's analysis: probabilities beside the model's accuracy, percentiles, the store and its keys."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from genrelens.catalog.models import AnalysisDocument, AudioFeatures, Track, TrainedModel
from tests.api.conftest import WebApp

pytestmark = pytest.mark.django_db(transaction=True)


def liked_id(web: WebApp, browser) -> str:
    """A liked track that some provider has features for (ReccoBeats does not know every track)."""
    items = browser.get("/rest/likedtracks", params={"limit": 20}).json()["items"]
    return next(i["id"] for i in items if i["features"])


def upstream(web: WebApp) -> int:
    return sum(web.sandbox.stats()["by_endpoint"].values())


def test_a_cold_analysis_is_at_most_three_upstream_requests_and_the_second_is_served_from_the_store(
        anyweb: WebApp, public_model: TrainedModel) -> None:
    track_id = _any_track(anyweb)
    Track.objects.filter(key=track_id).delete()  # cold: neither the track nor its features are stored
    browser = anyweb.browser()  # anonymous: the app's own client
    anyweb.sandbox.reset_stats()
    first = browser.get("/rest/analysis", params={"track_id": track_id})
    assert first.status_code == 200, first.text
    cold = upstream(anyweb)
    assert cold <= 3, anyweb.sandbox.stats()["by_endpoint"]
    body = first.json()
    assert body["track"]["id"] == track_id and body["features"] is not None
    genres = body["genres"]
    assert genres["model"] == public_model.version
    assert abs(sum(genres["probabilities"].values()) - 1) < 1e-6
    assert 0 < genres["accuracy"]["value"] <= 1 and "grouped by artist" in genres["accuracy"]["protocol"]
    assert genres["baselines"]["random"] == pytest.approx(1 / len(genres["probabilities"]))
    assert "Spotify's developer terms" in genres["dataset"]["licence_note"]
    assert genres["dataset"]["name"] == "synthetic-genres"
    for feature, by_genre in body["percentiles"].items():
        assert set(by_genre) >= {"all", *genres["probabilities"]}, feature
        assert all(v is None or 0 <= v <= 100 for v in by_genre.values())

    anyweb.sandbox.reset_stats()
    second = browser.get("/rest/analysis", params={"track_id": track_id})
    assert second.json() == body and upstream(anyweb) == 0
    assert AnalysisDocument.objects.count() == 1


def _any_track(web: WebApp) -> str:
    browser = web.logged_in("ben")
    return liked_id(web, browser)


def test_a_new_model_or_new_features_make_a_new_document(web: WebApp, public_model: TrainedModel) -> None:
    browser = web.logged_in("ann")
    track_id = liked_id(web, browser)
    first = browser.get("/rest/analysis", params={"track_id": track_id}).json()
    TrainedModel.objects.filter(pk=public_model.pk).update(version="genre-newer")
    second = browser.get("/rest/analysis", params={"track_id": track_id}).json()
    assert second["genres"]["model"] == "genre-newer" and second["stored"] != first["stored"]
    row = AudioFeatures.objects.get(track__key=track_id)
    AudioFeatures.objects.create(track=row.track, source="reccobeats", fetched_at=row.fetched_at, tempo=99.0,
                                 danceability=0.1)
    third = browser.get("/rest/analysis", params={"track_id": track_id}).json()
    assert {s["source"] for s in third["sources"]} == {"spotify", "reccobeats"}
    assert third["features"]["tempo"] == row.tempo  # spotify comes before reccobeats in the chain
    assert AnalysisDocument.objects.count() == 3


def test_an_unknown_track_is_a_404_and_one_without_features_says_why(devweb: WebApp, public_model) -> None:
    browser = devweb.browser()
    missing = browser.get("/rest/analysis", params={"track_id": "0" * 22})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    track_id = _any_track(devweb)
    AudioFeatures.objects.filter(track__key=track_id).delete()
    devweb.sandbox.set_faults(script=[{"path": "/reccobeats/v1/audio-features", "status": 500, "count": 10}])
    body = browser.get("/rest/analysis", params={"track_id": track_id}).json()
    assert body["features"] is None and body["genres"] is None and "No provider" in body["reason"]


def test_the_model_card_names_its_dataset_and_the_licence(web: WebApp, public_model: TrainedModel) -> None:
    card = web.browser().get("/rest/model").json()
    assert card["version"] == public_model.version and card["dataset"]["name"] == "synthetic-genres"
    assert card["accuracy"]["value"] > card["baselines"]["majority"]
    matrix = card["confusion_matrix"]
    assert len(matrix["matrix"]) == len(matrix["labels"]) == len(card["classes"])
    assert "Spotify's developer terms" in card["licence_note"]


def test_a_stored_analysis_is_read_back_in_two_queries_then_from_the_shared_cache(
        web: WebApp, public_model: TrainedModel, django_assert_num_queries) -> None:
    from genrelens.catalog.documents import analysis_stored
    from genrelens.catalog.local import Owner
    from genrelens.catalog.services import model_activate

    browser = web.logged_in("ann")
    track_id = liked_id(web, browser)
    first = browser.get("/rest/analysis", params={"track_id": track_id}).json()
    # each query is a round trip to the database: under load they are what a stored answer costs
    with django_assert_num_queries(2):
        assert analysis_stored(key=track_id, viewer=Owner(session_key="")) == first
    here = Client()  # the same request in this thread, where its queries are counted
    here.cookies["sessionid"] = browser.http.cookies["sessionid"]
    assert here.get("/rest/analysis", {"track_id": track_id}).json() == first  # kept now
    with django_assert_num_queries(0):  # the session, the user and the answer all from the shared cache
        assert here.get("/rest/analysis", {"track_id": track_id}).json() == first
    other = TrainedModel.objects.create(version="other", path=public_model.path, card=public_model.card)
    model_activate(model=other)  # retires every kept analysis
    assert analysis_stored(key=track_id, viewer=Owner(session_key="")) is None  # stored for another model
    with CaptureQueriesContext(connection) as built_again:  # not served from the cache
        assert here.get("/rest/analysis", {"track_id": track_id}).status_code == 200
    assert len(built_again) > 2
