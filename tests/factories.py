"""Small dataset files in each supported layout, written by the tests themselves."""

from __future__ import annotations

import csv
from collections.abc import Sequence
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
