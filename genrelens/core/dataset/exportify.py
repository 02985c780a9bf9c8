"""Exportify playlist CSVs, in every layout two projects wrote from 2015 to 2026, in twelve languages.

Two Exportify projects write these files. watsonbox/exportify (exportify.net) writes `Track URI`,
`Artist URI(s)`, `Artist Name(s)` joined with ", " (a comma inside a name escaped as "\\,"),
`Album Release Date`, `Track Duration (ms)`; before 2021 `Artist Name`, before 2018 `Spotify URI`
and two byte-order marks; since 2024 its labels follow the user's language (`Künstlername(n)`).
pavelkomarov/exportify (exportify.app) writes `Spotify ID` + `Artist IDs` (2019-2024), then
`Track ID` (September 2024, with no id at all for a week), then `Track URI` (2025); always
`Release Date` and `Duration (ms)`, artists joined with "," until July 2025 and with ";" since.
Every label maps to today's English one through `data/exportify_headers.toml`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

import pandas as pd

#: Today's English labels of the features, and the canonical names they map to.
FEATURE_COLUMNS = {
    "Danceability": "danceability",
    "Energy": "energy",
    "Key": "key",
    "Loudness": "loudness",
    "Mode": "mode",
    "Speechiness": "speechiness",
    "Acousticness": "acousticness",
    "Instrumentalness": "instrumentalness",
    "Liveness": "liveness",
    "Valence": "valence",
    "Tempo": "tempo",
    "Time Signature": "time_signature",
}
TRACK_ID_COLUMNS = ("Track URI", "Track ID")
REQUIRED = (("Track Name",), ("Artist Name(s)",), TRACK_ID_COLUMNS)
MISSING_ID_HINT = ("Exportify's exports of 4-10 September 2024 had no track id column: export the playlist "
                   "again (any other Exportify version writes one)")

# watsonbox joins artists with ", " and escapes a comma inside a name; pavelkomarov joins with ","
# and no space (so ", " is inside a name, as is a thousands comma: "10,000 Maniacs"), and with ";"
# since July 2025.
_SPLITTERS = {
    "escaped": re.compile(r"(?<!\\), "),
    "comma": re.compile(r",(?!\s|(?<=\d,)\d{3}\b)"),
    "semicolon": re.compile(r";"),
}
_FALLBACKS = (_SPLITTERS["comma"], _SPLITTERS["escaped"], re.compile(r","))
#: labels only watsonbox's layouts have (pavelkomarov's say "Duration (ms)", "Release Date", "Artist IDs")
_WATSONBOX_LABELS = {"Track Duration (ms)", "Artist URI(s)", "Artist URI", "Artist Name", "Album Release Date"}


@cache
def _header_table() -> dict[str, dict[str, str]]:
    data = tomllib.loads(files("genrelens").joinpath("data/exportify_headers.toml").read_text("utf-8"))
    translated: dict[str, str] = {}
    for labels in data["languages"].values():
        translated.update(labels)
    return {"layouts": data["layouts"], "translated": translated}


@cache
def aliases() -> Mapping[str, str]:
    """Every older or translated label -> today's English label."""
    table = _header_table()
    return {**table["layouts"], **table["translated"]}


@cache
def translated_labels() -> frozenset[str]:
    """Labels of watsonbox's translated exports (2024-)."""
    return frozenset(_header_table()["translated"])


def canonical_header(columns: pd.Index) -> dict[str, str]:
    """The renames that give a file today's English labels (none that would collide with one it has)."""
    table = aliases()
    present = set(columns)
    return {c: table[c] for c in columns if c in table and table[c] not in present}


def to_canonical(raw: pd.DataFrame, original: set[str]) -> pd.DataFrame:
    """Map a file already renamed to today's labels; `original` is its header before renaming."""
    out = pd.DataFrame(index=raw.index)
    uri = raw["Track URI"] if "Track URI" in raw else raw["Track ID"]
    uri = uri.fillna("").str.strip()
    out["track_id"] = uri.str.rsplit(":", n=1).str[-1]
    out["track_name"] = raw["Track Name"]
    names = split_artists(raw["Artist Name(s)"], _artist_ids(raw), _style(raw["Artist Name(s)"], original))
    out["artists"] = names.map(";".join)
    out["track_artist"] = names.map(", ".join)
    out["track_album_name"] = raw.get("Album Name")
    if "Album URI" in raw:
        out["track_album_id"] = raw["Album URI"].fillna("").str.rsplit(":", n=1).str[-1]
    if "Album Release Date" in raw:
        out["release_date"] = raw["Album Release Date"]
        out["release_year"] = raw["Album Release Date"].fillna("").str.strip().str.slice(0, 4)
    out["track_popularity"] = raw.get("Popularity")
    if "Track Duration (ms)" in raw:
        out["duration_ms"] = raw["Track Duration (ms)"]
    for label, name in FEATURE_COLUMNS.items():
        if label in raw:
            out[name] = raw[label]
    out["_skip"] = _skip_reasons(uri, raw["Track Name"], raw.get("Track Duration (ms)"))
    return out


def _skip_reasons(uri: pd.Series, name: pd.Series, duration: pd.Series | None) -> pd.Series:
    """Rows that are no Spotify track: left out with a count, not rejected."""
    reasons = pd.Series("", index=uri.index, dtype=object)
    gone = name.fillna("").str.strip().eq("")
    if duration is not None:
        gone &= pd.to_numeric(duration, errors="coerce").fillna(0).eq(0)
    reasons[gone] = "unavailable track(s) (empty name, duration 0)"
    # a local file has a spotify:local: URI, and no id at all in the layouts that export bare ids
    local = uri.str.startswith("spotify:local:") | (uri.eq("") & ~gone)
    reasons[local] = "local file(s) (no Spotify id)"
    reasons[uri.str.startswith("spotify:episode:")] = "podcast episode(s)"
    return reasons


def _style(names: pd.Series, original: set[str]) -> str:
    if original & (_WATSONBOX_LABELS | translated_labels()):
        return "escaped"
    return "semicolon" if names.fillna("").str.contains(";", regex=False).any() else "comma"


def _artist_ids(raw: pd.DataFrame) -> pd.Series | None:
    column = "Artist URI(s)" if "Artist URI(s)" in raw else "Artist IDs" if "Artist IDs" in raw else None
    if column is None:
        return None
    return raw[column].fillna("").map(lambda text: sum(1 for part in text.split(",") if part.strip()))


def split_artists(names: pd.Series, counts: pd.Series | None, style: str) -> pd.Series:
    """Each row's artists as a list; `counts` (from the artist ids) decides where a name has a comma."""
    texts = names.fillna("")
    if counts is None:
        return texts.map(lambda text: _pieces(text, _SPLITTERS[style]))
    return pd.Series([_split_one(t, int(n), style) for t, n in zip(texts, counts, strict=True)], index=names.index)


def _split_one(text: str, count: int, style: str) -> list[str]:
    first = _pieces(text, _SPLITTERS[style])
    if count == 0 or len(first) == count:
        return first
    if count == 1:
        return [_unescape(text)]  # one artist id: one artist, whatever its name holds
    for splitter in _FALLBACKS:
        pieces = _pieces(text, splitter)
        if len(pieces) == count:
            return pieces
    return first


def _pieces(text: str, splitter: re.Pattern[str]) -> list[str]:
    return [_unescape(p) for p in splitter.split(text) if p.strip()]


def _unescape(text: str) -> str:
    return text.replace("\\,", ",").strip()
