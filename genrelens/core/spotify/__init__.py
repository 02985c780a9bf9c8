"""The Spotify adapter: the only code in genrelens that imports spotipy.

    settings = SpotifySettings.from_env()
    app = app_client(settings)                      # client credentials
    me = user_client(settings, cache_handler)       # the user's own token (one handler per user)
"""

from genrelens.core.spotify.auth import (
    PkcePair,
    authorize_url,
    exchange_code,
    new_pkce_pair,
    pkce_challenge,
)
from genrelens.core.spotify.capabilities import Capabilities
from genrelens.core.spotify.client import SpotifyClient, app_client, user_client
from genrelens.core.spotify.models import (
    Album,
    Artist,
    ArtistRef,
    Category,
    NowPlaying,
    Playlist,
    PlaylistItem,
    RecentPlay,
    SavedTrack,
    SkipCounts,
    Track,
    User,
)
from genrelens.core.spotify.retry import RetryPolicy
from genrelens.core.spotify.settings import SpotifySettings

__all__ = [
    "Album",
    "Artist",
    "ArtistRef",
    "Capabilities",
    "Category",
    "NowPlaying",
    "PkcePair",
    "Playlist",
    "PlaylistItem",
    "RecentPlay",
    "RetryPolicy",
    "SavedTrack",
    "SkipCounts",
    "SpotifyClient",
    "SpotifySettings",
    "Track",
    "User",
    "app_client",
    "authorize_url",
    "exchange_code",
    "new_pkce_pair",
    "pkce_challenge",
    "user_client",
]
