"""Analysing many files: folder expansion, skipping known content, and a warmed-up process pool.

Workers are started with the "spawn" method (safe inside a threaded server, unlike fork) and each
runs `warm_up` once from the pool initializer: the first call into librosa's numba-compiled beat
tracker and peak picker loads (or, on a fresh install, compiles) machine code, which costs seconds.
Paying that once per worker instead of once per file is what keeps a folder of short files fast.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from genrelens.core.audio.analyze import AnalysisResult, analyze_file, analyze_signal
from genrelens.core.audio.decode import AUDIO_EXTENSIONS, UNSUPPORTED_EXTENSIONS, AudioError
from genrelens.core.audio.identity import content_key

#: with `workers=None`, folders up to this many files are analysed in-process (see analyze_paths)
POOL_MIN_FILES = 8


def expand_paths(paths: Iterable[str | Path], *, recursive: bool = False) -> list[Path]:
    """Files named directly are kept whatever their extension (so a bad one gets its own error);
    folders contribute the audio files in them (and below them when `recursive`), sorted."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            pattern = p.rglob("*") if recursive else p.glob("*")
            wanted = AUDIO_EXTENSIONS | UNSUPPORTED_EXTENSIONS
            out.extend(sorted(f for f in pattern if f.is_file() and f.suffix.lower() in wanted))
        else:
            out.append(p)
    return list(dict.fromkeys(out))


def default_workers() -> int:
    """One worker per core this process may use (respects CPU affinity / container limits)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def warm_up(*, single_threaded: bool = True) -> None:
    """Run the whole analysis once on six seconds of synthetic audio, so numba's compiled code
    and librosa's filter caches are loaded before the first real file arrives.

    Pool workers also pin BLAS to one thread: the pool already uses every core, and two BLAS
    threads per worker would only fight over them.
    """
    from genrelens.core.audio.synth import drum_pattern

    if single_threaded:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
    analyze_signal(drum_pattern(120.0, 6.0, sr=22050).samples, 22050)


def analyze_paths(
    paths: Iterable[str | Path],
    *,
    recursive: bool = False,
    workers: int | None = None,
    skip_keys: frozenset[str] = frozenset(),
    progress: bool = True,
) -> Iterator[AnalysisResult]:
    """Analyse every file under `paths`, yielding one result per file in input order.

    Files whose content key is in `skip_keys` are not analysed and not yielded (they are already
    in the catalog). `workers=1` runs in this process, `workers=N` in a pool of N processes, and
    `workers=None` picks: this process for up to `POOL_MIN_FILES` files (a worker's start-up, about
    5 s, is worth several tracks' analysis), else one worker per core. A file that cannot be read
    yields a result with `error` set; the rest go on.
    """
    files = expand_paths(paths, recursive=recursive)
    todo, early = _split_known(files, skip_keys)
    yield from early
    if workers is None:
        workers = 1 if len(todo) <= POOL_MIN_FILES else default_workers()
    n_workers = min(max(1, workers), max(1, len(todo)))
    bar = tqdm(total=len(todo), desc="analysing", unit="file", disable=not progress or not todo)
    with bar:
        for result in _run(todo, n_workers):
            bar.update(1)
            yield result


def _split_known(files: list[Path], skip_keys: frozenset[str]) -> tuple[list[Path], list[AnalysisResult]]:
    """Files still to analyse, and error results for files we could not even read to hash."""
    if not skip_keys:
        return files, []
    todo: list[Path] = []
    failed: list[AnalysisResult] = []
    for f in files:
        try:
            if content_key(f) in skip_keys:
                continue
        except AudioError as exc:
            failed.append(AnalysisResult(path=str(f), track_key=None, error=str(exc)))
            continue
        todo.append(f)
    return todo, failed


def _run(files: list[Path], n_workers: int) -> Iterator[AnalysisResult]:
    if n_workers <= 1 or len(files) <= 1:
        yield from (analyze_file(f) for f in files)
        return
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=context, initializer=warm_up) as pool:
        # chunksize 1: files differ a lot in length, and results should stream as they finish
        yield from pool.map(analyze_file, files, chunksize=1)
