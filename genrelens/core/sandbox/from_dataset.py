"""A sandbox catalog built from a dataset file (any format `read_dataset` understands).

The dataset's tracks, artists, albums and features are served as they are. Playlists come from its
playlist_id/playlist_name columns; where those are empty (the TidyTuesday dev file has none), a few
playlists per (genre, sub-genre) are synthesised, named after the sub-genre, so the blog's search
still finds them. Users, categories and what users play are added the same way as for the
synthetic catalog, drawn with the seed.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from genrelens.core.sandbox.catalog import SPOTIFY_USER_ID, Album, Artist, Catalog, Category, Playlist, Track, make_id
from genrelens.core.sandbox.synthetic import (
    CURATORS,
    PLAYLIST_TEMPLATES,
    USERS,
    add_people,
    add_user_libraries,
)
from genrelens.core.types import FEATURE_NAMES

PLAYLIST_SIZE = 150
FALLBACK_DURATION_MS = 210_000


def build_from_dataset(path: str | Path, seed: int = 0) -> Catalog:
    from genrelens.core.dataset.formats import read_dataset  # pandas is only needed on this path

    parsed = read_dataset(path)
    frame = parsed.frame
    if frame.empty:
        raise ValueError(f"{path}: no usable rows ({len(parsed.rejected)} rejected)")
    rng = random.Random(seed)
    catalog = Catalog(source=f"dataset:{Path(path).name} ({parsed.format})")
    add_people(catalog)
    rows: list[dict[str, Any]] = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    pools: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        track_id = str(row["track_id"])
        if track_id not in catalog.tracks:
            _add_track(catalog, row)
        label = (str(row["playlist_genre"] or ""), str(row["playlist_subgenre"] or ""))
        if track_id not in pools[label]:
            pools[label].append(track_id)
    _rate_artists(catalog)
    _add_playlists(catalog, rows, seed, rng)
    _add_categories(catalog, seed)
    add_user_libraries(catalog, dict(pools), seed, rng)
    catalog.validate()
    return catalog


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _artist_names(row: dict[str, Any]) -> list[str]:
    names = [n.strip() for n in _text(row.get("artists")).split(";") if n.strip()]
    return names or [n.strip() for n in _text(row.get("track_artist")).split(", ") if n.strip()] or ["Unknown"]


def _add_track(catalog: Catalog, row: dict[str, Any]) -> None:
    genre, sub = _text(row["playlist_genre"]), _text(row["playlist_subgenre"])
    artist_ids = [_artist(catalog, name, genre, sub) for name in _artist_names(row)]
    album = _album(catalog, row, artist_ids)
    features: dict[str, float | None] = {name: _number(row.get(name)) for name in FEATURE_NAMES}
    duration = features["duration_ms"]
    track = Track(
        id=str(row["track_id"]),
        name=_text(row["track_name"]) or "Untitled",
        artist_ids=artist_ids,
        album_id=album.id,
        duration_ms=int(duration) if duration else FALLBACK_DURATION_MS,
        # Datasets rarely carry ISRCs; a stable made-up one keeps ISRC lookups testable.
        isrc="QZ" + make_id("isrc", row["track_id"])[:10].upper(),
        popularity=int(_number(row.get("track_popularity")) or 0),
        track_number=len(album.track_ids) + 1,
        genre=genre,
        subgenre=sub,
        features=features if any(v is not None for v in features.values()) else None,
    )
    catalog.tracks[track.id] = track
    album.track_ids.append(track.id)


def _artist(catalog: Catalog, name: str, genre: str, sub: str) -> str:
    artist_id = make_id("artist", name.lower())
    artist = catalog.artists.get(artist_id)
    if artist is None:
        artist = Artist(id=artist_id, name=name, popularity=0, followers=0)
        catalog.artists[artist_id] = artist
    for label in (sub, genre):
        if label and label not in artist.genres:
            artist.genres.append(label)
    return artist_id


def _rate_artists(catalog: Catalog) -> None:
    """Datasets carry track popularity only; an artist is as popular as their best track."""
    for track in catalog.tracks.values():
        for artist_id in track.artist_ids:
            artist = catalog.artists[artist_id]
            artist.popularity = max(artist.popularity, track.popularity)
    for artist in catalog.artists.values():
        artist.followers = int(10 ** (2 + artist.popularity / 20))


def _album(catalog: Catalog, row: dict[str, Any], artist_ids: list[str]) -> Album:
    name = _text(row.get("track_album_name")) or _text(row["track_name"])
    album_id = _text(row.get("track_album_id")) or make_id("album", name.lower(), artist_ids[0])
    album = catalog.albums.get(album_id)
    if album is None:
        year = _number(row.get("release_year"))
        # Spotify itself answers "0000" for releases it has no date for.
        date = _text(row.get("release_date")) or (str(int(year)) if year else "0000")
        album = Album(id=album_id, name=name, artist_ids=artist_ids[:1], release_date=date)
        catalog.albums[album_id] = album
    return album


def _add_playlists(catalog: Catalog, rows: list[dict[str, Any]], seed: int, rng: random.Random) -> None:
    named: dict[str, tuple[str, list[str]]] = {}
    unnamed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        playlist_id, track_id = _text(row.get("playlist_id")), str(row["track_id"])
        if playlist_id:
            name = _text(row.get("playlist_name")) or _text(row["playlist_subgenre"]) or playlist_id
            named.setdefault(playlist_id, (name, []))[1].append(track_id)
        else:
            unnamed[(_text(row["playlist_genre"]), _text(row["playlist_subgenre"]))].append(track_id)
    owners = _owner_cycle(rng)
    for index, (playlist_id, (name, tracks)) in enumerate(named.items()):
        _put(catalog, Playlist(id=playlist_id, name=name, owner_id=owners(index),
                               track_ids=list(dict.fromkeys(tracks))))
    for (genre, sub), tracks in unnamed.items():
        label = sub or genre or "mixed"
        unique = list(dict.fromkeys(tracks))
        for index, start in enumerate(range(0, len(unique), PLAYLIST_SIZE)):
            template = PLAYLIST_TEMPLATES[index % len(PLAYLIST_TEMPLATES)]
            _put(catalog, Playlist(
                id=make_id(seed, "playlist", genre, sub, index),
                name=template.format(s=label, S=label.title()),
                owner_id=owners(index),
                track_ids=unique[start : start + PLAYLIST_SIZE],
                description=f"{label} tracks from {catalog.source}",
            ))


def _owner_cycle(rng: random.Random) -> Any:
    users = [u for u, *_ in USERS]

    def owner(index: int) -> str:
        # Same policy as the synthetic catalog: the first of a group is Spotify's, the second a
        # sandbox user's (so devmode can read it), the rest belong to curators.
        if index == 0:
            return SPOTIFY_USER_ID
        if index == 1:
            return rng.choice(users)
        return rng.choice(CURATORS)

    return owner


def _put(catalog: Catalog, playlist: Playlist) -> None:
    catalog.playlists[playlist.id] = playlist


def _add_categories(catalog: Catalog, seed: int) -> None:
    by_genre: dict[str, list[str | None]] = defaultdict(list)
    for playlist in catalog.playlists.values():
        genres = {catalog.tracks[t].genre for t in playlist.track_ids[:20]}
        for genre in sorted(g for g in genres if g):
            by_genre[genre].append(playlist.id)
    for genre, ids in by_genre.items():
        ids.insert(min(2, len(ids)), None)  # Spotify's lists sometimes hold nulls
        category_id = make_id(seed, "category", genre)
        catalog.categories[category_id] = Category(id=category_id, name=genre.title(), playlist_ids=ids)
