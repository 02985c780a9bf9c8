from __future__ import annotations

from pathlib import Path

import pytest

from genrelens.core.audio import ANALYSER_VERSION, HOW, content_key, synth
from genrelens.core.providers.local import LocalAudioProvider
from genrelens.core.providers.registry import get_provider
from genrelens.core.types import TrackRef
from tests.core.audio.conftest import WriteAudio


@pytest.fixture
def two_files(write_audio: WriteAudio) -> dict[str, Path]:
    a = write_audio("a.flac", synth.song(8.0, bpm=120, key=2, mode=1, seed=1).samples, 22050)
    b = write_audio("b.mp3", synth.drum_pattern(100, 8.0, seed=2).samples, 22050)
    return {content_key(a): a, content_key(b): b}


def test_it_answers_local_tracks_with_provenance(two_files: dict[str, Path]) -> None:
    provider = LocalAudioProvider(local_paths=two_files)
    refs = [TrackRef(key=k) for k in two_files]
    answers = {a.track_key: a for a in provider.fetch(refs)}
    assert set(answers) == set(two_files)
    for answer in answers.values():
        assert answer.source == "local"
        assert answer.source_version == ANALYSER_VERSION
        assert dict(answer.how) == dict(HOW)
        assert answer.features.duration_ms == 8000
    song = answers[next(iter(two_files))].features
    assert (song.key, song.mode) == (2, 1)


def test_tracks_it_does_not_know_are_absent_not_empty(two_files: dict[str, Path]) -> None:
    provider = LocalAudioProvider(local_paths=two_files)
    refs = [
        TrackRef(key="4uLU6hMCjMI75M1A2tKUQC", spotify_id="4uLU6hMCjMI75M1A2tKUQC"),
        TrackRef(key="local:" + "0" * 64),
    ]
    assert provider.fetch(refs) == []


def test_a_file_whose_audio_changed_is_not_answered_for(two_files: dict[str, Path], write_audio: WriteAudio) -> None:
    key, path = next(iter(two_files.items()))
    write_audio(path.name, synth.click_track(80, 5.0).samples, 22050)  # same path, other audio
    assert LocalAudioProvider(local_paths={key: path}).fetch([TrackRef(key=key)]) == []


def test_a_corrupt_file_is_skipped_not_raised(tmp_path: Path) -> None:
    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"fLaC" + b"\x00" * 100)
    assert LocalAudioProvider(local_paths={"local:abc": bad}).fetch([TrackRef(key="local:abc")]) == []


def test_the_registry_builds_it_from_the_shared_dependency_bag(two_files: dict[str, Path]) -> None:
    provider = get_provider("local", local_paths=two_files, spotify_client=object())
    assert isinstance(provider, LocalAudioProvider) and provider.name == "local"


def test_the_provider_chain_fills_local_tracks_from_their_files(two_files: dict[str, Path]) -> None:
    from genrelens.core.providers.chain import run_chain
    from genrelens.core.providers.store import MemoryFeatureStore

    refs = [TrackRef(key=k) for k in two_files] + [TrackRef(key="local:" + "f" * 64)]  # the last has no file
    store = MemoryFeatureStore()
    report = run_chain(refs, [LocalAudioProvider(local_paths=two_files)], store, progress=False)
    assert report.counts == {"local": 2}
    assert report.missing == ["local:" + "f" * 64]
    assert store.keys_with_features(list(two_files)) == set(two_files)
    # a second run asks nobody: everything it could answer is stored
    again = run_chain(refs[:2], [LocalAudioProvider(local_paths=two_files)], store, progress=False)
    assert again.asked == {} and sorted(again.already_stored) == sorted(two_files)
    stored = store.features_for(next(iter(two_files)))
    assert [(row.source, row.how["tempo"], row.how["energy"]) for row in stored] == [("local", "measured", "estimated")]
