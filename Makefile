# Levelling Up Mission Tracker. `make refresh` and `make test` are the README's quick start.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install refresh test ui bench lint status clean

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

## Run the whole test suite (builds a warehouse once per session in a temporary folder).
test: $(STAMP)
	$(BIN)/python -m pytest

## Dagster UI on http://127.0.0.1:3000 with a project-local DAGSTER_HOME (telemetry off).
ui: $(STAMP)
	$(BIN)/mission-tracker ui

## Wall time of a full refresh and of an unchanged one (median of 3), in fresh processes.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

status: $(STAMP)
	$(BIN)/mission-tracker status

lint: $(STAMP)
	$(BIN)/ruff check orchestration tests scripts
	$(BIN)/ruff format --check orchestration tests scripts

clean:
	rm -rf dbt_project/target dbt_project/logs .pytest_cache
