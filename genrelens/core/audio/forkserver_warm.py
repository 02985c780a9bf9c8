"""Imported only by the analysis sandbox's fork server (`sandboxed.py`): importing it runs one
analysis of six seconds of synthetic audio (`pool.warm_up`), so every child forked for an upload
starts with librosa's lazily imported modules loaded, numba's code in memory and the CQT's filter
basis built, instead of paying for them on every file. Measured through `analyze_limited`, 20
30-second previews, three runs alternating with a fork server that only imported the analysis:
385-417 ms of wall time a preview against 424-469 ms.
"""

from __future__ import annotations

import logging

from genrelens.core.audio.pool import warm_up

try:
    warm_up()  # also pins BLAS to one thread, as each child does anyway
except Exception:  # the fork server dies on any error but ImportError, and with it every upload
    logging.getLogger(__name__).exception("the analysis sandbox starts cold: its warm-up failed")
