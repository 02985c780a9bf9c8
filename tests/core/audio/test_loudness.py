from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest

from genrelens.core.audio import synth
from genrelens.core.audio.loudness import FLOOR_LUFS, integrated_loudness, k_weighting_sos


def test_filters_reproduce_the_coefficients_printed_in_bs1770_at_48k() -> None:
    sos = k_weighting_sos(48000)
    np.testing.assert_allclose(sos[0, :3], [1.53512485958697, -2.69169618940638, 1.19839281085285], rtol=1e-6)
    np.testing.assert_allclose(sos[0, 4:], [-1.69065929318241, 0.73248077421585], rtol=1e-6)
    np.testing.assert_allclose(sos[1, 4:], [-1.99004745483398, 0.99007225036621], rtol=1e-6)


@pytest.mark.parametrize("sr", [48000, 44100])
def test_a_minus_20_dbfs_stereo_sine_reads_minus_20_lufs(sr: int) -> None:
    assert integrated_loudness(synth.sine(997.0, 10.0, sr=sr, dbfs=-20.0), sr) == pytest.approx(-20.0, abs=0.1)


def test_one_channel_of_that_sine_reads_3_db_lower() -> None:
    mono = synth.sine(997.0, 10.0, sr=48000, dbfs=-20.0, channels=1)
    assert integrated_loudness(mono, 48000) == pytest.approx(-23.01, abs=0.1)


@pytest.mark.parametrize("gain_db", [-12.0, -3.5, 4.0])
def test_a_gain_change_shifts_loudness_by_the_gain(gain_db: float) -> None:
    music = synth.song(20.0, sr=44100, seed=3).samples * 0.5
    stereo = np.stack([music, 0.8 * music], axis=1)
    base = integrated_loudness(stereo, 44100)
    shifted = integrated_loudness(stereo * np.float32(10 ** (gain_db / 20)), 44100)
    assert shifted - base == pytest.approx(gain_db, abs=0.05)


def test_silence_reads_the_floor_never_minus_infinity() -> None:
    for silent in (np.zeros((48000 * 3, 2), np.float32), np.zeros((100, 1), np.float32)):
        value = integrated_loudness(silent, 48000)
        assert value == FLOOR_LUFS
        assert math.isfinite(value)


def test_loudness_is_clamped_to_zero_at_the_top() -> None:
    square = np.sign(synth.sine(100.0, 3.0, sr=48000, dbfs=0.0)).astype(np.float32)
    assert integrated_loudness(square * 4, 48000) == 0.0


def test_gating_agrees_with_pyloudnorm_on_music_with_quiet_passages() -> None:
    music = synth.song(20.0, sr=48000, seed=4).samples
    quiet = np.concatenate([music, 0.01 * music, music])
    stereo = np.stack([quiet, quiet], axis=1)
    reference = pyloudnorm.Meter(48000).integrated_loudness(stereo.astype(np.float64))
    assert integrated_loudness(stereo, 48000) == pytest.approx(reference, abs=0.05)


def test_a_clip_shorter_than_one_gating_block_is_still_measured() -> None:
    short = synth.sine(997.0, 0.2, sr=48000, dbfs=-20.0)
    assert integrated_loudness(short, 48000) == pytest.approx(-20.0, abs=0.3)
