"""Search over the catalog, close enough to Spotify's for genrelens' queries.

Every word of the query must appear (case-insensitively) in an item's searchable text: its name,
plus artist and album names for tracks and artist names for albums. Exact names rank first, then
names containing the whole phrase, then the rest, each in catalog order. Spotify's field filters
`track:`, `artist:`, `album:`, `year:` and `genre:` narrow tracks and artists; a filter a type does
not have is ignored, leniently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from genrelens.core.sandbox.catalog import Catalog

FILTER = re.compile(r'(\w+):(?:"([^"]*)"|(\S+))')


@dataclass(frozen=True, slots=True)
class Entry:
    item_id: str
    name: str  # lower-cased
    text: str  # lower-cased searchable text
    fields: dict[str, str]  # filter name -> lower-cased value


class SearchIndex:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.artist_names = {a.id: a.name.lower() for a in catalog.artists.values()}
        self.artist_genres = {a.id: " | ".join(a.genres).lower() for a in catalog.artists.values()}
        self.entries: dict[str, list[Entry]] = {
            "track": [self._track(t) for t in catalog.tracks],
            "artist": [self._artist(a) for a in catalog.artists],
            "album": [self._album(a) for a in catalog.albums],
            # Only public playlists are searchable, as on Spotify.
            "playlist": [Entry(p.id, p.name.lower(), p.name.lower(), {})
                         for p in catalog.playlists.values() if p.public],
        }

    def _track(self, track_id: str) -> Entry:
        track = self.catalog.tracks[track_id]
        album = self.catalog.albums[track.album_id]
        artists = " | ".join(self.artist_names[a] for a in track.artist_ids)
        fields = {"track": track.name.lower(), "artist": artists, "album": album.name.lower(),
                  "year": album.release_date[:4],
                  "genre": " | ".join(self.artist_genres[a] for a in track.artist_ids)}
        return Entry(track.id, fields["track"], " ".join((fields["track"], artists, fields["album"])), fields)

    def _artist(self, artist_id: str) -> Entry:
        name = self.artist_names[artist_id]
        return Entry(artist_id, name, name, {"artist": name, "genre": self.artist_genres[artist_id]})

    def _album(self, album_id: str) -> Entry:
        album = self.catalog.albums[album_id]
        artists = " ".join(self.artist_names[a] for a in album.artist_ids)
        return Entry(album_id, album.name.lower(), f"{album.name.lower()} {artists}", {})

    def search(self, kind: str, query: str) -> list[str]:
        """Ids of matching items of one type (`track`, `artist`, `album`, `playlist`), best first."""
        filters, words = parse_query(query)
        phrase = " ".join(words)
        exact: list[str] = []
        phrase_hits: list[str] = []
        word_hits: list[str] = []
        for entry in self.entries[kind]:
            if not all(w in entry.text for w in words):
                continue
            if not all(value in entry.fields.get(key, value) for key, value in filters.items()):
                continue
            if entry.name == phrase:
                exact.append(entry.item_id)
            elif phrase in entry.name:
                phrase_hits.append(entry.item_id)
            else:
                word_hits.append(entry.item_id)
        return exact + phrase_hits + word_hits


def parse_query(query: str) -> tuple[dict[str, str], list[str]]:
    """Split `q` into field filters and the remaining free-text words, all lower-cased."""
    lowered = query.lower()
    filters = {key: (quoted or plain).strip() for key, quoted, plain in FILTER.findall(lowered)}
    rest = FILTER.sub(" ", lowered).replace('"', " ")
    return filters, rest.split()
