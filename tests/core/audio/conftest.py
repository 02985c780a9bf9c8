"""Fixtures for the audio tests: files the tests synthesise in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from genrelens.core.audio import synth

WriteAudio = Callable[..., Path]


@pytest.fixture
def write_audio(tmp_path: Path) -> WriteAudio:
    """write_audio("name.flac", samples, sr) -> path of a real file in a temp folder."""

    def write(name: str, samples: np.ndarray, sr: int) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        synth.write_audio(path, samples, sr)
        return path

    return write
