"""Untrusted audio (issue 19, finding 2): a few hundred kilobytes of compressed silence can hold
hours of audio, so length and width are checked from the header, decoding stops at the cap, and
uploads are analysed in a child process with a memory cap and a time limit."""

from __future__ import annotations

import time
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from genrelens.core.audio import AudioError, decode, sandboxed, synth
from genrelens.core.audio.decode import MAX_SECONDS
from genrelens.core.audio.sandboxed import OUT_OF_MEMORY, analyze_limited


def silence(path: Path, *, seconds: float, sr: int, channels: int = 1) -> Path:
    """Written block by block: the test itself never holds the whole signal."""
    block = np.zeros((sr * 60, channels), dtype=np.float32)
    kind = "FLAC" if path.suffix == ".flac" else "WAV"
    with sf.SoundFile(path, "w", samplerate=sr, channels=channels, format=kind, subtype="PCM_16") as out:
        left = int(seconds * sr)
        while left > 0:
            out.write(block[: min(left, len(block))])
            left -= len(block)
    return path


def test_hours_of_compressed_silence_are_refused_from_the_header(tmp_path: Path) -> None:
    path = silence(tmp_path / "long.flac", seconds=MAX_SECONDS + 120, sr=44100, channels=2)
    assert path.stat().st_size < 2_000_000  # what the web server receives...
    started = time.monotonic()
    with pytest.raises(AudioError, match="22 minutes long; the limit is 20 minutes"):
        decode(path)  # ...would be 465 MB of float32 decoded
    assert time.monotonic() - started < 3.0  # nothing was decoded (decoding it takes far longer)


def test_too_many_channels_are_refused_from_the_header(tmp_path: Path) -> None:
    path = silence(tmp_path / "wide.wav", seconds=1, sr=8000, channels=9)
    with pytest.raises(AudioError, match="9 channels; at most 8"):
        decode(path)


def test_a_file_within_the_limits_decodes_whole(tmp_path: Path) -> None:
    path = silence(tmp_path / "ok.flac", seconds=150, sr=8000)
    assert decode(path).frames == 150 * 8000


def test_a_child_analysis_past_its_memory_cap_fails_with_a_plain_reason(tmp_path: Path) -> None:
    path = silence(tmp_path / "ten-minutes.flac", seconds=600, sr=44100, channels=2)  # 212 MB decoded
    result = analyze_limited(path, memory_bytes=64 * 1024**2, seconds=120)
    assert result.error is not None and OUT_OF_MEMORY in result.error


def test_a_child_analysis_past_its_time_limit_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "song.wav"
    synth.write_audio(path, synth.song(20.0, sr=22050, seed=1).samples, 22050)
    result = analyze_limited(path, memory_bytes=2 * 1024**3, seconds=0.05)
    assert result.error is not None and "took longer than its limit of 0.05 s" in result.error


def test_a_child_analysis_within_its_limits_gives_the_same_result(tmp_path: Path) -> None:
    from genrelens.core.audio.analyze import analyze_file

    path = tmp_path / "drums.wav"
    synth.write_audio(path, synth.drum_pattern(124.0, 8.0).samples, 22050)
    limited = analyze_limited(path, memory_bytes=2 * 1024**3, seconds=120)
    assert limited.error is None and limited.to_json() == analyze_file(path).to_json()


def _report_warmth(sender: Connection) -> None:
    from genrelens.core.audio import cqt_basis

    sender.send(cqt_basis.bases_built())
    sender.close()


def test_a_sandbox_child_starts_with_the_analysis_already_warm() -> None:
    # forked from the fork server, which ran one analysis: the CQT's filters (and librosa's
    # modules, numba's code) come with the child instead of being rebuilt for every upload
    receiver, sender = sandboxed._CONTEXT.Pipe(duplex=False)
    child = sandboxed._CONTEXT.Process(target=_report_warmth, args=(sender,), daemon=True)
    child.start()
    sender.close()
    assert receiver.poll(60)
    assert receiver.recv() > 0
    child.join()
