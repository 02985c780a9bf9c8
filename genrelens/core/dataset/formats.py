"""Read public datasets of Spotify-style audio features into one canonical frame.

Every supported layout (the TidyTuesday 2020-01-21 file and its processed variant, the 114-genre
"Spotify tracks" dataset, Exportify playlist exports of 2015-2026, Kaggle's `genres_v2`, raw
audio-features dumps, the blog's own DataFrame) is detected by its header, validated row by row
with messages that name the file, line and column, and mapped to the canonical frame: one row per
(track, genre label), the shape the blog's analysis code used. How a file is wrapped (compression,
encoding, separator, workbook) is `rawfile`'s business.

Validation is vectorised (pandas), so a 30k-row file is checked in well under a second.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from genrelens.core.dataset import exportify
from genrelens.core.dataset.download import MAX_BYTES
from genrelens.core.dataset.rawfile import RawTable, clean_label, ensure_file, read_table
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
    #: column groups the file must have, one column of each group (alternative spellings)
    required: tuple[tuple[str, ...], ...]
    #: takes the raw frame and the file's own header (before `rename` applied)
    to_canonical: Callable[[pd.DataFrame, set[str]], pd.DataFrame]
    description: str
    #: older or translated labels -> the ones `to_canonical` reads
    rename: Callable[[pd.Index], Mapping[str, str]] = lambda columns: {}
    #: what to do when a required column is missing, when there is a known reason
    missing_hint: str = ""

    def missing(self, header: set[str]) -> list[str]:
        return [" or ".join(group) for group in self.required if not set(group) & header]


# --------------------------------------------------------------------------------------------
# Mapping each layout to the canonical frame. Each takes the raw frame (all strings) and returns
# a frame with (a subset of) the canonical columns; `_finish` fills the rest.


def _tidytuesday(raw: pd.DataFrame, original: set[str]) -> pd.DataFrame:
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


def _spotify_tracks(raw: pd.DataFrame, original: set[str]) -> pd.DataFrame:
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


def _audio_features(raw: pd.DataFrame, original: set[str]) -> pd.DataFrame:
    """Web API audio-features records (id, uri, the 13 features), and Kaggle's genres_v2 built from them."""
    out = pd.DataFrame(index=raw.index)
    ids = raw["id"] if "id" in raw else raw["uri"].str.rsplit(":", n=1).str[-1]
    out["track_id"] = ids
    if "song_name" in raw:
        out["track_name"] = raw["song_name"]
    if "genre" in raw:
        out["playlist_genre"] = raw["genre"]
        out["playlist_subgenre"] = raw["genre"]
    for name in FEATURE_NAMES:
        if name in raw:
            out[name] = raw[name]
    return out


def _blog(raw: pd.DataFrame, original: set[str]) -> pd.DataFrame:
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


def _is_feature_dump(header: set[str]) -> bool:
    # what pd.DataFrame(sp.audio_features(ids)) writes: the API's fields, "type" and the links included
    return bool({"id", "uri"} & header) and len(set(FEATURE_NAMES) & header) >= 10 and "track_name" not in header


FORMATS: dict[str, FormatSpec] = {
    spec.name: spec
    for spec in (
        FormatSpec(
            "tidytuesday",
            lambda h: h >= _TIDY_CORE and ("duration_ms" in h or "duration_min" in h),
            tuple((c,) for c in sorted(_TIDY_CORE)),
            _tidytuesday,
            "TidyTuesday 2020-01-21 spotify_songs.csv: raw (23 columns) or processed "
            "(release_year, duration_min)",
        ),
        FormatSpec(
            "spotify-tracks",
            _has("track_id", "artists", "track_name", "track_genre"),
            (("track_id",), ("artists",), ("track_name",), ("track_genre",)),
            _spotify_tracks,
            "the 114-genre Spotify tracks dataset (artists separated by ';', one genre per row)",
        ),
        FormatSpec(
            "exportify",
            # without a track id too, so that such a file gets its own message, not "no known format"
            _has("Track Name", "Artist Name(s)"),
            exportify.REQUIRED,
            exportify.to_canonical,
            "an Exportify playlist CSV of 2015-2026, any language (features when present)",
            rename=exportify.canonical_header,
            missing_hint=exportify.MISSING_ID_HINT,
        ),
        FormatSpec(
            "genres-v2",
            lambda h: {"genre", "song_name"} <= h and _is_feature_dump(h),
            (("id",), ("genre",)),
            _audio_features,
            "Kaggle's genres_v2.csv (audio-features records with a genre and song_name)",
        ),
        FormatSpec(
            "audio-features",
            _is_feature_dump,
            (("id", "uri"),),
            _audio_features,
            "raw audio-features records as the Web API returned them (CSV or JSON): an id and the features",
        ),
        FormatSpec(
            "blog",
            _has("track_id", "playlist_id", "playlist_genre", "playlist_subgenre"),
            (("track_id",), ("playlist_genre",), ("playlist_subgenre",)),
            _blog,
            "the blog's merged DataFrame (CSV or pickle)",
        ),
    )
}


# --------------------------------------------------------------------------------------------
# Reading


def _read_raw(path: Path, *, trust_pickle: bool = False, max_bytes: int = MAX_BYTES) -> RawTable:
    """The file as a frame of strings (so wrong types can be reported), with where each row is."""
    suffix = path.suffix.lower()
    if suffix in {".pkl", ".pickle"}:
        return RawTable.numbered(_read_pickle(path, trust_pickle), unit="row", first=1)
    if suffix == ".parquet":
        return RawTable.numbered(_read_parquet(path, max_bytes), unit="row", first=1)
    return read_table(path, max_bytes=max_bytes)


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


def _renamed(spec: FormatSpec, header: set[str]) -> set[str]:
    renames = spec.rename(pd.Index(sorted(header)))
    return {renames.get(c, c) for c in header}


def detect_format(header: set[str]) -> str | None:
    # Order matters: the blog's frame is a subset of TidyTuesday's header, so TidyTuesday goes first.
    for spec in FORMATS.values():
        if spec.detect(_renamed(spec, header)):
            return spec.name
    return None


def _choose_format(fmt: str, header: set[str], path: Path) -> FormatSpec:
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
    missing = spec.missing(_renamed(spec, header))
    if missing:
        hint = f". {spec.missing_hint}" if spec.missing_hint else ""
        raise ImportFailed(f"{path}: missing required column(s) for format {fmt}: {', '.join(missing)}{hint}")
    return spec


def read_dataset(path: str | Path, fmt: str = "auto", *, trust_pickle: bool = False,
                 max_bytes: int = MAX_BYTES) -> ParsedDataset:
    """Read, detect, validate and map a dataset file. Raises ImportFailed for a file it cannot use.

    Rows with bad values are not dropped silently: they are listed in `rejected` and left out of
    `frame`; the caller decides whether any rejection fails the import.
    """
    path = Path(path)
    ensure_file(path)
    table = _read_raw(path, trust_pickle=trust_pickle, max_bytes=max_bytes)
    raw = table.frame
    raw.columns = pd.Index([clean_label(str(c)) for c in raw.columns])
    header = set(raw.columns)
    spec = _choose_format(fmt, header, path)
    if raw.empty:
        raise ImportFailed(f"{path}: the file has a header but no rows")
    raw = raw.rename(columns=dict(spec.rename(raw.columns)))
    mapped = spec.to_canonical(raw, header)
    frame, rejected, notes = _validate(mapped, raw, path, table)
    return ParsedDataset(frame=frame, format=spec.name, rows_read=len(raw), rejected=rejected,
                         sha256=file_sha256(path), path=path, notes=[*table.notes, *notes])


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
    mapped: pd.DataFrame, raw: pd.DataFrame, path: Path, table: RawTable
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

    _flag_text(frame, flag)
    if table.broken:
        why = pd.Series(table.broken, dtype=object).reindex(range(len(mapped)), fill_value="")
        why.index = mapped.index
        flag(why != "", why)
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
        if col == "release_year":
            values = _unknown_year(values, notes)
        frame[col] = values
        _flag_ranges(frame, col, shown, text, flag)

    zero_tempo = frame["tempo"] == 0
    if zero_tempo.any():
        # Spotify writes 0 when it found no tempo, as it writes key -1 when it found no key.
        frame.loc[zero_tempo, "tempo"] = np.nan
        notes.append(f"{int(zero_tempo.sum())} row(s) with tempo 0 (Spotify's 'no tempo found') "
                     "stored as unknown")

    skipped = _skipped(mapped, notes)
    bad_rows = ((reasons != "") & ~skipped).to_numpy()
    rejected = [
        Rejected(line=int(table.lines[pos]), reason=f"{path.name}: {table.unit} {int(table.lines[pos])}: {text}")
        for pos, text in zip(np.flatnonzero(bad_rows), reasons[bad_rows], strict=True)
    ]
    good = frame.loc[~bad_rows & ~skipped.to_numpy(), list(CANONICAL_COLUMNS)].reset_index(drop=True)
    good["release_year"] = good["release_year"].round()
    notes += _feature_notes(mapped, good)
    return good, rejected, notes


#: the longest identifier the catalog keeps per column, and the longest single artist name (its key
#: is "name:" + the name); anything longer is not an id but a broken or hostile file
ID_MAX_CHARS = {"track_id": 200, "track_album_id": 64, "playlist_id": 64}
ARTIST_MAX_CHARS = 190


def _flag_text(frame: pd.DataFrame, flag: Flagger) -> None:
    """NUL bytes (which PostgreSQL cannot store) and ids too long to be ids, named by column."""
    for col in frame.columns:
        flag(frame[col].str.contains("\x00", regex=False), f"column {col}: contains a NUL byte (is it a binary file?)")
    for col, limit in ID_MAX_CHARS.items():
        length = frame[col].str.len()
        flag(length > limit, f"column {col}: " + length.astype(str) + f" characters, more than an id has ({limit})")
    # the artists as the catalog splits them: `artists` on ";", else `track_artist` on ", " too
    names = [_names(a) or _names(t.replace(", ", ";")) for a, t in zip(frame["artists"], frame["track_artist"],
                                                                         strict=True)]
    longest = pd.Series([max(map(len, n), default=0) for n in names], index=frame.index)
    flag(longest > ARTIST_MAX_CHARS, "an artist name of " + longest.astype(str)
         + f" characters (at most {ARTIST_MAX_CHARS})")


def _names(text: str) -> list[str]:
    return [a.strip() for a in str(text).split(";") if a.strip()]


def _unknown_year(values: pd.Series, notes: list[str]) -> pd.Series:
    zero = values == 0
    if zero.any():
        # Spotify gives "0000" as the release date of some old tracks it has no date for
        notes.append(f"{int(zero.sum())} row(s) with release year 0000 (Spotify's 'unknown') stored without a year")
        values = values.where(~zero)
    return values


def _skipped(mapped: pd.DataFrame, notes: list[str]) -> pd.Series:
    """Rows the format says are no tracks (an Exportify export's unavailable ones): left out and counted."""
    if "_skip" not in mapped:
        return pd.Series(False, index=mapped.index)
    reasons = mapped["_skip"]
    notes += [f"{count} {reason} skipped" for reason, count in reasons[reasons != ""].value_counts().items()]
    return reasons != ""


def _feature_notes(mapped: pd.DataFrame, good: pd.DataFrame) -> list[str]:
    """Say so when a file brings no audio features: its rows will be tracks without them."""
    columns = [c for c in FEATURE_NAMES if c != "duration_ms" and c in mapped]
    if not columns:
        return ["the file has no audio-feature columns: tracks and labels only, no features stored"]
    if len(good) and good[columns].isna().all().all():
        return [f"the file's audio-feature columns ({', '.join(columns)}) are all empty: no features stored"]
    return []


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
