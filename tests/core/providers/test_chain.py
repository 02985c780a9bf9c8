"""The provider chain over the real sandbox: provenance, only-missing asks, batch sizes, degradation."""

import math

import pandas as pd
import pytest

from genrelens.core.errors import EndpointRestricted, UpstreamError
from genrelens.core.providers.base import FeatureProvider
from genrelens.core.providers.chain import run_chain
from genrelens.core.providers.dataset import DatasetProvider, FrameFeatureLookup
from genrelens.core.providers.reccobeats import ReccoBeatsProvider
from genrelens.core.providers.registry import build_providers, providers_from_env
from genrelens.core.providers.spotify import SpotifyFeaturesProvider
from genrelens.core.providers.store import MemoryFeatureStore
from genrelens.core.reccobeats import ReccoBeatsClient
from genrelens.core.spotify import app_client
from genrelens.core.types import AudioFeatures, SourcedFeatures
from tests.core.spotify.sandbox_helpers import count, settings_for

AF = "GET /v1/audio-features"
RB = "GET /reccobeats/v1/audio-features"


def catalog_tracks(sandbox, n):
    """n real catalogue tracks as TrackRefs (with durations from Spotify's track objects)."""
    return [t.to_ref() for t in app_client(settings_for(sandbox)).search_tracks("e", max_items=n)]


def deps(sandbox):
    settings = settings_for(sandbox)
    return {
        "spotify_client": app_client(settings),
        "reccobeats_client": ReccoBeatsClient.from_settings(settings),
    }


def dataset_lookup(refs):
    """A small imported dataset that knows the given tracks (by id) with recognisable values."""
    frame = pd.DataFrame(
        [{"track_id": r.spotify_id, "track_name": r.title, "artists": ";".join(r.artists),
          "danceability": 0.123, "energy": 0.456, "duration_ms": float(r.duration_ms)} for r in refs]
    )
    return FrameFeatureLookup.from_frame(frame, "blog")


def test_legacy_dataset_first_then_spotify_and_reccobeats_never_asked(legacy_sandbox):
    refs = catalog_tracks(legacy_sandbox, 230)
    providers = build_providers(
        providers_from_env({}), dataset_lookup=dataset_lookup(refs[:30]), **deps(legacy_sandbox)
    )
    store = MemoryFeatureStore()
    legacy_sandbox.reset_stats()
    report = run_chain(refs, providers, store, progress=False)
    assert report.counts == {"dataset:blog": 30, "spotify": 200}
    assert report.missing == [] and report.blocked == {}
    assert report.asked == {"dataset": 230, "spotify": 200}
    assert count(legacy_sandbox, AF) == 2  # 200 tracks in batches of 100
    assert count(legacy_sandbox, RB) == 0
    row = store.features_for(refs[0].key)[0]
    assert row.source == "dataset:blog" and row.features.danceability == 0.123
    spotify_row = store.features_for(refs[100].key)[0]
    assert spotify_row.source == "spotify" and spotify_row.features.time_signature is not None
    assert spotify_row.how["tempo"] == "measured"


def test_devmode_spotify_is_blocked_and_reccobeats_fills_in(devmode_sandbox):
    refs = catalog_tracks(devmode_sandbox, 130)
    store = MemoryFeatureStore()
    providers = build_providers(["spotify", "reccobeats"], **deps(devmode_sandbox))
    devmode_sandbox.reset_stats()
    report = run_chain(refs, providers, store, progress=False)
    assert "403" in report.blocked["spotify"] and count(devmode_sandbox, AF) == 1
    assert report.asked == {"spotify": 130, "reccobeats": 130}
    assert count(devmode_sandbox, RB) == math.ceil(130 / 40)
    answered = report.counts["reccobeats"]
    assert answered + len(report.missing) == 130 and answered >= 0.7 * 130 and report.missing
    row = store.features_for(next(iter(report.source_of)))[0]
    assert row.source == "reccobeats" and row.features.time_signature is None
    ref = next(r for r in refs if r.key == row.track_key)
    assert row.features.duration_ms == ref.duration_ms  # from the track object, not ReccoBeats


def test_tracks_with_features_are_never_asked_for(devmode_sandbox):
    refs = catalog_tracks(devmode_sandbox, 90)
    store = MemoryFeatureStore(
        [SourcedFeatures(track_key=r.key, features=AudioFeatures(energy=0.5), source="local") for r in refs[:50]]
    )
    providers = build_providers(["reccobeats"], **deps(devmode_sandbox))
    devmode_sandbox.reset_stats()
    first = run_chain(refs, providers, store, progress=False)
    assert sorted(first.already_stored) == sorted(r.key for r in refs[:50])
    assert first.asked == {"reccobeats": 40} and count(devmode_sandbox, RB) == 1
    devmode_sandbox.reset_stats()
    # second run: what was answered is stored, only the unknown-to-ReccoBeats remain to ask
    second = run_chain(refs, providers, store, progress=False)
    assert second.asked.get("reccobeats", 0) == len(first.missing)
    assert count(devmode_sandbox, RB) == (1 if first.missing else 0)
    assert store.features_for(refs[0].key)[0].source == "local"


def test_every_answer_is_its_own_row_with_its_source(legacy_sandbox):
    refs = catalog_tracks(legacy_sandbox, 20)
    store = MemoryFeatureStore()
    d = deps(legacy_sandbox)
    run_chain(refs, [SpotifyFeaturesProvider(d["spotify_client"])], store, progress=False)
    run_chain(refs, [ReccoBeatsProvider(d["reccobeats_client"])], MemoryFeatureStore(), progress=False)
    # same track, two sources, two rows: a second provider never overwrites the first
    store.save_features(
        [SourcedFeatures(track_key=refs[0].key, features=AudioFeatures(energy=0.1), source="reccobeats")]
    )
    sources = sorted(r.source for r in store.features_for(refs[0].key))
    assert sources == ["reccobeats", "spotify"]


class Failing(FeatureProvider):
    """A provider whose source is closed: raises like the Spotify adapter does in dev mode."""

    name = "closed"
    batch_size = 10

    def __init__(self) -> None:
        self.calls = 0

    def fetch(self, tracks):
        self.calls += 1
        raise EndpointRestricted("audio-features")


def test_a_blocked_provider_is_asked_once_and_the_rest_go_on():
    from genrelens.core.types import TrackRef

    refs = [TrackRef(key=f"k{i}", spotify_id=f"id{i}", title=f"Song {i}", artists=("Ann",), duration_ms=200_000)
            for i in range(35)]
    frame = pd.DataFrame([{"track_id": f"id{i}", "track_name": f"Song {i}", "artists": "Ann", "energy": 0.3,
                           "duration_ms": 200_000.0} for i in range(0, 35, 2)])
    closed = Failing()
    report = run_chain(refs, [closed, DatasetProvider(FrameFeatureLookup.from_frame(frame, "x"))],
                       MemoryFeatureStore(), progress=False)
    assert closed.calls == 1 and "audio-features" in report.blocked["closed"]
    assert report.counts == {"dataset:x": 18} and len(report.missing) == 17
    assert "dataset:x 18" in report.summary()


@pytest.mark.parametrize("progress", [True, False])
def test_progress_bar_goes_to_stderr(capsys, progress):
    from genrelens.core.types import TrackRef

    frame = pd.DataFrame([{"track_id": "a", "track_name": "A", "artists": "Ann", "energy": 0.3}])
    run_chain([TrackRef(key="a", spotify_id="a")], [DatasetProvider(FrameFeatureLookup.from_frame(frame, "x"))],
              MemoryFeatureStore(), progress=progress)
    out, err = capsys.readouterr()
    assert out == "" and (("features: dataset" in err) == progress)


class Flaky(FeatureProvider):
    """Fails on the batches listed in `bad` (like a 400 for one malformed id), answers the others."""

    name = "flaky"
    batch_size = 5

    def __init__(self, bad: set[int]) -> None:
        self.bad = bad
        self.batches = 0

    def fetch(self, tracks):
        self.batches += 1
        if self.batches in self.bad:
            raise UpstreamError("HTTP 400 malformed id", status=400)
        return [SourcedFeatures(track_key=t.key, features=AudioFeatures(energy=0.5), source=self.name)
                for t in tracks]


def test_a_failing_batch_costs_only_that_batch():
    from genrelens.core.types import TrackRef

    refs = [TrackRef(key=f"k{i}") for i in range(20)]
    report = run_chain(refs, [Flaky(bad={2})], MemoryFeatureStore(), progress=False)
    assert report.counts == {"flaky": 15} and report.missing == [f"k{i}" for i in range(5, 10)]
    assert report.blocked == {} and len(report.errors["flaky"]) == 1
    assert not report.interrupted  # a 400 (a malformed id) will fail the same way again


def test_tracks_missing_after_a_5xx_burst_or_a_rate_limit_are_worth_another_run():
    from genrelens.core.errors import RateLimited
    from genrelens.core.types import TrackRef

    class Burst(Flaky):
        def fetch(self, tracks):
            self.batches += 1
            if self.batches in self.bad:
                raise UpstreamError("HTTP 503", status=503)
            return [SourcedFeatures(track_key=t.key, features=AudioFeatures(energy=0.5), source=self.name)
                    for t in tracks]

    class Limited(Failing):
        def fetch(self, tracks):
            raise RateLimited(3600, "audio-features")

    refs = [TrackRef(key=f"k{i}") for i in range(20)]
    burst = run_chain(refs, [Burst(bad={2})], MemoryFeatureStore(), progress=False)
    assert burst.interrupted and len(burst.missing) == 5
    limited = run_chain(refs, [Limited()], MemoryFeatureStore(), progress=False)
    assert limited.interrupted and len(limited.missing) == 20
    closed = run_chain(refs, [Failing()], MemoryFeatureStore(), progress=False)  # a 403: not coming back
    assert not closed.interrupted and len(closed.missing) == 20


def test_a_provider_failing_batch_after_batch_is_blocked():
    from genrelens.core.types import TrackRef

    provider = Flaky(bad={1, 2, 3, 4})
    report = run_chain([TrackRef(key=f"k{i}") for i in range(30)], [provider], MemoryFeatureStore(), progress=False)
    assert provider.batches == 3 and "3 batches failed in a row" in report.blocked["flaky"]
    assert len(report.missing) == 30
