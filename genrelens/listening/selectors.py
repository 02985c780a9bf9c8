"""Reads: which tastes a user has (Spotify library, imported sources) and one of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from genrelens.accounts.models import UserTaste
from genrelens.core.errors import NotFound
from genrelens.listening.models import ImportedTaste, Source

SPOTIFY = "spotify"
WEIGHTINGS = {"plays": "weighted by counted plays (streams of 30 s or more, every scrobble)",
              "tracks": "each track once"}
LABELS = {SPOTIFY: "Spotify library (liked and top tracks)", **dict(Source.choices)}


@dataclass(frozen=True, slots=True)
class ChosenTaste:
    source: str
    weighting: str
    document: dict[str, Any]
    updated_at: datetime
    report: dict[str, Any] | None
    dataset_name: str

    def body(self) -> dict[str, Any]:
        return {**self.document, "updated_at": self.updated_at, "source": self.source,
                "source_label": LABELS[self.source], "weighting": self.weighting,
                "weighting_label": WEIGHTINGS[self.weighting], "match": self.report}


def taste_sources(*, user_id: int) -> list[dict[str, Any]]:
    """Every taste the user has, the Spotify library's first, then imports by recency."""
    items: list[dict[str, Any]] = []
    spotify = UserTaste.objects.filter(user_id=user_id).first()
    if spotify is not None:
        items.append({"source": SPOTIFY, "label": LABELS[SPOTIFY], "updated_at": spotify.updated_at,
                      "weightings": ["tracks"]})
    for taste in ImportedTaste.objects.filter(user_id=user_id).order_by("-updated_at"):
        items.append({"source": taste.source, "label": LABELS[taste.source], "updated_at": taste.updated_at,
                      "weightings": (["plays"] if taste.weighted else []) + ["tracks"]})
    return items


def taste_chosen(*, user_id: int, source: str | None = None, weighting: str | None = None) -> ChosenTaste:
    """One of the user's tastes; by default the first of `taste_sources`, weighted by plays when it can be."""
    if source is None:
        available = taste_sources(user_id=user_id)
        if not available:
            raise NotFound("no taste yet: refresh it from Spotify or import your data")
        source = available[0]["source"]
    if source == SPOTIFY:
        return _spotify(user_id, weighting)
    taste = ImportedTaste.objects.filter(user_id=user_id, source=source).first()
    if taste is None:
        raise NotFound(f"no taste from {LABELS.get(source, source)} yet")
    weighting = weighting or ("plays" if taste.weighted else "tracks")
    document = taste.weighted if weighting == "plays" else taste.unweighted
    if document is None:
        raise NotFound(f"{LABELS[source]} has no plays to weight by: choose weighting=tracks")
    return ChosenTaste(source, weighting, document, taste.updated_at, taste.report, taste.dataset_name)


def _spotify(user_id: int, weighting: str | None) -> ChosenTaste:
    taste = UserTaste.objects.filter(user_id=user_id).first()
    if taste is None:
        raise NotFound("no taste from Spotify yet: refresh it (POST /rest/taste/refresh)")
    if weighting not in (None, "tracks"):
        raise NotFound("the Spotify library has no plays to weight by: choose weighting=tracks")
    return ChosenTaste(SPOTIFY, "tracks", taste.document, taste.updated_at, None, taste.dataset_name)
