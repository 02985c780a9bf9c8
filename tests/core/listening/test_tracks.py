"""Plays grouped into tracks: by id, by name, and a named-only play joining the id another row gives."""

from __future__ import annotations

from pathlib import Path

from genrelens.core.listening.read import read_export
from genrelens.core.listening.tracks import listened_tracks

DATA = Path(__file__).resolve().parents[2] / "data" / "listening"


def test_named_plays_join_the_spotify_id_their_library_row_gives() -> None:
    tracks = {t.title: t for t in listened_tracks(read_export(DATA / "spotify-account").plays)}
    kerala = tracks["Kerala"]
    assert kerala.identity == kerala.spotify_id == "0vbtURX4qv1l7besfwmnD8"
    assert (kerala.plays, kerala.counted, kerala.in_library) == (2, 2, True)
    halo = tracks["Halo"]
    assert halo.identity == "name:beyonce|halo" and halo.spotify_id is None and halo.counted == 0
    assert tracks["Blinding Lights - Radio Edit"].identity == "name:weeknd|blinding lights"
    assert tracks["One More Time"].in_library and tracks["One More Time"].plays == 0
