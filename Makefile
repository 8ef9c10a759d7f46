# Coexist. `make run` starts the app with demo data; `make test` runs every check and test.
# Both install what they need on a fresh machine (virtual environment, npm packages, Chromium).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
DEMO_PEOPLE ?= 120
DEMO_SEED ?= 2026
DEMO_HISTORY_PEOPLE ?= 3000

.PHONY: run test lint typecheck check assets install install-dev chromium demo bench clean

## Set-up -------------------------------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt constraints.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# NHS.UK frontend compiled with sass (our static path, no font download), plus htmx and our JS.
ASSETS := build/static/coexist/app.css
$(ASSETS): node_modules/.package-lock.json coexist/frontend/app.scss coexist/frontend/app.js coexist/frontend/js-enabled.js
	mkdir -p build/static/coexist build/static/vendor build/static/nhsuk
	npx sass --pkg-importer=node --style=compressed --no-source-map coexist/frontend/app.scss $@
	cp -R node_modules/nhsuk-frontend/dist/nhsuk/assets build/static/nhsuk/
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js build/static/vendor/
	cp node_modules/htmx.org/dist/htmx.min.js build/static/vendor/
	cp coexist/frontend/app.js coexist/frontend/js-enabled.js build/static/coexist/

assets: $(ASSETS)

chromium:
	@{ command -v chromium && fc-list | grep -qi liberation && ldconfig -p | grep -q harfbuzz-subset; } >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-liberation libharfbuzz-subset0 >/dev/null; }

## make run -----------------------------------------------------------------------------------

run: install assets
	@mkdir -p var
	COEXIST_DEBUG=1 $(BIN)/python manage.py migrate --no-input -v 0
	COEXIST_DEBUG=1 $(BIN)/python manage.py generate_demo --people $(DEMO_PEOPLE) --seed $(DEMO_SEED) --history-people $(DEMO_HISTORY_PEOPLE)
	@COEXIST_DEBUG=1 ./scripts/serve.sh

## make test ----------------------------------------------------------------------------------

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

check: install-dev
	DJANGO_SETTINGS_MODULE=coexist.settings_test $(BIN)/python manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=coexist.settings_test $(BIN)/python manage.py makemigrations --check --dry-run

test: install-dev assets chromium lint typecheck check
	$(BIN)/pytest

bench: install-dev
	$(BIN)/pytest benchmarks -q -s -p no:playwright -o addopts="" -o testpaths=benchmarks

clean:
	rm -rf $(VENV) node_modules build var .pytest_cache .mypy_cache .ruff_cache
