# genrelens: `make demo` runs the app on the embedded default (SQLite under var/);
# `make test` installs everything and runs the whole suite on SQLite and on PostgreSQL.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SHARED_DATASET := ../shared/data/tidytuesday-songs-dev.csv
DATASET ?= $(wildcard $(SHARED_DATASET))

.PHONY: demo test install lint typecheck test-sqlite test-postgres bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	DATASET="$(DATASET)" scripts/demo.sh

lint: install
	$(BIN)/ruff check genrelens config tests bench

typecheck: install
	$(BIN)/mypy genrelens/core

test-sqlite: install
	$(BIN)/pytest

test-postgres: install
	scripts/with-postgres.sh $(BIN)/pytest

test: lint typecheck test-sqlite test-postgres

# Every benchmark, side by side comparisons; then docs/benchmarks.md is rebuilt from their sections.
bench: install
	$(BIN)/python bench/bench_import.py --out docs/benchmarks/import.md
	$(BIN)/python bench/bench_collect.py --out docs/benchmarks/collect.md
	$(BIN)/python bench/bench_spotify.py
	$(BIN)/python bench/bench_sandbox.py --out docs/benchmarks/sandbox.md
	$(BIN)/python bench/bench_model.py --out docs/benchmarks/model.md
	$(BIN)/python bench/bench_audio.py --out docs/benchmarks/audio.md
	$(BIN)/python bench/bench_taste.py --out docs/benchmarks/taste.md
	$(BIN)/python bench/assemble.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
