import threading

import pytest

from genrelens.core.spotify.wire import RequestCounter, endpoint_template


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://h/v1/playlists/37i9dQZF1/items?limit=50", "GET /v1/playlists/{id}/items"),
        ("http://h/v1/albums/abc/tracks/", "GET /v1/albums/{id}/tracks"),
        ("http://h/v1/tracks/?ids=a,b", "GET /v1/tracks"),
        ("http://h/v1/tracks/abc", "GET /v1/tracks/{id}"),
        ("http://h/v1/me/", "GET /v1/me"),
        ("http://h/v1/me/tracks?limit=50", "GET /v1/me/tracks"),
        ("http://h/v1/me/top/tracks", "GET /v1/me/top/{type}"),
        ("http://h/v1/browse/categories/pop/playlists", "GET /v1/browse/categories/{id}/playlists"),
        ("http://h/v1/audio-features/?ids=a", "GET /v1/audio-features"),
        ("http://h/reccobeats/v1/audio-features?ids=a", "GET /reccobeats/v1/audio-features"),
    ],
)
def test_urls_become_the_sandbox_route_templates(url, expected):
    assert endpoint_template("get", url) == expected


def test_counter_is_exact_under_threads():
    counter = RequestCounter()

    def work():
        for _ in range(1000):
            counter.add("GET /v1/me")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.total == 8000
    assert counter.by_endpoint() == {"GET /v1/me": 8000}
