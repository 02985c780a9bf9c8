"""Tags (title, artist, album, genre, duration) through mutagen's format-neutral "easy" interface."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.id3 import ID3, ID3NoHeaderError
from mutagen.wave import WAVE


@dataclass(frozen=True, slots=True)
class Tags:
    """What a file says about itself. Empty strings when a tag is missing; duration from the header."""

    title: str = ""
    artist: str = ""
    album: str = ""
    genre: str = ""
    duration: float | None = None  # seconds, as the container claims (the analysis measures its own)


def read_tags(path: str | Path) -> Tags:
    """Never raises: a file whose tags cannot be parsed simply has none (analysis still runs)."""
    try:
        f = mutagen.File(str(path), easy=True)
    except Exception:  # mutagen raises many unrelated types for damaged headers; none is fatal here
        return Tags()
    if f is None:
        return Tags()
    length = getattr(getattr(f, "info", None), "length", None)
    return Tags(
        title=_first(f, "title"),
        artist=_first(f, "artist"),
        album=_first(f, "album"),
        genre=_first(f, "genre"),
        duration=float(length) if length else None,
    )


#: ID3 frame ids for files whose ID3 tag mutagen exposes only raw (WAV, AIFF), not via EasyID3.
_ID3_FRAMES = {"title": "TIT2", "artist": "TPE1", "album": "TALB", "genre": "TCON"}


def _first(f: mutagen.FileType, name: str) -> str:
    if f.tags is None:
        return ""
    try:
        values = f.tags.get(_ID3_FRAMES[name]) if isinstance(f.tags, ID3) else f.get(name)
    except (KeyError, ValueError):
        return ""
    if values is None:
        return ""
    text = values.text if hasattr(values, "text") else values
    return str(text[0]).strip() if text else ""


def write_tags(path: str | Path, **values: str) -> None:
    """Set text tags (title=..., genre=...); used to make tagged test files and demo folders."""
    p = Path(path)
    if p.suffix.lower() == ".wav":
        _write_wave_tags(p, values)
        return
    if p.suffix.lower() == ".mp3":
        try:
            ID3(str(p))
        except ID3NoHeaderError:
            ID3().save(str(p))  # EasyID3 only edits an existing tag
    f = mutagen.File(str(p), easy=True)
    if f is None:
        raise ValueError(f"{p.name}: mutagen does not know this format")
    if f.tags is None:
        f.add_tags()
    for key, value in values.items():
        f[key] = [value]
    f.save()


def _write_wave_tags(p: Path, values: dict[str, str]) -> None:
    # WAV carries tags as an ID3 chunk; mutagen has no easy mapping for it, so frames are named here.
    from mutagen.id3 import TALB, TCON, TIT2, TPE1

    frames = {"title": TIT2, "artist": TPE1, "album": TALB, "genre": TCON}
    f = WAVE(str(p))
    if f.tags is None:
        f.add_tags()
    assert f.tags is not None
    for key, value in values.items():
        f.tags.add(frames[key](encoding=3, text=[value]))
    f.save()
