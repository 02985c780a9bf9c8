"""Small dataset files in each supported layout, written by the tests themselves."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SHARED_SONGS = SHARED_DATA / "tidytuesday-songs-dev.csv"

TIDY_RAW_COLUMNS = [
    "track_id", "track_name", "track_artist", "track_popularity", "track_album_id", "track_album_name",
    "track_album_release_date", "playlist_name", "playlist_id", "playlist_genre", "playlist_subgenre",
    "danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness", "instrumentalness",
    "liveness", "valence", "tempo", "duration_ms",
]


def tidy_raw_row(i: int, *, genre: str = "pop", subgenre: str = "dance pop", playlist: str = "p1",
                 **overrides: object) -> dict[str, object]:
    row: dict[str, object] = {
        "track_id": f"{i:022d}", "track_name": f"Song {i}", "track_artist": f"Artist {i % 7}",
        "track_popularity": 50, "track_album_id": f"A{i:021d}", "track_album_name": f"Album {i}",
        "track_album_release_date": "2019-06-14", "playlist_name": f"{subgenre} hits", "playlist_id": playlist,
        "playlist_genre": genre, "playlist_subgenre": subgenre, "danceability": 0.7, "energy": 0.8, "key": 5,
        "loudness": -5.5, "mode": 1, "speechiness": 0.05, "acousticness": 0.1, "instrumentalness": 0.0,
        "liveness": 0.1, "valence": 0.6, "tempo": 120.0, "duration_ms": 200_000 + i,
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: Sequence[dict[str, object]], columns: Sequence[str] | None = None) -> Path:
    columns = list(columns or rows[0].keys())
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def tidy_raw_file(path: Path, n: int = 10, **overrides: object) -> Path:
    return write_csv(path, [tidy_raw_row(i, **overrides) for i in range(n)], TIDY_RAW_COLUMNS)


def spotify_tracks_file(path: Path) -> Path:
    rows = [
        {"": i, "track_id": f"S{i:021d}", "artists": "Ann;Ben" if i % 2 else "Cem", "album_name": "Alb",
         "track_name": f"T{i}", "popularity": 10, "duration_ms": 180000, "explicit": "False",
         "danceability": 0.5, "energy": 0.5, "key": 2, "loudness": -7.0, "mode": 0, "speechiness": 0.1,
         "acousticness": 0.2, "instrumentalness": 0.3, "liveness": 0.1, "valence": 0.4, "tempo": 99.0,
         "time_signature": 4, "track_genre": "acoustic" if i < 3 else "k-pop"}
        for i in range(6)
    ]
    return write_csv(path, rows)


def exportify_file(path: Path) -> Path:
    rows = [
        {"Track URI": f"spotify:track:E{i:021d}", "Track Name": f"Exported {i}", "Artist Name(s)": "Dee, Eve",
         "Album Name": "Ex", "Album Release Date": "2001-02-03", "Track Duration (ms)": 210000,
         "Popularity": 33, "Danceability": 0.6, "Energy": 0.7, "Key": 1, "Loudness": -6.0, "Mode": 1,
         "Speechiness": 0.04, "Acousticness": 0.3, "Instrumentalness": 0.0, "Liveness": 0.2, "Valence": 0.5,
         "Tempo": 128.0, "Time Signature": 4}
        for i in range(4)
    ]
    return write_csv(path, rows)


def blog_frame(n: int = 5) -> pd.DataFrame:
    return pd.DataFrame([
        {"playlist_id": "bp1", "track_id": f"B{i:021d}", "track_name": f"Blog {i}", "track_popularity": 40,
         "playlist_name": "rap caviar", "playlist_genre": "hip hop", "playlist_subgenre": "rap",
         "danceability": 0.8, "energy": 0.6, "key": 7, "loudness": -6.2, "mode": 0, "speechiness": 0.3,
         "acousticness": 0.1, "instrumentalness": 0.0, "liveness": 0.1, "valence": 0.5, "tempo": 95.0,
         "duration_ms": 190000, "time_signature": 4}
        for i in range(n)
    ])


# --------------------------------------------------------------------------------------------
# Real layouts people have. Headers are copied from the tools that write them (each constant says
# which and when); the rows are made up here.

@dataclass
class FakeTrack:
    """One made-up track, rendered into any layout below."""

    id: str
    name: str
    artists: list[str]
    album: str = "Some Album"
    release_date: str = "2011-05-10"
    duration_ms: int = 201_000
    popularity: int = 41
    features: dict[str, float] = field(default_factory=lambda: dict(FEATURES))

    @property
    def artist_ids(self) -> list[str]:
        return [hashlib.sha256(a.encode()).hexdigest()[:22] for a in self.artists]


FEATURES = {"danceability": 0.61, "energy": 0.72, "key": 5, "loudness": -6.5, "mode": 1, "speechiness": 0.05,
            "acousticness": 0.2, "instrumentalness": 0.0, "liveness": 0.11, "valence": 0.53, "tempo": 99.979,
            "time_signature": 4}
_FEATURE_LABELS = ["Danceability", "Energy", "Key", "Loudness", "Mode", "Speechiness", "Acousticness",
                   "Instrumentalness", "Liveness", "Valence", "Tempo", "Time Signature"]

#: watsonbox/exportify, 2015-05-21 to 2018-01-31 (files start with two byte-order marks)
WATSONBOX_2015 = ["Spotify URI", "Track Name", "Artist Name", "Album Name", "Disc Number", "Track Number",
                  "Track Duration (ms)", "Added By", "Added At"]
#: watsonbox/exportify, 2018-01-31 to 2020-11
WATSONBOX_2018 = ["Track URI", "Track Name", "Artist URI", "Artist Name", "Album URI", "Album Name", "Disc Number",
                  "Track Number", "Track Duration (ms)", "Added By", "Added At"]
#: watsonbox/exportify since 2022-12 with every option (artist genres, audio features, album data)
WATSONBOX_2022 = ["Track URI", "Track Name", "Artist URI(s)", "Artist Name(s)", "Album URI", "Album Name",
                  "Album Artist URI(s)", "Album Artist Name(s)", "Album Release Date", "Album Image URL",
                  "Disc Number", "Track Number", "Track Duration (ms)", "Track Preview URL", "Explicit", "Popularity",
                  "ISRC", "Added By", "Added At", "Artist Genres", *_FEATURE_LABELS, "Album Genres", "Label",
                  "Copyrights"]
#: the same in German (src/i18n/locales/de/translation.json, since 2024-08)
WATSONBOX_2024_DE = ["Track-URI", "Track-Name", "Künstler-URI(s)", "Künstlername(n)", "Album-URI", "Album-Name",
                     "Album-Künstler-URI(s)", "Album-Künstlername(n)", "Veröffentlichungsdatum des Albums",
                     "Album-Bild-URL", "Disc-Nummer", "Track-Nummer", "Track-Dauer (ms)", "Track-Vorschau-URL",
                     "Explizit", "Beliebtheit", "ISRC", "Hinzugefügt von", "Hinzugefügt am", "Künstler-Genres",
                     "Tanzbarkeit", "Energie", "Tonart", "Lautstärke", "Modus", "Sprachanteil", "Akustik",
                     "Instrumentalität", "Lebendigkeit", "Valenz", "Tempo", "Taktart", "Album-Genres", "Label",
                     "Urheberrechte"]
#: pavelkomarov/exportify, 2019-06-27 to 2024-09-01: bare ids, artists and their ids joined with ","
PAVEL_2019 = ["Spotify ID", "Artist IDs", "Track Name", "Album Name", "Artist Name(s)", "Release Date",
              "Duration (ms)", "Popularity", "Added By", "Added At", "Genres", *_FEATURE_LABELS]
#: pavelkomarov/exportify, 2024-09-04 to 2024-09-10: no track id at all
PAVEL_2024_NO_ID = ["Track Name", "Album Name", "Artist Name(s)", "Release Date", "Duration (ms)", "Popularity",
                    "Added By", "Added At", "Genres", "Record Label", *_FEATURE_LABELS]
#: pavelkomarov/exportify, 2024-09-10 to 2024-12-03: a line continuation put four tabs in the header
PAVEL_2024_TABS = ["Track ID", "Track Name", "Album Name", "Artist Name(s)", "Release Date", "Duration (ms)",
                   "Popularity", "Added By", "Added At", "Genres", "Record Label", "\t\t\t\tDanceability",
                   *_FEATURE_LABELS[1:]]
#: pavelkomarov/exportify since 2025-05 (artists joined with ";" since 2025-07-22)
PAVEL_2025 = ["Track URI", "Track Name", "Album Name", "Artist Name(s)", "Release Date", "Duration (ms)",
              "Popularity", "Explicit", "Added By", "Added At", "Genres", "Record Label", *_FEATURE_LABELS]
#: what pd.DataFrame(spotipy's audio_features(ids)) writes: the Web API's fields in its order
AUDIO_FEATURES_DUMP = ["danceability", "energy", "key", "loudness", "mode", "speechiness", "acousticness",
                       "instrumentalness", "liveness", "valence", "tempo", "type", "id", "uri", "track_href",
                       "analysis_url", "duration_ms", "time_signature"]
#: Kaggle's "Dataset of songs in Spotify" genres_v2.csv
GENRES_V2 = [*AUDIO_FEATURES_DUMP, "genre", "song_name", "Unnamed: 0", "title"]

_DE_FEATURES = dict(zip(WATSONBOX_2024_DE[20:32], FEATURES, strict=True))


def _cell(label: str, track: FakeTrack, artist_join: str) -> object:
    """The value a layout writes under `label` for `track`."""
    label = label.strip()
    feature = _DE_FEATURES.get(label) or label.lower().replace(" ", "_")
    if feature in track.features:
        return track.features[feature]
    artists = {
        "escaped": ", ".join(a.replace(",", "\\,") for a in track.artists),
        "comma": ",".join(track.artists), "semicolon": ";".join(track.artists),
    }[artist_join]
    values: dict[str, object] = {
        "Spotify URI": f"spotify:track:{track.id}", "Track URI": f"spotify:track:{track.id}",
        "Track-URI": f"spotify:track:{track.id}", "Spotify ID": track.id, "Track ID": track.id,
        "Track Name": track.name, "Track-Name": track.name,
        "Artist Name": artists, "Artist Name(s)": artists, "Künstlername(n)": artists,
        "Artist URI": ", ".join(f"spotify:artist:{i}" for i in track.artist_ids),
        "Artist URI(s)": ", ".join(f"spotify:artist:{i}" for i in track.artist_ids),
        "Künstler-URI(s)": ", ".join(f"spotify:artist:{i}" for i in track.artist_ids),
        "Artist IDs": ",".join(track.artist_ids),
        "Album Name": track.album, "Album-Name": track.album,
        "Album Release Date": track.release_date, "Release Date": track.release_date,
        "Veröffentlichungsdatum des Albums": track.release_date,
        "Track Duration (ms)": track.duration_ms, "Duration (ms)": track.duration_ms,
        "Track-Dauer (ms)": track.duration_ms,
        "Popularity": track.popularity, "Beliebtheit": track.popularity,
        "Added At": "2020-03-01T10:00:00Z", "Hinzugefügt am": "2020-03-01T10:00:00Z",
    }
    return values.get(label, "")


def exportify_layout_file(path: Path, header: Sequence[str], tracks: Sequence[FakeTrack], *,
                          artist_join: str = "escaped", quote_all: bool = False, boms: int = 0) -> Path:
    """A playlist export in one of Exportify's layouts, as its writer lays it out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(label, t, artist_join) for label in header] for t in tracks)
    path.write_bytes(b"\xef\xbb\xbf" * boms + buffer.getvalue().encode("utf-8"))
    return path


def feature_records(tracks: Sequence[FakeTrack]) -> list[dict[str, object]]:
    """Audio-features objects as the Web API answers them."""
    return [
        {**t.features, "type": "audio_features", "id": t.id, "uri": f"spotify:track:{t.id}",
         "track_href": f"https://api.spotify.com/v1/tracks/{t.id}",
         "analysis_url": f"https://api.spotify.com/v1/audio-analysis/{t.id}", "duration_ms": t.duration_ms}
        for t in tracks
    ]


def fake_tracks(n: int = 4, prefix: str = "T") -> list[FakeTrack]:
    names = [["Tyler, The Creator", "Frank Ocean"], ["Ann"], ["Earth, Wind & Fire"], ["Dee", "Eve", "Fay"]]
    return [FakeTrack(id=f"{prefix}{i:021d}", name=f"Song {i}", artists=names[i % len(names)]) for i in range(n)]
