"""Open a dataset file as a table of strings, whatever wraps the table.

Real files carry more than a table: compression (.gz, .bz2, .xz, .zip), one or two byte-order
marks (Exportify wrote two until 2018), Windows-1252 or UTF-16 text from spreadsheets, semicolons
and decimal commas from European locales, whitespace around header names (Exportify wrote
`Record Label,\\t\\t\\t\\tDanceability` from September to December 2024), rows cut short by an
interrupted download, and files that are no table at all (an HTML page, a workbook). Each is
either read, with a note saying how, or refused with a message that names the cause and the fix.

The table is not parsed by pandas, which silently pads a short row with empty values: Arrow's CSV
reader parses the usual file and reports any row of another width, and such files are then read
record by record with the `csv` module, so a cut-off row is reported by its line instead of being
stored half-read.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from genrelens.core.dataset.download import MAX_BYTES, open_capped
from genrelens.core.errors import ImportFailed

#: Suffixes that only say how a file is compressed: "songs.csv.gz" is the dataset "songs".
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zip")
_DECOMPRESS = {".gz": gzip.decompress, ".bz2": bz2.decompress, ".xz": lzma.decompress}
_BOM_UTF8 = b"\xef\xbb\xbf"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: Excel 97-2003 .xls
_HTML = re.compile(rb"\s*(<!doctype\s+html|<html|<head|<body|<!--)", re.IGNORECASE)
# A number written with a decimal comma ("0,523", "-7,1", "1,2e-05") and nothing else.
_DECIMAL_COMMA = r"\s*[-+]?\d*,\d+(?:[eE][-+]?\d+)?\s*"
_PLAIN_NUMBER = r"\s*[-+]?\d+(?:[eE][-+]?\d+)?\s*"


@dataclass(slots=True)
class RawTable:
    """The file's rows as strings (missing values are <NA>), with where each row starts."""

    frame: pd.DataFrame
    #: where each row is, as the user would find it: the line it starts on, its spreadsheet row...
    lines: np.ndarray
    #: what `lines` counts: "line" (text files), "row" (spreadsheets, pickles), "record" (JSON)
    unit: str = "line"
    #: rows that cannot be read whole (cut short, or longer than the header): position -> why
    broken: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def numbered(cls, frame: pd.DataFrame, *, unit: str, first: int, notes: list[str] | None = None) -> RawTable:
        """A table without text lines: rows are numbered from `first`."""
        return cls(frame=frame, lines=np.arange(first, first + len(frame)), unit=unit, notes=notes or [])


def dataset_stem(path: Path) -> str:
    """A dataset's default name: the file name without its extension or compression suffix."""
    name = path.name
    for suffix in COMPRESSION_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return Path(name).stem or name


def is_html(path: Path) -> bool:
    """Whether the file is a web page (what a URL to a repository's page, not its raw file, gives)."""
    with path.open("rb") as handle:
        return bool(_HTML.match(handle.read(1024).lstrip(_BOM_UTF8)))


def read_table(path: Path, *, max_bytes: int = MAX_BYTES) -> RawTable:
    """The table in the file `path` (CSV, TSV, JSON or .xlsx, possibly compressed), never more than
    `max_bytes` of it once inflated. Raises ImportFailed."""
    data, inner = _unwrap(path, max_bytes)
    if data.startswith(b"PK\x03\x04"):
        return _read_zipped_office(path, data)
    if data.startswith(_XLS_MAGIC):
        raise ImportFailed(f"{path}: an Excel 97-2003 workbook (.xls), not a text table; "
                           "save it as .xlsx or as CSV UTF-8 and import that")
    if _HTML.match(data[:1024].lstrip(_BOM_UTF8)):
        raise ImportFailed(f"{path}: an HTML page, not a dataset; if it came from a URL, use the address "
                           "of the raw file (on GitHub, the 'Raw' button's link)")
    text, notes = _decode(data, path)
    if not text.strip():
        raise ImportFailed(f"{path}: the file is empty")
    if inner.lower().endswith(".json") or text.lstrip()[:1] in {"[", "{"}:
        return _read_json(text, path, notes)
    return _read_delimited(text, path, inner, notes)


# --------------------------------------------------------------------------------------------
# Bytes: compression and containers


def ensure_file(path: Path) -> None:
    """Raise ImportFailed unless `path` is a file; for a directory, say which files it holds."""
    if path.is_dir():
        found = sorted(p.name for p in path.iterdir() if p.suffix.lower() in {".csv", ".tsv", ".json", ".xlsx"})
        hint = f" (it holds {', '.join(found[:5])}{'...' if len(found) > 5 else ''})" if found else ""
        raise ImportFailed(f"{path}: is a directory; give the path of one dataset file in it{hint}")
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")


def _unwrap(path: Path, max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes, decompressed through a counting reader that stops at `max_bytes` (a small
    archive can inflate to gigabytes), and the name of the file they are (the member of a zip)."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _zip_member(path, path.read_bytes(), max_bytes)
    try:
        with open_capped(path, max_bytes=max_bytes) as handle:
            data = handle.read()
    except (OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise ImportFailed(f"{path}: not a readable {suffix} file ({exc}); was the download cut off?") from exc
    return data, path.name[: -len(suffix)] if suffix in _DECOMPRESS else path.name


def _zip_member(path: Path, data: bytes, max_bytes: int) -> tuple[bytes, str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ImportFailed(f"{path}: not a readable zip file ({exc}); was the download cut off?") from exc
    # macOS adds __MACOSX/ resource forks to the archives it makes; they are not data
    members = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
    if len(members) != 1:
        names = ", ".join(m.filename for m in members[:5]) + ("..." if len(members) > 5 else "")
        raise ImportFailed(f"{path}: the zip holds {len(members)} files ({names or 'none'}); "
                           "import one at a time: unzip it and give the path of one file")
    with archive.open(members[0]) as member:
        inflated = member.read(max_bytes + 1)
    if len(inflated) > max_bytes:
        raise ImportFailed(f"{path}: inflates to more than {max_bytes:,} bytes (the limit)")
    return inflated, members[0].filename


def _read_zipped_office(path: Path, data: bytes) -> RawTable:
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    if "xl/workbook.xml" not in names:
        kind = "an OpenDocument spreadsheet" if "content.xml" in names else "a zip archive of unknown content"
        raise ImportFailed(f"{path}: {kind}, not a table genrelens reads; save it as CSV UTF-8 and import that")
    return _read_xlsx(io.BytesIO(data), path)


def _read_xlsx(source: io.BytesIO, path: Path) -> RawTable:
    """The first sheet of an .xlsx workbook, every cell as text (numbers as Python writes them)."""
    try:
        sheets = pd.read_excel(source, sheet_name=None, dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ImportFailed(f"{path}: a spreadsheet that could not be read ({exc}); "
                           "save it as CSV UTF-8 and import that") from exc
    if not sheets:
        raise ImportFailed(f"{path}: the workbook has no sheets")
    name, frame = next(iter(sheets.items()))
    notes = [f"read the spreadsheet's first sheet ({name!r}) of {len(sheets)}"] if len(sheets) > 1 else []
    frame.columns = [str(c) for c in frame.columns]
    # the header is spreadsheet row 1, so the first data row is row 2
    return RawTable.numbered(frame.astype("string"), unit="row", first=2, notes=notes)


# --------------------------------------------------------------------------------------------
# Text: encodings and separators


def _decode(data: bytes, path: Path) -> tuple[str, list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16 with a BOM
        return data.decode("utf-16").lstrip("\ufeff"), ["read as UTF-16 text"]
    while data.startswith(_BOM_UTF8):  # Exportify's files of 2015-2018 start with two BOMs
        data = data[len(_BOM_UTF8):]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFailed(
            f"{path}: not UTF-8 text (byte {data[utf8_error.start]:#04x} at offset {utf8_error.start} is not "
            "valid UTF-8, nor Windows-1252); save the file as CSV UTF-8 and import it again") from utf8_error
    return text, ["the file is not UTF-8: read it as Windows-1252 (what Excel writes on Windows); "
                  "if names look wrong, save it as CSV UTF-8 and import it again"]


def _separator(header_line: str, name: str) -> str:
    if name.lower().endswith((".tsv", ".tab")):
        return "\t"
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_delimited(text: str, path: Path, name: str, notes: list[str]) -> RawTable:
    sep = _separator(text.lstrip("\r\n").split("\n", 1)[0], name)
    table = _fast_table(text, sep) or _careful_table(text, sep, path)
    rows = len(table.frame)
    if rows and not text.endswith(("\n", "\r")) and _ends_inside_quotes(text, int(table.lines[-1]), sep):
        table.broken[rows - 1] = "the file ends inside a quoted value: the row is cut off (was the file truncated?)"
    if sep == ";":
        notes.append("semicolon-separated: read as such")
        if _decimal_commas(table.frame):
            notes.append("numbers with decimal commas (0,5): read as decimals")
    elif sep == "\t" and not name.lower().endswith(".tsv"):
        notes.append("tab-separated: read as such")
    table.notes = notes
    return table


def _fast_table(text: str, sep: str) -> RawTable | None:
    """The usual file, parsed by Arrow's CSV reader: a one-line header, every row as wide as it.

    None for anything else (a row of another width, an empty row, a header over several lines),
    which `_careful_table` reads record by record. Arrow builds each column's strings together, so
    the validation that follows runs several times faster than on strings made row by row.
    """
    lead = len(text) - len(text.lstrip("\r\n"))
    end = text.find("\n", lead)
    first = text[lead: end if end >= 0 else None]
    if lead or end < 0 or first.count('"') % 2:
        return None
    header = next(csv.reader([first], delimiter=sep))
    names = [f"c{i}" for i in range(len(header))]
    invalid: list[object] = []

    def note_invalid(row: object) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = pa_csv.read_csv(
            io.BytesIO(text[end + 1:].encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True,
                                              invalid_row_handler=note_invalid),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                  strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid:
        return None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
    if invalid or frame.empty or frame.isna().all(axis=1).any():
        return None
    frame.columns = pd.Index([clean_label(c) for c in header])
    return RawTable(frame=frame, lines=_start_lines(text, sep, len(frame)))


def _careful_table(text: str, sep: str, path: Path) -> RawTable:
    parsed = _Records.parse(text, sep, path)
    frame = pd.DataFrame(parsed.rows, columns=parsed.header).astype("string")
    return RawTable(frame=frame, lines=parsed.starts, broken=parsed.broken)


def _misfit(found: int, width: int) -> str:
    if found < width:
        return (f"{found} of the header's {width} fields: the row is cut short "
                "(was the file truncated, or a separator lost?)")
    return f"{found} fields where the header has {width} (a separator inside an unquoted value?)"


def _ends_inside_quotes(text: str, last_start: int, sep: str) -> bool:
    """Whether the last record is cut inside a quoted value (the lenient parser would accept it)."""
    tail = "".join(io.StringIO(text, newline="").readlines()[last_start - 1:])
    try:
        list(csv.reader(io.StringIO(tail, newline=""), delimiter=sep, strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


@dataclass(slots=True)
class _Records:
    """The header and the non-blank records, each as wide as the header, with the line it starts on."""

    header: list[str]
    rows: np.ndarray  # 2-D, object: str, or None for an empty field
    starts: np.ndarray
    broken: dict[int, str]

    @classmethod
    def parse(cls, text: str, sep: str, path: Path) -> _Records:
        # lenient, like pandas: a quote inside an unquoted value is kept as text
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        try:
            records = [r for r in reader if r and any(r)]
        except csv.Error as exc:
            raise ImportFailed(f"{path}: line {reader.line_num}: not readable as CSV ({exc})") from exc
        if not records:
            raise ImportFailed(f"{path}: the file is empty")
        header, body = [clean_label(c) for c in records[0]], records[1:]
        broken = _fit(body, len(header))
        # column-major, so that each column of the frame is one contiguous array
        rows = np.empty((len(body), len(header)), dtype=object, order="F")
        if body:
            rows[:] = body
            rows[rows == ""] = None
        return cls(header=header, rows=rows, starts=_start_lines(text, sep, len(body)), broken=broken)


def _fit(body: list[list[str]], width: int) -> dict[int, str]:
    """Make every record `width` fields wide; return the ones that were not, and why."""
    broken: dict[int, str] = {}
    for i in np.flatnonzero(np.fromiter(map(len, body), dtype=np.int64, count=len(body)) != width):
        record = body[i]
        if len(record) < width or any(record[width:]):
            broken[int(i)] = _misfit(len(record), width)
        # a short row is padded only to build the frame (it is reported, not read); empty fields
        # beyond the header are dropped, since spreadsheets write them
        body[i] = (record + [""] * (width - len(record)))[:width]
    return broken


def _start_lines(text: str, sep: str, count: int) -> np.ndarray:
    """The line each data record starts on. One record a line is the rule; else the records are walked."""
    physical = text.count("\n") + (not text.endswith("\n"))
    if physical == count + 1:
        return np.arange(2, count + 2)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts, line = [], 1
    for record in reader:
        if record and any(record):
            starts.append(line)
        line = reader.line_num + 1
    return np.asarray(starts[1:], dtype=np.int64)


def clean_label(label: str) -> str:
    """A header label without the whitespace, BOMs and zero-width spaces that editors leave around it."""
    return label.strip().strip("\ufeff\u200b\u00a0").strip()


def _decimal_commas(frame: pd.DataFrame) -> bool:
    """Turn columns of decimal-comma numbers into decimal-point ones; whether there were any."""
    found = False
    for col in frame.columns:
        values = frame[col].dropna()
        if values.empty:
            continue
        with_comma = values.str.fullmatch(_DECIMAL_COMMA)
        if with_comma.any() and (with_comma | values.str.fullmatch(_PLAIN_NUMBER)).all():
            frame[col] = frame[col].str.replace(",", ".", regex=False)
            found = True
    return found


# --------------------------------------------------------------------------------------------
# JSON: what the Web API's audio-features endpoint returned, saved as it came


def _read_json(text: str, path: Path, notes: list[str]) -> RawTable:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg}); was the file cut off?") from exc
    if isinstance(doc, dict):
        # GET /audio-features?ids= answers {"audio_features": [...]}; other dumps wrap the list likewise
        lists = [v for v in doc.values() if isinstance(v, list)]
        doc = lists[0] if len(lists) == 1 else [doc]
    if not isinstance(doc, list):
        raise ImportFailed(f"{path}: JSON that holds no list of records")
    # the API answers null for an id it has no features for: such entries carry nothing to import
    records = [r for r in doc if r is not None]
    if any(not isinstance(r, dict) for r in records):
        raise ImportFailed(f"{path}: the JSON list holds something other than objects (records)")
    skipped = len(doc) - len(records)
    if skipped:
        notes.append(f"{skipped} null record(s) skipped (the API's answer for an id without features)")
    frame = pd.DataFrame.from_records(records).map(_as_text).astype("string")
    return RawTable.numbered(frame, unit="record", first=1, notes=notes)


def _as_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)
