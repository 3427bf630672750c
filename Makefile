# Two commands do everything on a fresh machine with Python 3.11:
#   make run   — virtualenv, install, migrate, demo data, serve on http://127.0.0.1:8000 (SQLite)
#   make test  — the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DEBUG=true

.PHONY: run test lint format install install-dev chromium clean bench-webhook bench-report bench-burst bench-backfill \
	bench-pages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

run: $(VENV)/.runtime
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Postmortem Tracker: http://127.0.0.1:8000/  (sign in at /accounts/login/)"
	@echo "  Demo lead:     lena.lead    / demo-lead-2026"
	@echo "  Demo engineer: eli.engineer / demo-engineer-2026"
	@echo ""
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Browser tests need Debian's Chromium; install it when missing and we can.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium package for the browser tests"; fi; }

test: $(VENV)/.dev chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

# Benchmarks (PostgreSQL and Redis on 127.0.0.1; each writes its section of bench/RESULTS.md).
bench-webhook: $(VENV)/.dev
	bench/webhook/run

bench-report: $(VENV)/.dev
	bench/report/run

bench-burst: $(VENV)/.dev
	bench/burst/run

bench-backfill: $(VENV)/.dev
	bench/backfill/run

bench-pages: $(VENV)/.dev
	bench/pages/run
