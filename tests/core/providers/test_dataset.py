"""The dataset provider over a real canonical frame (synthesised here) and the shared dev file."""

from pathlib import Path

import pandas as pd
import pytest

from genrelens.core.providers.chain import run_chain
from genrelens.core.providers.dataset import (
    DatasetProvider,
    FrameFeatureLookup,
    name_key,
    normalise_artist,
    normalise_title,
)
from genrelens.core.providers.store import MemoryFeatureStore
from genrelens.core.types import TrackRef

SHARED = Path(__file__).parents[3] / ".." / "shared" / "data" / "tidytuesday-songs-dev.csv"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Señorita (feat. Camila Cabello)", "senorita"),
        ("Titanium - Bassjackers Remix", "titanium"),
        ("Bohemian Rhapsody - Remastered 2011", "bohemian rhapsody"),
        ("Hello [ft. Someone]", "hello"),
        ("Song feat. Someone Else", "song"),
        ("Love & War (Radio Edit)", "love and war"),
        ("Don’t Start Now", "dont start now"),
        ("With or Without You", "with or without you"),  # "with" only matters inside brackets
        ("Live Forever", "live forever"),
        ("Stay (with Justin Bieber)", "stay"),
    ],
)
def test_title_normalisation(raw, clean):
    assert normalise_title(raw) == clean


def test_artist_normalisation():
    assert normalise_artist("The Weeknd") == "weeknd"
    assert normalise_artist("Beyoncé") == "beyonce"
    assert name_key([], "Song") is None and name_key(["A"], "(Remastered)") is None


def frame(rows):
    base = {"track_artist": "", "artists": "", "danceability": 0.5, "energy": 0.5, "duration_ms": 200000.0}
    return pd.DataFrame([base | r for r in rows])


def test_matches_by_id_then_by_name_within_two_seconds():
    lookup = FrameFeatureLookup.from_frame(
        frame(
            [
                {"track_id": "ID1", "track_name": "One", "artists": "Ann", "danceability": 0.1},
                {"track_id": "ID2", "track_name": "Señorita", "artists": "Shawn Mendes;Camila Cabello",
                 "danceability": 0.2, "duration_ms": 190000.0},
                {"track_id": "ID3", "track_name": "Far", "artists": "Cem", "duration_ms": 300000.0},
            ]
        ),
        "blog",
    )
    provider = DatasetProvider(lookup)
    refs = [
        TrackRef(key="k1", spotify_id="ID1", title="whatever", artists=("x",)),
        TrackRef(key="k2", spotify_id="OTHER", title="Senorita (feat. Camila Cabello) - Remastered",
                 artists=("SHAWN MENDES",), duration_ms=191_500),
        TrackRef(key="k3", title="Far", artists=("Cem",), duration_ms=303_000),  # 3 s off: a different take
        TrackRef(key="k4", title="Unknown", artists=("Nobody",)),
    ]
    answers = {a.track_key: a for a in provider.fetch(refs)}
    assert set(answers) == {"k1", "k2"}
    assert answers["k1"].features.danceability == 0.1 and answers["k1"].source == "dataset:blog"
    assert answers["k2"].features.danceability == 0.2
    assert answers["k2"].source_version.endswith("name+duration")
    assert answers["k1"].source_version.endswith("spotify_id")


def test_ambiguous_name_without_duration_is_not_guessed():
    lookup = FrameFeatureLookup.from_frame(
        frame([{"track_id": "A", "track_name": "Intro", "artists": "Ann"},
               {"track_id": "B", "track_name": "Intro (Live)", "artists": "Ann", "duration_ms": 90000.0}]),
        "x",
    )
    assert DatasetProvider(lookup).fetch([TrackRef(key="k", title="Intro", artists=("Ann",))]) == []
    # with a duration the closer one (within 2 s) wins
    hit = DatasetProvider(lookup).fetch([TrackRef(key="k", title="Intro", artists=("Ann",), duration_ms=91_000)])
    assert hit[0].features.duration_ms == 90000


def test_rows_without_features_are_not_candidates():
    lookup = FrameFeatureLookup.from_frame(
        pd.DataFrame([{"track_id": "A", "track_name": "T", "artists": "Ann", "danceability": float("nan")}]), "x"
    )
    assert len(lookup) == 0


@pytest.mark.shared_data
def test_the_shared_dev_file_answers_for_its_own_tracks():
    if not SHARED.is_file():
        pytest.skip(f"shared dev data absent: {SHARED}")
    lookup = FrameFeatureLookup.from_file(SHARED, "tidytuesday")
    raw = pd.read_csv(SHARED, nrows=300).drop_duplicates("track_id")
    refs = [TrackRef(key=f"k{i}", spotify_id=r.track_id) for i, r in enumerate(raw.itertuples())]
    store = MemoryFeatureStore()
    report = run_chain(refs, [DatasetProvider(lookup)], store, progress=False)
    # read_dataset may reject a few malformed rows; the rest must all be answered from the file
    assert len(report.source_of) >= 0.9 * len(refs)
    assert set(report.counts) == {"dataset:tidytuesday"}
    first = store.features_for("k0")[0].features
    assert first.danceability == pytest.approx(raw.iloc[0].danceability)
    assert first.duration_ms == pytest.approx(raw.iloc[0].duration_min * 60000, abs=1)
