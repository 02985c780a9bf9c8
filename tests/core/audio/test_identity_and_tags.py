from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from genrelens.core.audio import content_key, read_tags, synth
from genrelens.core.audio.tags import write_tags
from tests.core.audio.conftest import WriteAudio

FORMATS = ["wav", "flac", "ogg", "mp3"]


@pytest.mark.parametrize("ext", FORMATS)
def test_retagging_keeps_the_track_key(write_audio: WriteAudio, ext: str) -> None:
    original = write_audio(f"a.{ext}", synth.drum_pattern(100, 4.0, sr=22050).samples, 22050)
    write_tags(original, title="First", artist="Someone", genre="rock")
    retagged = original.with_name(f"b.{ext}")
    shutil.copy(original, retagged)
    # a long title changes tag block sizes, Ogg page layout and every later page's sequence number
    write_tags(retagged, title="A much longer title " * 40, album="Other", genre="jazz")
    assert original.read_bytes() != retagged.read_bytes()
    assert content_key(original) == content_key(retagged)
    assert content_key(original).startswith("local:")
    assert len(content_key(original)) == len("local:") + 64


@pytest.mark.parametrize("ext", FORMATS)
def test_different_audio_gets_a_different_key(write_audio: WriteAudio, ext: str) -> None:
    a = write_audio(f"a.{ext}", synth.drum_pattern(100, 4.0).samples, 22050)
    b = write_audio(f"b.{ext}", synth.drum_pattern(101, 4.0).samples, 22050)
    assert content_key(a) != content_key(b)


def test_formats_without_a_byte_walker_fall_back_to_the_pcm_hash(write_audio: WriteAudio) -> None:
    x = synth.click_track(90, 3.0).samples
    a = write_audio("a.aiff", x, 22050)
    b = write_audio("b.aiff", np.concatenate([x[:-1], [0.5]]).astype(np.float32), 22050)
    assert content_key(a) == content_key(write_audio("c.aiff", x, 22050))
    assert content_key(a) != content_key(b)


@pytest.mark.parametrize("ext", FORMATS)
def test_tags_round_trip_in_every_format(write_audio: WriteAudio, ext: str) -> None:
    path = write_audio(f"t.{ext}", synth.click_track(100, 3.0).samples, 22050)
    write_tags(path, title="Song", artist="Band", album="Record", genre="Dream Pop")
    tags = read_tags(path)
    assert (tags.title, tags.artist, tags.album, tags.genre) == ("Song", "Band", "Record", "Dream Pop")
    assert tags.duration == pytest.approx(3.0, abs=0.06)


def test_untagged_and_unreadable_files_have_empty_tags(write_audio: WriteAudio) -> None:
    plain = write_audio("plain.flac", synth.click_track(100, 2.0).samples, 22050)
    assert read_tags(plain).title == ""
    junk = plain.with_name("junk.mp3")
    junk.write_bytes(b"junk" * 100)
    assert read_tags(junk).genre == ""


def test_keys_of_big_files_are_hashed_without_reading_them_whole(write_audio: WriteAudio) -> None:
    import tracemalloc

    path = write_audio("long.wav", synth.click_track(120, 240.0).samples, 22050)  # ~10 MB of PCM
    tracemalloc.start()
    try:
        key = content_key(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert key.startswith("local:")
    assert peak < 3 * 2**20  # a few 1 MB blocks at most, never the file


def test_an_empty_file_is_an_audio_error(tmp_path: Path) -> None:
    from genrelens.core.audio import AudioError

    empty = tmp_path / "empty.flac"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty\.flac"):
        content_key(empty)
