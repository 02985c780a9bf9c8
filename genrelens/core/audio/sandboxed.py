"""Analyse one untrusted file in a child process with a memory cap and a time limit.

An uploaded file is hostile until proven otherwise: a decoder bug, or a file built to make the
analysis allocate or loop, must cost a child process, never the web server or the worker. The
child comes from a fork server that has imported the audio stack and run one analysis
(`forkserver_warm`), so each analysis starts in a fraction of a second, already warm; it caps its
own address space (RLIMIT_AS) at what it has mapped plus `memory_bytes`, and the parent kills it
once `seconds` have passed.
"""

from __future__ import annotations

import multiprocessing
import resource
from multiprocessing.connection import Connection
from pathlib import Path

from genrelens.core.audio.analyze import AnalysisResult, analyze_file

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["genrelens.core.audio.forkserver_warm"])

OUT_OF_MEMORY = "the analysis needed more memory than it is allowed"


def analyze_limited(path: str | Path, *, memory_bytes: int, seconds: float) -> AnalysisResult:
    """`analyze_file(path)` in a child process; a child that runs out of memory, crashes or takes
    longer than `seconds` gives a result whose `error` says so."""
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_analyse_in_child, args=(str(path), memory_bytes, sender), daemon=True)
    child.start()
    sender.close()  # only the child writes: EOF on our end then means it died
    try:
        if not receiver.poll(seconds):
            return _failed(path, f"the analysis took longer than its limit of {seconds:g} s")
        try:
            result: AnalysisResult = receiver.recv()
        except EOFError:
            return _failed(path, _death_reason(child))
        return result
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def _death_reason(child: multiprocessing.process.BaseProcess) -> str:
    child.join(timeout=5)
    # a failed allocation in C code (numpy, libsndfile) can abort instead of raising MemoryError
    return OUT_OF_MEMORY if child.exitcode in (-6, -9, -11) else "the analysis stopped unexpectedly"


def _failed(path: str | Path, reason: str) -> AnalysisResult:
    return AnalysisResult(path=str(path), track_key=None, error=f"{Path(path).name}: {reason}")


def _analyse_in_child(path: str, memory_bytes: int, sender: Connection) -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)  # every BLAS thread would reserve address space of its own
    limit_memory(memory_bytes)
    try:
        result = analyze_file(path)
    except MemoryError:
        result = _failed(path, OUT_OF_MEMORY)
    if result.error and "MemoryError" in result.error:
        result = _failed(path, OUT_OF_MEMORY)
    sender.send(result)
    sender.close()


def limit_memory(extra_bytes: int) -> None:
    """Cap this process' address space at what it has mapped now plus `extra_bytes`."""
    with open("/proc/self/statm") as handle:
        mapped = int(handle.read().split()[0]) * resource.getpagesize()
    cap = mapped + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
