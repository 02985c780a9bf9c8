"""Decoding audio files into float32 PCM through soundfile (libsndfile).

The libsndfile bundled with soundfile 0.14 reads WAV/AIFF, FLAC, Ogg (Vorbis, Opus) and MP3
(through mpg123, which drops the encoder delay and padding that LAME writes into its Xing header,
so an MP3's duration matches the source to the sample). M4A/AAC is not readable by libsndfile;
no permissively licensed, well-kept Python decoder that needs no downloaded FFmpeg binary is
installed here, so those files get a clear `UnsupportedAudioFormat` error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

from genrelens.core.audio.integrity import cut_short
from genrelens.core.errors import GenrelensError

#: Extensions `genrelens analyze` picks up when it walks a folder.
AUDIO_EXTENSIONS: frozenset[str] = frozenset({".mp3", ".flac", ".ogg", ".oga", ".opus", ".wav", ".aif", ".aiff"})
#: Extensions we recognise as audio but cannot decode here (see the module docstring).
UNSUPPORTED_EXTENSIONS: frozenset[str] = frozenset({".m4a", ".aac", ".mp4", ".alac", ".wma"})

#: Limits checked against the header before decoding, then again while decoding (a header can lie
#: or say nothing): a few hundred kilobytes of compressed silence can hold hours of audio.
MAX_SECONDS = 20 * 60
MAX_CHANNELS = 8
MAX_SAMPLE_RATE = 384_000
#: decoded samples (frames x channels) at most: 20 minutes of 48 kHz stereo, 440 MiB as float32
MAX_SAMPLES = MAX_SECONDS * 48_000 * 2
_BLOCK_FRAMES = 1 << 18


class AudioError(GenrelensError):
    """An audio file could not be analysed; the message says which file and why."""


class UnsupportedAudioFormat(AudioError):
    """The file's format is one this installation cannot decode (M4A/AAC, WMA...)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """PCM of a whole file: `samples` has shape (frames, channels), float32 in [-1, 1].
    `truncated`: the file was cut short, and `samples` is the audio up to the cut."""

    samples: npt.NDArray[np.float32]
    sr: int
    truncated: bool = False

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        return self.frames / self.sr

    def mono(self) -> npt.NDArray[np.float32]:
        """Channel average; written as a sum of columns because ndarray.mean(axis=1) on a
        (frames, 2) float32 array is several times slower."""
        x = self.samples
        if x.shape[1] == 1:
            return np.ascontiguousarray(x[:, 0])
        total = x[:, 0].copy()
        for ch in range(1, x.shape[1]):
            total += x[:, ch]
        total *= np.float32(1.0 / x.shape[1])
        return total


def decode(path: str | Path) -> Decoded:
    """Read the whole file. Raises `UnsupportedAudioFormat` or `AudioError`, never a library error.

    A file cut short (every format alike) is decoded up to the cut and flagged `truncated`; one
    with no decodable audio at all is refused."""
    p = Path(path)
    if p.suffix.lower() in UNSUPPORTED_EXTENSIONS:
        raise UnsupportedAudioFormat(
            f"{p.name}: {p.suffix.lower()} (AAC/ALAC/WMA) is not supported; convert it to FLAC, MP3 or Ogg"
        )
    if not p.is_file():
        raise AudioError(f"{p}: no such file")
    try:
        samples, sr, declared, broken = _read_bounded(p)
    except sf.LibsndfileError as exc:
        # libsndfile says "File does not exist" for any stream it cannot parse; the file does exist
        reason = "no decodable audio stream" if "does not exist" in exc.error_string else exc.error_string
        raise AudioError(f"{p.name}: unreadable or corrupt audio ({reason})") from exc
    except (OSError, RuntimeError, ValueError) as exc:
        raise AudioError(f"{p.name}: cannot read ({exc})") from exc
    if samples.shape[0] == 0:
        raise AudioError(f"{p.name}: the file holds no audio frames")
    if not np.isfinite(samples).all():  # only float WAV/AIFF can hold NaN; it would poison every feature
        raise AudioError(f"{p.name}: the decoded audio contains NaN or infinite samples")
    truncated = broken or cut_short(p, samples.shape[0], declared)
    return Decoded(samples=samples, sr=int(sr), truncated=truncated)


def _read_bounded(p: Path) -> tuple[npt.NDArray[np.float32], int, int, bool]:
    """(samples, rate, frames the header declares, whether decoding broke off part-way).

    Refused from its header when too long or too wide, and read in blocks that stop at
    MAX_SECONDS / MAX_SAMPLES whatever the header said. A decoder error after some audio (libFLAC
    loses sync where a FLAC file was cut) keeps the audio decoded up to it; an error before any
    audio propagates."""
    with sf.SoundFile(str(p)) as handle:
        sr, channels, declared = int(handle.samplerate), int(handle.channels), int(handle.frames)
        _check_header(p, sr=sr, channels=channels, frames=declared)
        limit = min(MAX_SECONDS * sr, MAX_SAMPLES // channels)
        blocks: list[npt.NDArray[np.float32]] = []
        read, broken = 0, False
        while True:
            try:
                block = handle.read(frames=_BLOCK_FRAMES, dtype="float32", always_2d=True)
            except sf.LibsndfileError:
                salvaged = _salvage(handle, read)
                if not blocks and not salvaged:
                    raise
                blocks.extend(salvaged)
                broken = True
                break
            if block.shape[0] == 0:
                break
            read += block.shape[0]
            if read > limit:
                raise AudioError(f"{p.name}: longer than the limit of {MAX_SECONDS // 60} minutes")
            blocks.append(block)
    if not blocks:
        return np.zeros((0, channels), dtype=np.float32), sr, declared, broken
    return (blocks[0] if len(blocks) == 1 else np.concatenate(blocks)), sr, declared, broken


_SALVAGE_BLOCK = 4096  # small, so little is lost with the block the error falls in


def _salvage(handle: sf.SoundFile, start: int) -> list[npt.NDArray[np.float32]]:
    """What decodes from `start` in small blocks, up to the decoder error."""
    handle.seek(start)
    blocks: list[npt.NDArray[np.float32]] = []
    try:
        while len(block := handle.read(_SALVAGE_BLOCK, dtype="float32", always_2d=True)):
            blocks.append(block)
    except sf.LibsndfileError:
        pass
    return blocks


def _check_header(p: Path, *, sr: int, channels: int, frames: int) -> None:
    if not 0 < channels <= MAX_CHANNELS:
        raise AudioError(f"{p.name}: {channels} channels; at most {MAX_CHANNELS} are analysed")
    if not 0 < sr <= MAX_SAMPLE_RATE:
        raise AudioError(f"{p.name}: sample rate {sr} Hz is outside 1..{MAX_SAMPLE_RATE} Hz")
    # libsndfile reports a huge count when the length is unknown; only a plausible one is judged here
    if 0 < frames < 2**62 and (frames > MAX_SECONDS * sr or frames * channels > MAX_SAMPLES):
        raise AudioError(f"{p.name}: {frames / sr / 60:.0f} minutes long; the limit is {MAX_SECONDS // 60} minutes")
