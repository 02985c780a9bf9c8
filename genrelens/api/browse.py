"""The blog's Spotify endpoints: profile, now playing, top and liked tracks, browse, search.

Each view parses its parameters, asks Spotify through the caller's client, and hands the tracks to
the catalog, which adds features (through the provider chain, one batch per page) and the model's
top genre. Restrictions, rate limits and lost logins are raised as the core's errors and shaped by
the one exception handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from genrelens.api import params, shapes
from genrelens.api.clients import any_spotify, caller_account, providers_for, user_spotify
from genrelens.api.exceptions import Restricted
from genrelens.api.kept import KeptApi, KeptKey, kept_json
from genrelens.api.views import PublicApi, UserApi
from genrelens.catalog.models import Album, Artist, LocalFile, Track
from genrelens.catalog.tracklists import features_fetch_missing, spotify_tracks_store, track_page
from genrelens.core.spotify.client import SpotifyClient
from genrelens.core.spotify.models import Playlist
from genrelens.core.spotify.models import Track as SpotifyTrack

PAGE = [OpenApiParameter("offset", int, description="first item (default 0)"),
        OpenApiParameter("limit", int, description="items per page (default 50, at most 500)")]
ERRORS = {401: shapes.Error, 409: shapes.Error, 502: shapes.Error, 503: shapes.Error}
#: a page of a list shown in the app; 500 keeps one request's feature lookups bounded
MAX_PAGE = 500
#: how long a page of liked tracks is kept (Spotify is asked again after it)
LIKED_SECONDS = 60


def _page(request: HttpRequest | Request, default: int = 50, maximum: int = MAX_PAGE) -> tuple[int, int]:
    offset = params.whole(request, "offset", default=0, minimum=0, maximum=100_000)
    limit = params.whole(request, "limit", default=default, minimum=1, maximum=maximum)
    return offset, limit


def tracks_page(client: SpotifyClient | None, tracks: Sequence[SpotifyTrack], *, total: int, offset: int,
                limit: int) -> dict[str, Any]:
    """Store the tracks, fetch features for those without, and shape the page."""
    spotify_tracks_store(tracks=tracks)
    report = features_fetch_missing(refs=[t.to_ref() for t in tracks], providers=lambda: providers_for(client))
    return track_page(keys=[t.id for t in tracks], total=total, offset=offset, limit=limit, report=report)


def _sliced(client: SpotifyClient, tracks: list[SpotifyTrack], offset: int, limit: int) -> dict[str, Any]:
    return tracks_page(client, tracks[offset:offset + limit], total=len(tracks), offset=offset, limit=limit)


def _playlist(p: Playlist, me: str | None) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "owner": p.owner_name or p.owner_id, "image_url": None,
            "tracks_total": p.total, "is_mine": bool(me and (p.owner_id == me or p.collaborative))}


class MeApi(PublicApi):
    # the app's first call: it also hands the browser the CSRF cookie its writes will need
    @method_decorator(ensure_csrf_cookie)
    @extend_schema(responses={200: shapes.Me, 401: shapes.Error, 502: shapes.Error},
                   description="Who is connected: the Spotify profile, or where to log in.")
    def get(self, request: Request) -> Response:
        if caller_account(request) is None:
            return Response({"connected": False, "login_url": reverse("api:auth-login"), "user": None})
        with user_spotify(request) as client:
            me = client.me()
        return Response({"connected": True, "login_url": None, "user": {
            "spotify_id": me.id, "display_name": me.display_name or me.id, "country": me.country,
            "product": me.product}})


class NowPlayingApi(UserApi):
    @extend_schema(responses={200: shapes.NowPlaying, 204: OpenApiResponse(description="nothing is playing"),
                              **ERRORS},
                   description="The track playing now, with its features and an estimated beat grid. 204 when "
                               "nothing (or a podcast) plays.")
    def get(self, request: Request) -> Response:
        with user_spotify(request) as client:
            playing = client.now_playing()
            if playing is None or playing.track is None:
                return Response(status=204)
            page = tracks_page(client, [playing.track], total=1, offset=0, limit=1)
        item = page["items"][0]
        return Response({"is_playing": playing.is_playing, "progress_ms": playing.progress_ms,
                         "timestamp": playing.timestamp, "track": item, "rhythm_estimate": _rhythm(item)})


def _rhythm(item: dict[str, Any]) -> dict[str, Any] | None:
    """A beat grid from tempo alone: Spotify's audio is never played or analysed here."""
    features = item["features"] or {}
    tempo = features.get("tempo")
    if not tempo:
        return None
    return {"tempo": tempo, "time_signature": features.get("time_signature") or 4, "beat_ms": 60_000.0 / tempo,
            "source": item["feature_source"],
            "note": "An estimate: evenly spaced beats at the track's tempo, aligned to playback progress. "
                    "The audio itself is not analysed."}


class TopTracksApi(UserApi):
    @extend_schema(parameters=[OpenApiParameter("time_range", str, enum=["short_term", "medium_term", "long_term"]),
                               *PAGE], responses={200: shapes.TrackPage, **ERRORS})
    def get(self, request: Request) -> Response:
        time_range = params.choice(request, "time_range", ("short_term", "medium_term", "long_term"), "medium_term")
        offset, limit = _page(request)
        with user_spotify(request) as client:
            tracks = client.top_tracks(time_range, max_items=offset + limit)  # type: ignore[arg-type]
            return Response(_sliced(client, tracks, offset, limit))


class LikedTracksApi(KeptApi, UserApi):
    @extend_schema(parameters=PAGE, responses={200: shapes.TrackPage, **ERRORS},
                   description="The user's liked tracks, one page at a time (walk next_offset for all of them).")
    def get(self, request: Request) -> Response:
        offset, limit = _page(request)

        def build() -> dict[str, Any]:
            with user_spotify(request) as client:
                saved, total = client.saved_tracks_page(offset=offset, limit=limit)
                return tracks_page(client, [s.track for s in saved], total=total, offset=offset, limit=limit)

        return Response(kept_json(self.kept_key(request, request.user.pk), build=build))

    def kept_key(self, request: HttpRequest | Request, user_id: Any) -> KeptKey:
        # A minute old at most: a track liked in Spotify shows up within LIKED_SECONDS (and one rebuild).
        offset, limit = _page(request)
        return KeptKey(name="likedtracks", scopes=["catalog", f"user:{user_id}"], params=[user_id, offset, limit],
                       seconds=LIKED_SECONDS)


class CategoriesApi(PublicApi):
    @extend_schema(responses={200: shapes.Categories, **ERRORS})
    def get(self, request: Request) -> Response:
        with any_spotify(request) as client:
            categories = _usable(client).categories(max_items=100)
        return Response({"items": [{"id": c.id, "name": c.name, "icon_url": None} for c in categories]})


def _usable(client: SpotifyClient | None) -> SpotifyClient:
    if client is None:
        raise Restricted("Spotify", "this server has no Spotify app credentials for requests without a login; "
                                    "log in with Spotify")
    return client


class CategoryPlaylistsApi(PublicApi):
    @extend_schema(parameters=[OpenApiParameter("category_id", str, required=True)],
                   responses={200: shapes.Playlists, 400: shapes.Error, **ERRORS})
    def get(self, request: Request) -> Response:
        category = params.required(request, "category_id")
        if not category.replace("_", "").replace("-", "").isalnum():
            raise ValidationError({"category_id": ["not a category id"]})
        with any_spotify(request) as client:
            playlists = _usable(client).category_playlists(category, max_items=50)
        return Response({"items": [_playlist(p, None) for p in playlists]})


class MyPlaylistsApi(UserApi):
    @extend_schema(responses={200: shapes.Playlists, **ERRORS},
                   description="The user's own and followed playlists; development-mode apps may read the "
                               "tracks of the user's own ones only.")
    def get(self, request: Request) -> Response:
        with user_spotify(request) as client:
            me = client.me().id
            playlists = client.user_playlists(max_items=500)
        return Response({"items": [_playlist(p, me) for p in playlists]})


class PlaylistTracksApi(PublicApi):
    @extend_schema(parameters=[OpenApiParameter("playlist_id", str, required=True), *PAGE],
                   responses={200: shapes.TrackPage, 400: shapes.Error, 404: shapes.Error, **ERRORS})
    def get(self, request: Request) -> Response:
        playlist_id = params.spotify_id(request, "playlist_id", kind="playlist")
        offset, limit = _page(request)
        with any_spotify(request) as client:
            items, _skipped = _usable(client).playlist_items(playlist_id, max_items=offset + limit)
            return Response(_sliced(_usable(client), [i.track for i in items], offset, limit))


class AlbumTracksApi(PublicApi):
    @extend_schema(parameters=[OpenApiParameter("album_id", str, required=True), *PAGE],
                   responses={200: shapes.TrackPage, 400: shapes.Error, 404: shapes.Error, **ERRORS})
    def get(self, request: Request) -> Response:
        album_id = params.spotify_id(request, "album_id", kind="album")
        offset, limit = _page(request)
        with any_spotify(request) as client:
            album = _usable(client).album(album_id)
            tracks = _usable(client).album_tracks(album, max_items=offset + limit)
            return Response(_sliced(_usable(client), tracks, offset, limit))


class SearchApi(KeptApi, PublicApi):
    @extend_schema(parameters=[OpenApiParameter("q", str, required=True),
                               OpenApiParameter("type", str, enum=["track", "artist", "album"]),
                               OpenApiParameter("offset", int), OpenApiParameter("limit", int,
                                                                                 description="at most 50")],
                   responses={200: shapes.SearchResult, 400: shapes.Error, **ERRORS},
                   description="Spotify's search when a user is connected, the imported catalog otherwise.")
    def get(self, request: Request) -> Response:
        query, kind, offset, limit = _search(request)
        if caller_account(request) is None:
            return Response(kept_json(_catalog_key(query, kind, offset, limit),
                                      build=lambda: _catalog_search(query, kind, offset, limit)))
        with user_spotify(request) as client:
            return Response(_spotify_search(client, query, kind, offset, limit))

    def kept_key(self, request: HttpRequest | Request, user_id: Any) -> KeptKey | None:
        # a logged-in caller may have a Spotify account (a query to learn): searched on DRF's path
        return None if user_id is not None else _catalog_key(*_search(request))


def _search(request: HttpRequest | Request) -> tuple[str, str, int, int]:
    query = params.required(request, "q")[:200]
    kind = params.choice(request, "type", ("track", "artist", "album"), "track")
    offset, limit = _page(request, default=20, maximum=50)
    return query, kind, offset, limit


def _catalog_key(query: str, kind: str, offset: int, limit: int) -> KeptKey:
    return KeptKey(name="search", scopes=["catalog"], params=[query, kind, offset, limit], seconds=600)


def _result(kind: str, source: str, query: str, offset: int, limit: int, found: list[dict[str, Any]],
            more: bool, note: str | None = None) -> dict[str, Any]:
    return {"type": kind, "source": source, "query": query, "offset": offset, "limit": limit,
            "next_offset": offset + limit if more else None, "note": note,
            "tracks": found if kind == "track" else [], "artists": found if kind == "artist" else [],
            "albums": found if kind == "album" else []}


def _spotify_search(client: SpotifyClient, query: str, kind: str, offset: int, limit: int) -> dict[str, Any]:
    # Spotify's search pages hold 10 items for development-mode apps: the client asks page after
    # page up to offset + limit (+1 to learn whether there is more).
    wanted = offset + limit + 1
    if kind == "track":
        tracks = client.search_tracks(query, max_items=wanted)
        page = tracks_page(client, tracks[offset:offset + limit], total=len(tracks), offset=offset, limit=limit)
        return _result(kind, "spotify", query, offset, limit, page["items"], len(tracks) > offset + limit)
    if kind == "artist":
        artists = client.search_artists(query, max_items=wanted)
        found = [{"id": a.id, "name": a.name, "image_url": None, "genres": list(a.genres)}
                 for a in artists[offset:offset + limit]]
        return _result(kind, "spotify", query, offset, limit, found, len(artists) > offset + limit)
    albums = client.search_albums(query, max_items=wanted)
    found = [{"id": a.id, "name": a.name, "artists": [r.name for r in a.artists], "release_year": a.release_year,
              "image_url": None, "total_tracks": a.total_tracks} for a in albums[offset:offset + limit]]
    return _result(kind, "spotify", query, offset, limit, found, len(albums) > offset + limit)


def _listed_in_search() -> Q:
    """Spotify's and the datasets' tracks, and the installation's own files (`genrelens analyze`).
    An uploaded file's track is private to its owner, as on the analysis page, and the same search
    page is kept for every caller: it is never listed."""
    installation_files = LocalFile.objects.filter(track=OuterRef("pk"), owner__isnull=True, owner_session="")
    return Q(is_local=False) | Q(Exists(installation_files))


def _catalog_search(query: str, kind: str, offset: int, limit: int) -> dict[str, Any]:
    note = "Searching the imported catalog; log in with Spotify to search all of Spotify."
    if kind == "track":
        rows = (Track.objects.filter(_listed_in_search(), Q(name__icontains=query) | Q(artist_names__icontains=query))
                .order_by("-popularity", "name", "id").values_list("key", flat=True)[offset:offset + limit + 1])
        keys = list(rows)
        page = track_page(keys=keys[:limit], total=offset + len(keys), offset=offset, limit=limit)
        return _result(kind, "catalog", query, offset, limit, page["items"], len(keys) > limit, note)
    if kind == "artist":
        artists = list(Artist.objects.filter(name__icontains=query).order_by("name", "id")[offset:offset + limit + 1])
        found = [{"id": a.key, "name": a.name, "image_url": None, "genres": []} for a in artists[:limit]]
        return _result(kind, "catalog", query, offset, limit, found, len(artists) > limit, note)
    albums = list(Album.objects.filter(name__icontains=query).order_by("name", "id")[offset:offset + limit + 1])
    found = [{"id": a.key, "name": a.name, "artists": [], "release_year": a.release_year, "image_url": None,
              "total_tracks": None} for a in albums[:limit]]
    return _result(kind, "catalog", query, offset, limit, found, len(albums) > limit, note)

