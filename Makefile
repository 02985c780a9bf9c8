# genrelens: `make demo` runs the whole app (web app, worker, Spotify sandbox) on the embedded default
# (SQLite under var/); `make test` installs everything and runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DATASET ?=
PROFILE ?= legacy
CHROMIUM := /usr/bin/chromium
NGINX    := /usr/sbin/nginx
HAS_FRONTEND := $(wildcard frontend/package.json)
NPM_STAMP := frontend/node_modules/.installed-stamp

.PHONY: demo test install frontend system-packages lint typecheck test-frontend test-sqlite test-postgres \
        test-celery test-e2e bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(NPM_STAMP): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# The single-page app, built into frontend/dist under the /static/ prefix WhiteNoise and nginx serve.
frontend: $(if $(HAS_FRONTEND),$(NPM_STAMP))
ifneq ($(HAS_FRONTEND),)
	cd frontend && npm run build -- --base=/static/
else
	@echo "frontend: no frontend/ yet; the API alone is served"
endif

demo: install frontend
	DATASET="$(DATASET)" PROFILE="$(PROFILE)" scripts/demo.sh

system-packages:
	scripts/need-debian-package.sh chromium $(CHROMIUM)
	scripts/need-debian-package.sh nginx $(NGINX)

lint: install
	$(BIN)/ruff check genrelens config tests bench

typecheck: install
	$(BIN)/mypy genrelens/core

test-frontend: install $(if $(HAS_FRONTEND),$(NPM_STAMP))
ifneq ($(HAS_FRONTEND),)
	cd frontend && node scripts/gen-api.mjs --check && npm test
endif

test-sqlite: install
	$(BIN)/pytest

test-postgres: install
	scripts/with-postgres.sh $(BIN)/pytest

# Real Celery workers on a real Redis (Debian's redis-server, on a free loopback port, removed after):
# fan-out, SIGKILL mid-job, duplicate deliveries, a broker restart, the sweep's count of the
# messages waiting in Redis. The embedded-broker variants of
# the same tests run in test-sqlite and test-postgres; these on PostgreSQL, as production runs.
test-celery: install
	scripts/with-postgres.sh scripts/with-redis.sh $(BIN)/pytest tests/jobs/test_celery_workers.py \
	    tests/jobs/test_sweep_backoff.py tests/api/test_shared_cache.py -k redis

# Once, on SQLite: the app in Debian's Chromium against a real server and the sandbox, and the
# production layout (nginx in front of gunicorn).
test-e2e: install frontend system-packages
	$(BIN)/pytest -m "e2e or deploy" tests/e2e tests/deploy

test: lint typecheck test-frontend test-sqlite test-postgres test-celery test-e2e

# Every benchmark, side by side comparisons; then docs/benchmarks.md is rebuilt from their sections.
bench: install frontend system-packages
	$(BIN)/python bench/bench_import.py --out docs/benchmarks/import.md
	$(BIN)/python bench/bench_collect.py --out docs/benchmarks/collect.md
	$(BIN)/python bench/bench_spotify.py
	$(BIN)/python bench/bench_sandbox.py --out docs/benchmarks/sandbox.md
	$(BIN)/python bench/bench_model.py --out docs/benchmarks/model.md
	$(BIN)/python bench/bench_audio.py --out docs/benchmarks/audio.md
	$(BIN)/python bench/bench_taste.py --out docs/benchmarks/taste.md
	$(BIN)/python bench/bench_taste_import.py --out docs/benchmarks/taste-import.md
	$(BIN)/python bench/bench_api.py --out docs/benchmarks/api.md
	REDIS_PERSIST=no scripts/with-postgres.sh scripts/with-redis.sh $(BIN)/python bench/bench_load.py --out docs/benchmarks/load.md
	scripts/with-postgres.sh scripts/with-redis.sh $(BIN)/python bench/bench_sweep.py --out docs/benchmarks/sweep.md
	$(BIN)/python bench/bench_audio_accuracy.py --cv --out docs/benchmarks/audio-accuracy.md
	$(BIN)/python bench/bench_descriptors.py --out docs/benchmarks/descriptors.md
	$(BIN)/python bench/bench_frontend.py --out docs/benchmarks/frontend.md
	$(BIN)/python bench/bench_demo.py --out docs/benchmarks/demo.md
	$(BIN)/python bench/assemble.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache frontend/node_modules frontend/dist
