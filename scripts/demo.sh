#!/usr/bin/env bash
# make demo: the main job on the embedded default (SQLite under var/), from a fresh clone.
#   1. migrate;
#   2. a dataset: import DATASET (a path or URL) when given, else collect one from the Spotify
#      sandbox (legacy profile: the 2020 API the blog used), which needs no network;
#   3. print the summary and write the EDA report (figures) under var/reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
GENRELENS=.venv/bin/genrelens
DATASET=${DATASET:-}

$GENRELENS migrate --verbosity 0

if [ -n "$DATASET" ]; then
  $GENRELENS import "$DATASET"
  name=$(basename "${DATASET%.*}")
else
  echo "demo: no DATASET given; collecting one from the local Spotify sandbox (offline)"
  log=$(mktemp)
  $GENRELENS sandbox --port 0 --profile legacy --tracks 3000 >"$log" 2>&1 &
  sandbox=$!
  trap 'kill $sandbox 2>/dev/null || true; rm -f "$log"' EXIT
  for _ in $(seq 100); do grep -q "listening on" "$log" && break; sleep 0.1; done
  base=$(sed -n 's/^sandbox listening on \(http[^ ]*\).*/\1/p' "$log")
  [ -n "$base" ] || { cat "$log"; echo "demo: the sandbox did not start"; exit 1; }
  SPOTIFY_CLIENT_ID=genrelens-sandbox SPOTIFY_CLIENT_SECRET=genrelens-sandbox-secret \
  SPOTIFY_API_BASE="$base/v1/" SPOTIFY_ACCOUNTS_BASE="$base" RECCOBEATS_API_BASE="$base/reccobeats/v1" \
    $GENRELENS collect --name sandbox-demo --playlists-per-subgenre 5 --restart
  name=sandbox-demo
fi

$GENRELENS report eda --dataset "$name" --out "${GENRELENS_VAR_DIR:-var}/reports/$name"
echo
echo "Next: $GENRELENS train --dataset $name   (model selection, about 2 minutes)"
echo "      $GENRELENS analyze PATH            (features of your own audio files)"
echo "      $GENRELENS serve                   (the API on http://127.0.0.1:8000/api/)"
