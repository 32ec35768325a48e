# Zhifa — the two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
ZHIFA := $(VENV)/bin/zhifa
PORT ?= 8000
BENCH ?=
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-fast lint format typecheck bench deps system-deps lock clean

$(VENV)/.installed: pyproject.toml requirements.lock scripts/bootstrap.sh
	@bash scripts/bootstrap.sh "$(VENV)"
	@touch $@

deps: $(VENV)/.installed

system-deps:
	@bash scripts/system-deps.sh

## run: set up everything, load the demo bureau, serve on http://127.0.0.1:$(PORT)
run: $(VENV)/.installed
	@$(ZHIFA) setup
	@$(ZHIFA) demo
	@$(ZHIFA) serve --port $(PORT)

## test: the whole suite (SQLite by default; DATABASE_URL=postgresql://… for PostgreSQL)
test: $(VENV)/.installed system-deps
	@$(PY) -m pytest -q -p no:cacheprovider -n 2 --dist loadfile

lint: $(VENV)/.installed
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy

format: $(VENV)/.installed
	@$(VENV)/bin/ruff format src tests benchmarks
	@$(VENV)/bin/ruff check --fix src tests benchmarks

## bench: performance figures, one line each (BENCH=<group> for one group)
bench: $(VENV)/.installed
	@$(PY) benchmarks/run.py $(BENCH)

## lock: refresh requirements.lock from pyproject.toml
lock:
	@uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes --quiet -o requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
