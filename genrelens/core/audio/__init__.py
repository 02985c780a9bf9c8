"""Local audio analysis: features in Spotify's schema computed from the user's own files.

Call `analyze_file(path)` for one file, `analyze_paths(paths, ...)` for many (process pool,
progress bar, skipping known content), `content_key(path)` for a file's track key without
analysing it. See docs/audio-features.md for what each feature means and how it is obtained.
"""

from genrelens.core.audio.analyze import (
    ANALYSER_VERSION,
    HOW,
    AnalysisResult,
    SignalAnalysis,
    analyze_decoded,
    analyze_file,
    analyze_signal,
)
from genrelens.core.audio.decode import AUDIO_EXTENSIONS, AudioError, Decoded, UnsupportedAudioFormat, decode
from genrelens.core.audio.identity import KEY_PREFIX, content_key
from genrelens.core.audio.pool import analyze_paths, default_workers, expand_paths, warm_up
from genrelens.core.audio.tags import Tags, read_tags

__all__ = [
    "ANALYSER_VERSION",
    "AUDIO_EXTENSIONS",
    "HOW",
    "KEY_PREFIX",
    "AnalysisResult",
    "AudioError",
    "Decoded",
    "SignalAnalysis",
    "Tags",
    "UnsupportedAudioFormat",
    "analyze_decoded",
    "analyze_file",
    "analyze_paths",
    "analyze_signal",
    "content_key",
    "decode",
    "default_workers",
    "expand_paths",
    "read_tags",
    "warm_up",
]
