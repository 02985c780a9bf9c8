"""Hostile inputs shared by the security tests (issue 19)."""

from __future__ import annotations

import os
from pathlib import Path


class RunsCode:
    """Unpickling this creates `marker`: proof that loading ran code of the pickle's choosing."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))
