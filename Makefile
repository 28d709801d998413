# Guodong — two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/guodong

.PHONY: run test setup setup-dev lint i18n messages test-sqlite test-postgres bench clean

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(PY) -m pip install --quiet -e '.[dev]'
	bash scripts/system-deps.sh
	touch $@

setup: $(VENV)/.runtime
	$(PY) scripts/i18n.py compile
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo

setup-dev: $(VENV)/.dev
	$(PY) scripts/i18n.py compile

# The background worker (imports) and the hourly signed checkpoint of the event log (ADR 8) run
# beside the server and stop with it. Debug is off (Chinese error pages, no URL patterns or
# tracebacks shown): `--insecure` lets Django's server still serve the static files.
# `DEBUG=1 make run` (or GUODONG_DEBUG=1) turns Django's debug pages on for developers.
DEBUG ?= $(or $(GUODONG_DEBUG),0)
run: setup
	$(PY) manage.py demo_logins
	$(PY) manage.py db_worker --no-reload --no-startup-delay -v 0 & WORKER=$$!; \
	$(PY) manage.py audit checkpoint --every 3600 >/dev/null & CHECKPOINTS=$$!; \
	trap 'kill $$WORKER $$CHECKPOINTS 2>/dev/null' EXIT INT TERM; \
	GUODONG_DEBUG=$(DEBUG) $(PY) manage.py runserver --insecure 127.0.0.1:$(PORT)

lint: setup-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy guodong
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/i18n.py check

# Extract new strings into the catalogue (needs GNU gettext); translate, then `make i18n`.
messages: setup-dev
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore '.venv/*' --ignore 'static/*'

test-sqlite: setup-dev
	$(PY) -m pytest -q

test-postgres: setup-dev
	@if $(PY) scripts/pg_available.py "$(PG_URL)"; then \
		echo "== PostgreSQL pass ($(PG_URL)) =="; \
		DATABASE_URL="$(PG_URL)" $(PY) -m pytest -q; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(PG_URL) and CI=true: failing."; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(PG_URL): SKIPPING the PostgreSQL pass."; \
	fi

test: lint test-sqlite test-postgres

bench: setup-dev
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var
