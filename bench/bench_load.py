"""Benchmark the web app under load: gunicorn on loopback with PostgreSQL, against the Spotify sandbox.

A logged-in user (ann, through the real login flow) with a stored taste and stored analyses; locust
(one process, no think time) drives, one endpoint at a time and side by side at each step:

- `constant`: a bare Django view returning a constant JSON body (bench/load/load_urls.py, mounted
  only in this bench's URLconf): the ceiling of this server, middleware and machine;
- `analysis`: ann's stored analyses, 20 tracks (`/rest/analysis?track_id=...`);
- `taste`: her stored taste (`/rest/taste`);
- `likedtracks`: a page of 50 liked tracks (one upstream request to the sandbox per call, features
  and genres from the database);
- `search`: the imported catalog's search, as an anonymous caller (`/rest/search?q=...`).

At 1, 2 and 4 gunicorn workers (gthread, 4 threads each, as config/gunicorn.py) and rising
concurrency. Each step runs the endpoints in turn, a few seconds each, for several rounds
(`--rounds`), so a change in the machine's other load falls on every endpoint alike instead of on
whichever ran at the time: the shares compare endpoints measured side by side.

Reported: requests/s, p50, p99, errors; the step where throughput stops rising
(saturation); each endpoint's throughput as a share of the constant view's; and, measured
in-process, the SQL queries and upstream requests one call makes.

    REDIS_PERSIST=no scripts/with-postgres.sh scripts/with-redis.sh .venv/bin/python bench/bench_load.py \
        [--seconds 3] [--rounds 3] [--users 1 4 16]
        [--out docs/benchmarks/load.md]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
LOAD_DIR = ROOT / "bench" / "load"
sys.path[:0] = [str(ROOT), str(LOAD_DIR)]

from tests.conftest_sandbox import SandboxHandle, start_sandbox  # noqa: E402

USAGE = "REDIS_PERSIST=no scripts/with-postgres.sh scripts/with-redis.sh .venv/bin/python bench/bench_load.py"
ENDPOINTS = ("constant", "analysis", "taste", "likedtracks", "search")
THREADS = 4
N_ANALYSES = 20
#: the targets of issue 14: half the constant view's throughput, p99 under 100 ms below saturation
SHARE_TARGET = 0.5
P99_TARGET_MS = 100.0


@dataclass
class Step:
    workers: int
    users: int
    endpoint: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p99_ms: float
    steal: float  # the worst round's share of CPU time the hypervisor took from this VM


def cpu_ticks() -> tuple[int, int]:
    """(stolen, all) CPU ticks since boot (/proc/stat; zeros where there is none): a VM descheduled
    by its host shows as steal, and stalls every process on it at once, server and locust alike."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_env(sandbox: SandboxHandle, var_dir: str, port: int) -> dict[str, str]:
    return {
        "GENRELENS_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(LOAD_DIR)]),
        "SPOTIFY_CLIENT_ID": sandbox.client_id, "SPOTIFY_CLIENT_SECRET": sandbox.client_secret,
        "SPOTIFY_API_BASE": sandbox.api_base, "SPOTIFY_ACCOUNTS_BASE": sandbox.accounts_base,
        "RECCOBEATS_API_BASE": sandbox.reccobeats_base,
        "SPOTIFY_REDIRECT_URI": f"http://127.0.0.1:{port}/connect",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        # the throttles would measure themselves: these callers are one address and one user
        "GENRELENS_API_RATE": "10000000/minute", "GENRELENS_API_USER_RATE": "10000000/minute",
        # as deploy/genrelens.env.example: a worker keeps its PostgreSQL connection between requests,
        # and sessions, users and stored answers are kept in Redis (database 1; the broker's is 0)
        "DB_CONN_MAX_AGE": "60", "GENRELENS_CACHE_URL": os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/1",
        "NO_PROXY": "127.0.0.1,localhost",
    }


def setup_data() -> None:
    """Migrations, the synthetic public dataset and a genre model trained on it (as the API tests)."""
    import json

    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from genrelens.catalog.services import dataset_import, model_register
    from tests.api.models import DATASET_NAME, parsed, synthetic_frame, train_model

    frame = synthetic_frame()
    dataset_import(parsed=parsed(frame), name=DATASET_NAME, source="synthetic:sandbox-catalog seed 7",
                   licence="generated by genrelens' sandbox")
    artifact = train_model(frame, Path(settings.GENRELENS_VAR_DIR) / "models")
    model_register(card=json.loads(artifact.with_suffix(".json").read_text()), path=str(artifact))


class Server:
    """gunicorn as `genrelens serve` runs it (config/gunicorn.py), on a fixed loopback port."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path) -> None:
        self.base_url = f"http://127.0.0.1:{port}"
        (Path(env["GENRELENS_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise's, unused
        args = [str(Path(sys.executable).with_name("gunicorn")), "-c", "python:config.gunicorn",
                "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(THREADS),
                "--access-logfile", str(log), "--error-logfile", str(log), "config.wsgi:application"]
        self.process = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base_url + "/rest/health", timeout=30).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or busy starting
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {log}")
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {log}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def prepare_user(server: Server, sandbox: SandboxHandle) -> dict[str, list[str] | str]:
    """ann logs in through the real flow; her taste and analyses are stored. Returns what to ask for."""
    from django.contrib.auth import get_user_model

    from genrelens.catalog.models import Track
    from genrelens.jobs.taste import taste_refresh
    from tests.api.conftest import Browser

    browser = Browser(server.base_url)
    done = browser.login("ann")
    assert done.status_code == 302, done.text[:300]
    cookie = f"sessionid={browser.http.cookies['sessionid']}"
    taste_refresh(user_id=get_user_model().objects.get(spotify_account__spotify_id="ann").pk)
    token = sandbox.user_token("ann")["access_token"]
    liked = sandbox.http.get(sandbox.api_base + "me/tracks", params={"limit": 50},
                             headers={"Authorization": f"Bearer {token}"}, timeout=30).json()["items"]
    ids = [row["track"]["id"] for row in liked][:N_ANALYSES]
    for track_id in ids:  # cold: stored by this first request
        assert browser.get("/rest/analysis", params={"track_id": track_id}, validate=False).status_code == 200
    words = sorted({t.split()[0] for t in Track.objects.values_list("name", flat=True)[:400]
                    if t.split() and len(t.split()[0]) > 3})[:20]
    return {
        "cookie": cookie,
        "constant": ["/bench/constant"],
        "analysis": [f"/rest/analysis?track_id={i}" for i in ids],
        "taste": ["/rest/taste"],
        "likedtracks": ["/rest/likedtracks?limit=50"],
        "search": [f"/rest/search?q={w}" for w in words],
    }


def costs(paths: dict[str, Any], sandbox: SandboxHandle) -> dict[str, dict[str, float]]:
    """SQL queries, upstream requests and time of one call of each endpoint, in-process (test client):
    cold (the shared cache emptied first: what a changed answer costs) and kept (the call after)."""
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = {}
    for name in ENDPOINTS:
        client = Client()
        if name != "search":
            client.cookies["sessionid"] = str(paths["cookie"]).split("=", 1)[1]
        path = paths[name][0]
        client.get(path)  # warm: the model loaded, the app token fetched
        row: dict[str, float] = {}
        for state in ("cold", "kept"):
            if state == "cold":
                caches["shared"].clear()
            sandbox.reset_stats()
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(path)
                row[f"ms_{state}"] = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, path
            row[f"queries_{state}"] = len(queries)
            row[f"upstream_{state}"] = sum(sandbox.stats()["by_endpoint"].values())
        row["bytes"] = len(response.content)
        # what a browser (or locust) receives: it accepts gzip, and a kept answer is kept compressed
        row["bytes_sent"] = len(client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate").content)
        out[name] = row
    return out


#: the tables a user and the catalog grow, for docs/scale.md
TABLES = ("catalog_track", "catalog_album", "catalog_artist", "catalog_trackartist", "catalog_audiofeatures",
          "catalog_analysisdocument", "accounts_usertaste", "accounts_spotifyaccount", "django_session")


def storage() -> dict[str, tuple[int, int]]:
    """table -> (rows, bytes with its indexes and TOAST), from PostgreSQL itself."""
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")
            rows, size = cursor.fetchone()
            out[table] = (int(rows), int(size))
    return out


def run_locust(base_url: str, endpoint: str, paths: list[str], cookie: str, users: int, seconds: int,
               workdir: Path) -> tuple[int, int, float, float, float, float]:
    prefix = workdir / f"{endpoint}-{users}"
    env = {**os.environ, "LOAD_PATHS": " ".join(paths), "LOAD_NAME": endpoint,
           "LOAD_COOKIE": "" if endpoint in ("search", "constant") else cookie}
    stolen, ticks = cpu_ticks()
    subprocess.run([str(Path(sys.executable).with_name("locust")), "-f", str(LOAD_DIR / "locustfile.py"),
                    "--headless", "--host", base_url, "--users", str(users), "--spawn-rate", str(users),
                    "--run-time", f"{seconds}s", "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR",
                    "--exit-code-on-error", "0"], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    stolen_after, ticks_after = cpu_ticks()
    with open(f"{prefix}_stats.csv") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    return (int(row["Request Count"]), int(row["Failure Count"]), float(row["Requests/s"]),
            float(row["50%"]), float(row["99%"]), (stolen_after - stolen) / max(ticks_after - ticks, 1))


def combined(workers: int, users: int, endpoint: str,
             slices: list[tuple[int, int, float, float, float, float]]) -> Step:
    """One step from its rounds: requests and errors summed, throughput averaged over the rounds
    (each ran equally long), the median round's p50 and the worst round's p99 (never better than
    any round was), and the most CPU time stolen from the VM in any round."""
    requests_, failures = sum(s[0] for s in slices), sum(s[1] for s in slices)
    p50s = sorted(s[3] for s in slices)
    return Step(workers, users, endpoint, requests_, failures, sum(s[2] for s in slices) / len(slices),
                p50s[len(p50s) // 2], max(s[4] for s in slices), max(s[5] for s in slices))


def saturation(steps: list[Step]) -> int:
    """The lowest concurrency whose throughput is within 10% of the peak: past it, more callers only
    queue (p50 and p99 grow, requests/s do not). Robust to one noisy step, unlike "stops rising"."""
    peak = max(s.rps for s in steps)
    return min(s.users for s in steps if s.rps >= 0.9 * peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=int, default=3, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3, help="turns of all endpoints per step")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", nargs="+", choices=ENDPOINTS[1:], default=list(ENDPOINTS[1:]),
                        help="load these endpoints (beside the constant view) and no others")
    args = parser.parse_args()
    loaded = ("constant", *args.only)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("bench_load: run it under PostgreSQL and Redis: " + USAGE)
    sandbox = start_sandbox("legacy")
    workdir = Path(tempfile.mkdtemp(prefix="genrelens-load-"))
    port = free_port()
    env = app_env(sandbox, str(workdir / "var"), port)
    os.environ.update(env)
    steps: list[Step] = []
    try:
        setup_data()
        server = Server(env, port, 1, workdir / "gunicorn.log")
        try:
            paths = prepare_user(server, sandbox)
        finally:
            server.stop()
        cost = costs(paths, sandbox)
        sizes = storage()
        total = len(args.workers) * len(args.users) * len(loaded)
        for workers in args.workers:
            server = Server(env, port, workers, workdir / "gunicorn.log")
            try:
                for name in loaded:  # warm every worker: model loaded, connections open
                    for _ in range(workers * THREADS):
                        requests.get(server.base_url + paths[name][0], timeout=30,
                                     headers={"Cookie": str(paths["cookie"])} if name != "search" else {})
                for users in args.users:
                    slices: dict[str, list[tuple[int, int, float, float, float, float]]] = {
                        n: [] for n in loaded}
                    for _ in range(args.rounds):
                        for name in loaded:
                            slices[name].append(run_locust(server.base_url, name, list(paths[name]),
                                                           str(paths["cookie"]), users, args.seconds, workdir))
                    for name in loaded:
                        steps.append(combined(workers, users, name, slices[name]))
                        s = steps[-1]
                        print(f"[{len(steps)}/{total}] {workers} workers, {users:>3} users, {name:<12} "
                              f"{s.rps:7.1f} req/s  p50 {s.p50_ms:5.0f} ms  p99 {s.p99_ms:5.0f} ms  "
                              f"errors {s.failures}/{s.requests}  steal {s.steal:.0%}", flush=True)
            finally:
                server.stop()
    finally:
        sandbox.stop()
    report = render(steps, cost, sizes, args)
    print(report)
    if args.out:
        args.out.write_text(report)
        chart(steps, args.out.with_suffix(".png"))
    shutil.rmtree(workdir, ignore_errors=True)


def render(steps: list[Step], cost: dict[str, dict[str, float]], sizes: dict[str, tuple[int, int]],
           args: argparse.Namespace) -> str:
    users = " ".join(map(str, args.users))
    lines = ["## Load: gunicorn + PostgreSQL under rising concurrency", "",
             f"`{USAGE} --workers "
             f"{' '.join(map(str, args.workers))} --users {users} --seconds {args.seconds} --rounds {args.rounds} "
             f"{'' if len(args.only) == len(ENDPOINTS) - 1 else '--only ' + ' '.join(args.only) + ' '}"
             f"--out docs/benchmarks/load.md`", "",
             f"gunicorn (gthread, {THREADS} threads per worker, `DB_CONN_MAX_AGE=60`) on loopback, PostgreSQL "
             "from `scripts/with-postgres.sh`, Redis from `scripts/with-redis.sh` as the shared cache "
             "(`GENRELENS_CACHE_URL`: sessions, users, stored answers, throttle counts), the legacy sandbox, "
             "locust (one process, closed loop, no think "
             "time) on the same 2-core machine, which other jobs share: compare within a row, not across runs. "
             f"Each step runs the endpoints in turn, {args.seconds} s each, for {args.rounds} rounds; requests/s "
             "is the mean over the rounds, p50 the median round's, p99 the worst round's. "
             "ann is logged in through the real flow; her taste and 20 analyses are stored before the load.", "",
             "What one call costs (one request, in-process, after a warm-up): *cold* with the shared cache "
             "emptied first (a session, a user and an answer to read from PostgreSQL, as after a write "
             "retired them), *kept* the call after it (the load below is all kept answers, since nothing "
             "writes while it runs).", "",
             "| endpoint | SQL queries cold / kept | upstream requests cold / kept | time cold / kept "
             "| body (sent to a gzip client) |",
             "|---|---|---|---|---|"]
    for name in ENDPOINTS:
        c = cost[name]
        lines.append(f"| {name} | {c['queries_cold']:.0f} / {c['queries_kept']:.0f} | "
                     f"{c['upstream_cold']:.0f} / {c['upstream_kept']:.0f} | "
                     f"{c['ms_cold']:.1f} / {c['ms_kept']:.1f} ms | {c['bytes'] / 1024:.1f} KiB "
                     f"({c['bytes_sent'] / 1024:.1f} KiB) |")
    lines += ["", "What is stored (PostgreSQL's own sizes, indexes and TOAST included; the synthetic public "
                  "dataset of about 3,000 tracks, ann's library, her taste and 20 analyses):", "",
              "| table | rows | bytes | per row |", "|---|---|---|---|"]
    for table, (rows, size) in sizes.items():
        lines.append(f"| {table} | {rows:,} | {size / 1024:,.0f} KiB | {size / max(rows, 1):,.0f} B |")
    lines += ["", "*steal*: the most CPU time the host took from this VM in any of the step's rounds "
                  "(`/proc/stat`): while the VM is descheduled every process on it stalls, so a round with "
                  "steal can show a p99 the code did not cause.", "",
              "| workers | users | endpoint | req/s | share of constant | p50 | p99 | errors | steal |",
              "|---|---|---|---|---|---|---|---|---|"]
    by_key = {(s.workers, s.users, s.endpoint): s for s in steps}
    for s in steps:
        base = by_key[(s.workers, s.users, "constant")].rps
        lines.append(f"| {s.workers} | {s.users} | {s.endpoint} | {s.rps:.0f} | {s.rps / base:.2f} | "
                     f"{s.p50_ms:.0f} ms | {s.p99_ms:.0f} ms | {s.failures}/{s.requests} | {s.steal:.1%} |")
    lines += ["", "Per worker count and endpoint: peak throughput, its share of the constant view's peak, "
                  "saturation (the lowest concurrency within 10% of the peak), the worst p99 below it (at "
                  "fewer callers; at the lowest level when it saturates there), which the target bounds, "
                  "and the p99 at saturation, where callers queue: by Little's law 64 closed-loop callers "
                  "wait at least 64 / (requests/s) on average, over 100 ms below 640 requests/s.", "",
              "| workers | endpoint | peak req/s | share | saturates at | p99 below saturation "
              "| p99 at saturation | targets |",
              "|---|---|---|---|---|---|---|---|"]
    for workers in args.workers:
        peak_constant = max(s.rps for s in steps if s.workers == workers and s.endpoint == "constant")
        for name in dict.fromkeys(s.endpoint for s in steps):
            mine = [s for s in steps if s.workers == workers and s.endpoint == name]
            peak = max(s.rps for s in mine)
            sat = saturation(mine)
            below = max(s.p99_ms for s in mine if s.users < sat or s.users == min(args.users))
            at = next(s.p99_ms for s in mine if s.users == sat)
            share = peak / peak_constant
            met = name == "constant" or (share >= SHARE_TARGET and below < P99_TARGET_MS)
            lines.append(f"| {workers} | {name} | {peak:.0f} | {share:.2f} | "
                         f"{sat} users{' (or later)' if sat == max(args.users) else ''} | "
                         f"{below:.0f} ms | {at:.0f} ms | {'met' if met else 'short'} |")
    lines += ["", "![throughput against concurrency](load.png)", ""]
    return "\n".join(lines)


def chart(steps: list[Step], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workers = sorted({s.workers for s in steps})
    fig, axes = plt.subplots(1, len(workers), figsize=(4.2 * len(workers), 3.6), sharey=True, squeeze=False)
    for ax, w in zip(axes[0], workers, strict=True):
        for name in dict.fromkeys(s.endpoint for s in steps):
            mine = sorted((s for s in steps if s.workers == w and s.endpoint == name), key=lambda s: s.users)
            ax.plot([s.users for s in mine], [s.rps for s in mine], marker="o", label=name,
                    linestyle="--" if name == "constant" else "-")
        ax.set_xscale("log", base=2)
        ax.set_xticks(sorted({s.users for s in steps}), labels=[str(u) for u in sorted({s.users for s in steps})])
        ax.set_title(f"{w} gunicorn worker{'s' if w > 1 else ''}")
        ax.set_xlabel("concurrent users")
    axes[0][0].set_ylabel("requests/s")
    axes[0][-1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
