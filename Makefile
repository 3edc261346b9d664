# Developer tasks for backcare. Every target sets up .venv first if it needs to.
#   make run    set up, then make the demo clinic and serve it on http://127.0.0.1:8000
#   make test   set up, then run every test (the web suites on SQLite, and on PostgreSQL if
#               present; tests/browser in Debian's Chromium)
#   make check  formatting, lint, types, import boundaries, rule docs, migrations
#   make fix    format and fix what ruff can fix
#   make bench  run the benchmarks in bench/ (the web one quickly; make bench-web runs it fully)

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
PYTEST := $(BIN)/pytest
INSTALLED := $(VENV)/.backcare-installed
POSTGRES := $(wildcard /usr/lib/postgresql/*/bin/initdb)

# uv reads the system's certificates. UV_SYSTEM_CERTS is uv's current name for UV_NATIVE_TLS,
# which uv still honours but warns about.
export UV_SYSTEM_CERTS := 1
# This file is for development machines: allow the development SECRET_KEY.
export BACKCARE_DEV ?= 1

.PHONY: install run test check fix bench bench-web

install: $(INSTALLED)

# Runs again only when the lock file or pyproject.toml changes. `uv pip sync` makes .venv match
# requirements/dev.txt exactly (it removes anything else installed by hand).
$(INSTALLED): requirements/dev.txt pyproject.toml
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	@test -x $(BIN)/uv || $(PYTHON) -m pip install --quiet "$$(grep '^uv==' requirements/dev.txt)"
	$(BIN)/uv pip sync --quiet --python $(PYTHON) requirements/dev.txt
	$(BIN)/uv pip install --quiet --python $(PYTHON) --no-deps -e .
	@touch $@

run: install
	$(BIN)/backcare demo

test: install
	$(PYTEST) tests/engine tests/content --cov=backcare.engine --cov-branch --cov-fail-under=100
	$(PYTEST) tests/e2e tests/web tests/exports tests/api
	$(PYTEST) tests/browser
	@if [ -n "$(POSTGRES)" ] || [ "$${CI:-}" = "true" ]; then \
		echo "== tests/web again, on PostgreSQL"; \
		scripts/with-postgres.sh $(PYTEST) tests/web tests/exports tests/api; \
	else \
		echo "PostgreSQL is not installed here: tests/web ran on SQLite only."; \
	fi

check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/backcare rules --check
	$(PYTHON) manage.py makemigrations --check --dry-run

fix: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@for f in bench/engine.py bench/plan.py; do echo "== $$f"; $(PYTHON) "$$f" || exit 1; done
	@echo "== bench/web.py --quick (the full run: make bench-web)"; $(PYTHON) bench/web.py --quick

bench-web: install
	$(PYTHON) bench/web.py
