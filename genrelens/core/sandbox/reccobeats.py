"""ReccoBeats' audio-features endpoint under /reccobeats/v1/ (docs: spotify-api-2026.md §4.1).

ReccoBeats is a different analyser: it knows only part of the catalog (a stable ~88 % share here)
and its numbers differ a little from Spotify's for the same track, so provenance shows in the data.
It has no time_signature and no duration_ms; unknown ids are left out, so results map back through
`href`, never by position.
"""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING, Any

from genrelens.core.sandbox.catalog import Track, unit_hash
from genrelens.core.sandbox.http import HttpError, Request, Response, Router, json_response

if TYPE_CHECKING:
    from genrelens.core.sandbox.app import SandboxApp

MAX_IDS = 40
KNOWN_SHARE = 0.88
UNIT = ("acousticness", "danceability", "energy", "instrumentalness", "liveness", "speechiness", "valence")
NAMESPACE = uuid.UUID("6f1c1f3e-2b1a-4c55-9a0e-5ad0b0c0ffee")


def knows(track: Track) -> bool:
    return track.features is not None and unit_hash("reccobeats", track.id) < KNOWN_SHARE


def recco_id(track: Track) -> str:
    return str(uuid.uuid5(NAMESPACE, track.id))


def features_of(track: Track) -> dict[str, Any]:
    """ReccoBeats' view of a track: Spotify's values nudged by a per-track deterministic noise."""
    base = track.features or {}
    noise = random.Random(f"reccobeats:{track.id}")
    out: dict[str, Any] = {"id": recco_id(track), "href": f"https://open.spotify.com/track/{track.id}",
                           "isrc": track.isrc}
    for name in UNIT:
        value = base.get(name)
        out[name] = None if value is None else round(min(1.0, max(0.0, value + noise.gauss(0, 0.03))), 4)
    tempo, loudness = base.get("tempo"), base.get("loudness")
    out["tempo"] = None if tempo is None else round(tempo * (1 + noise.gauss(0, 0.01)), 3)
    out["loudness"] = None if loudness is None else round(min(1.5, loudness + noise.gauss(0, 0.5)), 3)
    key, mode = base.get("key"), base.get("mode")
    # A different key estimator disagrees now and then, most often by a fifth.
    out["key"] = None if key is None else int((key + (7 if noise.random() < 0.06 else 0)) % 12)
    out["mode"] = None if mode is None else int(1 - mode if noise.random() < 0.05 else mode)
    return out


class ReccoBeats:
    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        tracks = app.catalog.tracks.values()
        # ReccoBeats accepts Spotify ids, its own UUIDs and ISRCs.
        self.by_key: dict[str, Track] = {}
        for track in tracks:
            if knows(track):
                self.by_key[track.id] = track
                self.by_key[recco_id(track)] = track
                self.by_key.setdefault(track.isrc, track)

    def audio_features(self, request: Request) -> Response:
        raw = ",".join(request.params.get("ids", []))
        ids = [i.strip() for i in raw.split(",") if i.strip()]
        if not ids:
            raise HttpError(400, "Required parameter 'ids' is not present.", code=4001)
        if len(ids) > MAX_IDS:
            raise HttpError(400, f"ids: size must be between 1 and {MAX_IDS}", code=4004)
        found = [self.by_key[i] for i in ids if i in self.by_key]
        unique = list({t.id: t for t in found}.values())
        return json_response({"content": [features_of(t) for t in unique]})


def register(router: Router, app: SandboxApp) -> None:
    recco = ReccoBeats(app)
    router.add("GET", "/reccobeats/v1/audio-features", recco.audio_features)
