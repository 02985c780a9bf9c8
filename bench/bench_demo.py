"""How long `make demo` takes on a fresh clone until the page answers, stage by stage.

    .venv/bin/python bench/bench_demo.py --out docs/benchmarks/demo.md

Clones this repository (HEAD) into a temporary folder beside it (so `../shared` resolves as in a
real checkout), runs `make demo` on a free port, and notes when each stage's first line appears
in its output: Python dependencies, the frontend build, the sandbox, the data, the model, the
page answering. Then it presses Ctrl-C (SIGINT to the process group) and checks that everything
`make demo` started has stopped. Package caches (pip, npm) are whatever this machine has: say so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
#: a stage starts at the first output line containing its marker (in this order)
STAGES = [
    ("Python dependencies (venv, pip install)", "-m venv"),
    ("frontend: npm ci", "npm ci"),
    ("frontend: build (schema, tsc, vite)", "npm run build"),
    ("sandbox, then the data (download, else the shared CSV, else generated)", "demo: Spotify sandbox"),
    ("model (trained: none is active), then the worker and web app start", "demo: no active model"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(out: Path | None, timeout: float) -> None:
    # A sibling of this checkout, so that ../shared is where a real checkout finds it.
    clone = workdir = Path(tempfile.mkdtemp(prefix="demo-bench-", dir=ROOT.parent))
    workdir.rmdir()
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    started = time.monotonic()
    proc = subprocess.Popen(["make", "demo"], cwd=clone, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1, start_new_session=True)
    seen: dict[str, float] = {}
    data_line = ""
    answered = None
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    try:
        while time.monotonic() - started < timeout:
            line = proc.stdout.readline()
            if line:
                sys.stdout.write(line)
                for name, marker in STAGES:
                    if marker in line and name not in seen:
                        seen[name] = time.monotonic() - started
                if line.startswith("demo: dataset"):
                    data_line = line.strip()
                continue
            if proc.poll() is not None:
                raise SystemExit(f"make demo stopped (exit {proc.returncode}) before the page answered")
            try:
                if requests.get(f"http://127.0.0.1:{port}/", timeout=2).ok:
                    answered = time.monotonic() - started
                    break
            except requests.RequestException:
                time.sleep(0.5)
        if answered is None:
            raise SystemExit(f"no answer on port {port} within {timeout:.0f} s")
        api_ok = requests.get(f"http://127.0.0.1:{port}/rest/health", timeout=10).status_code
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        try:
            proc.wait(timeout=60)
            stopped = True
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stopped = False
        still = _listening(port)
        shutil.rmtree(workdir, ignore_errors=True)
    report(out, seen, answered, api_ok, stopped and not still, data_line)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def report(out: Path | None, seen: dict[str, float], answered: float, api_status: int, stopped: bool,
           data_line: str) -> None:
    load = os.getloadavg()[0]
    rows = []
    marks = [(name, seen[name]) for name, _ in STAGES if name in seen] + [("page answers", answered)]
    for (name, at), nxt in zip(marks, [*marks[1:], None], strict=True):
        took = f"{nxt[1] - at:.0f} s" if nxt else ""
        rows.append(f"| {name} | {at:.0f} s | {took} |")
    text = "\n".join([
        "## `make demo` from a fresh clone",
        "",
        f"Command: `.venv/bin/python bench/bench_demo.py --out docs/benchmarks/demo.md`, {date.today()}: "
        "`git clone` of HEAD, then `make demo` until `http://127.0.0.1:$PORT/` answers, then Ctrl-C. "
        "No internet here, so the TidyTuesday download fails at once and the shared CSV is used; pip's and npm's "
        f"caches are this machine's (a first install on a new machine downloads more). Load average at the end: "
        f"{load:.1f} (other work was running).",
        "",
        "| stage | starts at | takes |",
        "|---|---:|---:|",
        *rows,
        "",
        f"**Fresh clone to a page that answers: {answered:.0f} s** ({answered / 60:.1f} min). "
        f"`/rest/health` answered {api_status}. Ctrl-C stopped everything it started: "
        f"{'yes' if stopped else 'NO'}.",
        *([f"Data: `{data_line}`"] if data_line else []),
        "",
    ])
    print(text)
    if out:
        out.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    run(args.out, args.timeout)


if __name__ == "__main__":
    main()
