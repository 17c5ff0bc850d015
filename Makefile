# Unpuzzle LMS. The two commands: `make run` (the product) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LRS_VENV ?= .venv-lrs
RALPH_VERSION ?= 5.1.0
HOST ?= 127.0.0.1
PORT ?= 8000
# Links the product builds outside a request (emails, the admin's preview) point at the address
# `make run` serves on; set SITE_URL to the name others reach this machine by.
LOOPBACK := $(filter 127.% localhost ::1 [::1],$(HOST))
SITE_URL ?= http://$(if $(filter 0.0.0.0 :: [::],$(HOST)),127.0.0.1,$(HOST)):$(PORT)
# Django's debug pages (tracebacks, settings, URL lists) only ever on a loopback address.
DEBUG ?= $(if $(LOOPBACK),true,false)

.DEFAULT_GOAL := help
.PHONY: help install install-dev lock audit lrs browsers run run-env test test-fast fuzz lint format migrations clean

help:
	@echo "make run    install, migrate, load demo data and serve web + worker + beat on $(HOST):$(PORT)"
	@echo "make test   install dev tools, lint, check migrations and run the test suite"
	@echo "make test-fast  the suite without slow and end-to-end tests (pytest -m 'not slow')"
	@echo "make format format the code with ruff"
	@echo "make lock   re-resolve requirements/*.txt (hashed locks) after changing pyproject.toml"
	@echo "make browsers install Debian's chromium for the browser journeys (needs root or sudo)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs take the locked versions (requirements/*.txt, every file checked against its hash),
# then the project itself without resolving anything again.
$(VENV)/.installed: pyproject.toml requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/base.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

# Re-resolve the locks after changing dependencies in pyproject.toml (keeps current pins
# unless UPGRADE=1). pip-tools runs from its own venv, outside the product's.
PIP_COMPILE = var/pip-tools/bin/pip-compile --quiet --generate-hashes --strip-extras \
	--allow-unsafe --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
# Known vulnerabilities in the locked versions (pip-audit, from its own venv; it asks PyPI's
# and OSV's vulnerability services, so it needs those on the network).
audit:
	@test -x var/pip-audit/bin/pip-audit || { $(PYTHON) -m venv var/pip-audit && \
	  var/pip-audit/bin/pip install --quiet 'pip-audit==2.10.1'; }
	var/pip-audit/bin/pip-audit --require-hashes --disable-pip --no-deps -r requirements/base.txt

lock:
	@test -x var/pip-tools/bin/pip-compile || { $(PYTHON) -m venv var/pip-tools && \
	  var/pip-tools/bin/pip install --quiet 'pip-tools==7.6.2'; }
	$(PIP_COMPILE) -o requirements/base.txt pyproject.toml
	$(PIP_COMPILE) --extra dev -o requirements/dev.txt pyproject.toml

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev $(LRS_VENV)/.installed

# A real Learning Record Store (ralph-malph) for the xAPI forwarding tests, in its own venv
# (LRS_VENV): its dependencies must not mix with the product's. Its server imports requests
# without declaring it.
$(LRS_VENV)/.installed:
	$(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LRS_VENV)/bin/pip install --quiet 'ralph-malph[lrs,cli]==$(RALPH_VERSION)' requests
	@touch $@
lrs: $(LRS_VENV)/.installed

# Browser journeys drive Debian's chromium through Playwright (never a downloaded browser).
# Installed when missing and we may (root, or sudo without a password); otherwise the
# journeys are skipped locally and fail in CI.
CHROMIUM ?= /usr/bin/chromium
browsers:
	@if [ -x "$(CHROMIUM)" ]; then echo "chromium: $(CHROMIUM)"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	elif sudo -n true 2>/dev/null; then \
	  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is missing: run 'sudo apt-get install chromium' (browser journeys are skipped)"; fi

run-env:
	@echo "SITE_URL=$(SITE_URL)"
	@echo "DEBUG=$(DEBUG)"

run: export SITE_URL := $(SITE_URL)
run: export DEBUG := $(DEBUG)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  Unpuzzle LMS is starting on http://$(HOST):$(PORT)/"
	@echo "    site          http://$(HOST):$(PORT)/"
	@echo "    Wagtail admin http://$(HOST):$(PORT)/admin/"
	@echo "    API           http://$(HOST):$(PORT)/api/v2/   docs: http://$(HOST):$(PORT)/api/docs/"
	@echo "    WebSocket     ws://$(HOST):$(PORT)/ws/ping/"
	@echo "    health        http://$(HOST):$(PORT)/healthz   readiness: http://$(HOST):$(PORT)/readyz"
	@echo "  Demo logins (password unpuzzle-demo): admin@example.com, editor@example.com,"
	@echo "  instructor@example.com, student@example.com. Ctrl-C stops everything."
	@echo ""
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) scripts/run-local.sh

test: install-dev browsers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

test-fast: install-dev
	$(BIN)/pytest -m "not slow" -q

# Schema fuzzing of the whole API against a live server (set DATABASE_URL/REDIS_URL for the
# real services; FUZZ_MAX_EXAMPLES raises the budget).
fuzz: install-dev
	FUZZ=1 $(BIN)/pytest -m fuzz --timeout 0

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/test .pytest_cache .ruff_cache
