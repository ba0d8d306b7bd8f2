# Development tasks. `make run` for a demo instance, `make test`, `make lint`.
# Everything lives in a virtualenv ($(VENV)); nothing is installed system-wide.

VENV ?= .venv
# Interpreters tried in order to build $(VENV); the first one that is Python >= 3.11 wins.
# `make run PYTHON=python3.13` forces one.
PYTHON ?=
PYTHON_CANDIDATES := $(or $(PYTHON),python3 python3.11 python3.12 python3.13)
PYTEST_ARGS ?=
RUNSERVER_ADDR ?= 127.0.0.1:8000

BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
MANAGE := $(BIN)/python manage.py
# Reinstall only when pyproject.toml is newer than these.
STAMP := $(VENV)/.installed
STAMP_DEV := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help run install install-dev test lint clean

help:
	@echo "make run          virtualenv + migrate + demo data + task worker + http://$(RUNSERVER_ADDR)"
	@echo "                  (port taken? make run RUNSERVER_ADDR=127.0.0.1:8001)"
	@echo "make test         pytest (SQLite, or PostgreSQL when DATABASE_URL is set); PYTEST_ARGS=..."
	@echo "make lint         ruff check, ruff format --check, mypy, makemigrations --check, lint-imports"
	@echo "make install      virtualenv with the project ($(VENV))"
	@echo "make install-dev  the same with the dev extra (pytest, ruff, mypy)"
	@echo "make clean        remove $(VENV), caches and build files (db.sqlite3 is kept)"

# --clear: a virtualenv whose interpreter vanished (Python upgraded, pyenv version removed)
# is rebuilt from empty, stamps included.
$(BIN)/python:
	@py=""; \
	for candidate in $(PYTHON_CANDIDATES); do \
	    if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then \
	        py=$$candidate; break; \
	    fi; \
	done; \
	if [ -z "$$py" ]; then \
	    echo "error: Python 3.11 or newer is needed; none of these is: $(PYTHON_CANDIDATES)." >&2; \
	    echo "       On Debian 12: apt install python3 python3-venv" >&2; \
	    exit 1; \
	fi; \
	echo "Creating $(VENV) with $$py ($$("$$py" --version 2>&1))"; \
	if ! "$$py" -m venv --clear "$(VENV)"; then \
	    rm -rf "$(VENV)"; \
	    echo "error: '$$py -m venv' failed. On Debian: apt install python3-venv" >&2; \
	    exit 1; \
	fi

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing the project into $(VENV)"
	$(PIP) install -e .
	@touch $@

# The dev extra is a superset: it refreshes the plain stamp too, so `make run` after
# `make test` installs nothing.
$(STAMP_DEV): pyproject.toml | $(BIN)/python
	@echo "Installing the project and its dev extra into $(VENV)"
	$(PIP) install -e '.[dev]'
	@touch $(STAMP) $@

install: $(STAMP)

install-dev: $(STAMP_DEV)

# A task worker runs beside the development server, as in production (docs/deployment.md):
# the PDF report, the evidence pack and large imports go through the same queue and
# progress bar, not inside the request. Ctrl+C stops both (the worker also stops when runserver exits).
# TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend would run them in the
# request instead, with no worker.
run: $(STAMP)
	@$(MANAGE) check_address $(RUNSERVER_ADDR)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@$(MANAGE) db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(RUNSERVER_ADDR)

# pytest exits 5 when it collects no test: make fails on it like on any other failure.
test: $(STAMP_DEV)
	$(BIN)/pytest $(PYTEST_ARGS)

# Every check runs even when an earlier one fails, so that one run lists every problem.
lint: $(STAMP_DEV)
	@status=0; \
	echo "-- ruff check"; $(BIN)/ruff check . || status=1; \
	echo "-- ruff format --check"; $(BIN)/ruff format --check . || status=1; \
	echo "-- mypy"; $(BIN)/mypy || status=1; \
	echo "-- makemigrations --check"; $(MANAGE) makemigrations --check --dry-run || status=1; \
	echo "-- lint-imports (layers, [tool.importlinter] in pyproject.toml)"; \
	$(BIN)/lint-imports --no-logo || status=1; \
	exit $$status

clean:
	rm -rf "$(VENV)" .pytest_cache .mypy_cache .ruff_cache staticfiles build ./*.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
