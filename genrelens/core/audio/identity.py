"""Stable track keys from the audio content: "local:<sha256 hex>".

The hash covers the coded audio, not the file: tag blocks (ID3v2/ID3v1/APE in MP3, metadata blocks
in FLAC, the comment header in Ogg, every chunk but `fmt `/`data` in WAV) are skipped, so editing
tags in any player leaves the key alone, while the key is still read without decoding (a few ms
for a whole album). Hashing the decoded PCM instead would also survive re-tagging, but costs a full
decode before we even know whether the file needs analysing, and would tie keys to the decoder
version. Formats we cannot walk byte-wise fall back to the PCM hash.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from pathlib import Path

from genrelens.core.audio.decode import AudioError, decode

KEY_PREFIX = "local:"


def content_key(path: str | Path) -> str:
    """The track key of an audio file. Raises `AudioError` when the file cannot be read."""
    p = Path(path)
    if not p.is_file():
        raise AudioError(f"{p}: no such file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise AudioError(f"{p}: cannot read ({exc.strerror or exc})") from exc
    digest = hashlib.sha256()
    parts = _audio_parts(data)
    if parts is None:
        digest.update(b"pcm\0")
        digest.update(decode(p).samples.tobytes())
    else:
        for part in parts:
            digest.update(part)
    return KEY_PREFIX + digest.hexdigest()


def _audio_parts(data: bytes) -> list[memoryview] | None:
    view = memoryview(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return _riff_parts(view)
    if data[:4] == b"OggS":
        return _ogg_parts(view)
    start = _skip_id3v2(data)
    if data[start : start + 4] == b"fLaC":
        return _flac_parts(view, start)
    if len(data) > start + 1 and data[start] == 0xFF and data[start + 1] & 0xE0 == 0xE0:
        return [view[start : _mp3_end(data)]]
    return None


def _riff_parts(view: memoryview) -> list[memoryview] | None:
    parts = []
    for cid, body in _chunks(view, 12):
        if cid in (b"fmt ", b"data"):
            parts.append(body)
    return parts if len(parts) == 2 else None


def _chunks(view: memoryview, pos: int) -> Iterator[tuple[bytes, memoryview]]:
    while pos + 8 <= len(view):
        cid = bytes(view[pos : pos + 4])
        (size,) = struct.unpack("<I", view[pos + 4 : pos + 8])
        yield cid, view[pos + 8 : pos + 8 + size]
        pos += 8 + size + (size & 1)  # RIFF chunks are padded to an even length


def _skip_id3v2(data: bytes) -> int:
    pos = 0
    while data[pos : pos + 3] == b"ID3" and len(data) >= pos + 10:
        size = 0
        for b in data[pos + 6 : pos + 10]:  # "syncsafe": 7 bits per byte
            size = (size << 7) | (b & 0x7F)
        footer = 10 if data[pos + 5] & 0x10 else 0
        pos += 10 + size + footer
    return pos


def _mp3_end(data: bytes) -> int:
    end = len(data)
    if end >= 128 and data[end - 128 : end - 125] == b"TAG":
        end -= 128
    if end >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
        (size,) = struct.unpack("<I", data[end - 20 : end - 16])  # footer + items, header excluded
        flags = struct.unpack("<I", data[end - 12 : end - 8])[0]
        end -= size + (32 if flags & 0x80000000 else 0)
    return max(end, 0)


def _flac_parts(view: memoryview, start: int) -> list[memoryview] | None:
    pos = start + 4
    while pos + 4 <= len(view):
        header = view[pos]
        size = int.from_bytes(view[pos + 1 : pos + 4], "big")
        pos += 4 + size
        if header & 0x80:  # last metadata block: audio frames follow
            return [view[pos:]]
    return None


def _ogg_parts(view: memoryview) -> list[memoryview] | None:
    """Bodies of the pages after the codec headers; page headers are left out because re-tagging
    renumbers every later page (new sequence numbers and CRCs, same audio)."""
    parts: list[memoryview] = []
    packets = 0
    headers: int | None = None
    pos = 0
    while pos + 27 <= len(view) and bytes(view[pos : pos + 4]) == b"OggS":
        nseg = view[pos + 26]
        lacing = view[pos + 27 : pos + 27 + nseg]
        body_start = pos + 27 + nseg
        body = view[body_start : body_start + sum(lacing)]
        if headers is None:
            headers = 2 if bytes(body[:8]) == b"OpusHead" else 3  # Vorbis has 3 header packets
        if packets >= headers:
            parts.append(body)
        packets += sum(1 for v in lacing if v < 255)
        pos = body_start + len(body)
    return parts or None
