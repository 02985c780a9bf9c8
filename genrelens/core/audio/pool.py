"""Analysing many files: folder expansion, skipping known content, and a warmed-up process pool.

Workers are forked from a single-threaded caller (the CLI) and spawned from a threaded one (a
web server), see `pool_context`, and each runs `warm_up` once from the pool initializer: the
first analysis in a process loads librosa's lazily imported modules and numba-compiled helpers
(on a fresh install it compiles them, which takes many seconds). Paying that once per worker
instead of once per file is what keeps a folder of short files fast.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, nullcontext
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.context import BaseContext
from pathlib import Path

from threadpoolctl import threadpool_limits
from tqdm import tqdm

from genrelens.core.audio.analyze import AnalysisResult, analyze_file, analyze_signal
from genrelens.core.audio.decode import AUDIO_EXTENSIONS, UNSUPPORTED_EXTENSIONS, AudioError
from genrelens.core.audio.identity import content_key

log = logging.getLogger(__name__)

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
            # dot files are skipped: macOS leaves "._song.mp3" metadata twins next to real files
            found = (f for f in pattern if f.is_file() and f.suffix.lower() in wanted and not f.name.startswith("."))
            out.extend(sorted(found))
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
    if n_workers <= 1 or len(todo) <= 1:
        with _one_blas_thread_if_alone():
            yield from _with_bar((analyze_file(f) for f in todo), len(todo), progress)
        return
    context = pool_context()
    if context.get_start_method() == "fork":
        warm_up(single_threaded=False)  # once here, and every forked worker inherits it
    yield from _with_bar(_pooled(todo, n_workers, context), len(todo), progress)


def _one_blas_thread_if_alone() -> AbstractContextManager[object]:
    """BLAS pinned to one thread while this process analyses files itself, when no other thread
    runs (the CLI, a prefork job worker).

    The analysis is one thread's work: a BLAS thread per core only spins beside it, burning a core
    that other programs could use. Eight previews through this path, old and new code alternating
    four times: 3.3-3.9 s of CPU before, 2.1-2.5 s after, wall time 2.0-2.5 s either way. The limit
    is process-wide and restored on exit, so with another thread running (a web server) it is left
    alone: that thread would lose its BLAS threads meanwhile, and two overlapping limits could
    restore each other's values in the wrong order.
    """
    if threading.active_count() == 1:
        return threadpool_limits(limits=1, user_api="blas")
    return nullcontext()


def _pooled(files: list[Path], n_workers: int, context: BaseContext) -> Iterator[AnalysisResult]:
    """Results in input order, surviving dead workers.

    A worker can die without a Python exception (a decoder crashing on a hostile file, the OOM
    killer), which breaks the whole pool and every file still in it. Those files get one more
    pooled round; if that pool dies too, each remaining file runs alone, so only a file that
    kills its own worker is reported as failed.
    """
    done: dict[int, AnalysisResult] = {}
    next_out = 0
    remaining = list(range(len(files)))
    for attempt in range(2):
        for i, result in _pool_round(files, remaining, n_workers, context):
            if result is not None:
                done[i] = result
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
        remaining = [i for i in remaining if i >= next_out and i not in done]
        if not remaining:
            return
        log.warning("a worker died; %s file(s) re-run (%s)", len(remaining), "pooled" if attempt == 0 else "one by one")
    for i in remaining:
        done[i] = _isolated(files[i], context)
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1


def _pool_round(
    files: list[Path], indices: list[int], n_workers: int, context: BaseContext
) -> Iterator[tuple[int, AnalysisResult | None]]:
    """(index, result) as files finish; result None when the pool died before finishing it."""
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=context, initializer=warm_up) as pool:
        futures = {pool.submit(analyze_file, files[i]): i for i in indices}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except BrokenProcessPool:
                yield futures[future], None


def _isolated(path: Path, context: BaseContext) -> AnalysisResult:
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=warm_up) as pool:
        try:
            return pool.submit(analyze_file, path).result()
        except BrokenProcessPool:
            message = f"{path.name}: the analysis process died while reading this file (crashed decoder?)"
            return AnalysisResult(path=str(path), track_key=None, error=message)


class _Bar(tqdm):
    # tqdm's monitor thread (which only tunes refresh rates) would make this process
    # multi-threaded for good, and with it every later pool would have to spawn, not fork.
    monitor_interval = 0


def _with_bar(results: Iterator[AnalysisResult], total: int, progress: bool) -> Iterator[AnalysisResult]:
    with _Bar(total=total, desc="analysing", unit="file", disable=not progress or not total) as bar:
        for result in results:
            bar.update(1)
            yield result


def pool_context() -> BaseContext:
    """ "fork" when this process is single-threaded (the CLI): workers inherit the imported
    modules, so each starts in well under a second instead of re-importing numpy, scipy and
    librosa (about 1 s each, more on a busy machine). "spawn" as soon as any other thread runs
    (a web server, a background job runner), because forking a threaded process can copy a lock
    that another thread holds and deadlock the child."""
    methods = get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return get_context("fork")
    return get_context("spawn")


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
