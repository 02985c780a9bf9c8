"""Is a file's audio all there? Container checks for files cut short (an interrupted download or copy).

Decoders read a truncated WAV, MP3 or Ogg to wherever the bytes stop and say nothing, so each
container's own bookkeeping is compared with what is in the file:

- WAV/RIFF: the `data` chunk declares its size; fewer bytes follow it.
- Ogg: the last page of a complete stream carries the end-of-stream flag, and every page's body
  is as long as its header says.
- FLAC (STREAMINFO's sample count) and MP3 with a Xing/Info header (LAME's frame count): the
  decoder reports the declared length, which is compared with the frames actually decoded. An MP3
  without that header declares nothing (the decoder's length is a guess from the bitrate and file
  size, 0.7 % long on real 30-second previews), so its truncation goes unseen.
"""

from __future__ import annotations

import mmap
import os
import struct
from pathlib import Path

#: decoded frames may fall short of the declared count by this much (codec frame padding) before
#: the file counts as cut short: well under 0.1 s at any rate
_SLACK_FRAMES = 4096

_OGG_EOS = 0x04
#: the Xing/Info header sits in the first MPEG frame, after the 4-byte header and side information
_XING_SEARCH_BYTES = 64


def cut_short(path: str | Path, decoded_frames: int, declared_frames: int) -> bool:
    """True when the audio in `path` ends before its container says it should. `declared_frames` is
    the decoder's idea of the length, trusted only where the container states it exactly."""
    short = declared_frames > decoded_frames + _SLACK_FRAMES
    with Path(path).open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return False
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            if buf[:4] == b"RIFF" and buf[8:12] == b"WAVE":
                return _riff_data_cut(buf)
            if buf[:4] == b"OggS":
                return _ogg_cut(buf)
            start = id3v2_end(buf)
            if len(buf) > start + 1 and buf[start] == 0xFF and buf[start + 1] & 0xE0 == 0xE0:
                head = bytes(buf[start : start + _XING_SEARCH_BYTES])
                return short and (b"Xing" in head or b"Info" in head)
    return short  # FLAC's STREAMINFO, AIFF's COMM chunk: exact counts


def id3v2_end(buf: bytes | mmap.mmap) -> int:
    """Where the audio starts after any ID3v2 tags at the front of an MP3 (or FLAC) file."""
    pos = 0
    while buf[pos : pos + 3] == b"ID3" and len(buf) >= pos + 10:
        size = 0
        for b in buf[pos + 6 : pos + 10]:  # "syncsafe": 7 bits per byte
            size = (size << 7) | (b & 0x7F)
        footer = 10 if buf[pos + 5] & 0x10 else 0
        pos += 10 + size + footer
    return pos


def _riff_data_cut(buf: mmap.mmap) -> bool:
    pos = 12
    while pos + 8 <= len(buf):
        (size,) = struct.unpack_from("<I", buf, pos + 4)
        if buf[pos : pos + 4] == b"data":
            # 0 and 0xFFFFFFFF are what streaming writers put when they cannot seek back to fill it in
            return size not in (0, 0xFFFFFFFF) and pos + 8 + size > len(buf)
        pos += 8 + size + (size & 1)  # chunks are padded to an even length
    return False


def _ogg_cut(buf: mmap.mmap) -> bool:
    pos, last_flags = 0, 0
    while pos + 27 <= len(buf) and buf[pos : pos + 4] == b"OggS":
        n_segments = buf[pos + 26]
        body = sum(buf[pos + 27 : pos + 27 + n_segments])
        end = pos + 27 + n_segments + body
        if end > len(buf):
            return True  # the last page stops part-way
        last_flags, pos = buf[pos + 5], end
    return not last_flags & _OGG_EOS
