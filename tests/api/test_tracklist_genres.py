"""A track list's genre claims: a row whose features were estimated from a file gets its top genre
from the model the analysis page uses for local tracks, and says so; a row with Spotify-scale
features gets the active model's, and says that."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from genrelens.catalog.documents import analysis_get
from genrelens.catalog.genres import predict_genres
from genrelens.catalog.local import Owner, local_analysis_store
from genrelens.catalog.local_genres import local_model_for
from genrelens.catalog.models import Track, TrainedModel
from genrelens.catalog.services import model_register
from genrelens.catalog.tracklists import preferred_features
from genrelens.core.audio.analyze import ANALYSER_VERSION, analyze_file
from genrelens.core.audio.synth import song, write_audio
from genrelens.core.ml.local_claims import measured_agreement
from genrelens.core.ml.local_model import local_row, ranked
from tests.api.conftest import Browser, WebApp

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads what the test wrote


def test_a_page_with_a_local_and_a_spotify_track_says_what_each_genre_is_based_on(
        web: WebApp, public_model: TrainedModel, tmp_path: Path) -> None:
    spotify = Track.objects.filter(is_local=False).exclude(name="").order_by("id").first()
    assert spotify is not None, "the public dataset's tracks are in the catalog"
    # Named as the dataset track, so one catalog search finds both.
    synth = song(20.0, bpm=112.0, seed=3)
    path = tmp_path / f"{spotify.name.replace('/', ' ')}.wav"
    write_audio(path, synth.samples, synth.sr)
    result = analyze_file(path)
    assert result.error is None, result.error
    local = local_analysis_store(result=result, analyser_version=ANALYSER_VERSION)  # real analysis, real DB

    browser = web.browser()  # anonymous: the catalog's search, a page kept in the shared cache
    rows = searched(browser, local.name)
    assert {local.key, spotify.key} <= set(rows)

    estimated = rows[local.key]["top_genre"]
    companion = local_model_for(public_model)
    assert companion is not None, "train saves the companion beside the active model"
    assert rows[local.key]["feature_source"] == "local"
    assert estimated["basis"] == "estimated_features"
    assert estimated["model"] == companion.model_id == f"{public_model.version}-local"
    expected = ranked(companion.classes, companion.predict_proba(local_row(preferred_features([local.key])
                                                                           [local.key][0]))[0])
    assert (estimated["genre"], estimated["probability"]) == pytest.approx(next(iter(expected.items())))
    card = public_model.card["local_model"]["agreement"]
    assert estimated["agreement"] == {"top1": card["top1"], "top2": card["top2"], "recordings": card["recordings"]}
    document = analysis_get(key=local.key, viewer=Owner(is_staff=True))  # the analysis page's claim: the same
    assert document["genres"]["model"] == estimated["model"]
    assert next(iter(document["genres"]["probabilities"])) == estimated["genre"]

    measured = rows[spotify.key]["top_genre"]
    assert rows[spotify.key]["feature_source"] != "local"
    assert measured["basis"] == "spotify_features" and measured["agreement"] is None
    assert measured["model"] == public_model.version
    features = preferred_features([spotify.key])[spotify.key][0]
    year = spotify.album.release_year if spotify.album else None
    assert measured["genre"] == predict_genres([features], [year]).top(0)["genre"]

    # A model registered without a companion retires the kept page; estimated rows then come from
    # the active model itself, with the agreement measured for it.
    card = {k: v for k, v in public_model.card.items() if k != "local_model"} | {"model_id": "no-companion"}
    model_register(card=card, path=public_model.path)
    again = searched(browser, local.name)
    assert again[local.key]["top_genre"]["basis"] == "estimated_features"
    assert again[local.key]["top_genre"]["model"] == again[spotify.key]["top_genre"]["model"] == "no-companion"
    active = measured_agreement()["agreement"]["active-model"]
    assert again[local.key]["top_genre"]["agreement"] == {"top1": active["top1"], "top2": active["top2"],
                                                          "recordings": measured_agreement()["n"]}


def test_the_catalog_search_never_lists_someone_elses_upload(web: WebApp, tmp_path: Path) -> None:
    from django.contrib.auth import get_user_model

    stored = {}
    for name, owner in (("installation", None),
                        ("upload", Owner(user_id=get_user_model().objects.create_user("uploader").pk))):
        path = tmp_path / f"Zyzzyva {name}.wav"
        synth = song(8.0, bpm=100.0, seed=len(name))
        write_audio(path, synth.samples, synth.sr)
        stored[name] = local_analysis_store(result=analyze_file(path), analyser_version=ANALYSER_VERSION,
                                            owner=owner)
    listed = searched(web.browser(), "Zyzzyva")
    assert stored["installation"].key in listed and stored["upload"].key not in listed


def searched(browser: Browser, query: str) -> dict[str, dict[str, Any]]:
    page = browser.get("/rest/search", params={"q": query, "limit": 50})  # validated against the schema
    assert page.status_code == 200, page.text
    return {item["id"]: item for item in page.json()["tracks"]}
