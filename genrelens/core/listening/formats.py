"""Read one file of listening data, its format told by its content (never by its name).

Field names follow Spotify's "Understanding my data" (support.spotify.com/article/understanding-my-data):
- account data: `StreamingHistory_music_N.json` (older: `StreamingHistoryN.json`), a list of
  `{endTime "YYYY-MM-DD HH:MM" UTC, artistName, trackName, msPlayed}`; `StreamingHistory_podcast_N.json`
  (`podcastName`, `episodeName`) holds podcasts only; `YourLibrary.json` `{"tracks": [{artist, album,
  track, uri}], ...}`; `Playlist1.json` `{"playlists": [{name, items: [{track: {trackName, artistName,
  albumName, trackUri} | null, episode, audiobook, localTrack}]}]}`;
- extended streaming history: `Streaming_History_Audio_*.json` (older: `endsong_N.json`), a list of
  `{ts, ms_played, master_metadata_track_name, master_metadata_album_artist_name,
  master_metadata_album_album_name, spotify_track_uri, episode_name, spotify_episode_uri,
  audiobook_title, audiobook_uri, reason_end, skipped, ...}` (plus `ip_addr`, `conn_country`,
  `platform`, `user_agent_decrypted`, which are never read);
- Last.fm: the widely used CSV (lastfm-to-csv: no header, `artist, album, track, "31 Jan 2021 12:34"`)
  and lastfm.ghan.nl's (`uts, utc_time, artist, artist_mbid, album, album_mbid, track, track_mbid`);
- Exportify playlist CSVs, every layout `genrelens import` reads (core/dataset/exportify.py).

Other files of an export (Userdata.json, SearchQueries.json, Inferences.json...) hold no listening
data and are ignored. A file in a known format with a bad entry raises ExportInvalid naming both.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from genrelens.core.dataset import exportify
from genrelens.core.listening.types import ExportInvalid, Kind, ParsedFile, Play, Source

_SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")
_EXTENDED_KEYS = {"ts", "ms_played"}
_ACCOUNT_KEYS = {"endTime", "artistName", "trackName", "msPlayed"}
_PODCAST_KEYS = {"endTime", "podcastName", "episodeName"}
_LASTFM_TIMES = ("%d %b %Y %H:%M", "%d %b %Y, %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M")


#: the longest play or track in milliseconds (24 days; a 32-bit integer column holds it)
MAX_MS = 2**31 - 1


class _Bad(Exception):
    """An entry's problem; the caller adds the file and entry number."""


def parse_file(name: str, data: bytes) -> ParsedFile | None:
    """The plays in one file, or None when it holds no listening data."""
    text = _decode(name, data)
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        return _parse_json(name, text)
    if not stripped:
        return None
    return _parse_csv(name, text)


def _decode(name: str, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExportInvalid(f"{name}: not UTF-8 text (byte {exc.start})") from exc
    if "\x00" in text:  # no export has one, and PostgreSQL text refuses it
        raise ExportInvalid(f"{name}: a NUL character at character {text.index(chr(0))}")
    return text


# --- JSON (Spotify) -------------------------------------------------------------------------------


def _parse_json(name: str, text: str) -> ParsedFile | None:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportInvalid(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if isinstance(value, list):
        first = next((row for row in value if isinstance(row, dict)), None)
        keys = set(first) if first else set()
        if keys >= _EXTENDED_KEYS:
            return _rows(name, "extended_history", value, _extended_row)
        if keys >= _ACCOUNT_KEYS:
            return _rows(name, "account_history", value, _account_row)
        if keys >= _PODCAST_KEYS:
            parsed = ParsedFile(name, "podcast_history")
            parsed.skipped["podcast episode"] += len(value)
            return parsed
        return None
    if isinstance(value, dict) and isinstance(value.get("playlists"), list):
        return _playlists(name, value["playlists"])
    if isinstance(value, dict) and isinstance(value.get("tracks"), list) and _looks_like_library(value["tracks"]):
        return _rows(name, "library", value["tracks"], _library_row)
    return None


def _looks_like_library(tracks: list[Any]) -> bool:
    first = next((row for row in tracks if isinstance(row, dict)), None)
    return first is None or {"artist", "track"} <= set(first)


Row = Callable[[Mapping[str, Any], ParsedFile], Play | None]


def _rows(name: str, fmt: str, rows: list[Any], read: Row) -> ParsedFile:
    parsed = ParsedFile(name, fmt)
    for number, row in enumerate(rows, start=1):
        try:
            if not isinstance(row, dict):
                raise _Bad(f"expected an object, found {type(row).__name__}")
            play = read(row, parsed)
        except _Bad as exc:
            raise ExportInvalid(f"{name}, entry {number}: {exc}") from None
        if play is not None:
            parsed.plays.append(play)
    return parsed


def _extended_row(row: Mapping[str, Any], parsed: ParsedFile) -> Play | None:
    played_at = _timestamp(row, "ts")
    ms = _count(row, "ms_played")
    if row.get("spotify_episode_uri") or row.get("episode_name"):
        parsed.skipped["podcast episode"] += 1
        return None
    if row.get("audiobook_uri") or row.get("audiobook_title") or row.get("audiobook_chapter_uri"):
        parsed.skipped["audiobook"] += 1
        return None
    uri = _text(row, "spotify_track_uri")
    if uri.startswith("spotify:local:"):
        parsed.skipped["local file"] += 1
        return None
    title, artist = _text(row, "master_metadata_track_name"), _text(row, "master_metadata_album_artist_name")
    if not uri and not (title and artist):
        parsed.skipped["no track named"] += 1
        return None
    return Play(source=Source.SPOTIFY_EXPORT, kind=Kind.STREAM, artist=artist, title=title,
                album=_text(row, "master_metadata_album_album_name"), spotify_id=_track_id(uri),
                played_at=played_at, ms_played=ms)


def _account_row(row: Mapping[str, Any], parsed: ParsedFile) -> Play | None:
    played_at = _timestamp(row, "endTime")
    ms = _count(row, "msPlayed")
    artist, title = _text(row, "artistName"), _text(row, "trackName")
    if not (artist and title):
        parsed.skipped["no track named"] += 1
        return None
    return Play(source=Source.SPOTIFY_EXPORT, kind=Kind.STREAM, artist=artist, title=title,
                played_at=played_at, ms_played=ms)


def _library_row(row: Mapping[str, Any], parsed: ParsedFile) -> Play | None:
    artist, title = _text(row, "artist"), _text(row, "track")
    if not (artist and title):
        raise _Bad("a track needs an artist and a track name")
    uri = _text(row, "uri")
    return Play(source=Source.SPOTIFY_EXPORT, kind=Kind.LIBRARY, artist=artist, title=title,
                album=_text(row, "album"), spotify_id=_track_id(uri) if uri else None)


def _playlists(name: str, playlists: list[Any]) -> ParsedFile:
    parsed = ParsedFile(name, "playlists")
    for p_number, playlist in enumerate(playlists, start=1):
        items = playlist.get("items") if isinstance(playlist, dict) else None
        if not isinstance(items, list):
            raise ExportInvalid(f"{name}, playlist {p_number}: no list of items")
        where = f"{name}, playlist {p_number} ({str(playlist.get('name', ''))[:80]!r})"
        for number, item in enumerate(items, start=1):
            try:
                play = _playlist_item(item, parsed)
            except _Bad as exc:
                raise ExportInvalid(f"{where}, item {number}: {exc}") from None
            if play is not None:
                parsed.plays.append(play)
    return parsed


def _playlist_item(item: Any, parsed: ParsedFile) -> Play | None:
    if not isinstance(item, dict):
        raise _Bad(f"expected an object, found {type(item).__name__}")
    track = item.get("track")
    if not isinstance(track, dict):
        reason = next((r for key, r in (("episode", "podcast episode"), ("audiobook", "audiobook"),
                                        ("localTrack", "local file")) if item.get(key)), "no track")
        parsed.skipped[reason] += 1
        return None
    artist, title, uri = _text(track, "artistName"), _text(track, "trackName"), _text(track, "trackUri")
    if not (artist and title) and not uri:
        raise _Bad("a track needs an artist and a track name, or a track URI")
    return Play(source=Source.SPOTIFY_EXPORT, kind=Kind.LIBRARY, artist=artist, title=title,
                album=_text(track, "albumName"), spotify_id=_track_id(uri) if uri else None)


# --- fields ---------------------------------------------------------------------------------------


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Bad(f"{key} is not text: {value!r}"[:200])
    if "\x00" in value:  # a JSON "\u0000": PostgreSQL text refuses it
        raise _Bad(f"{key} holds a NUL character")
    return value.strip()


def _count(row: Mapping[str, Any], key: str) -> int:
    value = row.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_MS:
        raise _Bad(f"{key} must be a number of milliseconds, found {value!r}"[:200])  # NaN fails 0 <= NaN too
    return int(value)


def _timestamp(row: Mapping[str, Any], key: str) -> datetime:
    text = _text(row, key)
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(f"{key} is not a date and time: {text!r}"[:200]) from None
    # the account data's "2023-01-31 12:34" carries no zone; Spotify documents it as UTC
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def _track_id(uri: str) -> str | None:
    if not uri:
        return None
    found = uri.rsplit(":", 1)[-1] if uri.startswith("spotify:track:") else uri.rsplit("/", 1)[-1].split("?")[0]
    if not _SPOTIFY_ID.fullmatch(found):
        raise _Bad(f"not a Spotify track URI: {uri!r}"[:200])
    return found


# --- CSV (Last.fm, Exportify) ---------------------------------------------------------------------


def _parse_csv(name: str, text: str) -> ParsedFile | None:
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ExportInvalid(f"{name}: not a readable CSV file ({exc})") from exc
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        return None
    header = [cell.strip() for cell in rows[0]]
    renamed = {exportify.canonical_header(pd.Index(header)).get(c, c) for c in header}
    if all(any(label in renamed for label in group) for group in exportify.REQUIRED):
        return _exportify(name, text, header)
    lowered = [c.casefold() for c in header]
    if "artist" in lowered and "track" in lowered:
        return _lastfm_with_header(name, lowered, rows[1:])
    if len(header) == 4 and _lastfm_time(header[3]) is not None:
        return _lastfm_rows(name, rows, artist=0, album=1, track=2, time=3, first_line=1)
    return None


def _lastfm_with_header(name: str, header: list[str], rows: list[list[str]]) -> ParsedFile:
    time = next((header.index(c) for c in ("uts", "utc_time", "timestamp", "date", "time") if c in header), None)
    if time is None:
        raise ExportInvalid(f"{name}: a Last.fm export needs a time column (uts, utc_time, timestamp or date)")
    album = header.index("album") if "album" in header else None
    return _lastfm_rows(name, rows, artist=header.index("artist"), album=album, track=header.index("track"),
                        time=time, first_line=2)


def _lastfm_rows(name: str, rows: list[list[str]], *, artist: int, album: int | None, track: int, time: int,
                 first_line: int) -> ParsedFile:
    parsed = ParsedFile(name, "lastfm")
    width = max(artist, track, time, album or 0) + 1
    for number, row in enumerate(rows, start=first_line):
        if len(row) < width:
            raise ExportInvalid(f"{name}, line {number}: {len(row)} columns, expected {width}")
        played_at = _lastfm_time(row[time].strip())
        if played_at is None:
            raise ExportInvalid(f"{name}, line {number}: not a date and time: {row[time][:60]!r}")
        if not (row[artist].strip() and row[track].strip()):
            raise ExportInvalid(f"{name}, line {number}: a scrobble needs an artist and a track")
        parsed.plays.append(Play(source=Source.LASTFM, kind=Kind.SCROBBLE, artist=row[artist].strip(),
                                 title=row[track].strip(), album=row[album].strip() if album is not None else "",
                                 played_at=played_at))
    return parsed


def _lastfm_time(text: str) -> datetime | None:
    if text.isdigit():  # lastfm.ghan.nl's "uts": Unix seconds
        try:
            return datetime.fromtimestamp(int(text), tz=UTC)
        except (OverflowError, OSError, ValueError):  # beyond any calendar: not a time
            return None
    for pattern in _LASTFM_TIMES:
        try:
            stamp = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    return None


def _exportify(name: str, text: str, header: list[str]) -> ParsedFile:
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""])
    except (ValueError, pd.errors.ParserError) as exc:
        raise ExportInvalid(f"{name}: not a readable Exportify CSV ({exc})") from exc
    raw.columns = [c.strip() for c in raw.columns]
    original = set(raw.columns)
    frame = exportify.to_canonical(raw.rename(columns=exportify.canonical_header(raw.columns)), original)
    parsed = ParsedFile(name, "exportify")
    for number, row in enumerate(frame.to_dict(orient="records"), start=2):
        if row["_skip"]:
            parsed.skipped[str(row["_skip"])] += 1
            continue
        parsed.plays.append(_exportify_play(name, number, row))
    return parsed


def _exportify_play(name: str, line: int, row: Mapping[Any, Any]) -> Play:
    track_id = str(row.get("track_id") or "")
    if not _SPOTIFY_ID.fullmatch(track_id):
        raise ExportInvalid(f"{name}, line {line}: not a Spotify track id: {track_id[:60]!r}")
    duration = _whole(row.get("duration_ms"))
    artists = str(row.get("artists") or "").split(";")
    return Play(source=Source.PLAYLISTS, kind=Kind.LIBRARY, artist=artists[0], title=str(row.get("track_name") or ""),
                album=str(row.get("track_album_name") or "") if pd.notna(row.get("track_album_name")) else "",
                spotify_id=track_id, duration_ms=duration)


def _whole(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if 0 <= number <= MAX_MS else None  # NaN and infinities are no duration
