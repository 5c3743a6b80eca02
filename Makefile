# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run test install install-dev browser lint format messages bench-data clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt | $(PY)
	$(PIP) -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

install: $(VENV)/.runtime-installed

install-dev: $(VENV)/.dev-installed

## make run: install, create the database if missing, migrate, load demo data when empty, start everything.
run: install
	$(PY) scripts/ensure_database.py
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_app_role
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py collectstatic --noinput --verbosity 0
	exec scripts/run_all.sh

## Debian's chromium (browser tests) and a CJK font (readable screenshots), when missing.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qiE 'cjk|wqy|wenquanyi'; then \
		echo "Installing chromium and a CJK font from Debian..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	fi

## make test: everything the tests need, then lint, the layering contracts, migrations check and the whole suite.
test: install-dev browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Extract and compile the translation catalogue (English source strings, Simplified Chinese catalogue).
messages: install-dev
	$(PY) manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'bench/*' --no-obsolete
	$(PY) scripts/compile_messages.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
