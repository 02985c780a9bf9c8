"""The blog's genre taxonomy: which sub-genres (playlist searches) make up each genre.

The taxonomy lives in a user-editable TOML file (`genrelens/data/taxonomy.toml` by default) so that
people can try other genre sets without touching code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from genrelens.core.errors import ConfigurationError

DEFAULT_TAXONOMY_PATH = Path(__file__).resolve().parents[2] / "data" / "taxonomy.toml"


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Genres in file order, each with its sub-genres in file order."""

    genres: tuple[tuple[str, tuple[str, ...]], ...]
    source: str = ""

    def genre_names(self) -> list[str]:
        return [genre for genre, _ in self.genres]

    def pairs(self) -> list[tuple[str, str]]:
        """Every (genre, sub-genre) pair; a sub-genre listed under two genres gives two pairs."""
        return [(genre, sub) for genre, subs in self.genres for sub in subs]

    def subgenres(self) -> list[str]:
        """Sub-genres in first-seen order, each once (the playlist searches to run)."""
        return list(dict.fromkeys(sub for _, subs in self.genres for sub in subs))

    def subgenres_of(self, genre: str) -> tuple[str, ...]:
        for name, subs in self.genres:
            if name == genre:
                return subs
        raise KeyError(f"genre {genre!r} is not in the taxonomy {self.source}")

    def genres_of(self, subgenre: str) -> list[str]:
        """The genres a sub-genre belongs to (more than one for e.g. "hard rock")."""
        return [genre for genre, subs in self.genres if subgenre in subs]


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read a taxonomy TOML file (the packaged one when `path` is None).

    Raises ConfigurationError naming the file when it is missing, is not TOML, or does not have the
    `[genres]` table of non-empty string lists.
    """
    file = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigurationError(f"cannot read taxonomy file {file}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"taxonomy file {file} is not valid TOML: {exc}") from exc
    return Taxonomy(genres=_parse_genres(raw, file), source=str(file))


def _parse_genres(raw: dict[str, object], file: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    table = raw.get("genres")
    if not isinstance(table, dict) or not table:
        raise ConfigurationError(f"taxonomy file {file} needs a non-empty [genres] table")
    genres: list[tuple[str, tuple[str, ...]]] = []
    for genre, subs in table.items():
        genres.append((_clean_name(genre, file), _parse_subgenres(genre, subs, file)))
    return tuple(genres)


def _parse_subgenres(genre: str, subs: object, file: Path) -> tuple[str, ...]:
    if not isinstance(subs, list) or not subs:
        raise ConfigurationError(
            f"taxonomy file {file}: genre {genre!r} must map to a non-empty list of sub-genre names"
        )
    cleaned = tuple(_clean_name(sub, file) for sub in subs)
    if len(set(cleaned)) != len(cleaned):
        raise ConfigurationError(f"taxonomy file {file}: genre {genre!r} lists a sub-genre twice")
    return cleaned


def _clean_name(value: object, file: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"taxonomy file {file}: {value!r} is not a non-empty name")
    # Playlist searches are matched case-insensitively, so names are stored lower-case and trimmed.
    return value.strip().lower()
