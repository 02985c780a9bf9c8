"""Parsers on the JSON shapes of spotify-api-2026.md §3, including the awkward cases seen in the wild."""

import pytest

from genrelens.core.spotify.models import (
    MalformedResponse,
    SkipCounts,
    parse_artist,
    parse_audio_features,
    parse_now_playing,
    parse_playlist,
    parse_playlist_item,
    parse_recent_play,
    parse_saved_track,
    parse_track,
    parse_user,
)


def track(tid="T1", **extra):
    body = {
        "id": tid,
        "name": "Song",
        "type": "track",
        "is_local": False,
        "duration_ms": 215000,
        "artists": [{"id": "A1", "name": "Ann"}, {"id": "A2", "name": "Ben"}],
        "album": {"id": "AL", "name": "Album", "release_date": "2019-05-10"},
        "external_ids": {"isrc": "USXX11900001"},
    }
    body.update(extra)
    return body


def test_full_track_without_deprecated_fields():
    t = parse_track(track())
    assert (t.id, t.name, t.duration_ms, t.album_id, t.release_date, t.isrc) == (
        "T1", "Song", 215000, "AL", "2019-05-10", "USXX11900001",
    )
    assert t.artist_names == ("Ann", "Ben") and t.popularity is None
    ref = t.to_ref()
    assert (ref.key, ref.spotify_id, ref.artists, ref.duration_ms) == ("T1", "T1", ("Ann", "Ben"), 215000)


def test_track_without_id_is_a_clear_error():
    with pytest.raises(MalformedResponse, match="'id'"):
        parse_track(track(tid=None))


def test_playlist_item_reads_item_before_track():
    row = {"added_at": "2020-05-01T12:00:00Z", "is_local": False, "item": track("NEW"), "track": track("OLD")}
    item = parse_playlist_item(row, SkipCounts())
    assert item is not None and item.track.id == "NEW"
    only_track = {"added_at": "", "is_local": False, "track": track("OLD")}
    assert parse_playlist_item(only_track, SkipCounts()).track.id == "OLD"


def test_null_local_and_episode_items_are_skipped_and_counted():
    skipped = SkipCounts()
    local = track(tid=None, is_local=True, uri="spotify:local:A:B:C:215")
    rows = [
        None,
        {"item": None, "track": None, "is_local": False},
        {"item": local, "track": local, "is_local": True},
        {"item": {"type": "episode", "id": "E1", "name": "Pod"}, "is_local": False},
        {"item": track(), "is_local": False},
    ]
    kept = [i for i in (parse_playlist_item(r, skipped) for r in rows) if i]
    assert [i.track.id for i in kept] == ["T1"]
    assert (skipped.null, skipped.local, skipped.episodes, skipped.total) == (2, 1, 1, 4)


def test_saved_tracks_use_the_track_key():
    saved = parse_saved_track({"added_at": "2024-03-01T12:00:00Z", "track": track()}, SkipCounts())
    assert saved is not None and saved.track.id == "T1" and saved.added_at.startswith("2024")


def test_artist_tolerates_missing_genres_and_popularity():
    a = parse_artist({"id": "A1", "name": "Ann", "type": "artist"})
    assert a.genres == () and a.popularity is None and a.followers is None
    full = parse_artist(
        {"id": "A1", "name": "Ann", "genres": ["dance pop"], "popularity": 55, "followers": {"total": 9}}
    )
    assert full.genres == ("dance pop",) and full.popularity == 55 and full.followers == 9


def test_playlist_total_prefers_items_over_deprecated_tracks():
    body = {"id": "P", "name": "dance pop hits", "owner": {"id": "spotify"}, "items": {"total": 75},
            "tracks": {"total": 1}}
    p = parse_playlist(body)
    assert p.total == 75 and p.owned_by_spotify


def test_user_without_deprecated_fields():
    u = parse_user({"id": "ann", "display_name": "Ann", "account_id": "acc"})
    assert (u.id, u.display_name, u.account_id, u.email, u.country) == ("ann", "Ann", "acc", None, None)


def test_now_playing_none_means_204_and_episode_has_no_track():
    assert parse_now_playing(None) is None
    ep = parse_now_playing({"is_playing": True, "progress_ms": 10, "currently_playing_type": "episode",
                            "item": {"type": "episode", "id": "E"}})
    assert ep is not None and ep.track is None and ep.kind == "episode"
    tr = parse_now_playing({"is_playing": True, "progress_ms": 42000, "currently_playing_type": "track",
                            "item": track(), "context": {"uri": "spotify:playlist:P"}})
    assert tr.track.id == "T1" and tr.progress_ms == 42000 and tr.context_uri == "spotify:playlist:P"


def test_audio_features_row():
    tid, f = parse_audio_features({"id": "T1", "danceability": 0.585, "key": 9, "mode": 0, "tempo": 118.211,
                                   "duration_ms": 237040, "time_signature": 4, "loudness": -5.883})
    assert tid == "T1" and f.key == 9 and f.duration_ms == 237040 and f.valence is None


def test_recent_play_reads_played_at_as_cursor_milliseconds_and_its_context():
    skipped = SkipCounts()
    context = {"type": "playlist", "uri": "spotify:playlist:P1", "href": "h", "external_urls": {}}
    play = parse_recent_play({"track": track(), "played_at": "2026-11-20T11:58:03.123Z", "context": context},
                             skipped)
    assert play is not None and play.track.id == "T1"
    assert play.played_at_ms == 1_795_175_883_123  # calendar.timegm((2026, 11, 20, 11, 58, 3)) * 1000 + 123
    assert (play.context_uri, play.context_type) == ("spotify:playlist:P1", "playlist")
    without_context = parse_recent_play({"track": track(), "played_at": "2026-11-20T11:58:03Z", "context": None},
                                        skipped)
    assert without_context is not None and without_context.context_uri is None
    local = track(tid=None, is_local=True)
    assert parse_recent_play({"track": local, "played_at": "2026-11-20T11:58:03Z"}, skipped) is None
    assert parse_recent_play(None, skipped) is None
    assert (skipped.local, skipped.null) == (1, 1)


@pytest.mark.parametrize("played_at", ["yesterday", "2026-11-20T11:58:03", None])
def test_recent_play_without_a_usable_timestamp_is_a_clear_error(played_at):
    with pytest.raises(MalformedResponse, match="played_at"):
        parse_recent_play({"track": track(), "played_at": played_at}, SkipCounts())
