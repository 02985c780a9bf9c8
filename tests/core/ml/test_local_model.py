from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from genrelens.core.ml.artifacts import ArtifactError, load_model
from genrelens.core.ml.local_claims import local_genre_claim, measured_agreement
from genrelens.core.ml.local_model import (
    BAG,
    INPUTS_KIND,
    LOCAL_FEATURES,
    NOISE_KIND,
    POOLED_KEY,
    TARGETS,
    NoiseModel,
    PooledCompanion,
    ResidualNoise,
    Stretch,
    companion_key,
    fit_companion,
    fit_local,
    measure_noise,
    measure_residuals,
    noisy_copies,
    pool,
    shown_key,
    teacher_labels,
    train_local_model,
)
from genrelens.core.ml.synthetic import separable_frame


def test_noise_is_added_at_the_measured_level_on_each_descriptors_scale():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"energy": np.full(20000, 0.5), "speechiness": np.full(20000, 0.05),
                      "tempo": np.full(20000, 120.0)})
    noisy = NoiseModel({"energy": 0.1, "speechiness": 0.8}).perturb(X, rng)
    assert noisy["energy"].std() == pytest.approx(0.1, rel=0.03)
    logit = np.log(noisy["speechiness"] / (1 - noisy["speechiness"]))
    assert logit.std() == pytest.approx(0.8, rel=0.03)
    assert logit.mean() == pytest.approx(math.log(0.05 / 0.95), abs=0.02)  # centred on the true value
    assert ((noisy["speechiness"] > 0) & (noisy["speechiness"] < 1)).all()  # log-odds noise stays in (0, 1)
    assert (noisy["tempo"] == 120.0).all()  # measured, not estimated: left alone
    assert (X["energy"] == 0.5).all()  # the input is not modified


def test_a_missing_value_stays_missing_and_copies_keep_their_labels():
    X = pd.DataFrame({"energy": [0.2, np.nan, 0.9]})
    Xn, yn = noisy_copies(X, np.array(["a", "b", "c"]), NoiseModel({"energy": 0.1}), copies=4, seed=3)
    assert len(Xn) == 12 and list(yn) == ["a", "b", "c"] * 4
    assert Xn["energy"].isna().to_numpy().tolist() == [False, True, False] * 4
    assert len(set(Xn["energy"].dropna().round(6))) == 8  # every copy drew fresh noise


def test_train_saves_a_local_companion_that_the_active_card_vouches_for(synthetic_training):
    entry = synthetic_training.card["local_model"]
    companion = load_model(synthetic_training.artifact_path.parent / entry["file"], expected_sha256=entry["sha256"])
    assert companion.features == list(LOCAL_FEATURES) == entry["features"]
    assert "liveness" not in companion.features
    assert companion.classes == synthetic_training.model.classes
    assert companion.card["companion_of"] == synthetic_training.model.model_id
    assert companion.card["dataset"] == synthetic_training.card["dataset"]  # same songs, named dataset
    training, measured = companion.card["training"], measured_agreement()
    assert training["noise_kind"] == NOISE_KIND == measured["noise_kind"]
    if NOISE_KIND == "residuals":  # trained with the residual table the benchmark measured
        assert training["noise"]["recordings"] == len(measured["residuals"]["values"])
    else:
        trained = {name: sd for name, sd in training["noise"].items() if name != "tempo"}
        assert trained == measured["noise"]
        assert training["noise"]["tempo"]["recordings"] == len(measured["tempo_log2"]) > 0
    assert training["targets"] == TARGETS  # it imitates the model it was trained beside
    # it reads the estimates through the lines the benchmark measured, and averages BAG noise draws
    assert training["stretch"] == measured.get("stretch", {}) and training["seeds"] == list(range(BAG))
    assert training["inputs"] == (INPUTS_KIND if measured.get("stretch") else "as-estimated")
    pipeline = companion.pipeline.companion if companion_key(companion) == POOLED_KEY else companion.pipeline
    assert len(pipeline.pipelines) == BAG and pipeline.stretch == Stretch.from_json(training["stretch"])
    # saved as the benchmark found most accurate (alone or pooled), with the agreement measured for that
    assert companion_key(companion) == shown_key(measured)
    assert entry["agreement"]["top1"] == measured["agreement"][shown_key(measured)]["top1"]


def test_a_swapped_companion_file_is_refused(synthetic_training, tmp_path):
    entry = synthetic_training.card["local_model"]
    source = synthetic_training.artifact_path.parent / entry["file"]
    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes() + b"\0")
    copy.with_suffix(".json").write_text(source.with_suffix(".json").read_text())
    with pytest.raises(ArtifactError):
        load_model(copy, expected_sha256=entry["sha256"])


def test_the_companion_still_tells_the_genres_apart_from_local_features(synthetic_training):
    entry = synthetic_training.card["local_model"]
    companion = load_model(synthetic_training.artifact_path.parent / entry["file"])
    frame = separable_frame(n_per_genre=30, seed=9)
    frame = frame[frame["playlist_genre"] != "noise"]  # alpha and beta part on danceability; noise is a coin toss
    right = 0
    for _, row in frame.iterrows():
        features = {n: float(row[n]) for n in LOCAL_FEATURES}
        claim = local_genre_claim(synthetic_training.model, features, local_model=companion)
        assert claim["basis"] == companion_key(companion) and "not from Spotify" in claim["note"]
        assert math.isclose(sum(claim["probabilities"].values()), 1.0, rel_tol=1e-6)
        right += next(iter(claim["probabilities"])) == row["playlist_genre"]
    # chance is 0.5; 500 training songs with danceability noise of sd 0.1 leave it short of perfect
    assert right / len(frame) > 0.7


def test_measured_noise_is_the_rms_difference_on_each_descriptors_scale():
    spotify = pd.DataFrame({"energy": [0.2, 0.4, 0.6], "speechiness": [0.1, 0.5, np.nan]})
    local = pd.DataFrame({"energy": [0.3, 0.4, 0.3], "speechiness": [0.5, 0.5, 0.2], "tempo": [1.0, 2.0, 3.0]})
    noise = measure_noise(spotify, local)
    assert set(noise.sd) == {"energy", "speechiness"}
    assert noise.sd["energy"] == pytest.approx(math.sqrt((0.01 + 0 + 0.09) / 3), abs=1e-4)
    assert noise.sd["speechiness"] == pytest.approx(math.sqrt(math.log(9) ** 2 / 2), abs=1e-4)  # logit(0.1) = -log 9
    assert noise.tempo_log2 == ()  # Spotify's tempo unknown here: no tempo error measured


def test_tempo_errors_are_measured_as_log2_ratios_and_drawn_as_octave_jumps():
    spotify = pd.DataFrame({"energy": [0.5, 0.5, 0.5], "tempo": [120.0, 90.0, 160.0]})
    local = pd.DataFrame({"energy": [0.5, 0.5, 0.5], "tempo": [120.0, 180.0, 80.0]})
    noise = measure_noise(spotify, local)
    assert "tempo" not in noise.sd and noise.tempo_log2 == (0.0, 1.0, -1.0)  # right, double, half
    X = pd.DataFrame({"energy": np.full(3000, 0.5), "tempo": np.full(3000, 100.0)})
    moved = noise.perturb(X, np.random.default_rng(4))
    assert set(moved["tempo"]) == {50.0, 100.0, 200.0}  # an octave off or right, never in between
    assert moved["tempo"].value_counts(normalize=True).min() > 0.28  # each measured error drawn about equally
    assert (X["tempo"] == 100.0).all()
    assert NoiseModel.from_json(dict(noise.sd), list(noise.tempo_log2)) == noise


def test_residual_noise_moves_each_row_by_one_recordings_joint_errors():
    # two recordings' errors: energy and danceability read too high together, or too low together
    noise = ResidualNoise(("energy", "danceability"), ((0.1, 0.2), (-0.1, -0.2)))
    X = pd.DataFrame({"energy": np.full(2000, 0.5), "danceability": np.full(2000, 0.5), "tempo": 120.0})
    moved = noise.perturb(X, np.random.default_rng(0))
    energy, dance = moved["energy"] - 0.5, moved["danceability"] - 0.5
    assert set(energy.round(6)) == {0.1, -0.1}
    assert (dance.round(6) == (2 * energy).round(6)).all()  # the pair moves together, as measured
    assert abs(energy.mean()) < 0.01  # both recordings drawn about equally often
    assert (moved["tempo"] == 120.0).all() and (X["energy"] == 0.5).all()


def test_residuals_are_local_minus_spotify_on_each_descriptors_scale_and_round_trip_through_json():
    spotify = pd.DataFrame({"energy": [0.2, 0.4, 0.6], "speechiness": [0.1, 0.5, np.nan]})
    local = pd.DataFrame({"energy": [0.3, 0.4, 0.3], "speechiness": [0.5, 0.5, 0.2]})
    residuals = measure_residuals(spotify, local)
    assert residuals.columns == ("energy", "speechiness")
    assert residuals.residuals == ((0.1, round(math.log(9), 4)), (0.0, 0.0))  # the incomplete row is left out
    assert ResidualNoise.from_json(json.loads(json.dumps(residuals.to_json()))) == residuals
    X = pd.DataFrame({"energy": [0.2], "speechiness": [0.1]})
    assert noisy_copies(X, np.array(["a"]), residuals, copies=1, seed=0)[0]["speechiness"].iloc[0] in (
        pytest.approx(0.1), pytest.approx(0.5, abs=1e-3))


def test_a_distilled_companion_learns_the_teachers_genres_not_the_playlist_labels():
    X = pd.DataFrame({n: np.random.default_rng(2).random(400) for n in LOCAL_FEATURES})
    playlist = np.where(np.random.default_rng(3).random(400) < 0.5, "alpha", "beta")  # unrelated to X
    teacher = LogisticRegression().fit(X, np.where(X["danceability"] > 0.5, "beta", "alpha"))
    labels = teacher_labels(teacher, X)
    assert (labels == np.where(X["danceability"] > 0.5, "beta", "alpha")).mean() > 0.9
    companion = fit_local(X, playlist, NoiseModel({"danceability": 0.02}), teacher=teacher, targets="hard")
    assert (companion.predict(X) == labels).mean() > 0.9



def test_pooling_is_the_weighted_geometric_mean_renormalised():
    companion = np.array([[0.8, 0.2], [0.5, 0.5]])
    active = np.array([[0.2, 0.8], [0.9, 0.1]])
    assert np.allclose(pool(companion, active, 0.0), companion)
    assert np.allclose(pool(companion, active, 1.0), active)
    half = np.sqrt(companion * active)
    assert np.allclose(pool(companion, active, 0.5), half / half.sum(axis=1, keepdims=True))
    assert np.allclose(pool(companion, active, 0.5)[0], [0.5, 0.5])  # equal and opposite beliefs cancel


def test_a_pooled_companion_is_saved_when_the_benchmark_measured_it_best(synthetic_training, tmp_path):
    measured = {**measured_agreement(), "basis": POOLED_KEY, "pooling": {"weight": 0.3}}
    measured["agreement"] = {**measured["agreement"], POOLED_KEY: {"top1": 0.7, "top2": 0.8}}
    active = synthetic_training.model
    saved = train_local_model(synthetic_training.data, synthetic_training.card, measured, tmp_path, teacher=active)
    companion = load_model(tmp_path / saved.card["artifact"]["file"], expected_sha256=saved.card["artifact"]["sha256"])
    assert isinstance(companion.pipeline, PooledCompanion) and companion_key(companion) == POOLED_KEY
    assert companion.card["training"]["pooled_with"] == {"model": active.model_id, "weight": 0.3}
    assert companion.card["agreement"]["top1"] == 0.7  # the pooled entry's agreement, not the companion's alone

    rows = synthetic_training.data.X.sample(25, random_state=0)
    local = rows[list(LOCAL_FEATURES)]  # what local analysis gives: no liveness
    alone = companion.pipeline.companion.predict_proba(local)
    # the active model reads its own columns, liveness missing (imputed), classes in the companion's order
    reading = active.pipeline.predict_proba(local.reindex(columns=active.features))
    order = [list(active.pipeline.classes_).index(c) for c in companion.pipeline.classes_]
    assert np.allclose(companion.predict_proba(local), pool(alone, reading[:, order], 0.3)[
        :, [list(companion.pipeline.classes_).index(c) for c in companion.classes]])
    claim = local_genre_claim(active, {n: float(v) for n, v in local.iloc[0].items()}, local_model=companion)
    assert claim["basis"] == POOLED_KEY


def test_a_stretch_gives_the_estimates_spotifys_mean_and_spread_on_each_noise_scale():
    rng = np.random.default_rng(5)
    truth = pd.DataFrame({"energy": rng.uniform(0.2, 0.8, 200), "speechiness": rng.uniform(0.02, 0.6, 200)})
    logit = np.log(truth["speechiness"] / (1 - truth["speechiness"]))
    # regressions: pulled towards the middle, as the calibration's estimates are
    estimates = pd.DataFrame({"energy": 0.5 + 0.4 * (truth["energy"] - 0.5) + rng.normal(0, 0.02, 200),
                              "speechiness": 1 / (1 + np.exp(-(-2.0 + 0.3 * (logit + 2.0)))),
                              "tempo": rng.uniform(60, 180, 200)})
    before = estimates.copy()
    stretch = Stretch.measure(truth, estimates)
    assert set(stretch.lines) == {"energy", "speechiness"}  # only what both have; tempo is measured, not estimated
    stretched = stretch.apply(estimates)
    assert stretched["energy"].mean() == pytest.approx(truth["energy"].mean(), abs=1e-4)
    assert stretched["energy"].std(ddof=0) == pytest.approx(truth["energy"].std(ddof=0), abs=1e-4)
    stretched_logit = np.log(stretched["speechiness"] / (1 - stretched["speechiness"]))
    assert stretched_logit.std(ddof=0) == pytest.approx(logit.std(ddof=0), rel=1e-4)  # matched on the log-odds
    assert (stretched["speechiness"].rank() == estimates["speechiness"].rank()).all()  # the ranking, so r, is kept
    assert (stretched["tempo"] == estimates["tempo"]).all() and estimates.equals(before)  # the input is not modified
    assert Stretch.from_json(json.loads(json.dumps(stretch.to_json()))) == stretch
    gap = stretch.apply(pd.DataFrame({"energy": [np.nan, 0.99], "speechiness": [0.5, np.nan]}))
    assert gap["energy"].isna().tolist() == [True, False] and gap["energy"].iloc[1] == 1.0  # kept in [0, 1]
    assert gap["speechiness"].isna().tolist() == [False, True]
    assert Stretch({}).apply(estimates).equals(estimates)  # no lines: the estimates as they come


def test_a_companion_averages_its_noise_draws_on_the_stretched_estimates():
    rng = np.random.default_rng(6)
    X = pd.DataFrame({n: rng.random(300) for n in LOCAL_FEATURES})
    y = np.where(X["danceability"] > 0.5, "beta", "alpha")
    stretch = Stretch({"danceability": (0.5, 0.1, 0.5, 0.3)})  # estimates three times too narrow
    companion = fit_companion(X, y, NoiseModel({"danceability": 0.2}), stretch, bag=2)
    assert len(companion.pipelines) == 2
    # new tracks, every other feature in the middle (a training song's own features would be recognised)
    rows = pd.DataFrame({n: np.full(40, 0.5) for n in LOCAL_FEATURES}).assign(danceability=np.linspace(0.4, 0.6, 40))
    draws = [p.predict_proba(stretch.apply(rows)) for p in companion.pipelines]
    assert not np.allclose(draws[0], draws[1])  # two noise draws, two models
    assert np.allclose(companion.predict_proba(rows), (draws[0] + draws[1]) / 2)
    together = fit_companion(X, y, NoiseModel({"danceability": 0.2}), stretch, bag=2, n_jobs=2)
    assert np.array_equal(together.predict_proba(rows), companion.predict_proba(rows))  # the same, in parallel
    # read stretched, 0.45 is 0.35: plainly alpha, though it sits near the boundary as it comes
    beta = list(companion.classes_).index("beta")
    assert companion.predict_proba(rows.assign(danceability=0.45))[0, beta] < 0.2
