# Two entry points for a fresh machine (see README): `make scan` and `make test`.
# Every dependency comes from the hash-locked files in requirements/.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --quiet --require-hashes --no-deps

.PHONY: scan test lint typecheck unit docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.main: $(BIN)/python requirements/main.txt requirements/build.txt pyproject.toml
	$(PIP) -r requirements/build.txt -r requirements/main.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev: $(VENV)/.main requirements/dev.txt
	$(PIP) -r requirements/dev.txt
	touch $@

## depvet's main job: scan the environment it is installed in (offline, embedded data).
scan: $(VENV)/.main
	$(BIN)/depvet scan

## The whole test suite: lint, types, generated docs, tests.
test: $(VENV)/.dev lint typecheck docs unit

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.dev
	$(BIN)/mypy

docs: $(VENV)/.dev
	$(BIN)/python -m depvet.docs --check docs/RULES.md

unit: $(VENV)/.dev
	$(BIN)/pytest -n auto

clean:
	rm -rf $(VENV)
