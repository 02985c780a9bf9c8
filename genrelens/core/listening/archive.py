"""The files of an export: a .zip (as Spotify mails it), an unpacked folder, or one file.

Limits are checked before anything is unpacked: the number of files and the sum of their sizes as
the zip's directory declares them. `zipfile` never inflates a member past its declared size (and
checks its CRC), so a zip bomb is refused from its directory alone. Members are read into memory,
never written to disk, so names like "../../etc/passwd" cannot point anywhere.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from genrelens.core.listening.types import ExportInvalid

#: only these can hold listening data; the export's PDFs, images and other files are not opened
READABLE = (".json", ".csv")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class Limits:
    max_files: int = 2_000  # Spotify's account-data zip has ~30 files, ten years of extended ~20
    max_unpacked_bytes: int = 1024**3  # the sum of the files read
    max_file_bytes: int = 256 * 1024**2  # one file; Spotify splits its histories at ~12 MB


@dataclass(frozen=True, slots=True)
class Entry:
    name: str  # the path inside the export, as a user would recognise it
    data: bytes


def export_entries(path: Path, limits: Limits) -> Iterator[Entry]:
    """Each readable file of the export at `path`, after the limits were checked for all of them."""
    if path.is_dir():
        return _folder_entries(path, limits)
    if not path.is_file():
        raise ExportInvalid(f"{path.name}: no such file or folder")
    with path.open("rb") as head:
        magic = head.read(4)
    if magic == _ZIP_MAGIC:
        return _zip_entries(path, limits)
    _check_sizes(path.name, [path.stat().st_size], limits)
    return iter([Entry(path.name, path.read_bytes())])


def _readable(name: str) -> bool:
    pure = PurePosixPath(name)
    # macOS adds "__MACOSX/._file" twins of every file to zips it makes: resource forks, not data
    return pure.suffix.lower() in READABLE and "__MACOSX" not in pure.parts and not pure.name.startswith("._")


def _check_sizes(where: str, sizes: list[int], limits: Limits, count: int | None = None) -> None:
    count = len(sizes) if count is None else count
    if count > limits.max_files:
        raise ExportInvalid(f"{where}: {count:,} files; the limit is {limits.max_files:,}")
    if sizes and max(sizes) > limits.max_file_bytes:
        raise ExportInvalid(f"{where}: a file of {max(sizes):,} bytes; the limit is {limits.max_file_bytes:,}")
    if sum(sizes) > limits.max_unpacked_bytes:
        raise ExportInvalid(f"{where}: {sum(sizes):,} bytes unpacked; the limit is {limits.max_unpacked_bytes:,}")


def _zip_entries(path: Path, limits: Limits) -> Iterator[Entry]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ExportInvalid(f"{path.name}: not a readable zip file ({exc})") from exc
    with archive:
        files = [i for i in archive.infolist() if not i.is_dir()]
        members = [i for i in files if _readable(i.filename)]
        _check_sizes(path.name, [i.file_size for i in members], limits, count=len(files))
        return iter([Entry(i.filename, _read_member(archive, i, path.name)) for i in members])


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> bytes:
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as exc:  # RuntimeError: encrypted
        raise ExportInvalid(f"{where}: {info.filename}: cannot be unpacked ({exc})") from exc


def _folder_entries(folder: Path, limits: Limits) -> Iterator[Entry]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
                   and _readable(p.relative_to(folder).as_posix()))
    _check_sizes(folder.name, [p.stat().st_size for p in files], limits)
    return (Entry(p.relative_to(folder).as_posix(), p.read_bytes()) for p in files)
