"""Frontend budgets, measured in Debian's Chromium (Playwright) on the built app.

    make frontend && .venv/bin/python bench/bench_frontend.py [--out docs/benchmarks/frontend.md]

1. Initial JavaScript of the first page: Chromium loads `/` (the home page, logged out) from
   frontend/dist served on loopback; every script it fetches before the network goes quiet is
   counted, gzipped (level 9, as WhiteNoise stores them). Target: at most 200 kB.
2. The track table's view on 5,000 liked tracks: the app's own sort/filter/summary module
   (frontend/src/features/track-table/lib/table-ops.ts, bundled by esbuild as it is) timed inside
   Chromium: sorting by two keys and filtering, then the summary row that follows the filters.
   Node runs the same bundle beside it, for reference. Target: sort + filter under 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import json
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
CHROMIUM = "/usr/bin/chromium"
ROWS = 5000
REPEATS = 25
JS_BUDGET_KB = 200.0
VIEW_BUDGET_MS = 100.0

#: 5,000 tracks shaped like the API's TrackItem, from a seeded generator (the same in both runtimes).
HARNESS = """
globalThis.makeTracks = function (n) {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const genres = ['pop', 'rock', 'rap', 'edm', 'latin', 'r&b'];
  const out = [];
  for (let i = 0; i < n; i++) {
    const features = {danceability: rand(), energy: Math.round(rand() * 20) / 20, key: Math.floor(rand() * 12),
      loudness: -30 + rand() * 28, mode: rand() < 0.56 ? 1 : 0, speechiness: rand() * 0.5,
      acousticness: rand(), instrumentalness: rand() < 0.7 ? 0 : rand(), liveness: rand() * 0.6,
      valence: rand(), tempo: 60 + rand() * 140, duration_ms: 120000 + Math.floor(rand() * 240000),
      time_signature: 4};
    out.push({id: 'track' + i, uri: 'spotify:track:track' + i, name: 'Song ' + Math.floor(rand() * 1e6),
      artists: ['Artist ' + Math.floor(rand() * 900)], album: 'Album ' + (i % 700), album_id: null,
      image_url: null, duration_ms: features.duration_ms, release_year: 1960 + Math.floor(rand() * 60),
      popularity: Math.floor(rand() * 100), is_local: false, features: i % 50 === 0 ? null : features,
      feature_source: i % 50 === 0 ? null : 'reccobeats', features_note: null,
      top_genre: {genre: genres[i % 6], probability: rand()}});
  }
  return out;
};
globalThis.timeView = function (lib, n, repeats) {
  const tracks = makeTracks(n);
  const sort = [{column: 'energy', dir: 'desc'}, {column: 'danceability', dir: 'asc'}];
  const filters = [{column: 'valence', min: 0.2, max: 0.9}, {column: 'tempo', min: 90, max: null}];
  const columns = lib.columnsFor(lib.DEFAULT_COLUMNS);
  const view = [], summary = [];
  let shown = 0;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const rows = lib.applyView(tracks, sort, filters);
    const t1 = performance.now();
    lib.summarize(rows, columns);
    const t2 = performance.now();
    view.push(t1 - t0); summary.push(t2 - t1); shown = rows.length;
  }
  return {view, summary, shown};
};
"""


def bundle(tmp: Path) -> str:
    """table-ops.ts and columns.ts as one IIFE exposing `TableOps`, exactly as the app imports them."""
    entry = tmp / "entry.ts"
    lib = FRONTEND / "src" / "features" / "track-table" / "lib"
    entry.write_text(f"export * from '{lib / 'table-ops'}';\nexport * from '{lib / 'columns'}';\n")
    out = tmp / "table-ops.js"
    subprocess.run([str(FRONTEND / "node_modules" / ".bin" / "esbuild"), str(entry), "--bundle", "--format=iife",
                    "--global-name=TableOps", "--target=es2022", f"--alias:@={FRONTEND / 'src'}",
                    f"--outfile={out}", "--log-level=warning"], check=True)
    return out.read_text()


class DistHandler(http.server.SimpleHTTPRequestHandler):
    """/static/* from frontend/dist, /rest/* 404, everything else the app's index page (as Django does)."""

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0]
        if clean.startswith("/static/"):
            return str(DIST / clean.removeprefix("/static/"))
        return str(DIST / "index.html")

    def do_GET(self) -> None:
        if self.path.startswith("/rest/"):
            self.send_error(404)
            return
        super().do_GET()

    def log_message(self, *args: Any) -> None:
        pass


def initial_js(browser: Any) -> tuple[list[tuple[str, int, int]], float]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(DistHandler, directory=str(DIST)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scripts: list[str] = []
    try:
        page = browser.new_page()
        page.on("response", lambda r: scripts.append(r.url) if r.request.resource_type == "script" else None)
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait_until="networkidle")
        page.close()
    finally:
        server.shutdown()
        server.server_close()
    files = []
    for url in dict.fromkeys(scripts):
        raw = (DIST / url.split("/static/", 1)[1]).read_bytes()
        files.append((url.split("/static/", 1)[1], len(raw), len(gzip.compress(raw, compresslevel=9))))
    return files, sum(f[2] for f in files) / 1000


def view_times(browser: Any, code: str) -> dict[str, Any]:
    page = browser.new_page()
    page.add_script_tag(content=code)
    page.add_script_tag(content=HARNESS)
    result: dict[str, Any] = page.evaluate(f"timeView(TableOps, {ROWS}, {REPEATS})")
    page.close()
    return result


def node_times(code: str, tmp: Path) -> dict[str, Any]:
    script = tmp / "node-bench.cjs"
    script.write_text(code + HARNESS + f"\nconsole.log(JSON.stringify(timeView(TableOps, {ROWS}, {REPEATS})));\n")
    out = subprocess.run(["node", str(script)], capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = json.loads(out)
    return result


def median_ms(values: list[float]) -> float:
    # The first runs include the JIT's warm-up; the median over the repeats is the steady cost.
    return statistics.median(values)


def report(files: list[tuple[str, int, int]], js_kb: float, chromium: dict[str, Any], node: dict[str, Any],
           version: str) -> str:
    lines = [
        "## Frontend (`frontend/`, in Chromium)", "",
        f"Command: `make frontend && .venv/bin/python bench/bench_frontend.py --out docs/benchmarks/frontend.md`, "
        f"{dt.date.today()}, Chromium {version} (Debian) driven by Playwright, on this 2-core machine.", "",
        "### Initial JavaScript of the first page (home, logged out)", "",
        "| script | size | gzipped (level 9) |", "|---|---:|---:|",
        *(f"| `{name}` | {raw / 1000:.1f} kB | {gz / 1000:.1f} kB |" for name, raw, gz in files),
        f"| **total** | {sum(f[1] for f in files) / 1000:.1f} kB | **{js_kb:.1f} kB** |", "",
        f"Target: at most {JS_BUDGET_KB:.0f} kB gzipped: **{'met' if js_kb <= JS_BUDGET_KB else 'missed'}**. "
        "Every script Chromium fetched before the network went quiet is counted (the entry chunk and "
        "the home route's lazy chunk); charts and the other views load when opened.", "",
        f"### Sorting by two keys and filtering {ROWS:,} tracks", "",
        "The app's own `table-ops.ts` (bundled by esbuild as it is): sort by energy (descending) then "
        "danceability, filter valence 0.2-0.9 and tempo >= 90 BPM; then the summary row (mean and a "
        f"12-bin histogram per shown column) over the {chromium['shown']:,} rows left. Median of {REPEATS} runs.", "",
        "| runtime | sort + filter | summary row | together | ratio to Chromium |", "|---|---:|---:|---:|---:|",
    ]
    base = median_ms(chromium["view"]) + median_ms(chromium["summary"])
    for name, times in (("Chromium", chromium), ("Node " + subprocess.run(["node", "--version"], capture_output=True,
                                                                          text=True).stdout.strip(), node)):
        view, summary = median_ms(times["view"]), median_ms(times["summary"])
        lines.append(f"| {name} | {view:.1f} ms | {summary:.1f} ms | {view + summary:.1f} ms | "
                     f"{(view + summary) / base:.2f}x |")
    view = median_ms(chromium["view"])
    lines += ["", f"Target: sort + filter under {VIEW_BUDGET_MS:.0f} ms in the browser: "
              f"**{'met' if view < VIEW_BUDGET_MS else 'missed'}** ({view:.1f} ms). Rendering is virtualised "
              "(only the rows on screen are in the page), so this is the work a click costs before painting."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="write the Markdown section here")
    args = parser.parse_args(argv)
    if not (DIST / "index.html").exists():
        sys.exit("frontend/dist is not built: run `make frontend` first")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp_dir, sync_playwright() as playwright:
        tmp = Path(tmp_dir)
        code = bundle(tmp)
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            files, js_kb = initial_js(browser)
            chromium = view_times(browser, code)
            version = browser.version
        finally:
            browser.close()
        node = node_times(code, tmp)
    text = report(files, js_kb, chromium, node, version)
    print(text)
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
