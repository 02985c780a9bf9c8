"""What the app learnt about Spotify is saved once, and a request that learnt nothing writes nothing."""

from __future__ import annotations

import dataclasses

import pytest

from genrelens.accounts.models import AppCapabilities
from genrelens.accounts.services import capabilities_load, capabilities_save
from genrelens.core.spotify.settings import SpotifySettings

pytestmark = pytest.mark.django_db


def test_a_request_that_learnt_nothing_makes_no_query_and_one_that_learnt_saves_it(
        django_assert_num_queries) -> None:
    settings = SpotifySettings.from_env({"SPOTIFY_CLIENT_ID": "app"})
    capabilities = capabilities_load(settings=settings)
    loaded = capabilities.as_dict()
    with django_assert_num_queries(0):
        capabilities_save(settings=settings, capabilities=capabilities, loaded=loaded)
    learnt = dataclasses.replace(capabilities, audio_features=False)  # Spotify refused during the request
    capabilities_save(settings=settings, capabilities=learnt, loaded=loaded)
    assert AppCapabilities.objects.get(client_id="app").data["audio_features"] is False
    assert capabilities_load(settings=settings).audio_features is False
