"""The constant-Q filter basis, built once per process instead of once per call.

librosa (0.11) rebuilds the CQT's frequency-domain filters on every `librosa.cqt` call: 36
windowed wavelets per octave, their FFTs and a sparse matrix built row by row, about 8 ms an
octave here, so 80 ms for the two five-octave CQTs of a track, a third of a 30-second clip's whole
analysis. The basis depends only on the sample rate and the bins, which `tonal` keeps the same for
every track. librosa marks its builder cacheable (`@cache(level=10)`) but caches only to disk,
and only when LIBROSA_CACHE_DIR is set before librosa is imported; this keeps the bases in memory.

The builder is private to librosa, which pyproject pins; `installed()` says whether the cache is
in place (a test fails when a librosa upgrade renames it, and the analysis stays correct, only
slower).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import librosa.core.constantq as _constantq
import numpy as np

_NAME = "__vqt_filter_fft"  # module-level, so not name-mangled: `vqt` looks it up at call time
_ORIGINAL: Callable[..., Any] | None = getattr(_constantq, _NAME, None)
#: one entry per (sample rate, octave of bins): five for the analysis' CQTs; the bound only keeps
#: callers with other bins (the accuracy bench, tests) from growing the cache without end
_MAX_BASES = 32


def _hashable(value: Any) -> Hashable:
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, type):
        return np.dtype(value).str
    return value


_BASES: dict[tuple[Hashable, ...], Any] = {}
_BUILT = [0]  # how many bases this process has built, rebuilds after eviction included


def _cached(*args: Any, **kwargs: Any) -> Any:
    """librosa's builder, memoised on its arguments' values. Returns copies: `vqt` rescales the
    basis in place (`fft_basis[:] *= ...`), which would compound on a shared one."""
    assert _ORIGINAL is not None
    try:
        key = tuple(_hashable(a) for a in args) + tuple((k, _hashable(v)) for k, v in sorted(kwargs.items()))
        hash(key)
    except TypeError:  # an argument with no value identity (a window given as a callable): build afresh
        return _ORIGINAL(*args, **kwargs)
    built = _BASES.get(key)
    if built is None:
        built = _ORIGINAL(*args, **kwargs)
        _BUILT[0] += 1
        if len(_BASES) >= _MAX_BASES:
            del _BASES[next(iter(_BASES))]  # the oldest
        _BASES[key] = built
    basis, n_fft, lengths = built
    return basis.copy(), n_fft, lengths.copy()


def install() -> None:
    """Put the memoised builder in librosa's place (idempotent)."""
    if _ORIGINAL is not None and getattr(_constantq, _NAME) is _ORIGINAL:
        setattr(_constantq, _NAME, _cached)


def installed() -> bool:
    return getattr(_constantq, _NAME, None) is _cached


def bases_built() -> int:
    """How many filter bases this process has built so far (one per miss of the cache)."""
    return _BUILT[0]
