from __future__ import annotations

import numpy as np
import pytest

from genrelens.core.audio import synth
from genrelens.core.audio.rhythm import Rhythm, analyse_rhythm, tempo_from_beats
from genrelens.core.audio.spectral import ANALYSIS_SR, analyse_spectra


def _rhythm(s: synth.Synth) -> Rhythm:
    assert s.sr == ANALYSIS_SR
    return analyse_rhythm(analyse_spectra(s.samples))


@pytest.mark.parametrize("style", ["rock", "four_on_the_floor"])
@pytest.mark.parametrize("bpm", [90, 97, 104, 112, 120, 126, 133, 141, 150])
def test_tempo_is_within_one_percent_for_90_to_150_bpm_drum_patterns(style: str, bpm: int) -> None:
    tempo = _rhythm(synth.drum_pattern(bpm, 20.0, style=style, seed=bpm)).tempo
    assert tempo == pytest.approx(bpm, rel=0.01)


@pytest.mark.parametrize("bpm", [60, 72, 80, 160, 175, 190])
def test_tempo_outside_the_band_is_right_or_an_exact_half_or_double(bpm: int) -> None:
    tempo = _rhythm(synth.drum_pattern(bpm, 20.0, style="rock", seed=bpm)).tempo
    ratio = tempo / bpm
    assert any(ratio == pytest.approx(k, rel=0.01) for k in (0.5, 1.0, 2.0)), tempo


@pytest.mark.parametrize("bpm", [63, 84, 108, 120, 144, 171, 189])
def test_waltz_gives_three_and_four_on_the_floor_gives_four(bpm: int) -> None:
    assert _rhythm(synth.drum_pattern(bpm, 20.0, style="waltz", seed=1)).time_signature == 3
    assert _rhythm(synth.drum_pattern(bpm, 20.0, style="four_on_the_floor", seed=1)).time_signature == 4
    assert _rhythm(synth.drum_pattern(bpm, 20.0, style="rock", seed=1)).time_signature == 4


@pytest.mark.parametrize("bpm", [70, 96, 120, 138, 165])
def test_at_least_95_percent_of_click_beats_are_found_within_70_ms(bpm: int) -> None:
    clicks = synth.click_track(bpm, 30.0, jitter=0.01, seed=bpm)
    found = _rhythm(clicks).beats
    truth = np.array(clicks.beats)
    hit = [np.min(np.abs(found - t)) <= 0.070 for t in truth]
    assert np.mean(hit) >= 0.95
    # and the tracker does not pad the list with extra beats between the clicks
    assert len(found) <= len(truth) * 1.05


def test_downbeats_fall_on_the_bar_lines_of_a_waltz() -> None:
    waltz = synth.drum_pattern(100, 20.0, style="waltz", seed=2)
    downbeats = _rhythm(waltz).downbeats
    truth = np.array(waltz.downbeats)
    assert len(downbeats) >= len(truth) - 2
    assert all(np.min(np.abs(truth - d)) <= 0.07 for d in downbeats)


@pytest.mark.parametrize(("bpm", "seed"), [(96, 1), (120, 2), (128, 2), (140, 2)])
def test_downbeats_of_a_rock_groove_follow_the_chord_changes(bpm: int, seed: int) -> None:
    from genrelens.core.audio.tonal import analyse_tonality

    song = synth.song(30.0, bpm=bpm, key=3 * seed, mode=seed % 2, seed=seed)
    tonality = analyse_tonality(song.samples)
    found = analyse_rhythm(analyse_spectra(song.samples), tonality.chroma, tonality.frame_rate).downbeats
    truth = np.array(song.downbeats)
    # kick on 1 and 3 makes beat 3 look like a downbeat too; only the harmony tells them apart
    assert len(found) >= len(truth) - 1
    assert all(np.min(np.abs(truth - d)) <= 0.07 for d in found)


def test_downbeats_of_house_land_on_one_not_on_the_clap() -> None:
    from genrelens.core.audio import analyze_signal

    track = synth.house(20.0)
    found = analyze_signal(track.samples, track.sr).downbeats
    truth = np.array(track.downbeats)
    # the clap on 2 and 4 is the loudest accent, but bars start where kick and chords move
    assert len(found) >= len(truth) - 1
    assert all(np.min(np.abs(truth - d)) <= 0.07 for d in found)


def test_silence_has_no_beats_and_tempo_zero() -> None:
    r = analyse_rhythm(analyse_spectra(np.zeros(ANALYSIS_SR * 5, dtype=np.float32)))
    assert (len(r.beats), r.tempo, r.time_signature) == (0, 0.0, 4)


def test_tempo_from_beats_survives_a_skipped_beat() -> None:
    beats = np.arange(40) * 0.5
    skipped = np.delete(beats, [10, 25])
    assert tempo_from_beats(skipped) == pytest.approx(120.0, rel=1e-6)


def test_beats_follow_a_tempo_that_drifts_by_ten_percent() -> None:
    # a live band speeding up from 110 to 121 BPM over 30 s: a tracker held to one tempo slides off
    # the beat by the end, the beat-pointer model follows it
    from genrelens.core.audio.synth import Synth, click

    sr, rng = ANALYSIS_SR, np.random.default_rng(7)
    periods = 60.0 / np.linspace(110.0, 121.0, 60)
    times = 0.5 + np.concatenate([[0.0], np.cumsum(periods)])
    times = times[times < 29.5]
    out = np.zeros(30 * sr)
    sound = click(sr, rng)
    for t in times:
        start = int(t * sr)
        out[start : start + len(sound)] += sound[: len(out) - start]
    found = _rhythm(Synth(out.astype(np.float32), sr, tuple(times), tuple(times[::4]))).beats
    hit = [np.min(np.abs(found - t)) <= 0.070 for t in times]
    assert np.mean(hit) >= 0.95
    assert len(found) <= len(times) * 1.05


def test_the_tempo_estimate_matches_librosas_tempogram_estimate() -> None:
    import librosa

    from genrelens.core.audio.rhythm import RhythmParams, estimate_tempo

    prior = RhythmParams()
    for bpm in (75, 104, 131, 166):
        envelope = analyse_spectra(synth.drum_pattern(bpm, 20.0, seed=bpm).samples).pulse
        reference = librosa.feature.tempo(
            onset_envelope=envelope,
            sr=ANALYSIS_SR,
            hop_length=512,
            start_bpm=prior.prior_bpm,
            std_bpm=prior.prior_octaves,
        )[0]
        assert estimate_tempo(envelope.astype(np.float64)) == pytest.approx(reference, rel=1e-9)
