from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from genrelens.core.audio import HOW, analyze_file, analyze_paths, content_key, expand_paths, synth
from genrelens.core.audio.pool import pool_context
from genrelens.core.audio.tags import write_tags
from genrelens.core.types import FEATURE_NAMES
from tests.core.audio.conftest import WriteAudio


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three good files in three formats, one corrupt file, one AAC, and a file in a subfolder."""
    d = tmp_path / "music"
    d.mkdir()
    synth.write_audio(d / "a_rock.flac", synth.song(8.0, bpm=120, seed=1).samples, 22050)
    synth.write_audio(d / "b_waltz.ogg", synth.drum_pattern(100, 8.0, style="waltz", seed=2).samples, 22050)
    synth.write_audio(d / "c_talk.wav", synth.speech_like(8.0, seed=3).samples, 22050)
    (d / "d_broken.mp3").write_bytes(b"\xff\xfb\x90\x00" + b"garbage!" * 500)
    (d / "e_phone.m4a").write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(64))
    (d / "notes.txt").write_text("not audio")
    (d / "._a_rock.flac").write_bytes(b"\x00\x05\x16\x07 macOS resource fork")
    (d / "sub").mkdir()
    synth.write_audio(d / "sub" / "f_clicks.wav", synth.click_track(90, 8.0).samples, 22050)
    write_tags(d / "a_rock.flac", title="Rock", artist="Synth", album="Demo", genre="rock")
    return d


def test_the_json_object_has_exactly_the_documented_shape(write_audio: WriteAudio) -> None:
    path = write_audio("song.flac", synth.song(10.0, bpm=120, key=9, mode=0, seed=4).samples, 22050)
    doc = analyze_file(path).to_json()
    assert list(doc) == [
        "path", "track_id", "features", "how", "fidelity", "beats", "downbeats", "sections", "confidence",
        "truncated", "error"
    ]  # fmt: skip
    assert set(doc["confidence"]) == {"tempo", "beats", "time_signature", "key"}
    assert all(0.0 <= c <= 1.0 for c in doc["confidence"].values())
    assert doc["truncated"] is False
    assert list(doc["features"]) == list(FEATURE_NAMES)
    assert doc["how"] == dict(HOW)
    estimated = {name for name, how in HOW.items() if how == "estimated"}
    assert set(doc["fidelity"]) == estimated
    for scores in doc["fidelity"].values():
        assert -1.0 <= scores["r"] <= 1.0 and 0.0 <= scores["mae"] <= 1.0 and scores["n"] > 0
        assert scores["mae"] < scores["mae_mean_predictor"]
    assert set(doc["how"]) == set(FEATURE_NAMES) - {"liveness"}
    assert set(doc["how"].values()) == {"measured", "estimated"}
    assert doc["error"] is None
    assert doc["track_id"] == content_key(path)
    f = doc["features"]
    assert (f["key"], f["mode"], f["time_signature"], f["duration_ms"]) == (9, 0, 4, 10000)
    assert f["tempo"] == pytest.approx(120.0, rel=0.01)
    assert -60.0 <= f["loudness"] <= 0.0
    assert doc["beats"] == sorted(doc["beats"]) and len(doc["beats"]) >= 15
    assert set(doc["downbeats"]) <= set(doc["beats"])
    json.dumps(doc)  # plain JSON types only


def test_analyze_file_never_raises_and_names_the_problem(folder: Path) -> None:
    broken = analyze_file(folder / "d_broken.mp3")
    assert broken.error is not None and "d_broken.mp3" in broken.error
    assert broken.track_key is None and broken.features.is_empty and broken.beats == ()
    aac = analyze_file(folder / "e_phone.m4a")
    assert aac.error is not None and "not supported" in aac.error
    missing = analyze_file(folder / "gone.flac")
    assert missing.error is not None and "no such file" in missing.error


def test_tags_travel_with_the_result(folder: Path) -> None:
    tags = analyze_file(folder / "a_rock.flac").tags
    assert (tags.title, tags.artist, tags.genre) == ("Rock", "Synth", "rock")


def test_folders_expand_to_their_audio_files(folder: Path) -> None:
    flat = [p.name for p in expand_paths([folder])]
    assert flat == ["a_rock.flac", "b_waltz.ogg", "c_talk.wav", "d_broken.mp3", "e_phone.m4a"]
    deep = [p.name for p in expand_paths([folder], recursive=True)]
    assert "f_clicks.wav" in deep and "notes.txt" not in deep
    # a file named explicitly is kept whatever it is, so it gets its own error
    assert expand_paths([folder / "notes.txt"]) == [folder / "notes.txt"]


def test_one_bad_file_does_not_stop_the_others(folder: Path) -> None:
    results = list(analyze_paths([folder], workers=1, progress=False))
    by_name = {Path(r.path).name: r for r in results}
    assert len(results) == 5
    assert by_name["d_broken.mp3"].error and by_name["e_phone.m4a"].error
    good = [by_name[n] for n in ("a_rock.flac", "b_waltz.ogg", "c_talk.wav")]
    assert all(r.ok and r.features.duration_ms == 8000 for r in good)
    assert by_name["b_waltz.ogg"].features.time_signature == 3


def test_files_already_analysed_are_skipped_by_content(folder: Path) -> None:
    known = frozenset({content_key(folder / "a_rock.flac"), content_key(folder / "c_talk.wav")})
    names = [Path(r.path).name for r in analyze_paths([folder], workers=1, progress=False, skip_keys=known)]
    # the broken file cannot be hashed, so it is reported rather than silently skipped
    assert sorted(names) == ["b_waltz.ogg", "d_broken.mp3", "e_phone.m4a"]


_POOL_IN_A_FRESH_PROCESS = """
import json, sys
from genrelens.core.audio import analyze_paths
from genrelens.core.audio.pool import pool_context
method = pool_context().get_start_method()
results = [r.to_json() for r in analyze_paths([sys.argv[1]], recursive=True, workers=2, progress=False)]
print(json.dumps({"method": method, "results": results}))
"""


@pytest.mark.slow
def test_the_pool_forked_from_a_single_threaded_cli_returns_the_same_results_as_serial(folder: Path) -> None:
    serial = [r.to_json() for r in analyze_paths([folder], recursive=True, workers=1, progress=False)]
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", _POOL_IN_A_FRESH_PROCESS, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    assert doc["method"] == "fork"
    assert doc["results"] == serial
    assert sum(r["error"] is None for r in serial) == 4


_BLAS_THREADS_IN_A_FRESH_PROCESS = """
import json, sys, threading
from threadpoolctl import threadpool_info
from genrelens.core.audio import analyze_paths

def blas() -> list[int]:
    return sorted({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})

if sys.argv[2] == "threaded":  # as a web server would have
    threading.Thread(target=threading.Event().wait, daemon=True).start()
seen = {"before": blas(), "during": [], "after": None}
for result in analyze_paths([sys.argv[1]], workers=1, progress=False):
    seen["during"].append(blas())
seen["after"] = blas()
print(json.dumps(seen))
"""


@pytest.mark.parametrize("process", ["alone", "threaded"])
def test_in_process_analysis_pins_blas_to_one_thread_only_while_alone(folder: Path, process: str) -> None:
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run(
        [sys.executable, "-c", _BLAS_THREADS_IN_A_FRESH_PROCESS, str(folder), process],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        # two BLAS threads to start with, whatever the machine or the suite's environment says
        env={**os.environ, "PYTHONPATH": str(root), "OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"},
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["before"] == seen["after"] == [2]
    assert len(seen["during"]) == 5
    expected = [1] if process == "alone" else [2]
    assert all(threads == expected for threads in seen["during"])


@pytest.mark.slow
def test_the_pool_spawned_from_a_threaded_server_returns_the_same_results_as_serial(folder: Path) -> None:
    serial = [r.to_json() for r in analyze_paths([folder], recursive=True, workers=1, progress=False)]
    with _another_thread_running():
        assert pool_context().get_start_method() == "spawn"
        pooled = [r.to_json() for r in analyze_paths([folder], recursive=True, workers=2, progress=False)]
    assert pooled == serial


@contextmanager
def _another_thread_running() -> Iterator[None]:
    """A real idle thread, as a web server or job runner would have, for the duration."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_analysis_is_deterministic(write_audio: WriteAudio) -> None:
    path = write_audio("x.wav", synth.song(6.0, seed=9).samples, 22050)
    assert analyze_file(path) == analyze_file(path)


def test_stereo_and_a_high_sample_rate_are_handled(write_audio: WriteAudio) -> None:
    mono = synth.drum_pattern(110, 8.0, sr=48000, seed=6).samples
    path = write_audio("hi.flac", np.stack([mono, mono], axis=1), 48000)
    result = analyze_file(path)
    assert result.ok and result.features.tempo == pytest.approx(110, rel=0.01)
    assert result.features.duration_ms == 8000


@pytest.mark.parametrize("seconds", [0.001, 0.3, 1.0])
@pytest.mark.parametrize("sr", [8000, 96000])
def test_very_short_clips_at_odd_rates_give_valid_features_without_warnings(seconds: float, sr: int) -> None:
    from genrelens.core.audio import analyze_signal

    clip = synth.drum_pattern(120, 2.0, sr=sr).samples[: max(1, int(seconds * sr))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f = analyze_signal(clip, sr).features
    assert f.duration_ms == round(len(clip) / sr * 1000)
    assert -60.0 <= (f.loudness or 0.0) <= 0.0 and f.time_signature in (3, 4)
    assert all(0.0 <= (getattr(f, name) or 0.0) <= 1.0 for name in ("energy", "danceability", "valence"))


@pytest.mark.slow
def test_a_worker_killed_mid_run_costs_no_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import multiprocessing
    import signal

    files = []
    for i in range(8):
        files.append(tmp_path / f"t{i}.flac")
        synth.write_audio(files[-1], synth.song(30.0, bpm=100 + 4 * i, seed=i).samples, 22050)
    serial = [r.to_json() for r in analyze_paths(files, workers=1, progress=False)]
    # other suites may have left processes of their own (joblib's workers): kill one of the pool's
    others = {p.pid for p in multiprocessing.active_children()}
    results = []
    with caplog.at_level("WARNING", logger="genrelens.core.audio.pool"):
        for result in analyze_paths(files, workers=2, progress=False):
            if not results:  # as the OOM killer would: one worker gone while files are in flight
                pool_worker = next(p for p in multiprocessing.active_children() if p.pid not in others)
                os.kill(pool_worker.pid or 0, signal.SIGKILL)
            results.append(result.to_json())
    assert "a worker died" in caplog.text
    assert results == serial
