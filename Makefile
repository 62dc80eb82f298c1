# The two commands a newcomer needs: `make run` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# pytest-xdist: one worker per CPU, each with its own test database; tests that share a server or a folder run on one
# worker in order (XDIST_GROUPS in tests/conftest.py). `make test PARALLEL=` runs the suite in one process.
PARALLEL ?= -n logical --dist loadgroup
PIP := $(PY) -m pip --disable-pip-version-check
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Production-like check of the security settings (used by `make test` and `make deploy-check`).
PROD_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') DJANGO_ALLOWED_HOSTS=clinic.example.org

.PHONY: help run serve worker test lint security typecheck fmt browser browser-deps deploy-deps install install-dev migrate seed deploy-check \
	deploy-test loadtest faults bench backup restore db-stop clean test-clock

help:
	@echo "make run      install, migrate, seed demo data and serve on http://$(HOST):$(PORT) (development)"
	@echo "make test     lint, checks, migrations check and the whole pytest suite (unit, view, browser, deploy,"
	@echo "              a short load test, the fault tests; day-dependent tests at each instant of tests/clock.py)"
	@echo "make test-clock  the whole suite started at each instant of tests/clock.py (CLOCK=sunday: one); ~1 h"
	@echo "make serve    serve with gunicorn as in production (DEBUG off); both start the job worker beside it"
	@echo "make worker   the background job worker alone"
	@echo "make browser  only the Playwright browser tests"
	@echo "make deploy-test  nginx + 2 gunicorn check, backup/restore and migration checks (also in make test)"
	@echo "make loadtest     20 nurses + 5 clinicians against nginx + gunicorn, then every write checked"
	@echo "make faults       PostgreSQL restart under load, killed worker, request past the timeout"
	@echo "make bench       SCALE=full|small: 10k and 100k patients, every main page timed (var/bench/)"
	@echo "make backup | restore FILE=var/backups/x.dump"
	@echo "make security bandit on the app code (also in make test)"
	@echo "make typecheck  mypy with django-stubs on the app code (also in make test)"
	@echo "make lint | fmt | deploy-check | db-stop | clean"

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/activate
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PIP) install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

migrate: install
	DJANGO_DEBUG=1 $(MANAGE) migrate --no-input
	DJANGO_DEBUG=1 $(MANAGE) createcachetable

seed: migrate
	DJANGO_DEBUG=1 $(MANAGE) seed_demo

# The job worker (clinic/background: reminders, audit sealing) runs beside the web server in `make run` and
# `make serve`: started in the background, and stopped with TERM (it finishes the job in hand) when the web server
# stops, Ctrl-C included. Production runs it as its own unit (deploy/systemd/clinic-worker.service).
WORKER := $(MANAGE) procrastinate worker
WITH_WORKER := $(WORKER) & worker=$$!; trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT;

run: seed
	@echo
	@echo "  Clinic is starting on http://$(HOST):$(PORT)/ (and its background job worker)"
	@echo "  Demo logins: frontdesk, nurse, clinician, clinicadmin; password: demo-clinic-2026"
	@echo
	export DJANGO_DEBUG=1; $(WITH_WORKER) $(MANAGE) runserver $(HOST):$(PORT)

# The job worker alone (development settings), e.g. beside a runserver started by hand.
worker: migrate
	DJANGO_DEBUG=1 $(WORKER)

# As in production: DEBUG off, static files through whitenoise, gunicorn. Plain HTTP on loopback here, so the
# HTTPS redirect is off; behind nginx (docs/deploy.md) it stays on.
# The development key in var/ (written by `make migrate`) stands in when DJANGO_SECRET_KEY is unset.
serve: migrate
	export DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)} \
	  DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} DJANGO_SECURE_SSL_REDIRECT=0; \
	  $(MANAGE) collectstatic --no-input -v 0 && $(WITH_WORKER) \
	  GUNICORN_BIND=$(HOST):$(PORT) WEB_CONCURRENCY=$${WEB_CONCURRENCY:-2} $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py clinic.wsgi

# Debian's Chromium for the Playwright tests, and poppler's pdftotext to read the PDFs it prints (the session
# record's page numbers); installed when missing and the machine allows it (root + apt-get).
browser-deps:
	@if [ -x /usr/bin/chromium ] && command -v pdftotext >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium and poppler-utils for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	else \
	  echo "WARNING: chromium or pdftotext is missing and cannot be installed here; browser tests will fail under CI=true."; \
	fi

# Debian's nginx for the deployment checks (tests/deploy), installed like Chromium above.
deploy-deps:
	@if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's nginx for the deployment checks..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; \
	else \
	  echo "WARNING: nginx is missing and cannot be installed here; the nginx check will fail under CI=true."; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# bandit on the app code (not tests, not migrations); configuration and skips with reasons in pyproject.toml.
security: install-dev
	$(VENV)/bin/bandit -c pyproject.toml -r clinic patients infusions side_effects stock scheduling -q

# mypy with django-stubs (configuration in pyproject.toml). The plugin loads the settings: DATABASE_URL is set so that
# they do not start the embedded PostgreSQL server (clinic/database.py); nothing connects to it.
typecheck: install-dev
	DJANGO_DEBUG=1 DATABASE_URL=postgres://x@localhost/x $(VENV)/bin/mypy

fmt: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

deploy-check: install
	$(PROD_ENV) $(MANAGE) check --deploy --fail-level WARNING

test: install-dev browser-deps deploy-deps lint security typecheck
	DJANGO_DEBUG=1 $(MANAGE) check --fail-level WARNING
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	$(PROD_ENV) $(MANAGE) check --deploy --fail-level WARNING
	$(PY) -m pytest $(PARALLEL)

browser: install-dev browser-deps
	$(PY) -m pytest -m browser

# The whole suite with every test starting at one instant of tests/clock.py (a Sunday, a Saturday, a month end, both
# daylight-saving nights, either side of midnight), the database's clock moved with Python's (issue #24). `make test`
# already runs the tests marked `clock` at every instant; this is the wider net, for a change to dates or times.
CLOCKS := sunday saturday month-end dst-fall-back dst-spring-forward before-midnight after-midnight
test-clock: install-dev browser-deps
	@set -e; for clock in $(or $(CLOCK),$(CLOCKS)); do echo "== clock: $$clock"; $(PY) -m pytest $(PARALLEL) -q --clock=$$clock; done

# Backups (docs/deploy.md "Backups"): pg_dump custom format into var/backups/, and its restore into the configured
# database, which must be empty (or CLEAN=1 to replace what is there).
backup: install
	DJANGO_DEBUG=1 $(MANAGE) backup_db $(if $(FILE),--output $(FILE))

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/clinic-....dump [CLEAN=1]"; exit 2; }
	DJANGO_DEBUG=1 $(MANAGE) restore_db $(FILE) $(if $(CLEAN),--clean)

# The deployment checks alone (they also run in `make test`): nginx + two gunicorn instances, backup/restore and
# migrating a populated database from the first migration.
deploy-test: install-dev deploy-deps
	$(PY) -m pytest tests/deploy

# Load test (docs/deploy.md "Load test"): LOADTEST_SECONDS (default 120), LOADTEST_INSTANCES (default 2).
loadtest: install-dev deploy-deps
	$(PY) -m loadtest

# Fault tests (docs/deploy.md "Faults"), about a minute and a half; `make test` runs them too.
faults: install-dev deploy-deps
	$(PY) -m pytest -m faults -rP tests/faults

db-stop: install
	$(PY) -c 'from clinic.database import stop_embedded_server as s; print("stopped" if s() else "not running")'

clean: db-stop
	rm -rf var/pgdata var/staticfiles

# Benchmark (issue #8; docs/performance.md): a separate *bench* database, bulk data, the app under gunicorn with
# DEBUG off, every main page timed over HTTP at two sizes; results in var/bench/. SCALE=small takes about a minute.
SCALE ?= full
bench: install-dev
	SCALE=$(SCALE) $(PY) -m bench
