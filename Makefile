# The two commands a newcomer needs: `make run` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Production-like check of the security settings (used by `make test` and `make deploy-check`).
PROD_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=') DJANGO_ALLOWED_HOSTS=clinic.example.org

.PHONY: help run serve test lint fmt browser browser-deps install install-dev migrate seed deploy-check db-stop clean

help:
	@echo "make run      install, migrate, seed demo data and serve on http://$(HOST):$(PORT) (development)"
	@echo "make test     lint, checks, migrations check and the whole pytest suite (unit, view, browser)"
	@echo "make serve    serve with gunicorn as in production (DEBUG off)"
	@echo "make browser  only the Playwright browser tests"
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

seed: migrate
	DJANGO_DEBUG=1 $(MANAGE) seed_demo

run: seed
	@echo
	@echo "  Clinic is starting on http://$(HOST):$(PORT)/"
	@echo "  Demo logins: frontdesk, nurse, clinician, clinicadmin; password: demo-clinic-2026"
	@echo
	DJANGO_DEBUG=1 $(MANAGE) runserver $(HOST):$(PORT)

# As in production: DEBUG off, static files through whitenoise, gunicorn. Plain HTTP on loopback here, so the
# HTTPS redirect is off; behind nginx (docs/deploy.md) it stays on.
# The development key in var/ (written by `make migrate`) stands in when DJANGO_SECRET_KEY is unset.
serve: migrate
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$$(cat var/secret_key)} \
	  DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost} DJANGO_SECURE_SSL_REDIRECT=0 \
	  bash -c '$(MANAGE) collectstatic --no-input -v 0 && \
	  exec $(VENV)/bin/gunicorn clinic.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile - --forwarded-allow-ips 127.0.0.1'

# Debian's Chromium for the Playwright tests; installed when missing and the machine allows it (root + apt-get).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "WARNING: /usr/bin/chromium is missing and cannot be installed here; browser tests will fail under CI=true."; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

deploy-check: install
	$(PROD_ENV) $(MANAGE) check --deploy --fail-level WARNING

test: install-dev browser-deps lint
	DJANGO_DEBUG=1 $(MANAGE) check --fail-level WARNING
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	$(PROD_ENV) $(MANAGE) check --deploy --fail-level WARNING
	$(PY) -m pytest

browser: install-dev browser-deps
	$(PY) -m pytest -m browser

db-stop: install
	$(PY) -c 'from clinic.database import stop_embedded_server as s; print("stopped" if s() else "not running")'

clean: db-stop
	rm -rf var/pgdata var/staticfiles
