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
	$(BIN)/genrelens migrate --verbosity 0
	@if [ -n "$(DATASET)" ]; then \
	  $(BIN)/genrelens import "$(DATASET)"; \
	else \
	  echo "make demo: no dataset given and $(SHARED_DATASET) is absent: make demo DATASET=path/or/url.csv"; exit 2; \
	fi

lint: install
	$(BIN)/ruff check genrelens config tests bench

typecheck: install
	$(BIN)/mypy genrelens/core

test-sqlite: install
	$(BIN)/pytest

test-postgres: install
	scripts/with-postgres.sh $(BIN)/pytest

test: lint typecheck test-sqlite test-postgres

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
