"""A deterministic synthetic catalog built from a seed, shaped like the blog's Spotify world.

Everything the sandbox serves comes from here when `--catalog synthetic`: artists grouped by genre,
albums with release dates, tracks whose features follow the real per-genre distributions, several
playlists per sub-genre of the taxonomy (some Spotify-owned, some owned by sandbox users, some long
enough to need several pages, tracks shared between playlists), categories, and three users.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np

from genrelens.core.dataset.taxonomy import Taxonomy, load_taxonomy
from genrelens.core.sandbox import names
from genrelens.core.sandbox.catalog import (
    SPOTIFY_USER_ID,
    TIME_RANGES,
    Album,
    Artist,
    Catalog,
    Category,
    Play,
    Playlist,
    Track,
    User,
    make_id,
)
from genrelens.core.sandbox.features import GENRE_TO_PROFILE, draw, pair_profile

#: Sandbox users and the genres they lean towards. cem is idle (currently-playing answers 204).
USERS = (
    ("ann", "Ann Example", ("pop", "edm"), 120),
    ("ben", "Ben Sample", ("hip hop", "rock"), 60),
    ("cem", "Cem Demo", ("latin", "metal"), 15),
)
CURATORS = ("djnova", "playlistpete", "mixmaria", "beatbureau", "sundaysounds", "crateking")
PLAYLIST_TEMPLATES = ("{s}", "{S} Hits", "Best of {S}", "{S} Mix", "This Is {S}", "{S} Essentials")
GENRE_CATEGORY_NAMES = {"pop": "Pop", "hip hop": "Hip-Hop", "rock": "Rock", "edm": "Dance/Electronic",
                        "latin": "Latin", "metal": "Metal"}
EXTRA_CATEGORIES = ("Mood", "Chill", "Workout", "Party", "Focus", "Sleep", "Decades", "Indie", "R&B",
                    "Country", "Jazz", "Classical", "Soul", "Punk", "Funk", "Reggae", "K-pop", "Romance",
                    "Gaming", "Summer")
EXPLICIT_SHARE = {"hip hop": 0.6, "latin": 0.25}
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
#: Listening history per user: Spotify keeps the last 50 plays; cem listens less.
HISTORY_SIZES = {"ann": 50, "ben": 50, "cem": 12}


def build_synthetic(seed: int = 0, n_tracks: int = 6000, taxonomy: Taxonomy | None = None,
                    liked: int | None = None) -> Catalog:
    if n_tracks < 100:
        raise ValueError(f"--tracks must be at least 100 for a usable catalog, got {n_tracks}")
    taxonomy = taxonomy or load_taxonomy()
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    catalog = Catalog(source=f"synthetic(seed={seed}, tracks={n_tracks})")
    add_people(catalog)
    pools = _add_music(catalog, taxonomy, n_tracks, seed, rng, nprng)
    genre_playlists = _add_subgenre_playlists(catalog, taxonomy, pools, seed, rng)
    _add_categories(catalog, taxonomy, genre_playlists, seed, rng)
    add_user_libraries(catalog, pools, seed, rng, liked=liked)
    catalog.validate()
    return catalog


def add_people(catalog: Catalog) -> None:
    for user_id, display, _, _ in USERS:
        catalog.users[user_id] = User(id=user_id, display_name=display, email=f"{user_id}@example.com",
                                      followers=len(user_id) * 3)
    catalog.users[SPOTIFY_USER_ID] = User(id=SPOTIFY_USER_ID, display_name="Spotify", is_sandbox_user=False)
    for curator in CURATORS:
        catalog.users[curator] = User(id=curator, display_name=curator, is_sandbox_user=False)


def _add_music(
    catalog: Catalog, taxonomy: Taxonomy, n_tracks: int, seed: int, rng: random.Random,
    nprng: np.random.Generator,
) -> dict[tuple[str, str], list[str]]:
    """Artists, albums and tracks per (genre, sub-genre) pair; returns each pair's track ids."""
    pairs = taxonomy.pairs()
    sizes = [n_tracks // len(pairs) + (1 if i < n_tracks % len(pairs) else 0) for i in range(len(pairs))]
    seen_names: set[str] = set()
    pools: dict[tuple[str, str], list[str]] = {}
    serial = 0
    for (genre, sub), size in zip(pairs, sizes, strict=True):
        values = draw(pair_profile(genre, sub), size, nprng)
        artists = _make_artists(catalog, genre, sub, max(2, size // 9), seed, rng, seen_names)
        pools[(genre, sub)] = []
        for album_artist, rows in _albums_for(artists, size, rng):
            album = _make_album(catalog, album_artist, int(values["release_year"][rows[0]]), seed, rng)
            for number, row in enumerate(rows, start=1):
                serial += 1
                track = _make_track(values, row, serial, album, number, genre, sub, seed, rng, artists)
                catalog.tracks[track.id] = track
                album.track_ids.append(track.id)
                pools[(genre, sub)].append(track.id)
            album.album_type = "single" if len(rows) <= 2 else "album"
    return pools


def _make_artists(
    catalog: Catalog, genre: str, sub: str, count: int, seed: int, rng: random.Random, seen: set[str]
) -> list[str]:
    ids = []
    for i in range(count):
        artist_id = make_id(seed, "artist", genre, sub, i)
        catalog.artists[artist_id] = Artist(
            id=artist_id,
            name=names.unique(names.artist_name(rng, genre), seen),
            genres=[sub, genre] if sub != genre else [genre],
            popularity=rng.randint(5, 95),
            followers=int(rng.lognormvariate(10, 2)),
        )
        ids.append(artist_id)
    return ids


def _albums_for(artists: list[str], size: int, rng: random.Random) -> list[tuple[str, list[int]]]:
    """Split a pair's rows into albums; a few artists get many tracks, as in real catalogs."""
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(artists))]
    by_artist: dict[str, list[int]] = defaultdict(list)
    for row in range(size):
        by_artist[rng.choices(artists, weights)[0]].append(row)
    albums = []
    for artist_id, rows in by_artist.items():
        start = 0
        while start < len(rows):
            length = rng.choice((1, 2, 8, 10, 12, 14))
            albums.append((artist_id, rows[start : start + length]))
            start += length
    return albums


def _make_album(catalog: Catalog, artist_id: str, year: int, seed: int, rng: random.Random) -> Album:
    album_id = make_id(seed, "album", len(catalog.albums))
    precision = rng.random()
    if precision < 0.8:
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    elif precision < 0.9:
        date = f"{year}-{rng.randint(1, 12):02d}"
    else:
        date = str(year)
    album = Album(id=album_id, name=names.title(rng), artist_ids=[artist_id], release_date=date)
    catalog.albums[album_id] = album
    return album


def _make_track(
    values: dict[str, np.ndarray], row: int, serial: int, album: Album, number: int, genre: str,
    sub: str, seed: int, rng: random.Random, pair_artists: list[str],
) -> Track:
    artist_ids = list(album.artist_ids)
    if rng.random() < 0.12 and len(pair_artists) > 1:
        featured = rng.choice([a for a in pair_artists if a not in artist_ids])
        artist_ids.append(featured)
    features: dict[str, float | None] = {name: _spotify_precision(name, float(values[name][row])) for name in
                                         ("danceability", "energy", "speechiness", "acousticness",
                                          "instrumentalness", "liveness", "valence", "tempo", "loudness")}
    features.update({"key": float(values["key"][row]), "mode": float(values["mode"][row]),
                     "time_signature": float(values["time_signature"][row])})
    duration = int(values["duration_ms"][row])
    features["duration_ms"] = float(duration)
    year = album.release_date[:4]
    return Track(
        id=make_id(seed, "track", serial),
        name=names.title(rng),
        artist_ids=artist_ids,
        album_id=album.id,
        duration_ms=duration,
        isrc=f"{rng.choice(('US', 'GB', 'SE', 'DE', 'MX', 'BR'))}{make_id(seed, 'isrc', serial)[:3].upper()}"
        f"{year[2:]}{serial % 100000:05d}",
        popularity=int(values["track_popularity"][row]),
        track_number=number,
        explicit=rng.random() < EXPLICIT_SHARE.get(genre, 0.1),
        genre=genre,
        subgenre=sub,
        features=features,
    )


def _spotify_precision(name: str, value: float) -> float:
    """Spotify's precision: three decimals for tempo and loudness, three significant digits for
    the unit features (instrumentalness 0.000602 must not round to 0)."""
    if name in ("tempo", "loudness"):
        return round(value, 3)
    return float(f"{value:.3g}")


def _add_subgenre_playlists(
    catalog: Catalog, taxonomy: Taxonomy, pools: dict[tuple[str, str], list[str]], seed: int,
    rng: random.Random,
) -> dict[str, list[str]]:
    """Several playlists per sub-genre covering every track; returns playlist ids per genre."""
    per_genre: dict[str, list[str]] = defaultdict(list)
    owners_by_genre = {g: u for u, _, genres, _ in USERS for g in genres}
    for sub in taxonomy.subgenres():
        genres = taxonomy.genres_of(sub)
        pool = [t for g in genres for t in pools[(g, sub)]]
        count = 3 if len(pool) < 300 else 4
        weights = sorted(_dirichlet(rng, count), reverse=True)
        shuffled = pool[:]
        rng.shuffle(shuffled)
        buckets = _split(shuffled, weights)
        for index, bucket in enumerate(buckets):
            extra = rng.sample(pool, k=min(len(pool), max(3, len(bucket) // 5)))
            tracks = list(dict.fromkeys(bucket + extra))
            rng.shuffle(tracks)
            owner = _playlist_owner(index, sub, genres[0], owners_by_genre, rng)
            playlist = _make_playlist(seed, sub, index, owner, tracks)
            catalog.playlists[playlist.id] = playlist
            for genre in genres:
                per_genre[genre].append(playlist.id)
    for genre in taxonomy.genre_names():
        mix_pool = [t for (g, _), ids in pools.items() if g == genre for t in ids]
        tracks = rng.sample(mix_pool, k=min(len(mix_pool), 230))
        playlist = _make_playlist(seed, f"{genre} mix", 0, SPOTIFY_USER_ID, tracks)
        playlist.name = f"{genre.title()} Mix 2020"
        catalog.playlists[playlist.id] = playlist
        per_genre[genre].insert(0, playlist.id)
    return per_genre


def _dirichlet(rng: random.Random, count: int) -> list[float]:
    draws = [rng.gammavariate(2.0, 1.0) for _ in range(count)]
    return [d / sum(draws) for d in draws]


def _split(items: list[str], weights: list[float]) -> list[list[str]]:
    bounds = np.cumsum([0.0, *weights]) * len(items)
    return [items[round(float(a)) : round(float(b))] for a, b in itertools.pairwise(bounds)]


def _playlist_owner(
    index: int, sub: str, genre: str, owners_by_genre: dict[str, str], rng: random.Random
) -> str:
    # The largest playlist of each sub-genre is Spotify's own (editorial), like the blog found;
    # the second belongs to a sandbox user so devmode tests can read items of an owned playlist.
    if index == 0:
        return SPOTIFY_USER_ID
    if index == 1:
        return owners_by_genre.get(genre, "ann")
    return rng.choice(CURATORS)


def _make_playlist(seed: int, sub: str, index: int, owner: str, tracks: list[str]) -> Playlist:
    playlist_id = make_id(seed, "playlist", sub, index)
    if owner == SPOTIFY_USER_ID:
        # Spotify's editorial playlists carry this recognisable id prefix.
        playlist_id = "37i9dQZF1" + playlist_id[:13]
    template = PLAYLIST_TEMPLATES[index % len(PLAYLIST_TEMPLATES)]
    return Playlist(
        id=playlist_id,
        name=template.format(s=sub, S=sub.title()),
        owner_id=owner,
        track_ids=tracks,
        description=f"The best {sub} tracks, updated weekly.",
    )


def _add_categories(
    catalog: Catalog, taxonomy: Taxonomy, genre_playlists: dict[str, list[str]], seed: int,
    rng: random.Random,
) -> None:
    everything = list(catalog.playlists)
    for genre in taxonomy.genre_names():
        name = GENRE_CATEGORY_NAMES.get(genre, genre.title())
        ids: list[str | None] = list(genre_playlists[genre])
        # Spotify's category playlists sometimes contain null entries; clients must skip them.
        ids.insert(min(2, len(ids)), None)
        catalog.categories[make_id(seed, "category", name)] = Category(
            id=make_id(seed, "category", name), name=name, playlist_ids=ids
        )
    for name in EXTRA_CATEGORIES:
        ids = list(rng.sample(everything, k=min(8, len(everything))))
        catalog.categories[make_id(seed, "category", name)] = Category(
            id=make_id(seed, "category", name), name=name, playlist_ids=ids
        )


def add_user_libraries(
    catalog: Catalog, pools: dict[tuple[str, str], list[str]], seed: int, rng: random.Random,
    liked: int | None = None,
) -> None:
    everything = list(catalog.tracks)
    for user_id, _, genres, n_liked in USERS:
        if user_id == "ann" and liked is not None:
            n_liked = liked
        user = catalog.users[user_id]
        # Dataset catalogs use the shared data's genre names (rap, not hip hop): accept both.
        wanted = set(genres) | {GENRE_TO_PROFILE[g] for g in genres if g in GENRE_TO_PROFILE}
        favourites = [t for (g, _), ids in pools.items() if g in wanted for t in ids] or everything
        _fill_library(user, favourites, everything, n_liked, rng)
        _add_own_playlists(catalog, user, favourites, seed, rng)
    catalog.users["ann"].playing = ("playlist", make_id(seed, "own", "ann", 1))
    catalog.users["ann"].playing_offset_ms = 95_000
    if catalog.users["ben"].liked:
        catalog.users["ben"].playing = ("album", catalog.tracks[catalog.users["ben"].liked[0][0]].album_id)
    # ann's shared playlist with ben: a collaborative one, owned by ben.
    shared = catalog.playlists[make_id(seed, "own", "ben", 2)]
    shared.collaborative, shared.public = True, False
    shared.collaborator_ids.append("ann")
    # its own RNG: adding the history left every other part of existing catalogs unchanged
    history_rng = random.Random(f"history:{seed}")
    for user_id, size in HISTORY_SIZES.items():
        add_history(catalog, catalog.users[user_id], size, history_rng)


def add_history(catalog: Catalog, user: User, size: int, rng: random.Random) -> None:
    """`size` plays ending before NOW, in listening sessions: a few consecutive tracks of one of
    the user's playlists or of a liked track's album, then a pause of minutes to hours."""
    contexts = [("playlist", p.id) for p in catalog.playlists_of(user.id)]
    contexts += [("album", catalog.tracks[t].album_id) for t, _ in user.liked[:10]]
    end_ms = int(NOW.timestamp() * 1000) - rng.randint(5, 60) * 60_000
    while len(user.played) < size:
        kind, context_id = rng.choice(contexts)
        tracks = catalog.context_tracks(kind, context_id)
        start = rng.randrange(len(tracks))
        # newest first: walk the session backwards from its last track
        for track_id in reversed(tracks[start : start + rng.randint(2, 6)]):
            if len(user.played) == size:
                break
            user.played.append(Play(track_id, end_ms, (kind, context_id)))
            end_ms -= catalog.tracks[track_id].duration_ms + rng.randint(0, 3000)
        end_ms -= rng.randint(20, 600) * 60_000


def _fill_library(
    user: User, favourites: list[str], everything: list[str], n_liked: int, rng: random.Random
) -> None:
    liked = rng.sample(favourites, k=min(len(favourites), int(n_liked * 0.8)))
    chosen = set(liked)
    others = [t for t in everything if t not in chosen]
    liked += rng.sample(others, k=min(len(others), n_liked - len(liked)))
    moment = NOW
    for track_id in liked:
        moment -= timedelta(hours=rng.randint(1, 96), minutes=rng.randint(0, 59))
        user.liked.append((track_id, moment.strftime("%Y-%m-%dT%H:%M:%SZ")))
    # The three time ranges overlap but differ, as a listener's short- and long-term tastes do.
    base = rng.sample(favourites, k=min(len(favourites), 70))
    for offset, time_range in enumerate(TIME_RANGES):
        picks = base[offset * 10 : offset * 10 + 40] + rng.sample(everything, k=min(10, len(everything)))
        user.top[time_range] = list(dict.fromkeys(picks))[:50]


def _add_own_playlists(
    catalog: Catalog, user: User, favourites: list[str], seed: int, rng: random.Random
) -> None:
    specs = ((f"{user.display_name.split()[0]}'s favourites", 60), ("Running", 130), ("Shared party", 45))
    for index, (title, size) in enumerate(specs):
        playlist = Playlist(
            id=make_id(seed, "own", user.id, index),
            name=title,
            owner_id=user.id,
            track_ids=rng.sample(favourites, k=min(size, len(favourites))),
            description=f"{user.display_name}'s own playlist",
            public=index != 0,
        )
        catalog.playlists[playlist.id] = playlist
