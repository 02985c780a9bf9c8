from __future__ import annotations

import numpy as np
import soxr

from genrelens.core.audio import synth
from genrelens.core.audio.tonal import analyse_tonality

KEY_NAMES = synth.PITCH_CLASSES


def test_at_least_23_of_24_cadences_get_key_and_mode_right() -> None:
    wrong = []
    for mode in (1, 0):
        for key in range(12):
            t = analyse_tonality(synth.cadence(key, mode).samples)
            if (t.key, t.mode) != (key, mode):
                wrong.append(f"{KEY_NAMES[key]} {'major' if mode else 'minor'} -> {t.key}/{t.mode}")
    assert len(wrong) <= 1, wrong


def test_a_band_tuned_a_third_of_a_semitone_sharp_still_gets_its_key() -> None:
    d_major = synth.cadence(2, 1).samples
    sharp = soxr.resample(d_major, 22050, 22050 * 2 ** (-0.35 / 12)).astype(np.float32)  # replay faster
    t = analyse_tonality(sharp)
    assert (t.key, t.mode) == (2, 1)


def test_no_confident_key_for_drums_noise_or_silence() -> None:
    rng = np.random.default_rng(0)
    for signal in (
        synth.drum_pattern(120, 10.0).samples,
        (0.2 * rng.standard_normal(22050 * 10)).astype(np.float32),
        np.zeros(22050 * 10, dtype=np.float32),
    ):
        assert analyse_tonality(signal).key == -1
