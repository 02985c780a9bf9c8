"""Search matching and ranking, in-process on a small synthetic catalog."""

from __future__ import annotations

import pytest

from genrelens.core.sandbox.search import SearchIndex, parse_query
from genrelens.core.sandbox.synthetic import build_synthetic


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(build_synthetic(seed=5, n_tracks=1000))


def test_query_filters_and_words_are_split():
    assert parse_query('Night artist:"The Velvet" year:2019 genre:pop') == (
        {"artist": "the velvet", "year": "2019", "genre": "pop"}, ["night"])


def test_exact_name_first_then_phrase_then_words(index):
    names = [index.catalog.playlists[p].name.lower() for p in index.search("playlist", "hip hop")]
    assert names[0] == "hip hop"
    phrase_end = max(i for i, n in enumerate(names) if "hip hop" in n)
    assert all("hip hop" not in n for n in names[phrase_end + 1 :])
    assert all("hip" in n and "hop" in n for n in names)


def test_private_playlists_are_not_found(index):
    private = next(p for p in index.catalog.playlists.values() if not p.public)
    assert private.id not in index.search("playlist", private.name)


def test_track_filters_narrow_by_artist_and_year(index):
    track = next(iter(index.catalog.tracks.values()))
    artist = index.catalog.artists[track.artist_ids[0]].name
    year = index.catalog.albums[track.album_id].release_date[:4]
    hits = index.search("track", f'track:"{track.name}" artist:"{artist}" year:{year}')
    assert track.id in hits
    assert all(index.catalog.albums[index.catalog.tracks[h].album_id].release_date.startswith(year)
               for h in hits)


def test_genre_filter_finds_artists_of_a_subgenre(index):
    hits = index.search("artist", "genre:reggaeton")
    assert hits and all("reggaeton" in index.catalog.artists[a].genres for a in hits)


def test_no_match_is_an_empty_list(index):
    assert index.search("album", "zzzz-no-such-thing") == []
