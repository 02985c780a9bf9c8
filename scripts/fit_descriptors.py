"""Fit the descriptor calibration on the development set and write it with its fidelity.

    .venv/bin/python scripts/fit_descriptors.py [--dev ../shared/data/spotify-previews]
        [--out genrelens/data/descriptor_calibration.json] [--workers 2]

Measures every recording of the development set through the analysis pipeline (cached under
var/descriptors/ by analyser version), fits one small linear model per descriptor
(genrelens/core/audio/calibration_fit.py says how) and cross-validates it, grouped by artist.
The JSON it writes holds only coefficients and scores; rerunning it on the same audio and code
gives the same file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genrelens.core.audio.calibration import CALIBRATION_PATH  # noqa: E402
from genrelens.core.audio.calibration_fit import fit_all, measure_dev_set  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "spotify-previews")
    parser.add_argument("--out", type=Path, default=CALIBRATION_PATH)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not (args.dev / "features.csv").is_file():
        sys.exit(f"no development set at {args.dev} (features.csv missing)")
    frame = measure_dev_set(args.dev, cache=ROOT / "var" / "descriptors", workers=args.workers)
    models, fidelity = fit_all(frame)
    document = {
        "fitted_on": f"{len(frame)} real recordings with Spotify's audio features ({args.dev.name}: "
        "96 Spotify 30-second previews, 15 full-length tracks, from four public projects)",
        "models": {name: model.to_json() for name, model in models.items()},
        "fidelity": fidelity,
    }
    args.out.write_text(json.dumps(document, indent=1) + "\n")
    for name, scores in fidelity.items():
        print(f"{name:17s} r {scores['r']:.3f}  MAE {scores['mae']:.4f}  (mean predictor {scores['mae_mean_predictor']:.4f}, n {scores['n']})")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
