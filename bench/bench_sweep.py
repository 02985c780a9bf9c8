"""Benchmark the job sweep (`jobs_recover`) over a backlog, on PostgreSQL and Redis as in production.

N queued jobs, each sent once two hours ago and never taken (all past their back-off). Two cases,
side by side for each N: Redis holds a message for every job (the sweep should send nothing and
cost a few queries), and Redis lost them all (the sweep sends its cap, 1,000). Times the sweep
(median of 5) and its queued-jobs count alone; shows PostgreSQL's plan for the due-jobs query.

    scripts/with-postgres.sh scripts/with-redis.sh .venv/bin/python bench/bench_sweep.py \\
        [--sizes 10000,100000,300000] [--out docs/benchmarks/sweep.md]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.scratch_db import scratch_database  # noqa: E402

REPEATS = 5


def setup_django(database_url: str, redis_url: str, var_dir: str) -> None:
    os.environ.update({"DATABASE_URL": database_url, "CELERY_BROKER_URL": redis_url, "GENRELENS_VAR_DIR": var_dir,
                       "DJANGO_SETTINGS_MODULE": "config.settings"})
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def backlog(n: int) -> None:
    """n queued jobs sent once, 2 h ago (created over the two hours before that)."""
    from django.db import connection
    from django.utils import timezone

    from genrelens.jobs.models import Job

    Job.objects.all().delete()
    sent = timezone.now() - timedelta(hours=2)
    batch = 10_000
    for start in range(0, n, batch):
        Job.objects.bulk_create([
            Job(id=uuid.uuid4(), kind="refresh_taste", payload={"user_id": i}, sent_at=sent, send_count=1)
            for i in range(start, min(n, start + batch))])
    Job.objects.update(created_at=sent - timedelta(hours=2))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_job")


def fill_broker(redis_url: str, n: int) -> None:
    """n messages waiting in the Celery queue (their content does not matter: nothing consumes them)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    pipe = client.pipeline(transaction=False)
    for start in range(0, n, 10_000):
        pipe.lpush("celery", *[b"{}"] * min(10_000, n - start))
    pipe.execute()


def timed(fn: Callable[[], object], repeats: int = REPEATS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def plan() -> str:
    from django.db import connection
    from django.utils import timezone

    from genrelens.jobs.models import Job
    from genrelens.jobs.services import _not_waiting, _resend_due

    now = timezone.now()
    query = (Job.objects.filter(_not_waiting(now), _resend_due(now), status=Job.Status.QUEUED)
             .order_by("sent_at", "created_at").values_list("pk", flat=True)[:1000])
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
    return "\n".join(lines)


def measure(n: int, redis_url: str) -> dict[str, object]:
    from django.conf import settings
    from django.utils import timezone

    from genrelens.jobs.models import Job
    from genrelens.jobs.services import _not_waiting, jobs_recover

    backlog(n)
    fill_broker(redis_url, n)
    held_s, held_sent = timed(jobs_recover)
    count_s, _ = timed(lambda: Job.objects.filter(_not_waiting(timezone.now()), status=Job.Status.QUEUED).count())
    query_plan = plan()
    fill_broker(redis_url, 0)
    lost_s, lost_sent = timed(jobs_recover)  # each run sends the next 1,000 longest unsent
    return {"n": n, "held_s": held_s, "held_sent": held_sent, "lost_s": lost_s, "lost_sent": lost_sent,
            "count_s": count_s, "cap": settings.GENRELENS_JOB_SWEEP_MAX_SENDS, "plan": query_plan}


def report(rows: list[dict[str, object]], command: str) -> str:
    lines = ["## Job sweep over a backlog", "",
             f"`{command}` (PostgreSQL and Redis from the scripts, on this 2-core machine shared with other work).",
             "",
             "N queued jobs sent once 2 h ago and not taken. *Held*: Redis holds a message for each, so "
             "the sweep sends none; *lost*: Redis lost them all, so it sends its cap. Median of "
             f"{REPEATS} sweeps; the old sweep sent 1,000 again every 30 s in both cases.", "",
             "| queued jobs | sweep, held (sent) | sweep, lost (sent) | count of queued jobs alone |",
             "|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['n']:,} | {r['held_s'] * 1000:.0f} ms ({r['held_sent']}) | "
                     f"{r['lost_s'] * 1000:.0f} ms ({r['lost_sent']}) | {r['count_s'] * 1000:.0f} ms |")
    last = rows[-1]
    lines += ["", f"PostgreSQL's plan for the due-jobs query at {last['n']:,} jobs:", "", "```",
              str(last["plan"]), "```", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,300000")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("run under scripts/with-postgres.sh scripts/with-redis.sh (needs PostgreSQL and Redis)")
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp, scratch_database(Path(tmp)) as url:
        setup_django(url, os.environ["REDIS_URL"], tmp)
        rows = []
        for n in sizes:
            print(f"sweep over {n:,} queued jobs ...", file=sys.stderr)
            rows.append(measure(n, os.environ["REDIS_URL"]))
        from django.db import connections

        connections.close_all()  # the scratch database is dropped next
    command = "scripts/with-postgres.sh scripts/with-redis.sh .venv/bin/python bench/bench_sweep.py" + (
        f" --sizes {args.sizes}" if args.sizes != "10000,100000,300000" else "")
    text = report(rows, command + (f" --out {args.out}" if args.out else ""))
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
