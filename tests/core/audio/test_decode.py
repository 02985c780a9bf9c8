from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from genrelens.core.audio import AudioError, UnsupportedAudioFormat, decode, synth
from tests.core.audio.conftest import WriteAudio

# 7.3 s at 44.1 kHz is 321 930 frames: not a multiple of any codec's frame size, so padding would show
DURATION = 7.3
SR = 44100


def _stereo() -> np.ndarray:
    mono = synth.song(DURATION, sr=SR, seed=2).samples
    return np.stack([mono, 0.5 * mono], axis=1)


@pytest.mark.parametrize(("ext", "tolerance_ms"), [("wav", 1.0), ("flac", 1.0), ("ogg", 30.0), ("mp3", 30.0)])
def test_each_format_decodes_to_its_true_duration(write_audio: WriteAudio, ext: str, tolerance_ms: float) -> None:
    path = write_audio(f"song.{ext}", _stereo(), SR)
    decoded = decode(path)
    assert decoded.sr == SR
    assert decoded.samples.shape[1] == 2
    assert decoded.samples.dtype == np.float32
    assert abs(decoded.duration - DURATION) * 1000 <= tolerance_ms


def test_lossless_formats_return_the_samples_written(write_audio: WriteAudio) -> None:
    x = _stereo()
    decoded = decode(write_audio("song.flac", x, SR))
    # FLAC stores 16-bit PCM: equal up to one quantisation step
    assert np.max(np.abs(decoded.samples - x)) <= 1.0 / 32768 + 1e-7


def test_mono_mix_averages_the_channels(write_audio: WriteAudio) -> None:
    x = _stereo()
    decoded = decode(write_audio("song.wav", x, SR))
    np.testing.assert_allclose(decoded.mono(), x.mean(axis=1), atol=1e-4)


def test_aac_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "track.m4a"
    path.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(64))
    with pytest.raises(UnsupportedAudioFormat, match=r"\.m4a .*not supported"):
        decode(path)


def test_corrupt_file_raises_audio_error_not_a_library_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.mp3"
    path.write_bytes(b"this is not audio " * 200)
    with pytest.raises(AudioError, match=r"broken\.mp3: unreadable or corrupt audio"):
        decode(path)


def test_truncated_wav_header_is_an_audio_error(write_audio: WriteAudio) -> None:
    path = write_audio("cut.wav", _stereo(), SR)
    path.write_bytes(path.read_bytes()[:30])
    with pytest.raises(AudioError, match=r"cut\.wav"):
        decode(path)


def test_empty_and_missing_files_are_audio_errors(write_audio: WriteAudio, tmp_path: Path) -> None:
    empty = write_audio("empty.wav", np.zeros((0, 2), dtype=np.float32), SR)
    with pytest.raises(AudioError, match="no audio frames"):
        decode(empty)
    with pytest.raises(AudioError, match="no such file"):
        decode(tmp_path / "nope.flac")


def test_float_wav_with_nan_samples_is_refused(tmp_path: Path) -> None:
    import soundfile as sf

    x = _stereo()
    x[len(x) // 2 + 1, 1] = np.nan  # in the middle, where a sampled check would miss it
    path = tmp_path / "nan.wav"
    sf.write(path, x, SR, subtype="FLOAT")
    with pytest.raises(AudioError, match="NaN"):
        decode(path)


@pytest.mark.parametrize("ext", ["wav", "flac", "mp3", "ogg"])
def test_a_file_cut_to_40_percent_decodes_up_to_the_cut_and_says_truncated(write_audio: WriteAudio, ext: str) -> None:
    # every format behaves alike: libsndfile alone reads a cut WAV/MP3/Ogg silently and refuses a cut FLAC
    path = write_audio(f"song.{ext}", _stereo(), SR)
    assert decode(path).truncated is False
    path.write_bytes(path.read_bytes()[: int(path.stat().st_size * 0.4)])
    decoded = decode(path)
    assert decoded.truncated is True
    assert 0.2 * DURATION <= decoded.duration <= 0.45 * DURATION


def test_a_wav_whose_data_chunk_ends_early_is_truncated_even_with_a_whole_frame(write_audio: WriteAudio) -> None:
    path = write_audio("song.wav", _stereo(), SR)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 4 * 1000])  # 1000 whole stereo 16-bit frames missing
    assert decode(path).truncated is True


def test_the_analysis_of_a_cut_file_reports_truncated_in_its_json(write_audio: WriteAudio) -> None:
    from genrelens.core.audio import analyze_file

    path = write_audio("song.flac", _stereo(), SR)
    path.write_bytes(path.read_bytes()[: int(path.stat().st_size * 0.4)])
    result = analyze_file(path)
    assert result.error is None
    assert result.to_json()["truncated"] is True
    assert set(result.to_json()["confidence"]) == {"tempo", "beats", "time_signature", "key"}


PREVIEWS = Path(__file__).parents[3] / ".." / "shared" / "data" / "spotify-previews" / "audio"


@pytest.mark.shared_data
def test_whole_real_mp3s_without_a_xing_header_are_not_called_truncated() -> None:
    # their decoder length is a bitrate guess (0.7 % long on these previews), not a declared count
    if not PREVIEWS.is_dir():
        pytest.skip(f"shared previews absent: {PREVIEWS}")
    files = sorted(PREVIEWS.glob("*.mp3"))[:20]
    assert files
    assert [f.name for f in files if decode(f).truncated] == []
