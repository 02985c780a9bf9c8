#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server: initdb into a temporary directory, start it
# on a free loopback port, export DATABASE_URL, run the command, stop the server and remove it.
#
# PostgreSQL refuses to run as root (and CI runs as root), so as root the server runs as an
# unprivileged system user made for the purpose. Installs Debian's PostgreSQL when it is missing.
set -euo pipefail

find_bin() {
  # Debian's server directory has every tool (initdb, pg_ctl, createdb); PATH may hold only some
  local debian
  debian=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$debian" ] && [ -x "$debian/createdb" ]; then echo "$debian"; return; fi
  if command -v initdb >/dev/null 2>&1 && command -v createdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

PG_BIN=$(find_bin || true)
if [ -z "${PG_BIN}" ] || [ ! -x "${PG_BIN}/initdb" ] || [ ! -x "${PG_BIN}/createdb" ]; then
  echo "with-postgres: PostgreSQL not found; installing Debian's postgresql package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

RUN_AS=()
if [ "$(id -u)" = "0" ]; then
  id genrelens-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin genrelens-pg
  RUN_AS=(runuser -u genrelens-pg --)
fi

DATA=$(mktemp -d /tmp/genrelens-pg.XXXXXX)
chmod 755 "$DATA"
[ "$(id -u)" = "0" ] && chown genrelens-pg "$DATA"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DATA/db" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT

"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$DATA/db" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c full_page_writes=off" start >/dev/null
"$PG_BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres genrelens   # for commands; tests make their own
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/genrelens"
# How a test restarts this server mid-job (tests/jobs/test_celery_workers.py): `$GENRELENS_TEST_PG_CTL restart`.
export GENRELENS_TEST_PG_CTL="${RUN_AS[*]} $PG_BIN/pg_ctl -D $DATA/db -l $DATA/server.log -w -m fast"
"$@"
