# Granted: build, run and check.
#
#   make demo    set everything up, load the demo and serve http://127.0.0.1:8000
#   make test    the whole test run, the same as CI (.ci/run)
#
# Needs only python3 (3.11) and make; as root, missing Debian libraries are installed with apt-get.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON := .venv/bin/python
UV := .cache/uv-bootstrap/bin/uv
MANAGE := $(PYTHON) manage.py
# The Debian libraries WeasyPrint (PDF letters) loads at run time.
WEASYPRINT_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
# The embedded default: DEBUG on, SQLite file in var/, Celery eager (no broker), console e-mail.
EMBEDDED := env -u DATABASE_URL -u CELERY_BROKER_URL DEBUG=1

export UV_PYTHON_DOWNLOADS := never

.PHONY: help setup system-deps demo serve migrate test lint fmt lock

help:
	@echo "make demo    set everything up, load the demo and serve http://127.0.0.1:8000"
	@echo "make test    the whole test run, the same as CI (.ci/run)"
	@echo "make serve   serve the existing database on http://127.0.0.1:8000 (no demo load)"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make fmt     ruff format and ruff check --fix"
	@echo "make lock    regenerate requirements.lock from pyproject.toml"
	@echo "make setup   bootstrap uv, create .venv and sync it with requirements.lock"

# uv into .cache/uv-bootstrap, .venv (Python 3.11), packages from requirements.lock.
setup:
	@bash .ci/setup-venv

# Install WeasyPrint's Debian libraries when absent (as root); otherwise say what to install.
system-deps:
	@bash .ci/apt-ensure --optional $(WEASYPRINT_DEBS)

demo: setup system-deps
	$(EMBEDDED) $(MANAGE) migrate --noinput
	$(EMBEDDED) $(MANAGE) demo
	$(EMBEDDED) $(MANAGE) runserver 127.0.0.1:8000

# Serve whatever database the environment (or .env) points at; DEBUG on unless set.
serve: setup
	DEBUG=$${DEBUG:-1} $(MANAGE) migrate --noinput
	DEBUG=$${DEBUG:-1} $(MANAGE) runserver 127.0.0.1:8000

test:
	bash .ci/run

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

fmt: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# One hashed lock (runtime and dev dependencies) with no URLs in it.
lock: setup
	$(UV) pip compile pyproject.toml --group dev --universal --generate-hashes --python-version 3.11 -o requirements.lock
	@if grep -n '://' requirements.lock; then \
		echo "requirements.lock must not contain URLs (lines above)" >&2; exit 1; \
	fi
	@echo "requirements.lock: no URLs"
