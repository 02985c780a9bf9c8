"""spotipy through our adapter, over real HTTP, against the sandbox in both profiles."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from genrelens.core.errors import EndpointRestricted, RateLimited, ReauthRequired, UpstreamError
from genrelens.core.spotify import Capabilities, Playlist, SpotifyClient, app_client, user_client
from genrelens.core.spotify.auth import USER_SCOPE as GENRELENS_SCOPE
from genrelens.core.spotify.auth import MemoryCacheHandler
from tests.core.spotify.sandbox_helpers import Sleeps, count, login, settings_for

PROFILES = ["legacy_sandbox", "devmode_sandbox"]


@pytest.fixture(params=PROFILES, ids=["legacy", "devmode"])
def sandbox(request):
    return request.getfixturevalue(request.param)


def app_for(sandbox, sleeps=None, **overrides) -> SpotifyClient:
    return app_client(settings_for(sandbox, **overrides), sleep=sleeps if sleeps is not None else Sleeps())


def user_for(sandbox, user="ann", sleeps=None, **overrides) -> SpotifyClient:
    cache = login(sandbox, user)
    return user_client(settings_for(sandbox, **overrides), cache, sleep=sleeps if sleeps is not None else Sleeps())


def user_for_history(sandbox, user="ann") -> SpotifyClient:
    """A user logged in with the scopes genrelens asks for today (listening history included)."""
    return user_client(settings_for(sandbox), login(sandbox, user, scope=GENRELENS_SCOPE), sleep=Sleeps())


def raw_total(sandbox, client_cache_token: str, path: str, params: dict, key: str | None = None) -> int:
    body = requests.get(
        sandbox.api_base + path, params=params, headers={"Authorization": f"Bearer {client_cache_token}"}, timeout=10
    ).json()
    return int((body[key] if key else body)["total"])


# -- app-level calls ---------------------------------------------------------------------------


def test_search_pages_to_the_last_page_with_the_profile_limit(sandbox):
    total = raw_total(sandbox, sandbox.client_token(), "search", {"q": "pop", "type": "playlist", "limit": 5},
                      "playlists")
    assert total > 10
    sandbox.reset_stats()
    app = app_for(sandbox)
    found = app.search_playlists("pop")
    assert len(found) == min(total, 1000) and len({p.id for p in found}) == len(found)
    limit = 50 if sandbox.profile == "legacy" else 10
    pages = math.ceil(total / limit)
    # devmode: one extra request, the refused limit=50 that taught the client the limit of 10
    refused = 0 if sandbox.profile == "legacy" else 1
    assert count(sandbox, "GET /v1/search") == pages + refused
    assert app.capabilities.search_limit == limit


def test_search_limit_is_learnt_once(devmode_sandbox):
    app = app_for(devmode_sandbox)
    app.search_artists("a", max_items=30)  # asks for 30 per page, is refused, learns 10
    assert app.capabilities.search_limit == 10
    devmode_sandbox.reset_stats()
    artists = app.search_artists("a", max_items=25)
    assert len(artists) == 25
    assert count(devmode_sandbox, "GET /v1/search") == 3  # 10 + 10 + 10, no refused request any more
    assert devmode_sandbox.stats()["by_status"].get("400", 0) == 0


def test_search_every_kind_and_max_items(sandbox):
    app = app_for(sandbox)
    assert len(app.search_artists("a", max_items=12)) == 12
    albums = app.search_albums("the", max_items=7)
    assert 0 < len(albums) <= 7 and all(a.id for a in albums)
    tracks = app.search_tracks("night", max_items=30)
    assert tracks and all("night" in t.name.lower() for t in tracks)
    with pytest.raises(ValueError, match="non-empty query"):
        app.search_tracks("  ")


def test_tracks_and_artists_batch_in_legacy_and_fall_back_in_devmode(sandbox):
    examples = sandbox.catalog_info()["examples"]
    app = app_for(sandbox)
    ids = [*examples["track_ids"], None, examples["track_ids"][0], "0000000000000000000000"]
    tracks = app.tracks(ids)
    assert [t.id for t in tracks] == examples["track_ids"]  # None, duplicate and unknown dropped
    artists = app.artists(examples["artist_ids"])
    assert [a.id for a in artists] == examples["artist_ids"]
    stats = sandbox.stats()["by_endpoint"]
    if sandbox.profile == "legacy":
        assert stats.get("GET /v1/tracks") == 1 and stats.get("GET /v1/tracks/{id}") is None
        assert app.capabilities.batch_tracks is True and app.capabilities.batch_artists is True
        assert all(a.popularity is not None for a in artists)
    else:
        # one refused batch, then one request per id (unknown id included)
        assert stats.get("GET /v1/tracks") == 1 and stats.get("GET /v1/tracks/{id}") == len(examples["track_ids"]) + 1
        assert app.capabilities.batch_tracks is False and app.capabilities.batch_artists is False
        assert all(a.popularity is None and a.genres == () for a in artists)
        sandbox.reset_stats()
        app.tracks(examples["track_ids"][:2])
        assert count(sandbox, "GET /v1/tracks") == 0  # the closed door is not knocked on again


def test_batches_of_fifty(legacy_sandbox):
    app = app_for(legacy_sandbox)
    ids = [t.id for p in app.search_playlists("rock", max_items=4) for t in [i.track for i in app.playlist_items(p)[0]]]
    unique = list(dict.fromkeys(ids))[:120]
    assert len(unique) > 100
    legacy_sandbox.reset_stats()
    assert len(app.tracks(unique)) == len(unique)
    assert count(legacy_sandbox, "GET /v1/tracks") == math.ceil(len(unique) / 50)


def test_album_and_album_tracks(sandbox):
    app = app_for(sandbox)
    album_id = sandbox.catalog_info()["examples"]["album_ids"][1]
    album = app.album(album_id)
    tracks = app.album_tracks(album)
    assert album.id == album_id and len(tracks) == album.total_tracks
    assert all(t.album_id == album.id and t.album_name == album.name for t in tracks)
    assert album.release_year is not None


def test_audio_features_in_batches_of_100_or_restricted(sandbox):
    app = app_for(sandbox)
    ids = [t.id for t in app.search_tracks("e", max_items=250)]
    assert len(ids) == 250
    sandbox.reset_stats()
    if sandbox.profile == "legacy":
        features = app.audio_features([*ids, None])
        assert set(features) == set(ids)
        assert count(sandbox, "GET /v1/audio-features") == 3
        assert all(f.tempo is not None and f.time_signature is not None for f in features.values())
        assert app.capabilities.audio_features is True
    else:
        with pytest.raises(EndpointRestricted) as info:
            app.audio_features(ids)
        assert info.value.status == 403 and info.value.endpoint == "audio-features"
        with pytest.raises(EndpointRestricted):
            app.audio_features(ids)
        assert count(sandbox, "GET /v1/audio-features") == 1


def test_categories_and_category_playlists(sandbox):
    app = app_for(sandbox)
    if sandbox.profile == "legacy":
        sandbox.set_faults(null_items=0.3)
        categories = app.categories()
        assert len(categories) == sandbox.catalog_info()["counts"]["categories"]
        playlists = [p for c in categories[:5] for p in app.category_playlists(c.id)]
        assert playlists and all(isinstance(p, Playlist) and p.id for p in playlists)
        assert app.capabilities.categories is True and app.capabilities.category_playlists is True
        return
    with pytest.raises(EndpointRestricted) as info:
        app.categories()
    assert info.value.status == 404
    category_id = sandbox.catalog_info()["examples"]["category_ids"][0]
    with pytest.raises(EndpointRestricted):
        app.category_playlists(category_id)
    sandbox.reset_stats()
    with pytest.raises(EndpointRestricted):
        app.categories()
    assert sandbox.stats()["total"] == 0
    assert app.capabilities.categories is False and app.capabilities.category_playlists is False


def test_playlist_items_of_someone_elses_playlist(sandbox):
    app = app_for(sandbox)
    others = [p for p in app.search_playlists("hip hop") if not p.owned_by_spotify]
    assert others
    target = max(others, key=lambda p: p.total or 0)
    if sandbox.profile == "legacy":
        items, skipped = app.playlist_items(target)
        assert len(items) + skipped.total == target.total
        assert app.capabilities.playlist_items_any is True
        return
    with pytest.raises(EndpointRestricted) as info:
        app.playlist_items(target)
    assert info.value.status == 403 and app.capabilities.playlist_items_any is False
    sandbox.reset_stats()
    with pytest.raises(EndpointRestricted):
        app.playlist_items(others[0].id)
    assert count(sandbox, "GET /v1/playlists/{id}/items") == 0


def test_spotify_owned_playlists_are_404_in_devmode(devmode_sandbox):
    app = app_for(devmode_sandbox)
    spotify_owned = devmode_sandbox.catalog_info()["examples"]["spotify_owned_playlist_ids"][0]
    with pytest.raises(UpstreamError) as info:
        app.playlist(spotify_owned)
    assert info.value.status == 404 and info.value.permanent


# -- user calls --------------------------------------------------------------------------------


def test_user_profile_and_deprecated_fields(sandbox):
    me = user_for(sandbox).me()
    assert me.id == "ann" and me.display_name
    if sandbox.profile == "legacy":
        assert me.email and me.country
    else:
        assert me.email is None and me.country is None and me.product is None


def test_now_playing_and_204_when_idle(sandbox):
    users = sandbox.users()
    playing = next(u["id"] for u in users if u["playing"])
    idle = next(u["id"] for u in users if not u["playing"])
    now = user_for(sandbox, playing).now_playing()
    assert now is not None and now.is_playing and now.track is not None and now.progress_ms is not None
    assert user_for(sandbox, idle).now_playing() is None
    assert sandbox.stats()["by_status"].get("204") == 1


def test_recently_played_is_a_typed_list_newest_first_in_one_request(sandbox):
    client = user_for_history(sandbox)
    sandbox.reset_stats()
    plays = client.recently_played()
    assert len(plays) == 50 and count(sandbox, "GET /v1/me/player/recently-played") == 1
    times = [p.played_at_ms for p in plays]
    assert times == sorted(times, reverse=True) and len(set(times)) == 50
    assert all(p.track.id and p.played_at.endswith("Z") for p in plays)
    assert {p.context_type for p in plays} <= {"playlist", "album"}
    assert all(p.context_uri and p.context_uri.startswith(f"spotify:{p.context_type}:") for p in plays)


def test_recently_played_cursors_in_both_directions(sandbox):
    client = user_for_history(sandbox)
    plays = client.recently_played()
    older = client.recently_played(limit=10, before=plays[9].played_at_ms)
    newer = client.recently_played(limit=10, after=plays[20].played_at_ms)
    assert [p.played_at for p in older] == [p.played_at for p in plays[10:20]]
    assert [p.played_at for p in newer] == [p.played_at for p in plays[10:20]]


@pytest.mark.parametrize("kwargs", [{"limit": 0}, {"limit": 51}, {"before": 1, "after": 1}],
                         ids=["limit0", "limit51", "both-cursors"])
def test_recently_played_refuses_bad_arguments_before_asking(legacy_sandbox, kwargs):
    client = user_for_history(legacy_sandbox)
    legacy_sandbox.reset_stats()
    with pytest.raises(ValueError):
        client.recently_played(**kwargs)
    assert count(legacy_sandbox, "GET /v1/me/player/recently-played") == 0


def test_a_login_without_the_history_scope_must_log_in_again(sandbox):
    # tests' USER_SCOPE predates user-read-recently-played, as old stored logins do
    with pytest.raises(ReauthRequired, match="user-read-recently-played"):
        user_for(sandbox).recently_played()


def test_top_tracks_for_each_time_range(sandbox):
    client = user_for(sandbox)
    ranges = {r: [t.id for t in client.top_tracks(r)] for r in ("short_term", "medium_term", "long_term")}
    assert all(ranges.values())
    assert len({tuple(v) for v in ranges.values()}) == 3  # the three windows differ
    with pytest.raises(ValueError, match="time_range"):
        client.top_tracks("forever")  # type: ignore[arg-type]


def test_saved_tracks_page_to_the_end(sandbox):
    liked = next(u["liked"] for u in sandbox.users() if u["id"] == "ann")
    saved, skipped = user_for(sandbox).saved_tracks()
    assert len(saved) + skipped.total == liked
    assert count(sandbox, "GET /v1/me/tracks") == math.ceil(liked / 50)
    assert all(s.added_at for s in saved)


def test_own_playlists_page_to_the_end_and_count_skipped_items(sandbox):
    client = user_for(sandbox)
    mine = [p for p in client.user_playlists() if p.owner_id == "ann"]
    longest = max(mine, key=lambda p: p.total or 0)
    assert longest.total and longest.total > 50  # more than one page
    sandbox.set_faults(null_items=0.1, local_items=0.1, episode_items=0.1)
    items, skipped = client.playlist_items(longest)
    assert len(items) + skipped.total == longest.total
    assert skipped.null > 0 and skipped.local > 0 and skipped.episodes > 0
    assert all(i.track.id for i in items)
    assert count(sandbox, "GET /v1/playlists/{id}/items") == math.ceil(longest.total / 50)


def test_devmode_user_reads_own_playlists_but_not_others(devmode_sandbox):
    client = user_for(devmode_sandbox)
    mine = [p for p in client.user_playlists() if p.owner_id == "ann"]
    others = [p for p in client.search_playlists("rock") if p.owner_id not in ("ann", "spotify")
              and not p.collaborative]
    with pytest.raises(EndpointRestricted):
        client.playlist_items(others[0])
    # the door is closed for other people's playlists only: own ones still work, without a refusal
    devmode_sandbox.reset_stats()
    items, _ = client.playlist_items(mine[0])
    assert items
    with pytest.raises(EndpointRestricted):
        client.playlist_items(others[1])
    assert devmode_sandbox.stats()["by_status"].get("403", 0) == 0


def test_two_users_never_see_each_others_tokens(sandbox):
    ann_cache, ben_cache = login(sandbox, "ann"), login(sandbox, "ben")
    ann = user_client(settings_for(sandbox), ann_cache)
    ben = user_client(settings_for(sandbox), ben_cache)
    assert ann.me().id == "ann" and ben.me().id == "ben"
    ann_token = ann_cache.get_cached_token()["access_token"]
    assert ann_token != ben_cache.get_cached_token()["access_token"]
    sandbox.expire_tokens()
    assert ben.me().id == "ben"  # ben refreshes into his own cache...
    assert ann_cache.get_cached_token()["access_token"] == ann_token  # ...and ann's is untouched
    assert ann.me().id == "ann"


def test_pkce_login_without_a_secret(sandbox):
    cache = login(sandbox, "cem", pkce=True)
    client = user_client(settings_for(sandbox, pkce=True), cache)
    assert client.me().id == "cem"
    sandbox.expire_tokens()
    assert client.me().id == "cem"  # refreshed PKCE-style (client_id, no secret)


def test_user_client_refuses_a_token_without_the_needed_scope(sandbox):
    cache = login(sandbox, "ann", scope="user-read-private")
    with pytest.raises(ReauthRequired, match="scope"):
        user_client(settings_for(sandbox), cache, scope="user-library-read")


def test_a_bad_authorization_code_means_log_in_again(sandbox):
    from genrelens.core.spotify import exchange_code

    with pytest.raises(ReauthRequired):
        exchange_code(settings_for(sandbox), "not-a-code", MemoryCacheHandler())


# -- faults --------------------------------------------------------------------------------------


def test_429_with_short_retry_after_is_waited_out(sandbox):
    sleeps = Sleeps()
    app = app_for(sandbox, sleeps)
    sandbox.set_faults(script=[{"path": "/v1/search", "status": 429, "count": 2, "retry_after": 1}])
    assert app.search_artists("a", max_items=3)
    assert sleeps == [1.0, 1.0]
    assert sandbox.stats()["by_status"]["429"] == 2


def test_429_with_long_retry_after_raises_at_once(sandbox):
    sleeps = Sleeps()
    app = app_for(sandbox, sleeps, retry_after_cap=2.0)
    sandbox.set_faults(script=[{"path": "/v1/search", "status": 429, "count": 1, "retry_after": 3600}])
    with pytest.raises(RateLimited) as info:
        app.search_artists("a", max_items=3)
    assert info.value.retry_after == 3600 and sleeps == []
    assert count(sandbox, "GET /v1/search") == 1


def test_5xx_burst_is_retried_with_backoff(sandbox):
    sleeps = Sleeps()
    app = app_for(sandbox, sleeps)
    sandbox.set_faults(script=[{"path": "/v1/search", "status": 503, "count": 2},
                               {"path": "/v1/search", "status": 500, "count": 1}])
    assert app.search_artists("a", max_items=3)
    assert len(sleeps) == 3 and sleeps[0] <= sleeps[1] <= sleeps[2] + 1e-9


def test_5xx_burst_longer_than_the_budget_is_a_transient_error(sandbox):
    app = app_for(sandbox, max_retries=2)
    sandbox.set_faults(script=[{"path": "/v1/search", "status": 502, "count": 5}])
    with pytest.raises(UpstreamError) as info:
        app.search_artists("a", max_items=3)
    assert info.value.status == 502 and not info.value.permanent
    assert count(sandbox, "GET /v1/search") == 3


def test_connection_errors_are_retried_then_reported():
    sleeps = Sleeps()
    # nothing listens on port 9 of the loopback: connection refused every time
    settings = settings_for_dead_port()
    app = app_client(settings, sleep=sleeps)
    with pytest.raises(UpstreamError) as info:
        app.search_artists("a")
    assert info.value.status is None and len(sleeps) == settings.max_retries


def settings_for_dead_port():
    from genrelens.core.spotify import SpotifySettings

    base = "http://127.0.0.1:9"
    return SpotifySettings(client_id="c", client_secret="s", api_base=base + "/v1/", accounts_base=base,
                           max_retries=2, timeout=2)


def test_401_refreshes_the_app_token_once(sandbox):
    app = app_for(sandbox)
    app.search_artists("a", max_items=2)
    tokens_before = count(sandbox, "POST /api/token")
    sandbox.expire_tokens()
    assert app.search_artists("a", max_items=2)
    assert count(sandbox, "POST /api/token") == tokens_before + 1
    assert sandbox.stats()["by_status"]["401"] == 1


def test_parallel_401s_refresh_the_token_only_once(sandbox):
    app = app_for(sandbox)
    app.search_artists("a", max_items=2)
    sandbox.expire_tokens()
    sandbox.reset_stats()
    sandbox.set_faults(latency_ms=150)  # all six requests are in flight with the old token at once
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda q: app.search_artists(q, max_items=2), ["a", "e", "i", "o", "u", "an"]))
    assert all(results)
    assert sandbox.stats()["by_status"]["401"] == 6
    assert count(sandbox, "POST /api/token") == 1


def test_401_refreshes_the_user_token_once(sandbox):
    cache = login(sandbox, "ann")
    before = cache.get_cached_token()
    client = user_client(settings_for(sandbox), cache)
    sandbox.expire_tokens()
    assert client.me().id == "ann"
    after = cache.get_cached_token()
    assert after["access_token"] != before["access_token"] and after["refresh_token"]


def test_revoked_refresh_token_means_log_in_again(sandbox):
    client = user_for(sandbox)
    sandbox.expire_tokens()
    sandbox.revoke_tokens()
    with pytest.raises(ReauthRequired):
        client.me()


def test_random_faults_under_parallel_paging(legacy_sandbox):
    """Several threads page through playlists at once while a third of the requests fail with 5xx."""
    app = app_for(legacy_sandbox, max_retries=8)
    playlists = app.search_playlists("pop", max_items=12)
    expected = {p.id: p.total for p in playlists}
    legacy_sandbox.set_faults(rate_5xx=0.35)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda p: (p.id, app.playlist_items(p)), playlists))
    for pid, (items, skipped) in results:
        assert len(items) + skipped.total == expected[pid]
    by_status = legacy_sandbox.stats()["by_status"]
    assert sum(by_status.get(code, 0) for code in ("500", "502", "503")) > 3


# -- capability memory and request counting ------------------------------------------------------


def test_capabilities_persist_and_restore(devmode_sandbox):
    first = app_for(devmode_sandbox)
    with pytest.raises(EndpointRestricted):
        first.audio_features(devmode_sandbox.catalog_info()["examples"]["track_ids"])
    saved = first.capabilities.as_dict()
    devmode_sandbox.reset_stats()
    second = app_client(settings_for(devmode_sandbox), capabilities=Capabilities.from_dict(saved))
    with pytest.raises(EndpointRestricted):
        second.audio_features(["x"])
    assert devmode_sandbox.stats()["total"] == 0


def test_request_counter_agrees_with_the_sandbox(sandbox):
    client = user_for(sandbox)
    sandbox.reset_stats()
    client.me()
    client.top_tracks("long_term")
    client.saved_tracks(max_items=60)
    client.search_tracks("a", max_items=15)
    ours = {k: v for k, v in client.requests.by_endpoint().items() if "/v1/" in k}
    theirs = {k: v for k, v in sandbox.stats()["by_endpoint"].items() if "/v1/" in k}
    assert ours == theirs


def test_a_token_expired_by_the_clock_is_refreshed_when_the_client_is_built(sandbox):
    cache = login(sandbox, "ann")
    token = cache.get_cached_token()
    cache.save_token_to_cache({**token, "expires_at": 0})
    client = user_client(settings_for(sandbox), cache)
    assert cache.get_cached_token()["access_token"] != token["access_token"]
    assert client.me().id == "ann"
    stale = cache.get_cached_token()
    cache.save_token_to_cache({**stale, "expires_at": 0})
    sandbox.revoke_tokens()
    with pytest.raises(ReauthRequired):
        user_client(settings_for(sandbox), cache)
