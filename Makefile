# Levelling Up Mission Tracker. `make refresh` and `make test` are the README's quick start.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install refresh test test-quick ui serve bench bench-scale lint status clean docs report export browser postgres live-demo

# The virtualenv, from the pinned lock file; rebuilt when the lock file or pyproject changes.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Run the nightly job in-process on the bundled data and publish warehouse/mission_tracker.duckdb.
refresh: $(STAMP)
	$(BIN)/mission-tracker refresh

## Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded by a test tool).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## Debian's PostgreSQL server for the deployment test (started by the test itself on a loopback port).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "installing Debian's postgresql for the deployment test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

## Run the whole test suite (builds a warehouse once per session in a temporary folder, shared by the
## workers). Three pytest-xdist workers: the deployment test, which mostly waits on the clock, gets one of
## its own, and the other two (one per core) share the rest (tests/scheduling.py). A test file stays on
## one worker, in order (its tests share a Dagster instance); tests/conftest.py orders the files so that
## no worker waits for the session build and the longest start first (end_to_end and slow marks).
TEST_WORKERS ?= 3
test: $(STAMP) browser postgres
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

## The same without the end_to_end tests (whole refreshes, the deployment): a quick loop while working
## (~3 minutes); make test runs everything, as CI does.
test-quick: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not end_to_end"

## dbt docs as one static page: dbt_project/target/static_index.html
docs: $(STAMP)
	$(BIN)/mission-tracker docs

## The HTML scorecard report and the Parquet/CSV exports from the published warehouse (a refresh writes both too).
report: $(STAMP)
	$(BIN)/mission-tracker report

export: $(STAMP)
	$(BIN)/mission-tracker export

## Dagster UI on http://127.0.0.1:3000 with a project-local DAGSTER_HOME (telemetry off).
ui: $(STAMP)
	$(BIN)/mission-tracker ui

## A real deployment on this machine: dagster-webserver + dagster-daemon, the nightly schedule running
## (PostgreSQL storage when MISSION_TRACKER_DAGSTER_PG_URL is set). docs/deploy.md: the same on Kubernetes.
serve: $(STAMP)
	$(BIN)/mission-tracker serve

## Wall time of a full refresh and of an unchanged one (median of 3), in fresh processes.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

## A full refresh over raw inputs grown 1x, 10x and 100x (synthetic small areas, a temporary folder):
## wall time, peak memory and the ratio to the plain SQL at each size.
bench-scale: $(STAMP)
	$(BIN)/python scripts/bench_scale.py

## Live mode against a loopback publisher: a revised release picked up, then a night with nothing new.
live-demo: $(STAMP)
	$(BIN)/python scripts/live_demo.py

status: $(STAMP)
	$(BIN)/mission-tracker status

lint: $(STAMP)
	$(BIN)/ruff check orchestration tests scripts
	$(BIN)/ruff format --check orchestration tests scripts

clean:
	rm -rf dbt_project/target dbt_project/logs .pytest_cache
