"""Whole-file analysis: decode once, compute every feature, return one result (never raise).

Pipeline and why it is fast: decode (soundfile) -> BS.1770 loudness on the original channels and
rate -> one mono mix resampled to 22050 Hz -> one STFT shared by onset, mel, MFCC and spectral
statistics -> beat tracking on the onset envelope we already have (no second STFT, no HPSS) ->
CQT chroma on an 11025 Hz copy -> key, sections and the estimated features from those.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import librosa
import numpy as np
import numpy.typing as npt

from genrelens.core.audio import calibration, descriptors, loudness, structure
from genrelens.core.audio.decode import AudioError, Decoded, decode
from genrelens.core.audio.identity import content_key
from genrelens.core.audio.rhythm import Rhythm, analyse_rhythm
from genrelens.core.audio.spectral import ANALYSIS_SR, HOP, Spectra, analyse_spectra, resample
from genrelens.core.audio.tags import Tags, read_tags
from genrelens.core.audio.tonal import Tonality, analyse_tonality
from genrelens.core.types import FEATURE_NAMES, AudioFeatures

#: Bumped whenever a change alters any output, so stored features can be told apart by version.
ANALYSER_VERSION = f"genrelens-audio 1.4 (librosa {version('librosa')})"

MEASURED: tuple[str, ...] = ("duration_ms", "tempo", "key", "mode", "loudness", "time_signature")
ESTIMATED: tuple[str, ...] = calibration.DESCRIPTORS
#: How each reported field was obtained; liveness is absent because it is never reported (null).
HOW: Mapping[str, str] = {**dict.fromkeys(MEASURED, "measured"), **dict.fromkeys(ESTIMATED, "estimated")}


@dataclass(frozen=True, slots=True)
class SignalAnalysis:
    """Everything computed from PCM alone (no file involved)."""

    features: AudioFeatures
    beats: tuple[float, ...]
    downbeats: tuple[float, ...]
    sections: tuple[float, ...]
    measurements: descriptors.Measurements | None = None
    confidence: Mapping[str, float] = field(default_factory=dict)
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """One file's analysis. `error` is set (and the rest left empty) when the file could not be used."""

    path: str
    track_key: str | None
    tags: Tags = field(default_factory=Tags)
    features: AudioFeatures = field(default_factory=AudioFeatures)
    how: Mapping[str, str] = field(default_factory=dict)
    beats: tuple[float, ...] = ()
    downbeats: tuple[float, ...] = ()
    sections: tuple[float, ...] = ()
    #: how sure each estimate is, in [0, 1]: "tempo", "beats", "time_signature" (with the
    #: downbeats) and "key" (with the mode); see docs/audio-features.md
    confidence: Mapping[str, float] = field(default_factory=dict)
    #: the file was cut short: everything describes the audio up to the cut
    truncated: bool = False
    error: str | None = None
    #: per estimated descriptor, its cross-validated agreement with Spotify's values
    fidelity: Mapping[str, Mapping[str, Any]] = field(default_factory=calibration.fidelity)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        """The object `genrelens analyze --json` prints for this file."""
        return {
            "path": self.path,
            "track_id": self.track_key,
            "features": {name: getattr(self.features, name) for name in FEATURE_NAMES},
            "how": dict(self.how),
            "fidelity": {name: dict(values) for name, values in self.fidelity.items()},
            "beats": list(self.beats),
            "downbeats": list(self.downbeats),
            "sections": list(self.sections),
            "confidence": dict(self.confidence),
            "truncated": self.truncated,
            "error": self.error,
        }


def analyze_file(path: str | Path) -> AnalysisResult:
    """Analyse one audio file. Never raises for a bad file: the result's `error` says what went wrong."""
    p = Path(path)
    try:
        key = content_key(p)
        decoded = decode(p)
        result = analyze_decoded(decoded)
    except AudioError as exc:
        return AnalysisResult(path=str(p), track_key=None, error=str(exc))
    except Exception as exc:  # one strange file must not end a scan of a whole library
        reason = f"{type(exc).__name__}: {exc}"
        return AnalysisResult(path=str(p), track_key=None, error=f"{p.name}: analysis failed ({reason})")
    return AnalysisResult(
        path=str(p),
        track_key=key,
        tags=read_tags(p),
        features=result.features,
        how=dict(HOW),
        beats=result.beats,
        downbeats=result.downbeats,
        sections=result.sections,
        confidence=result.confidence,
        truncated=result.truncated,
    )


@dataclass(frozen=True, slots=True)
class _FrontEnd:
    spectra: Spectra
    tonality: Tonality
    rhythm: Rhythm
    lufs: float
    blocks: npt.NDArray[np.float64]
    y: npt.NDArray[np.float32]

    def measurements(self) -> descriptors.Measurements:
        return measure(self.spectra, self.rhythm, self.tonality, self.lufs, self.blocks, self.y)


def _front_end(decoded: Decoded) -> _FrontEnd:
    blocks = loudness.block_energies(decoded.samples, decoded.sr)
    y = resample(decoded.mono(), decoded.sr, ANALYSIS_SR)
    spectra = analyse_spectra(y)
    tonality = analyse_tonality(y)
    # chroma only says where chords change when there are chords: a track with no key (drums,
    # speech) would offer the drum sounds' own "chroma" changes as harmony
    harmony = tonality.chroma if tonality.key >= 0 else None
    rhythm = analyse_rhythm(spectra, harmony, tonality.frame_rate)
    return _FrontEnd(spectra, tonality, rhythm, loudness.gated_loudness(blocks), blocks, y)


def measure_decoded(decoded: Decoded) -> descriptors.Measurements:
    """The signal measures alone, without the calibrated estimates (what calibration is fitted on)."""
    return _front_end(decoded).measurements()


def analyze_decoded(decoded: Decoded) -> SignalAnalysis:
    """All features of decoded PCM (frames, channels) at its own sample rate."""
    front = _front_end(decoded)
    spectra, tonality, rhythm, lufs = front.spectra, front.tonality, front.rhythm, front.lufs
    duration = decoded.duration
    sections = structure.section_starts(
        tonality.chroma,
        tonality.frame_rate,
        structure.mfcc_from_mel_db(spectra.mel_db),
        spectra.frame_rate,
        rhythm.beats,
        duration,
    )
    m = front.measurements()
    estimated = calibration.estimate(m)
    features = AudioFeatures(
        duration_ms=round(duration * 1000),
        tempo=round(rhythm.tempo, 3),
        key=tonality.key,
        mode=tonality.mode,
        loudness=round(lufs, 3),
        time_signature=rhythm.time_signature,
        liveness=None,
        **estimated,
    )
    return SignalAnalysis(
        features=features,
        beats=_seconds(rhythm.beats),
        downbeats=_seconds(rhythm.downbeats),
        sections=tuple(sections),
        measurements=m,
        confidence={
            "tempo": round(rhythm.tempo_confidence, 3),
            "beats": round(rhythm.beat_confidence, 3),
            "time_signature": round(rhythm.meter_confidence, 3),
            "key": round(tonality.confidence, 3),
        },
        truncated=decoded.truncated,
    )


def analyze_signal(samples: npt.NDArray[np.floating], sr: int) -> SignalAnalysis:
    """Convenience for PCM already in memory: (frames,) or (frames, channels)."""
    x = np.asarray(samples, dtype=np.float32)
    return analyze_decoded(Decoded(samples=x[:, None] if x.ndim == 1 else x, sr=sr))


def measure(
    spectra: Spectra,
    rhythm: Rhythm,
    tonality: Tonality,
    lufs: float,
    blocks: npt.NDArray[np.float64],
    y: npt.NDArray[np.float32],
) -> descriptors.Measurements:
    centroid, variation, flatness, sub = descriptors.spectral_stats(spectra)
    tonal_share, pitch_motion = descriptors.voice_band_motion(spectra)
    duration = max(len(y) / ANALYSIS_SR, 1e-3)
    contrast_mean, contrast_std = descriptors.spectral_contrast(spectra)
    changes = descriptors.mfcc_change(spectra)
    onsets = librosa.onset.onset_detect(onset_envelope=spectra.onset, sr=ANALYSIS_SR, hop_length=HOP)
    return descriptors.Measurements(
        loudness=lufs,
        loudness_range=descriptors.loudness_range(blocks),
        crest_db=descriptors.crest_db(y),
        onset_rate=len(onsets) / duration,
        pulse_clarity=descriptors.pulse_clarity(spectra.onset, spectra.frame_rate),
        beat_regularity=descriptors.beat_regularity(rhythm.beats),
        low_energy_rate=descriptors.low_energy_rate(spectra.power.sum(axis=0, dtype=np.float64), spectra.frame_rate),
        centroid_hz=centroid,
        centroid_variation=variation,
        flatness=flatness,
        sub_bass_ratio=sub,
        pitch_glide_rate=descriptors.pitch_glide_rate(spectra),
        tempo=rhythm.tempo,
        key=tonality.key,
        mode=tonality.mode,
        tonal_share=tonal_share,
        pitch_motion=pitch_motion,
        syllabic_modulation=descriptors.syllabic_modulation(spectra),
        onset_mean=float(spectra.onset.mean()) if spectra.n_frames else 0.0,
        beat_strength=descriptors.beat_strength(spectra.onset, rhythm.beat_frames),
        harmonic_share=descriptors.harmonic_share(spectra),
        zero_crossing_rate=descriptors.zero_crossing_rate(y),
        timbre_change=descriptors.timbre_change(changes),
        contrast_mean=contrast_mean,
        contrast_std=contrast_std,
        mfcc_mean=descriptors.mfcc_means(spectra),
        mfcc_change=changes,
    )


def _seconds(times: npt.NDArray[np.float64]) -> tuple[float, ...]:
    return tuple(round(float(t), 4) for t in times if math.isfinite(t))
