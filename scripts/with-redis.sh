#!/usr/bin/env bash
# Run a command against a throw-away Redis server: start Debian's redis-server on a free loopback
# port with its data in a temporary directory, export REDIS_URL (and the port and the server's
# command line, so a test can stop and restart it), run the command, stop the server and remove it.
# Installs Debian's redis-server when it is missing (as root; otherwise says what to run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/need-debian-package.sh redis-server /usr/bin/redis-server

DATA=$(mktemp -d /tmp/genrelens-redis.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Persistence on (append-only file, fsync every write): a restarted server still has the queue,
# as a production broker would. REDIS_PERSIST=no for a cache only (bench/bench_load.py): a cache
# server does not fsync every throttle count.
if [ "${REDIS_PERSIST:-yes}" = no ]; then PERSIST=(--appendonly no); else PERSIST=(--appendonly yes --appendfsync always); fi
ARGS=(--bind 127.0.0.1 --port "$PORT" --dir "$DATA" "${PERSIST[@]}" --save ""
      --protected-mode yes --daemonize no --logfile "$DATA/redis.log")

cleanup() {
  redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  [ -n "${PID:-}" ] && wait "$PID" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

/usr/bin/redis-server "${ARGS[@]}" &
PID=$!
for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$PORT" ping >/dev/null || { cat "$DATA/redis.log" >&2; echo "with-redis: no answer" >&2; exit 1; }
echo "with-redis: Redis $(/usr/bin/redis-server --version | awk '{print $3}' | cut -d= -f2) on 127.0.0.1:$PORT" >&2

export REDIS_URL="redis://127.0.0.1:$PORT/0" GENRELENS_TEST_REDIS_DIR="$DATA" GENRELENS_TEST_REDIS_PORT="$PORT"
"$@"
