# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_HOME ?= demo-home
PYTEST_ARGS ?=

.PHONY: demo test install services chromium lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(STAMP)

## Start Hubbub on the embedded default (SQLite) with the demo data: http://127.0.0.1:8000
demo: $(STAMP)
	$(BIN)/hubbub --home $(DEMO_HOME) demo

services:
	scripts/ensure-services.sh

chromium:
	scripts/ensure-chromium.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) services chromium
	$(BIN)/pytest $(PYTEST_ARGS)

## Everything CI runs: lint, types, and the whole suite on SQLite and PostgreSQL.
test: lint typecheck unit

bench: $(STAMP) services
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/match.py
	$(BIN)/python benchmarks/enrich.py

clean:
	rm -rf $(VENV) $(DEMO_HOME) .pytest_cache .mypy_cache .ruff_cache test-artifacts
