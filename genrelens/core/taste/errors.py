"""The one error the taste core raises on purpose."""

from __future__ import annotations

from genrelens.core.errors import GenrelensError


class TasteInputError(GenrelensError, ValueError):
    """The input to a taste computation cannot give an answer (no values, unknown feature, bad grid)."""
