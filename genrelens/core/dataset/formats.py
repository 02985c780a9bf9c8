"""Read public datasets of Spotify-style audio features into one canonical frame.

Every supported layout (the TidyTuesday 2020-01-21 file and its processed variant, the 114-genre
"Spotify tracks" dataset, an Exportify playlist export, the blog's own DataFrame) is detected by its
header, validated row by row with messages that name the file, line and column, and mapped to the
canonical frame: one row per (track, genre label), the shape the blog's analysis code used.

Validation is vectorised (pandas), so a 30k-row file is checked in well under a second.
"""

from __future__ import annotations

import lzma
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from genrelens.core.dataset.download import MAX_BYTES, open_capped
from genrelens.core.errors import ImportFailed
from genrelens.core.files import file_sha256
from genrelens.core.types import FEATURE_NAMES, INT_FEATURES, UNIT_FEATURES

#: Columns of the canonical frame, in order.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "track_id",
    "track_name",
    "track_artist",
    "artists",
    "track_popularity",
    "track_album_id",
    "track_album_name",
    "release_date",
    "release_year",
    "playlist_id",
    "playlist_name",
    "playlist_genre",
    "playlist_subgenre",
    *FEATURE_NAMES,
)

#: What each format's header must contain to be detected, and what it must contain to be valid.
_TIDY_CORE = {"track_id", "track_name", "track_artist", "playlist_genre", "playlist_subgenre"}


@dataclass(frozen=True, slots=True)
class Rejected:
    """One bad row: where it is and what is wrong with it."""

    line: int
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "reason": self.reason}


@dataclass(slots=True)
class ParsedDataset:
    """The canonical frame of a file plus what was learnt while reading it."""

    frame: pd.DataFrame
    format: str
    rows_read: int
    rejected: list[Rejected] = field(default_factory=list)
    sha256: str = ""
    path: Path | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FormatSpec:
    name: str
    detect: Callable[[set[str]], bool]
    required: frozenset[str]
    to_canonical: Callable[[pd.DataFrame], pd.DataFrame]
    description: str


# --------------------------------------------------------------------------------------------
# Mapping each layout to the canonical frame. Each takes the raw frame (all strings) and returns
# a frame with (a subset of) the canonical columns; `_finish` fills the rest.


def _tidytuesday(raw: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=raw.index)
    for col in ("track_id", "track_name", "track_artist", "track_album_id", "track_album_name",
                "playlist_id", "playlist_name", "playlist_genre", "playlist_subgenre"):
        if col in raw:
            out[col] = raw[col]
    out["artists"] = raw["track_artist"]
    out["track_popularity"] = raw.get("track_popularity")
    if "track_album_release_date" in raw:
        out["release_date"] = raw["track_album_release_date"]
        out["release_year"] = raw["track_album_release_date"].str.slice(0, 4)
    if "release_year" in raw:
        out["release_year"] = raw["release_year"]
    for name in FEATURE_NAMES:
        if name in raw:
            out[name] = raw[name]
    if "duration_min" in raw and "duration_ms" not in raw:
        minutes = pd.to_numeric(raw["duration_min"], errors="coerce")
        out["duration_ms"] = (minutes * 60_000).round()
        # keep the original text so a non-number is reported under the column the user wrote
        out.attrs["duration_source"] = "duration_min"
    return out


def _spotify_tracks(raw: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=raw.index)
    out["track_id"] = raw["track_id"]
    out["track_name"] = raw["track_name"]
    out["artists"] = raw["artists"]
    out["track_artist"] = raw["artists"].fillna("").str.replace(";", ", ", regex=False)
    out["track_album_name"] = raw.get("album_name")
    out["track_popularity"] = raw.get("popularity")
    out["playlist_genre"] = raw["track_genre"]
    out["playlist_subgenre"] = raw["track_genre"]
    for name in FEATURE_NAMES:
        if name in raw:
            out[name] = raw[name]
    return out


_EXPORTIFY_FEATURES = {
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


def _exportify(raw: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=raw.index)
    if "Track URI" in raw:
        out["track_id"] = raw["Track URI"].fillna("").str.rsplit(":", n=1).str[-1]
    else:
        out["track_id"] = raw["Track ID"]
    out["track_name"] = raw["Track Name"]
    artists = raw["Artist Name(s)"].fillna("")
    out["artists"] = artists.str.replace(r"\s*,\s*", ";", regex=True)
    out["track_artist"] = artists
    out["track_album_name"] = raw.get("Album Name")
    if "Album URI" in raw:
        out["track_album_id"] = raw["Album URI"].fillna("").str.rsplit(":", n=1).str[-1]
    if "Album Release Date" in raw:
        out["release_date"] = raw["Album Release Date"]
        out["release_year"] = raw["Album Release Date"].fillna("").str.slice(0, 4)
    out["track_popularity"] = raw.get("Popularity")
    duration_col = next((c for c in ("Track Duration (ms)", "Duration (ms)") if c in raw), None)
    if duration_col:
        out["duration_ms"] = raw[duration_col]
    for source, name in _EXPORTIFY_FEATURES.items():
        if source in raw:
            out[name] = raw[source]
    return out


def _blog(raw: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=raw.index)
    for col in ("track_id", "track_name", "track_popularity", "playlist_id", "playlist_name",
                "playlist_genre", "playlist_subgenre", "track_album_id", "track_album_name"):
        if col in raw:
            out[col] = raw[col]
    artist_col = next((c for c in ("track_artist", "artist_name", "artists", "artist") if c in raw), None)
    if artist_col:
        out["track_artist"] = raw[artist_col]
        out["artists"] = raw[artist_col]
    for name in FEATURE_NAMES:
        if name in raw:
            out[name] = raw[name]
    return out


def _has(*cols: str) -> Callable[[set[str]], bool]:
    return lambda header: set(cols) <= header


FORMATS: dict[str, FormatSpec] = {
    spec.name: spec
    for spec in (
        FormatSpec(
            "tidytuesday",
            lambda h: h >= _TIDY_CORE and ("duration_ms" in h or "duration_min" in h),
            frozenset(_TIDY_CORE),
            _tidytuesday,
            "TidyTuesday 2020-01-21 spotify_songs.csv: raw (23 columns) or processed "
            "(release_year, duration_min)",
        ),
        FormatSpec(
            "spotify-tracks",
            _has("track_id", "artists", "track_name", "track_genre"),
            frozenset({"track_id", "artists", "track_name", "track_genre"}),
            _spotify_tracks,
            "the 114-genre Spotify tracks dataset (artists separated by ';', one genre per row)",
        ),
        FormatSpec(
            "exportify",
            lambda h: "Track Name" in h and "Artist Name(s)" in h and bool({"Track URI", "Track ID"} & h),
            frozenset({"Track Name", "Artist Name(s)"}),
            _exportify,
            "an Exportify playlist CSV (features when present)",
        ),
        FormatSpec(
            "blog",
            _has("track_id", "playlist_id", "playlist_genre", "playlist_subgenre"),
            frozenset({"track_id", "playlist_genre", "playlist_subgenre"}),
            _blog,
            "the blog's merged DataFrame (CSV or pickle)",
        ),
    )
}


# --------------------------------------------------------------------------------------------
# Reading



def _read_raw(path: Path, *, trust_pickle: bool = False,
              max_bytes: int = MAX_BYTES) -> tuple[pd.DataFrame, bool]:
    """The file as a frame of strings (so wrong types can be reported), and whether it has CSV lines."""
    suffix = path.suffix.lower()
    if suffix in {".pkl", ".pickle"}:
        return _read_pickle(path, trust_pickle), False
    if suffix == ".parquet":
        return _read_parquet(path, max_bytes), False
    sep = "\t" if suffix == ".tsv" else ","
    try:
        with open_capped(path, max_bytes=max_bytes) as handle:
            frame = pd.read_csv(handle, sep=sep, dtype=str, keep_default_na=False, na_values=[""],
                                encoding="utf-8-sig", compression=None)
    except pd.errors.EmptyDataError as exc:
        raise ImportFailed(f"{path}: the file is empty") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError, lzma.LZMAError) as exc:
        raise ImportFailed(f"{path}: not a readable CSV file ({exc})") from exc
    if frame.columns.size == 0:
        raise ImportFailed(f"{path}: the file is empty")
    return frame.astype("string"), True


def _read_pickle(path: Path, trust_pickle: bool) -> pd.DataFrame:
    # Loading a pickle runs whatever code it names: only a local file its owner vouches for.
    if not trust_pickle:
        raise ImportFailed(f"{path}: pickles can run code when loaded, so they are not read by default; "
                           "export the DataFrame to Parquet or CSV, or pass --trust-pickle for a local "
                           "file you made yourself")
    try:
        obj = pd.read_pickle(path)
    except Exception as exc:
        raise ImportFailed(f"{path}: not a readable pandas pickle ({exc})") from exc
    if not isinstance(obj, pd.DataFrame):
        raise ImportFailed(f"{path}: the pickle holds a {type(obj).__name__}, not a DataFrame")
    return obj.reset_index(drop=True).astype("string")


def _read_parquet(path: Path, max_bytes: int) -> pd.DataFrame:
    try:
        inflated = pq.ParquetFile(path).metadata
        size = sum(inflated.row_group(i).total_byte_size for i in range(inflated.num_row_groups))
        if size > max_bytes:
            raise ImportFailed(f"{path}: inflates to {size:,} bytes, more than the limit of {max_bytes:,}")
        frame = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise ImportFailed(f"{path}: not a readable Parquet file ({exc})") from exc
    return frame.reset_index(drop=True).astype("string")


def detect_format(header: set[str]) -> str | None:
    # Order matters: the blog's frame is a subset of TidyTuesday's header, so TidyTuesday goes first.
    for spec in FORMATS.values():
        if spec.detect(header):
            return spec.name
    return None


def read_dataset(path: str | Path, fmt: str = "auto", *, trust_pickle: bool = False,
                 max_bytes: int = MAX_BYTES) -> ParsedDataset:
    """Read, detect, validate and map a dataset file. Raises ImportFailed for a file it cannot use.

    Rows with bad values are not dropped silently: they are listed in `rejected` and left out of
    `frame`; the caller decides whether any rejection fails the import.
    """
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    raw, is_csv = _read_raw(path, trust_pickle=trust_pickle, max_bytes=max_bytes)
    header = {str(c) for c in raw.columns}
    if fmt == "auto":
        detected = detect_format(header)
        if detected is None:
            raise ImportFailed(
                f"{path}: the header matches no known format (columns: {', '.join(sorted(header)[:12])}...). "
                f"Known formats: {', '.join(FORMATS)}"
            )
        fmt = detected
    if fmt not in FORMATS:
        raise ImportFailed(f"unknown format {fmt!r}; known formats: {', '.join(FORMATS)}")
    spec = FORMATS[fmt]
    missing = sorted(spec.required - header)
    if missing:
        raise ImportFailed(f"{path}: missing required column(s) for format {fmt}: {', '.join(missing)}")
    if raw.empty:
        raise ImportFailed(f"{path}: the file has a header but no rows")
    mapped = spec.to_canonical(raw)
    frame, rejected, notes = _validate(mapped, raw, path, first_line=2 if is_csv else 0)
    return ParsedDataset(frame=frame, format=fmt, rows_read=len(raw), rejected=rejected,
                         sha256=file_sha256(path), path=path, notes=notes)


# --------------------------------------------------------------------------------------------
# Validation

#: Plausible ranges beyond the 0..1 features: (low, high), inclusive.
_RANGES: dict[str, tuple[float, float]] = {
    "key": (-1, 11),
    "mode": (0, 1),
    "loudness": (-60.0, 5.0),  # dB; Spotify's range is about -60..0, a few masters peak above 0
    "tempo": (0.0, 300.0),  # 0 is Spotify's "no tempo found", stored as unknown (see below)
    "duration_ms": (1_000, 2 * 3_600_000),  # 1 s .. 2 h
    "time_signature": (0, 7),  # Spotify documents 3..7; its data also holds 0 and 1
    "track_popularity": (0, 100),
}


def _validate(
    mapped: pd.DataFrame, raw: pd.DataFrame, path: Path, *, first_line: int
) -> tuple[pd.DataFrame, list[Rejected], list[str]]:
    reasons = pd.Series("", index=mapped.index, dtype=object)
    notes: list[str] = []

    def flag(mask: pd.Series, text: pd.Series | str) -> None:
        """Append `text` (one string, or one per flagged row) to the reasons of the rows in `mask`."""
        if not mask.any():
            return
        current = reasons.loc[mask]
        addition = text.loc[mask] if isinstance(text, pd.Series) else text
        reasons.loc[mask] = current.where(current == "", current + "; ") + addition

    frame = pd.DataFrame(index=mapped.index)
    for col in ("track_id", "track_name", "track_artist", "artists", "track_album_id", "track_album_name",
                "release_date", "playlist_id", "playlist_name", "playlist_genre", "playlist_subgenre"):
        values = mapped[col] if col in mapped else pd.Series("", index=mapped.index)
        frame[col] = values.astype("string").fillna("").str.strip().astype(object)

    flag(frame["track_id"] == "", "column track_id: empty")
    if "playlist_genre" in mapped:
        flag(frame["playlist_genre"] == "", "column playlist_genre: empty")

    converted_from_minutes = bool(mapped.attrs.get("duration_source"))
    for col in (*FEATURE_NAMES, "track_popularity", "release_year"):
        if col not in mapped or mapped[col] is None:
            frame[col] = np.nan
            continue
        shown = "duration_min" if col == "duration_ms" and converted_from_minutes else col
        text = (raw[shown] if shown in raw else mapped[col]).astype("string")
        values = pd.to_numeric(mapped[col], errors="coerce").astype(float)
        not_number = values.isna() & text.notna() & (text.str.strip() != "")
        flag(not_number, f"column {shown}: not a number (" + text.fillna("").str.slice(0, 30) + ")")
        frame[col] = values
        _flag_ranges(frame, col, shown, text, flag)

    zero_tempo = frame["tempo"] == 0
    if zero_tempo.any():
        # Spotify writes 0 when it found no tempo, as it writes key -1 when it found no key.
        frame.loc[zero_tempo, "tempo"] = np.nan
        notes.append(f"{int(zero_tempo.sum())} row(s) with tempo 0 (Spotify's 'no tempo found') "
                     "stored as unknown")

    bad_rows = (reasons != "").to_numpy()
    rejected = [
        Rejected(line=int(pos) + first_line, reason=f"{path.name}: line {int(pos) + first_line}: {text}")
        for pos, text in zip(np.flatnonzero(bad_rows), reasons[bad_rows], strict=True)
    ]
    good = frame.loc[~bad_rows, list(CANONICAL_COLUMNS)].reset_index(drop=True)
    good["release_year"] = good["release_year"].round()
    return good, rejected, notes


Flagger = Callable[[pd.Series, "pd.Series | str"], None]


def _flag_ranges(frame: pd.DataFrame, col: str, shown: str, text: pd.Series, flag: Flagger) -> None:
    values = frame[col]
    as_text = text.fillna("")
    if col in UNIT_FEATURES:
        flag((values < 0) | (values > 1), f"column {shown}: " + as_text + " is outside 0..1")
    if col in _RANGES:
        low, high = _RANGES[col]
        flag((values < low) | (values > high),
             f"column {shown}: " + as_text + f" is outside the plausible range {low:g}..{high:g}")
    if col in INT_FEATURES and col != "duration_ms":
        fractional = values.notna() & (values != values.round())
        flag(fractional, f"column {shown}: " + as_text + " is not a whole number")
    if col == "release_year":
        flag((values < 1900) | (values > 2100), "column release_year: " + as_text + " is implausible")
