# Two commands do all the set-up on a fresh machine:
#   make dist   installs the package in .venv and builds dist/
#   make test   also installs the test tools (pip, apt, npm) and runs every check: make lint, then pytest
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: dist test lint check setup setup-test

dist: setup
	$(BIN)/python build.py --format all

check: setup
	$(BIN)/python build.py --check

# The tests run only once the code is clean: ruff (lint and format) and mypy --strict over everything that runs
# (package, scripts, tests, benchmarks). The screenshots script runs too, into a throwaway folder, so it cannot rot.
test: setup-test lint
	@echo "scripts/screenshots.py into a throwaway folder"
	@shots="$$(mktemp -d)" && STUDYGUIDE_CACHE="$$shots/cache" $(BIN)/python scripts/screenshots.py --out "$$shots" >/dev/null && rm -r "$$shots"
	$(BIN)/python -m pytest -n auto --dist loadscope

lint: $(VENV)/.installed-test
	$(BIN)/ruff check studyguide scripts tests benchmarks build.py
	$(BIN)/ruff format --check studyguide scripts tests benchmarks build.py
	$(BIN)/mypy --strict

setup: $(VENV)/.installed
	bash scripts/install-system-deps --build

setup-test: $(VENV)/.installed-test
	bash scripts/install-system-deps

$(VENV)/.installed: pyproject.toml
	PYTHON=$(PYTHON) bash scripts/install-system-deps --build
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml scripts/fetch_anki_web.py
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/python scripts/fetch_anki_web.py $(VENV)/anki-web
	touch $@
