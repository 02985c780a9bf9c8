import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from spotipy.oauth2 import SpotifyPKCE

from genrelens.core.errors import ConfigurationError, ReauthRequired
from genrelens.core.spotify import SpotifySettings, authorize_url, new_pkce_pair, pkce_challenge, user_client
from genrelens.core.spotify.auth import MemoryCacheHandler


def test_pkce_pair_follows_rfc_7636():
    pair = new_pkce_pair()
    assert 43 <= len(pair.verifier) <= 128
    digest = hashlib.sha256(pair.verifier.encode()).digest()
    assert pair.challenge == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert new_pkce_pair().verifier != pair.verifier
    # agrees with spotipy's own implementation of the same transform
    spotipy_pkce = SpotifyPKCE(client_id="c", redirect_uri="http://127.0.0.1:1/cb", cache_handler=MemoryCacheHandler())
    spotipy_pkce.code_verifier = pair.verifier
    assert pkce_challenge(pair.verifier) == spotipy_pkce._get_code_challenge()


def test_authorize_url_with_secret():
    s = SpotifySettings(client_id="cid", client_secret="sec", accounts_base="http://127.0.0.1:9/")
    url = authorize_url(s, "st4te", "user-top-read,user-library-read")
    parts = urlsplit(url)
    q = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://127.0.0.1:9/authorize"
    assert q["client_id"] == ["cid"] and q["response_type"] == ["code"] and q["state"] == ["st4te"]
    assert q["scope"] == ["user-library-read user-top-read"]
    assert q["redirect_uri"] == ["http://127.0.0.1:8000/connect"]
    assert "code_challenge" not in q


def test_authorize_url_without_secret_needs_a_challenge():
    s = SpotifySettings(client_id="cid")
    with pytest.raises(ConfigurationError, match="code_challenge"):
        authorize_url(s, "st", "user-top-read")
    q = parse_qs(urlsplit(authorize_url(s, "st", ["user-top-read"], "CHAL")).query)
    assert q["code_challenge"] == ["CHAL"] and q["code_challenge_method"] == ["S256"]


def test_missing_client_id_and_state_are_clear_errors():
    with pytest.raises(ConfigurationError, match="SPOTIFY_CLIENT_ID"):
        authorize_url(SpotifySettings(), "st", "x", "c")
    with pytest.raises(ValueError, match="state"):
        authorize_url(SpotifySettings(client_id="c", client_secret="s"), "", "x")


def test_user_client_without_a_cached_token_never_starts_an_interactive_login():
    s = SpotifySettings(client_id="cid", client_secret="sec")
    with pytest.raises(ReauthRequired, match="log in"):
        user_client(s, MemoryCacheHandler())
