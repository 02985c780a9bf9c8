"""Static files storage: Django's hashed, compressed files, plus Vite's build as it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

#: Vite's output names: assets/<name>-<8-character content hash>.<ext>
VITE_HASHED = re.compile(r"^assets/.+-[\w-]{8}\.\w+$")


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage that leaves Vite's assets under their own names.

    Vite already names each asset by its content, and its chunks import one another by those
    names, so hashing them again would only add unused copies (and a CSS url() that Django cannot
    resolve would stop collectstatic). They are still compressed.
    """

    def post_process(self, paths: dict[str, Any], dry_run: bool = False, **options: Any) -> Iterator[Any]:
        prehashed = [path for path in paths if VITE_HASHED.match(path)]
        rest = {path: value for path, value in paths.items() if not VITE_HASHED.match(path)}
        yield from super().post_process(rest, dry_run=dry_run, **options)
        if not dry_run:
            for name, compressed_name in self.compress_files(prehashed):
                yield name, compressed_name, True

    def stored_name(self, name: str) -> str:
        # Before any collectstatic (tests, a first `check`) there is no manifest: plain names then,
        # as Django's default storage gives. Once collected, a missing entry is still an error.
        if not self.hashed_files:
            return name
        stored: str = super().stored_name(name)
        return stored
