"""Taste documents: public and user tastes, percentiles, share snapshots and comparisons."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from genrelens.core.taste.documents import (
    compare,
    percentiles_of,
    public_as_taste,
    public_taste,
    share_snapshot,
    user_taste,
)
from genrelens.core.taste.errors import TasteInputError
from genrelens.core.taste.grid import feature_grid
from genrelens.core.types import FEATURE_NAMES
from tests.core.taste.conftest import GENRES, taste_frame


@pytest.fixture(scope="module")
def public(frame):
    return public_taste(frame, dataset="generated")


def assert_numpys(ours, numpys) -> None:
    """Equal to numpy's to the last bits (the same formula, evaluated outside numpy)."""
    np.testing.assert_allclose(ours, numpys, rtol=1e-13, atol=1e-13 * np.abs(numpys).max())


def _json(document: dict) -> str:
    return json.dumps(document, allow_nan=False)  # raises on NaN or anything not plain JSON


def _user(rows: pd.DataFrame, public: dict, *, probabilities=None, sources=None) -> dict:
    return user_taste(rows.reset_index(drop=True), public=public, probabilities=probabilities,
                      sources=sources if sources is not None else ["spotify"] * len(rows))


def _probabilities(rows: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    return pd.DataFrame(np.random.default_rng(seed).dirichlet(np.ones(3), len(rows)), columns=list(GENRES))


# --------------------------------------------------------------------------------------------
# Public taste


def test_the_public_document_is_plain_json_with_every_genre_and_feature(public, frame):
    _json(public)
    assert public["dataset"] == "generated" and public["features"] == list(FEATURE_NAMES)
    assert set(public["genres"]) == set(GENRES)
    assert sum(g["count"] for g in public["genres"].values()) == public["all"]["count"] == len(frame)
    assert sum(g["share"] for g in public["genres"].values()) == pytest.approx(1.0)
    for entry in [*public["genres"].values(), public["all"]]:
        for feature in FEATURE_NAMES:
            block = entry["features"][feature]
            assert len(block["density"]) == public["grid"][feature]["points"] == 256
            assert len(block["percentiles"]) == 101
            area = np.trapezoid(block["density"], feature_grid(feature))
            assert area == pytest.approx(1.0, abs=3e-4)  # densities are stored to 4 significant digits


def test_percentiles_medians_means_and_counts_are_numpys(public, frame):
    for genre in GENRES:
        rows = frame[frame.playlist_genre == genre]
        for feature in FEATURE_NAMES:
            block = public["genres"][genre]["features"][feature]
            values = rows[feature].to_numpy()
            assert_numpys(block["percentiles"], np.percentile(values, np.arange(101)))
            assert_numpys(block["median"], np.median(values))
            assert block["mean"] == pytest.approx(values.mean(), rel=1e-12)
            assert block["count"] == len(values)


def test_whole_number_features_also_give_exact_frequencies(public, frame):
    rows = frame[frame.playlist_genre == "loud"]
    frequencies = public["genres"]["loud"]["features"]["mode"]["frequencies"]
    assert frequencies == pytest.approx([(rows["mode"] == 0).mean(), (rows["mode"] == 1).mean()])
    key = public["all"]["features"]["key"]["frequencies"]
    assert len(key) == 12 and key == pytest.approx(frame.key.value_counts(normalize=True).sort_index().tolist())


def test_a_feature_the_dataset_lacks_has_empty_blocks(frame):
    document = public_taste(frame.assign(key=np.nan), dataset="no keys")
    _json(document)
    block = document["genres"]["calm"]["features"]["key"]
    assert block["count"] == 0 and block["density"] is None and block["percentiles"] is None
    assert block["median"] is None and block["frequencies"] is None


def test_rows_without_a_genre_count_in_all_only(frame):
    holed = frame.copy()
    holed.loc[:9, "playlist_genre"] = ""
    document = public_taste(holed)
    assert document["all"]["count"] == len(frame)
    assert sum(g["count"] for g in document["genres"].values()) == len(frame) - 10
    assert "" not in document["genres"]


def test_a_public_taste_of_nothing_is_refused(frame):
    with pytest.raises(TasteInputError, match="no rows"):
        public_taste(frame.iloc[:0])
    with pytest.raises(TasteInputError, match="'genre'"):
        public_taste(frame, genre_column="genre")


# --------------------------------------------------------------------------------------------
# Percentiles of one track


def test_a_tracks_percentiles_match_the_empirical_ones(public, frame):
    values = {"energy": 0.55, "tempo": 131.0, "loudness": -9.0}
    result = percentiles_of(values, public)
    for feature, value in values.items():
        for genre in (*GENRES, "all"):
            rows = frame if genre == "all" else frame[frame.playlist_genre == genre]
            expected = stats.percentileofscore(rows[feature], value, kind="mean")
            assert result[feature][genre] == pytest.approx(expected, abs=1.0), (feature, genre)


def test_ties_rank_in_the_middle_and_ends_clip(public, frame):
    result = percentiles_of({"instrumentalness": 0.0, "energy": 5.0, "tempo": -1.0}, public)
    zeros = (frame.instrumentalness == 0).mean() * 100  # about half the tracks have exactly 0
    assert result["instrumentalness"]["all"] == pytest.approx(zeros / 2, abs=1.0)
    assert result["energy"]["all"] == 100.0 and result["tempo"]["all"] == 0.0


def test_unknown_values_give_none_and_unknown_features_an_error(public):
    result = percentiles_of({"energy": None, "key": -1, "tempo": float("nan")}, public)
    assert all(v is None for row in result.values() for v in row.values())
    assert set(result["energy"]) == {*GENRES, "all"}
    with pytest.raises(TasteInputError, match="'bpm'"):
        percentiles_of({"bpm": 120.0}, public)


# --------------------------------------------------------------------------------------------
# A user's taste


def test_a_users_taste_has_every_part_and_is_plain_json(public, frame):
    rows = frame.sample(120, random_state=1)
    sources = ["spotify"] * 60 + ["reccobeats"] * 40 + ["local"] * 10 + [None] * 10
    rows = rows.reset_index(drop=True)
    rows.loc[110:, list(FEATURE_NAMES)] = np.nan  # the ten tracks no provider had
    document = _user(rows, public, probabilities=_probabilities(rows), sources=sources)
    _json(document)
    assert document["track_count"] == 120
    assert document["coverage"] == {"tracks": 120, "with_features": 110, "without_features": 10,
                                    "by_source": {"local": 10, "reccobeats": 40, "spotify": 60}}
    assert document["features"]["energy"]["count"] == 110
    assert set(document["closeness"]) == set(GENRES) and all(0 <= v <= 1 for v in document["closeness"].values())
    assert "overlap" in document["closeness_measure"]


def test_the_genre_mix_is_the_weighted_mean_probability_and_top1_share(public, frame):
    rows = frame.sample(50, random_state=2).reset_index(drop=True)
    probabilities = _probabilities(rows, seed=3)
    probabilities.iloc[0] = np.nan  # a track the model could not score
    weights = np.random.default_rng(4).integers(1, 4, 50).astype(float)
    document = _user(rows.assign(weight=weights), public, probabilities=probabilities)
    p, w = probabilities.to_numpy()[1:], weights[1:]
    mix = document["genre_mix"]
    assert list(mix["mean_probability"].values()) == pytest.approx((w @ p / w.sum()).tolist())
    top = pd.Series(w).groupby(np.array(GENRES)[p.argmax(axis=1)]).sum() / w.sum()
    assert mix["top1_share"] == pytest.approx({g: top.get(g, 0.0) for g in GENRES})
    assert _user(rows, public)["genre_mix"] is None


def test_the_genre_basis_says_how_much_of_the_mix_is_estimated_and_is_shared(public, frame):
    rows = frame.sample(20, random_state=6).reset_index(drop=True)
    basis = {"estimated_tracks": 5, "tracks_with_genres": 20, "model": "m1-local",
             "agreement": {"top1": 0.62, "top2": 0.81, "recordings": 111}, "track_ids": ["named"]}
    document = user_taste(rows, public=public, probabilities=_probabilities(rows), sources=["local"] * 20,
                          genre_basis=basis)
    expected = {k: v for k, v in basis.items() if k != "track_ids"}  # an allow-list: nothing else is kept
    assert document["genre_basis"] == expected and share_snapshot(document)["genre_basis"] == expected
    none_estimated = user_taste(rows, public=public, probabilities=None, sources=["spotify"] * 20,
                                genre_basis={**basis, "estimated_tracks": 0})
    assert none_estimated["genre_basis"]["model"] is None and none_estimated["genre_basis"]["agreement"] is None
    assert _user(rows, public)["genre_basis"] is None
    old = {k: v for k, v in document.items() if k != "genre_basis"}  # stored before it was recorded
    assert share_snapshot(old)["genre_basis"] is None
    with pytest.raises(TasteInputError, match="21 tracks with estimated genres of 20"):
        user_taste(rows, public=public, probabilities=None, sources=["local"] * 20,
                   genre_basis={**basis, "estimated_tracks": 21})


def test_weighted_tracks_use_weighted_percentiles(public, frame):
    rows = frame.sample(40, random_state=5).reset_index(drop=True)
    weights = np.random.default_rng(6).random(40)
    block = _user(rows.assign(weight=weights), public)["features"]["tempo"]
    expected = np.percentile(rows.tempo, np.arange(101), weights=weights, method="inverted_cdf")
    assert block["percentiles"] == expected.tolist()
    assert block["mean"] == pytest.approx(np.average(rows.tempo, weights=weights))


def test_a_user_made_of_one_genre_is_closest_to_it(public):
    fresh = taste_frame(n_per_genre=150, seed=9)  # other tracks than the public's
    for genre in GENRES:
        closeness = _user(fresh[fresh.playlist_genre == genre], public)["closeness"]
        assert max(closeness, key=closeness.__getitem__) == genre, closeness


def test_a_user_without_tracks_or_features_gets_an_empty_but_valid_document(public, frame):
    for rows in (frame.iloc[:0], frame.iloc[:5].assign(**{f: np.nan for f in FEATURE_NAMES})):
        document = _user(rows, public, probabilities=_probabilities(rows) if len(rows) else None,
                         sources=[None] * len(rows))
        _json(document)
        assert document["coverage"]["with_features"] == 0
        assert all(block["count"] == 0 and block["density"] is None for block in document["features"].values())
        assert all(v is None for v in document["closeness"].values())


def test_mismatched_lengths_and_bad_weights_are_refused(public, frame):
    rows = frame.iloc[:5]
    with pytest.raises(TasteInputError, match="4 sources for 5 tracks"):
        user_taste(rows, public=public, probabilities=None, sources=["spotify"] * 4)
    with pytest.raises(TasteInputError, match="3 rows of probabilities"):
        user_taste(rows, public=public, probabilities=_probabilities(rows.iloc[:3]), sources=["spotify"] * 5)
    with pytest.raises(TasteInputError, match="weight"):
        _user(rows.assign(weight=[1.0, -1.0, 1.0, 1.0, 1.0]), public)


# --------------------------------------------------------------------------------------------
# Share snapshots


def test_a_share_snapshot_names_no_track(public, frame):
    rows = frame.sample(30, random_state=7).reset_index(drop=True)
    document = _user(rows, public, probabilities=_probabilities(rows))
    # what a caller might have added to the stored document: none of it may leave in a snapshot
    document["tracks"] = rows[["track_id", "track_name", "track_artist"]].to_dict("records")
    document["features"]["energy"]["track_ids"] = rows.track_id.tolist()
    document["computed_at"] = "2026-12-02T08:00:00Z"
    document["user_id"] = "spotify-user-4711"
    snapshot = share_snapshot(document)
    text = _json(snapshot)
    for value in [*rows.track_id, *rows.track_name, *rows.track_artist, "spotify-user-4711"]:
        assert value not in text
    assert "track" not in json.dumps(list(_keys(snapshot))).replace("track_count", "").replace('"tracks"', "")
    assert snapshot["features"]["energy"]["density"] == document["features"]["energy"]["density"]
    assert snapshot["genre_mix"] == document["genre_mix"] and snapshot["closeness"] == document["closeness"]
    assert snapshot["coverage"] == document["coverage"] and snapshot["track_count"] == 30


def _keys(document: object):
    if isinstance(document, dict):
        for key, value in document.items():
            yield key
            yield from _keys(value)
    elif isinstance(document, list):
        for value in document:
            yield from _keys(value)


# --------------------------------------------------------------------------------------------
# Comparing


def test_identical_tastes_are_fully_similar(public, frame):
    rows = frame.sample(80, random_state=8)
    document = _user(rows, public, probabilities=_probabilities(rows))
    result = compare(document, share_snapshot(document))
    _json(result)
    assert result["similarity"] == 1.0
    assert all(row["overlap"] == 1.0 and row["difference"] == 0.0 for row in result["features"].values())
    assert compare(public_as_taste(public), public_as_taste(public))["similarity"] == 1.0


def test_comparison_is_symmetric(public, frame):
    a = _user(frame[frame.playlist_genre == "loud"].head(100), public,
              probabilities=_probabilities(frame.head(100), seed=1))
    b = _user(frame.sample(200, random_state=3), public, probabilities=_probabilities(frame.head(200), seed=2))
    ab, ba = compare(a, b), compare(b, a)
    assert ab["similarity"] == ba["similarity"]
    for feature, row in ab["features"].items():
        assert row["overlap"] == ba["features"][feature]["overlap"]
        assert row["difference"] == pytest.approx(-ba["features"][feature]["difference"])
        assert (row["a_median"], row["b_median"]) == (ba["features"][feature]["b_median"],
                                                      ba["features"][feature]["a_median"])
    for genre, row in ab["genres"].items():
        assert row["difference"] == pytest.approx(-ba["genres"][genre]["difference"])
    assert [(d["kind"], d["name"]) for d in ab["biggest_differences"]] == \
        [(d["kind"], d["name"]) for d in ba["biggest_differences"]]


def test_different_music_is_less_similar_and_the_differences_say_where(public, frame):
    calm = _user(frame[frame.playlist_genre == "calm"], public)
    loud = _user(frame[frame.playlist_genre == "loud"], public)
    mid = _user(frame[frame.playlist_genre == "mid"], public)
    far, near = compare(calm, loud), compare(calm, mid)
    assert far["similarity"] < near["similarity"] < 1.0
    assert far["features"]["energy"]["difference"] < 0  # a - b: calm has less energy
    assert far["features"]["energy"]["overlap"] < 0.1
    names = [d["name"] for d in far["biggest_differences"]]
    assert "energy" in names and "key" not in names  # every genre's key is uniform
    assert far["biggest_differences"] == sorted(far["biggest_differences"], key=lambda d: -d["difference"])


def test_comparing_with_the_public_or_one_genre(public, frame):
    user = _user(frame[frame.playlist_genre == "loud"].head(200), public,
                 probabilities=_probabilities(frame.head(200)))
    with_loud = compare(user, public_as_taste(public, "loud"))
    with_calm = compare(user, public_as_taste(public, "calm"))
    assert with_loud["similarity"] > with_calm["similarity"]
    assert with_loud["genres"]["loud"]["b"] == 1.0
    assert compare(user, public_as_taste(public))["genres"]["calm"]["b"] == pytest.approx(1 / 3)
    with pytest.raises(TasteInputError, match="'jazz'"):
        public_as_taste(public, "jazz")


def test_nothing_to_compare_gives_no_score_and_other_grids_an_error(public, frame):
    empty = _user(frame.iloc[:0], public, sources=[])
    result = compare(empty, _user(frame.head(50), public))
    assert result["similarity"] is None and result["genres"] == {}
    other = _user(frame.head(50), public)
    other["grid"]["tempo"] = {**other["grid"]["tempo"], "max": 300.0}
    with pytest.raises(TasteInputError, match="tempo"):
        compare(_user(frame.head(50), public), other)
