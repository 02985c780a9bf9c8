"""Gather each benchmark's latest section (docs/benchmarks/*.md) into docs/benchmarks.md.

    .venv/bin/python bench/assemble.py        (make bench runs every benchmark, then this)
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["import", "collect", "spotify", "sandbox", "model", "audio", "audio-accuracy", "descriptors",
         "companion-seeds", "voice-tried", "taste", "taste-import", "api", "load", "sweep", "frontend", "demo"]

HEADER = """# Benchmarks

Speed is measured side by side in one run (ratios, since these 2-core machines are noisy), never
in timed tests. Each section below is written by its benchmark in `bench/` and names the command
that produced it; `make bench` runs them all and rebuilds this file with `bench/assemble.py`.
"""


def main() -> None:
    sections = {p.stem: p for p in (ROOT / "docs" / "benchmarks").glob("*.md")}
    names = [n for n in ORDER if n in sections] + sorted(set(sections) - set(ORDER))
    body = [HEADER]
    for name in names:
        text = sections[name].read_text().strip()
        # figures referenced by a section live next to it, one folder down
        body.append(text.replace("](", "](benchmarks/").replace("](benchmarks/http", "](http"))
    (ROOT / "docs" / "benchmarks.md").write_text("\n\n".join(body) + "\n")
    print(f"docs/benchmarks.md: {', '.join(names)}")


if __name__ == "__main__":
    main()
