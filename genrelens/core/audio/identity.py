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
import mmap
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from genrelens.core.audio.decode import AudioError, decode
from genrelens.core.audio.integrity import id3v2_end

KEY_PREFIX = "local:"


#: what the parsers read through: the file mapped into memory (or bytes, for an empty file)
Buffer = mmap.mmap | bytes
#: byte ranges [start, end) of the coded audio
Ranges = list[tuple[int, int]]

_HASH_BLOCK = 1 << 20


def content_key(path: str | Path) -> str:
    """The track key of an audio file. Raises `AudioError` when the file cannot be read."""
    p = Path(path)
    if not p.is_file():
        raise AudioError(f"{p}: no such file")
    try:
        with p.open("rb") as f, _mapped(f) as buf:
            ranges = _audio_ranges(buf)
            digest = hashlib.sha256()
            if ranges is not None:
                # hashed a block at a time straight from the mapping: memory stays flat for big files
                for a, b in ranges:
                    for block in range(a, b, _HASH_BLOCK):
                        digest.update(buf[block : min(b, block + _HASH_BLOCK)])
    except OSError as exc:
        raise AudioError(f"{p}: cannot read ({exc.strerror or exc})") from exc
    if ranges is None:
        digest.update(b"pcm\0")
        digest.update(decode(p).samples.tobytes())
    return KEY_PREFIX + digest.hexdigest()


@contextmanager
def _mapped(f: BinaryIO) -> Iterator[Buffer]:
    size = os.fstat(f.fileno()).st_size
    if size == 0:  # an empty file cannot be mapped
        yield b""
        return
    with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        yield mapped


def _audio_ranges(buf: Buffer) -> Ranges | None:
    if buf[:4] == b"RIFF" and buf[8:12] == b"WAVE":
        return _riff_ranges(buf)
    if buf[:4] == b"OggS":
        return _ogg_ranges(buf)
    start = id3v2_end(buf)
    if buf[start : start + 4] == b"fLaC":
        return _flac_ranges(buf, start)
    if len(buf) > start + 1 and buf[start] == 0xFF and buf[start + 1] & 0xE0 == 0xE0:
        return [(start, _mp3_end(buf))]
    return None


def _riff_ranges(buf: Buffer) -> Ranges | None:
    wanted = {cid: span for cid, span in _chunks(buf, 12) if cid in (b"fmt ", b"data")}
    return [wanted[b"fmt "], wanted[b"data"]] if len(wanted) == 2 else None


def _chunks(buf: Buffer, pos: int) -> Iterator[tuple[bytes, tuple[int, int]]]:
    while pos + 8 <= len(buf):
        cid = bytes(buf[pos : pos + 4])
        (size,) = struct.unpack_from("<I", buf, pos + 4)
        yield cid, (pos + 8, min(len(buf), pos + 8 + size))
        pos += 8 + size + (size & 1)  # RIFF chunks are padded to an even length


def _mp3_end(buf: Buffer) -> int:
    end = len(buf)
    if end >= 128 and buf[end - 128 : end - 125] == b"TAG":
        end -= 128
    if end >= 32 and buf[end - 32 : end - 24] == b"APETAGEX":
        (size,) = struct.unpack_from("<I", buf, end - 20)  # footer + items, header excluded
        (flags,) = struct.unpack_from("<I", buf, end - 12)
        end -= size + (32 if flags & 0x80000000 else 0)
    return max(end, 0)


def _flac_ranges(buf: Buffer, start: int) -> Ranges | None:
    pos = start + 4
    while pos + 4 <= len(buf):
        header = buf[pos]
        size = int.from_bytes(buf[pos + 1 : pos + 4], "big")
        pos += 4 + size
        if header & 0x80:  # last metadata block: audio frames follow
            return [(pos, len(buf))]
    return None


def _ogg_ranges(buf: Buffer) -> Ranges | None:
    """Bodies of the pages after the codec headers; page headers are left out because re-tagging
    renumbers every later page (new sequence numbers and CRCs, same audio)."""
    ranges: Ranges = []
    packets = 0
    headers: int | None = None
    pos = 0
    while pos + 27 <= len(buf) and buf[pos : pos + 4] == b"OggS":
        lacing = buf[pos + 27 : pos + 27 + buf[pos + 26]]
        body_start = pos + 27 + len(lacing)
        body_end = min(len(buf), body_start + sum(lacing))
        if headers is None:
            headers = 2 if buf[body_start : body_start + 8] == b"OpusHead" else 3  # Vorbis has 3 header packets
        if packets >= headers:
            ranges.append((body_start, body_end))
        packets += sum(1 for v in lacing if v < 255)
        pos = body_end
    return ranges or None
