from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from genrelens.core.ml.artifacts import ArtifactError, load_model
from genrelens.core.ml.local_claims import local_genre_claim, measured_agreement
from genrelens.core.ml.local_model import LOCAL_FEATURES, LOCAL_KEY, NoiseModel, measure_noise, noisy_copies
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
    assert companion.card["training"]["noise"] == measured_agreement()["noise"]
    assert entry["agreement"]["top1"] == measured_agreement()["agreement"][LOCAL_KEY]["top1"]


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
        assert claim["basis"] == LOCAL_KEY and "not from Spotify" in claim["note"]
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
