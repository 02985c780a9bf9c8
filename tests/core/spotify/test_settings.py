import pytest

from genrelens.core.errors import ConfigurationError
from genrelens.core.spotify.settings import SpotifySettings


def test_defaults_point_at_the_real_services():
    s = SpotifySettings.from_env({})
    assert s.api_prefix == "https://api.spotify.com/v1/"
    assert s.token_url == "https://accounts.spotify.com/api/token"
    assert s.authorize_endpoint == "https://accounts.spotify.com/authorize"
    assert s.reccobeats_base == "https://api.reccobeats.com/v1"
    assert s.redirect_uri == "http://127.0.0.1:8000/connect"
    assert s.retry_after_cap == 30.0
    assert s.uses_pkce


def test_env_points_everything_at_a_sandbox():
    s = SpotifySettings.from_env(
        {
            "SPOTIFY_CLIENT_ID": "id",
            "SPOTIFY_CLIENT_SECRET": "sec",
            "SPOTIFY_API_BASE": "http://127.0.0.1:8765/v1",
            "SPOTIFY_ACCOUNTS_BASE": "http://127.0.0.1:8765/",
            "RECCOBEATS_API_BASE": "http://127.0.0.1:8765/reccobeats/v1",
            "SPOTIFY_RETRY_AFTER_CAP": "2.5",
        }
    )
    assert s.api_prefix == "http://127.0.0.1:8765/v1/"
    assert s.token_url == "http://127.0.0.1:8765/api/token"
    assert s.retry_after_cap == 2.5
    assert not s.uses_pkce


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SPOTIFY_RETRY_AFTER_CAP": "soon"}, "SPOTIFY_RETRY_AFTER_CAP must be a number"),
        ({"SPOTIFY_RETRY_AFTER_CAP": "-1"}, "must be >= 0"),
        ({"SPOTIFY_RETRY_AFTER_CAP": "nan"}, "finite"),
        ({"SPOTIFY_MAX_RETRIES": "2.5"}, "whole number"),
        ({"SPOTIFY_API_BASE": "api.spotify.com/v1"}, "SPOTIFY_API_BASE must be an absolute"),
        ({"SPOTIFY_ACCOUNTS_BASE": "ftp://x"}, "SPOTIFY_ACCOUNTS_BASE"),
        ({"SPOTIFY_REDIRECT_URI": "http://localhost:8000/connect"}, "localhost"),
        ({"SPOTIFY_REDIRECT_URI": "http://example.com/connect"}, "plain http"),
    ],
)
def test_bad_values_fail_loudly_naming_the_variable(env, message):
    with pytest.raises(ConfigurationError, match=message):
        SpotifySettings.from_env(env)


def test_https_redirect_uri_is_fine():
    assert SpotifySettings(redirect_uri="https://genrelens.example/connect").redirect_uri.startswith("https")


def test_secret_from_a_file(tmp_path):
    secret = tmp_path / "spotify"
    secret.write_text("s3cret\n")
    assert SpotifySettings.from_env({"SPOTIFY_CLIENT_SECRET_FILE": str(secret)}).client_secret == "s3cret"
    with pytest.raises(ConfigurationError, match="not both"):
        SpotifySettings.from_env({"SPOTIFY_CLIENT_SECRET_FILE": str(secret), "SPOTIFY_CLIENT_SECRET": "x"})
    with pytest.raises(ConfigurationError, match="cannot be read"):
        SpotifySettings.from_env({"SPOTIFY_CLIENT_SECRET_FILE": str(tmp_path / "missing")})


def test_app_client_needs_a_secret_and_an_id():
    from genrelens.core.spotify import app_client

    with pytest.raises(ConfigurationError, match="SPOTIFY_CLIENT_SECRET"):
        app_client(SpotifySettings(client_id="c"))
    with pytest.raises(ConfigurationError, match="SPOTIFY_CLIENT_ID"):
        app_client(SpotifySettings(client_secret="s"))
