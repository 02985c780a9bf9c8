"""Spotify's JSON shapes for catalog records (docs: spotify-api-2026.md §3).

Fields Spotify marks deprecated are sent only in the legacy profile; `href`s point at the sandbox
itself so that clients following them never leave 127.0.0.1.
"""

from __future__ import annotations

from typing import Any

from genrelens.core.sandbox.catalog import Album, Artist, Catalog, Category, Playlist, Track, User, make_id

OPEN = "https://open.spotify.com"
IMAGE_SIZES = (640, 300, 64)
MARKETS = ("US", "GB", "DE", "SE", "MX", "BR")


class Shapes:
    def __init__(self, catalog: Catalog, *, legacy: bool, base_url: str) -> None:
        self.catalog = catalog
        self.legacy = legacy
        self.api = f"{base_url}/v1"

    # --- small pieces ---------------------------------------------------------------------------
    def _images(self, kind: str, item_id: str) -> list[dict[str, Any]]:
        return [{"url": f"https://i.scdn.co/image/{kind}-{item_id}-{s}", "height": s, "width": s}
                for s in IMAGE_SIZES]

    def _links(self, kind: str, item_id: str, plural: str) -> dict[str, Any]:
        return {
            "external_urls": {"spotify": f"{OPEN}/{kind}/{item_id}"},
            "href": f"{self.api}/{plural}/{item_id}",
            "id": item_id,
            "uri": f"spotify:{kind}:{item_id}",
        }

    def user_ref(self, user_id: str) -> dict[str, Any]:
        return {
            "display_name": self.catalog.owner_name(user_id),
            "external_urls": {"spotify": f"{OPEN}/user/{user_id}"},
            "href": f"{self.api}/users/{user_id}",
            "id": user_id,
            "type": "user",
            "uri": f"spotify:user:{user_id}",
        }

    # --- artists, albums, tracks ----------------------------------------------------------------
    def simple_artist(self, artist: Artist) -> dict[str, Any]:
        return {**self._links("artist", artist.id, "artists"), "name": artist.name, "type": "artist"}

    def artist(self, artist: Artist) -> dict[str, Any]:
        out = {**self.simple_artist(artist), "images": self._images("artist", artist.id)}
        if self.legacy:
            out.update(genres=list(artist.genres), popularity=artist.popularity,
                       followers={"href": None, "total": artist.followers})
        return out

    def simple_album(self, album: Album) -> dict[str, Any]:
        out = {
            **self._links("album", album.id, "albums"),
            "album_type": album.album_type,
            "total_tracks": len(album.track_ids),
            "images": self._images("album", album.id),
            "name": album.name,
            "release_date": album.release_date,
            "release_date_precision": album.release_date_precision,
            "type": "album",
            "artists": [self.simple_artist(self.catalog.artists[a]) for a in album.artist_ids],
        }
        if self.legacy:
            out["available_markets"] = list(MARKETS)
        return out

    def album(self, album: Album, tracks_page: dict[str, Any]) -> dict[str, Any]:
        popularity = max((self.catalog.tracks[t].popularity for t in album.track_ids), default=0)
        out = {
            **self.simple_album(album),
            "tracks": tracks_page,
            "copyrights": [{"text": f"(P) {album.release_date[:4]} Sandbox Records", "type": "P"}],
            "external_ids": {"upc": make_id("upc", album.id)[:12].upper()},
        }
        if self.legacy:
            out.update(genres=[], label="Sandbox Records", popularity=popularity)
        return out

    def simple_track(self, track: Track, market: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            **self._links("track", track.id, "tracks"),
            "artists": [self.simple_artist(self.catalog.artists[a]) for a in track.artist_ids],
            "disc_number": 1,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            "is_local": False,
            "name": track.name,
            "track_number": track.track_number,
            "type": "track",
        }
        if market:
            out["is_playable"] = True
        if self.legacy:
            out["available_markets"] = list(MARKETS)
            out["preview_url"] = None
        return out

    def track(self, track: Track, market: str | None = None) -> dict[str, Any]:
        out = {
            **self.simple_track(track, market),
            "album": self.simple_album(self.catalog.albums[track.album_id]),
            "external_ids": {"isrc": track.isrc},
        }
        if self.legacy:
            out["popularity"] = track.popularity
        return out

    def local_track(self, track: Track) -> dict[str, Any]:
        """A local file in a playlist: no ids anywhere (spotipy#1156 is what naive code hits)."""
        artist = self.catalog.artists[track.artist_ids[0]].name
        album = self.catalog.albums[track.album_id].name
        seconds = track.duration_ms // 1000
        out: dict[str, Any] = {
            "album": {"album_type": None, "artists": [], "external_urls": {}, "href": None, "id": None,
                      "images": [], "name": album, "release_date": None, "release_date_precision": None,
                      "total_tracks": 0, "type": "album", "uri": None},
            "artists": [{"external_urls": {}, "href": None, "id": None, "name": artist, "type": "artist",
                         "uri": None}],
            "disc_number": 0,
            "duration_ms": track.duration_ms,
            "explicit": False,
            "external_ids": {},
            "external_urls": {},
            "href": None,
            "id": None,
            "is_local": True,
            "name": track.name,
            "track_number": 0,
            "type": "track",
            "uri": f"spotify:local:{artist}:{album}:{track.name}:{seconds}".replace(" ", "+"),
        }
        if self.legacy:
            out["album"]["available_markets"] = []
            out.update(available_markets=[], popularity=0, preview_url=None)
        return out

    def episode(self, playlist_id: str, position: int) -> dict[str, Any]:
        """A podcast episode in a playlist (only when the client asked for episodes)."""
        episode_id = make_id("episode", playlist_id, position)
        out: dict[str, Any] = {
            **self._links("episode", episode_id, "episodes"),
            "description": "A talk about music.",
            "html_description": "<p>A talk about music.</p>",
            "duration_ms": 1_800_000 + position * 1000,
            "explicit": False,
            "images": self._images("episode", episode_id),
            "is_externally_hosted": False,
            "is_playable": True,
            "languages": ["en"],
            "name": f"Episode {position + 1}",
            "release_date": "2020-04-01",
            "release_date_precision": "day",
            "show": self.show(make_id("show", playlist_id)),
            "type": "episode",
        }
        if self.legacy:
            # previews were taken away in Nov 2024; the 2020 API sent one, null here as for tracks
            out.update(audio_preview_url=None, language="en")
        return out

    def show(self, show_id: str) -> dict[str, Any]:
        """A simplified show, as nested in an episode."""
        out: dict[str, Any] = {
            **self._links("show", show_id, "shows"),
            "copyrights": [],
            "description": "Conversations about the music in this playlist.",
            "html_description": "<p>Conversations about the music in this playlist.</p>",
            "explicit": False,
            "images": self._images("show", show_id),
            "is_externally_hosted": False,
            "languages": ["en"],
            "media_type": "audio",
            "name": "Sandbox Talks",
            "total_episodes": 120,
            "type": "show",
        }
        if self.legacy:
            out.update(available_markets=list(MARKETS), publisher="Sandbox")
        return out

    def context(self, kind: str, context_id: str) -> dict[str, Any]:
        """Where a play came from (currently playing, recently played): a playlist or an album."""
        plural = "playlists" if kind == "playlist" else "albums"
        return {"type": kind, "href": f"{self.api}/{plural}/{context_id}",
                "external_urls": {"spotify": f"{OPEN}/{kind}/{context_id}"}, "uri": f"spotify:{kind}:{context_id}"}

    # --- playlists, users, categories -----------------------------------------------------------
    def simple_playlist(self, playlist: Playlist) -> dict[str, Any]:
        total = len(playlist.track_ids)
        links = self._links("playlist", playlist.id, "playlists")
        return {
            **links,
            "collaborative": playlist.collaborative,
            "description": playlist.description,
            "images": self._images("playlist", playlist.id)[:1],
            "name": playlist.name,
            "owner": self.user_ref(playlist.owner_id),
            "public": playlist.public,
            "snapshot_id": playlist.snapshot_id,
            # `items` replaces `tracks` (Feb 2026); the real API still sends both.
            "items": {"href": f"{links['href']}/items", "total": total},
            "tracks": {"href": f"{links['href']}/tracks", "total": total},
            "type": "playlist",
        }

    def playlist(self, playlist: Playlist, items_page: dict[str, Any] | None) -> dict[str, Any]:
        """A full playlist; `items_page` None: the app may not read its items, and then the object
        has no `items` (nor `tracks`) at all, as the description of the 2026 API says."""
        out = {**self.simple_playlist(playlist), "followers": {"href": None, "total": len(playlist.id) * 7}}
        if items_page is None:
            del out["items"], out["tracks"]
        else:
            out["items"] = out["tracks"] = items_page
        return out

    def me(self, user: User) -> dict[str, Any]:
        out = {
            "account_id": make_id("account", user.id),
            "display_name": user.display_name,
            "external_urls": {"spotify": f"{OPEN}/user/{user.id}"},
            "href": f"{self.api}/users/{user.id}",
            "id": user.id,
            "images": self._images("user", user.id)[1:2],
            "type": "user",
            "uri": f"spotify:user:{user.id}",
        }
        if self.legacy:
            out.update(country=user.country, email=user.email, product=user.product,
                       explicit_content={"filter_enabled": False, "filter_locked": False},
                       followers={"href": None, "total": user.followers})
        return out

    def category(self, category: Category) -> dict[str, Any]:
        return {
            "href": f"{self.api}/browse/categories/{category.id}",
            "icons": [{"url": f"https://t.scdn.co/images/{category.id}.jpg", "height": 274, "width": 274}],
            "id": category.id,
            "name": category.name,
        }

    def audio_features(self, track: Track) -> dict[str, Any] | None:
        if not track.features:
            return None
        out: dict[str, Any] = {
            name: _number(name, value) for name, value in sorted(track.features.items())
        }
        if out.get("duration_ms") is None:
            out["duration_ms"] = track.duration_ms
        out.update(
            analysis_url=f"{self.api}/audio-analysis/{track.id}",
            id=track.id,
            track_href=f"{self.api}/tracks/{track.id}",
            type="audio_features",
            uri=f"spotify:track:{track.id}",
        )
        return out


INTEGER_FEATURES = ("key", "mode", "time_signature", "duration_ms")


def _number(name: str, value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if name in INTEGER_FEATURES else value
