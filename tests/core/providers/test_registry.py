import pytest

from genrelens.core.errors import ConfigurationError
from genrelens.core.providers.dataset import DatasetProvider, FrameFeatureLookup
from genrelens.core.providers.registry import (
    PROVIDERS,
    get_provider,
    parse_provider_list,
    provider_class,
    providers_from_env,
)


def test_default_order_is_dataset_spotify_reccobeats():
    assert providers_from_env({}) == ["dataset", "spotify", "reccobeats"]
    assert providers_from_env({"GENRELENS_FEATURE_PROVIDERS": " reccobeats , Dataset "}) == ["reccobeats", "dataset"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dataset,tunelab", "unknown provider.*'tunelab'.*known: dataset, spotify, reccobeats, local"),
        (" , ", "names no provider"),
        ("spotify,spotify", "listed twice: spotify"),
    ],
)
def test_bad_lists_are_clear_errors(text, message):
    with pytest.raises(ConfigurationError, match=message):
        parse_provider_list(text)


def test_local_has_a_slot_filled_by_the_audio_module():
    assert PROVIDERS["local"] == "genrelens.core.providers.local:LocalAudioProvider"


def test_get_provider_hands_each_provider_only_what_it_asks_for():
    lookup = FrameFeatureLookup([])
    provider = get_provider("dataset", dataset_lookup=lookup, spotify_client=object(), reccobeats_client=object())
    assert isinstance(provider, DatasetProvider) and provider.lookup is lookup
    assert provider_class("reccobeats").batch_size == 40
    assert provider_class("spotify").batch_size == 100


def test_get_provider_names_the_missing_dependency():
    with pytest.raises(ConfigurationError, match="'reccobeats' needs: reccobeats_client"):
        get_provider("reccobeats")
    with pytest.raises(ConfigurationError, match="unknown feature provider 'nope'"):
        get_provider("nope")
