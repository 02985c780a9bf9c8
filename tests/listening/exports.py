"""Spotify data exports in their real layout, written from the sandbox's catalog (whose ids the
sandbox's ReccoBeats knows) and from the test dataset's tracks (which the catalog knows by name)."""

from __future__ import annotations

import json
import random
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from genrelens.core.sandbox.catalog import Catalog
from genrelens.core.sandbox.synthetic import build_synthetic

#: what the extended history holds about where a play happened: none of it may reach the database
PRIVATE = {"ip_addr": "198.51.100.77", "conn_country": "ZQ", "platform": "TestOS 9 (Privacy-Phone)",
           "user_agent_decrypted": "PrivacyAgent/9.9"}


@cache
def sandbox_catalog(seed: int = 0, tracks: int = 6000) -> Catalog:
    """The catalog `genrelens sandbox --seed 0 --tracks 6000` (the tests' sandbox) serves."""
    return build_synthetic(seed=seed, n_tracks=tracks)


def extended_row(track_id: str | None, name: str, artist: str, ms: int, when: datetime, **extra: Any) -> dict[str, Any]:
    return {"ts": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "username": "mia", **PRIVATE, "ms_played": ms,
            "master_metadata_track_name": name, "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": "An Album",
            "spotify_track_uri": f"spotify:track:{track_id}" if track_id else None,
            "episode_name": None, "episode_show_name": None, "spotify_episode_uri": None, "audiobook_title": None,
            "audiobook_uri": None, "audiobook_chapter_uri": None, "audiobook_chapter_title": None,
            "reason_start": "trackdone", "reason_end": "trackdone", "shuffle": False,
            "skipped": ms < 30_000, "offline": False, "offline_timestamp": None, "incognito_mode": False, **extra}


def episode_row(when: datetime) -> dict[str, Any]:
    return {**extended_row(None, "", "", 1_500_000, when), "master_metadata_track_name": None,
            "master_metadata_album_artist_name": None, "episode_name": "Episode 1", "episode_show_name": "A Show",
            "spotify_episode_uri": "spotify:episode:512ojhOuo1ktJprKbVcKyQ"}


def extended_history(plays: int, tracks: int, *, seed: int = 1, catalog: Catalog | None = None,
                     start: datetime = datetime(2016, 1, 1, tzinfo=UTC)) -> list[dict[str, Any]]:
    """`plays` streams of `tracks` distinct catalog tracks, Zipf-like, a quarter of them skipped early,
    plus a podcast episode in every 500 rows."""
    catalog = catalog or sandbox_catalog()
    rng = random.Random(seed)
    chosen = list(catalog.tracks.values())[:tracks]
    rows = []
    step = timedelta(minutes=(10 * 365 * 24 * 60) // max(plays, 1))
    for i in range(plays):
        when = start + i * step
        if i % 500 == 499:
            rows.append(episode_row(when))
            continue
        track = chosen[i] if i < len(chosen) else chosen[min(int(rng.paretovariate(1.2)) - 1, len(chosen) - 1)]
        ms = rng.randrange(1_000, 29_000) if rng.random() < 0.25 else rng.randrange(30_000, track.duration_ms + 1)
        artist = catalog.artists[track.artist_ids[0]].name
        rows.append(extended_row(track.id, track.name, artist, ms, when))
    return rows


def write_zip(out: Path, files: dict[str, Sequence[Any] | dict[str, Any]], *, folder: str = "Spotify Extended "
              "Streaming History") -> Path:
    """The export as Spotify mails it: one folder of JSON files (plus its PDF, which is not read)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in files.items():
            archive.writestr(f"{folder}/{name}", json.dumps(rows))
        archive.writestr(f"{folder}/ReadMeFirst_ExtendedStreamingHistory.pdf", b"%PDF-1.4 not read")
    return out
