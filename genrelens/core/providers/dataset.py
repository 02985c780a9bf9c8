"""Features already stored from an imported dataset (the blog's CSV, TidyTuesday, Kaggle dumps...).

Matching, in order:
1. by Spotify track id;
2. else by normalised (primary artist, title) AND duration within 2 s. The duration check is what
   keeps a remix, a live take or a re-recording from borrowing the original's features. When
   either side has no duration, a name match is accepted only if it is unambiguous (one
   candidate).

Normalisation rules (`normalise_title`, `normalise_artist`), applied to both sides:
* Unicode NFKD, accents stripped ("Beyoncé" = "Beyonce"), casefolded;
* titles lose bracketed parts that name a version rather than the song: "(feat. X)", "[ft. X]",
  "(with X)", "(Remastered 2011)", "(Radio Edit)", "(Live at ...)", "(... Remix)", "(Mono)",
  "(Deluxe ...)", "(Explicit)" ...;
* titles lose a " - ..." suffix with the same kind of words: " - Remastered 2009",
  " - Bassjackers Remix", " - Radio Edit", " - feat. X", " - Live";
* titles lose a trailing unbracketed "feat. X" / "ft. X" / "featuring X";
* apostrophes are dropped ("Don't" = "Dont"); "&" reads "and"; other punctuation becomes space; whitespace is collapsed;
* artists: the primary (first) artist only, a leading "the " dropped ("The Weeknd" = "Weeknd").

The lookup is a Protocol so the web app can answer from the database; `FrameFeatureLookup` is the
in-memory implementation built from a canonical dataset frame (`read_dataset(...).frame`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from genrelens.core.errors import ImportFailed
from genrelens.core.providers.base import FeatureProvider
from genrelens.core.types import FEATURE_NAMES, AudioFeatures, SourcedFeatures, TrackRef

#: how far apart two durations may be and still be the same recording
DURATION_TOLERANCE_MS = 2_000

NameKey = tuple[str, str]  # (normalised primary artist, normalised title)

_VERSION_WORDS = (
    r"feat\.?|ft\.?|featuring|with|remaster(?:ed)?|remix(?:ed)?|mix|edit|version|live|mono|stereo"
    r"|radio|deluxe|bonus|explicit|clean|single|album|original|extended|instrumental|demo|acoustic|mixed"
)
_BRACKETED = re.compile(r"[\(\[][^\)\]]*\b(?:" + _VERSION_WORDS + r")\b[^\)\]]*[\)\]]")
_DASH_SUFFIX = re.compile(r"\s+-\s+.*\b(?:" + _VERSION_WORDS + r")\b.*$")
_TRAILING_FEAT = re.compile(r"\s+(?:feat\.?|ft\.|featuring)\s+.*$")
_NON_WORD = re.compile(r"[^\w]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _squash(text: str) -> str:
    # apostrophes vanish rather than split words: "Don't" and "Dont" are the same title
    text = text.replace("'", "").replace("\u2019", "").replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", text).split())


def normalise_title(title: str) -> str:
    """"Señorita (feat. X) - Remastered 2011" -> "senorita"."""
    text = _fold(title)
    text = _BRACKETED.sub(" ", text)
    text = _DASH_SUFFIX.sub("", text)
    text = _TRAILING_FEAT.sub("", text)
    return _squash(text)


def normalise_artist(artist: str) -> str:
    """"The Weeknd" -> "weeknd"; "Beyoncé" -> "beyonce"."""
    text = _squash(_fold(artist))
    return text[4:] if text.startswith("the ") and len(text) > 4 else text


def name_key(artists: Sequence[str], title: str) -> NameKey | None:
    """The match key of a track, or None when it has no usable artist or title."""
    primary = normalise_artist(artists[0]) if artists else ""
    song = normalise_title(title)
    return (primary, song) if primary and song else None


@dataclass(frozen=True, slots=True)
class DatasetCandidate:
    """One stored track's features as a dataset recorded them."""

    features: AudioFeatures
    source: str  # "dataset:<name>"
    duration_ms: int | None = None
    spotify_id: str | None = None
    source_version: str = ""


class DatasetFeatureLookup(Protocol):
    """Where stored dataset features are looked up (memory here, the catalog database in the app)."""

    def by_spotify_ids(self, ids: Sequence[str]) -> Mapping[str, DatasetCandidate]:
        """Candidates for the ids the store knows; unknown ids absent."""
        ...

    def by_names(self, keys: Sequence[NameKey]) -> Mapping[NameKey, Sequence[DatasetCandidate]]:
        """All candidates per normalised (artist, title) key (see `name_key`); unknown keys absent."""
        ...


def choose_candidate(ref: TrackRef, candidates: Sequence[DatasetCandidate]) -> DatasetCandidate | None:
    """The name match closest in duration within 2 s; with no durations, only an unambiguous one."""
    if ref.duration_ms is None or all(c.duration_ms is None for c in candidates):
        return candidates[0] if len(candidates) == 1 else None
    timed = [(abs(c.duration_ms - ref.duration_ms), c) for c in candidates if c.duration_ms is not None]
    close = [pair for pair in timed if pair[0] <= DURATION_TOLERANCE_MS]
    return min(close, key=lambda pair: pair[0])[1] if close else None


class DatasetProvider(FeatureProvider):
    name = "dataset"
    batch_size = 500  # a local lookup: large batches just mean fewer round trips to the store

    def __init__(self, dataset_lookup: DatasetFeatureLookup) -> None:
        self.lookup = dataset_lookup

    def fetch(self, tracks: Sequence[TrackRef]) -> list[SourcedFeatures]:
        by_id = self.lookup.by_spotify_ids([t.spotify_id for t in tracks if t.spotify_id])
        answers: list[SourcedFeatures] = []
        rest: list[TrackRef] = []
        for ref in tracks:
            hit = by_id.get(ref.spotify_id) if ref.spotify_id else None
            if hit is not None:
                answers.append(self._answer(ref, hit, "spotify_id"))
            else:
                rest.append(ref)
        keyed = {ref.key: key for ref in rest if (key := name_key(ref.artists, ref.title)) is not None}
        by_name = self.lookup.by_names(list(dict.fromkeys(keyed.values()))) if keyed else {}
        for ref in rest:
            choice = choose_candidate(ref, by_name.get(keyed[ref.key], ())) if ref.key in keyed else None
            if choice is not None:
                answers.append(self._answer(ref, choice, "name+duration"))
        return answers

    @staticmethod
    def _answer(ref: TrackRef, hit: DatasetCandidate, matched_by: str) -> SourcedFeatures:
        features = hit.features.merged_with(AudioFeatures(duration_ms=ref.duration_ms))
        # a name match is a judgement call, so its provenance says so in source_version
        how = {k: "measured" for k, v in features.as_dict().items() if v is not None}
        version = f"{hit.source_version}+{matched_by}" if hit.source_version else matched_by
        return SourcedFeatures(
            track_key=ref.key, features=features, source=hit.source, source_version=version, how=how
        )


class FrameFeatureLookup:
    """`DatasetFeatureLookup` over a canonical dataset frame (one row per track and genre label)."""

    def __init__(self, candidates: Sequence[tuple[DatasetCandidate, NameKey | None]]) -> None:
        self._by_id: dict[str, DatasetCandidate] = {}
        self._by_name: dict[NameKey, list[DatasetCandidate]] = {}
        for candidate, key in candidates:
            if candidate.spotify_id:
                self._by_id.setdefault(candidate.spotify_id, candidate)
            if key is not None:
                self._by_name.setdefault(key, []).append(candidate)

    def __len__(self) -> int:
        return len(self._by_id)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, name: str, *, version: str = "") -> FrameFeatureLookup:
        """Index a canonical frame; rows without any feature are left out; a track id counts once."""
        missing = {"track_id", "track_name"} - set(frame.columns)
        if missing:
            raise ImportFailed(f"dataset {name!r}: missing column(s) {', '.join(sorted(missing))}")
        columns = [c for c in FEATURE_NAMES if c in frame.columns]
        unique = frame.drop_duplicates(subset="track_id", keep="first")
        candidates = [
            item
            for row in unique.to_dict(orient="records")
            if (item := _candidate(row, columns, f"dataset:{name}", version)) is not None
        ]
        return cls(candidates)

    @classmethod
    def from_file(cls, path: str | Path, name: str | None = None) -> FrameFeatureLookup:
        """Read any supported dataset file through `read_dataset` and index it."""
        from genrelens.core.dataset.formats import read_dataset

        parsed = read_dataset(path)
        return cls.from_frame(parsed.frame, name or Path(path).stem, version=parsed.sha256[:12])

    def by_spotify_ids(self, ids: Sequence[str]) -> Mapping[str, DatasetCandidate]:
        return {i: self._by_id[i] for i in ids if i in self._by_id}

    def by_names(self, keys: Sequence[NameKey]) -> Mapping[NameKey, Sequence[DatasetCandidate]]:
        return {k: self._by_name[k] for k in keys if k in self._by_name}


def _candidate(
    row: Mapping[Any, Any], columns: list[str], source: str, version: str
) -> tuple[DatasetCandidate, NameKey | None] | None:
    features = AudioFeatures.from_mapping({c: row.get(c) for c in columns})
    if features.is_empty:
        return None
    track_id = row.get("track_id")
    spotify_id = track_id if isinstance(track_id, str) and track_id else None
    candidate = DatasetCandidate(
        features=features,
        source=source,
        duration_ms=features.duration_ms,
        spotify_id=spotify_id,
        source_version=version,
    )
    return candidate, name_key(_row_artists(row), _text(row.get("track_name")))


def _row_artists(row: Mapping[Any, Any]) -> list[str]:
    # `artists` is ";"-joined (names may contain commas: "Tyler, The Creator"); track_artist is display text
    joined = _text(row.get("artists"))
    if joined:
        return [a.strip() for a in joined.split(";") if a.strip()]
    display = _text(row.get("track_artist"))
    return [display] if display else []


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)
