# The two commands a newcomer needs: `make run` and `make test`.
# Our package `src/matching` shares its name with the PyPI `matching` package
# (a dev dependency used as a reference in tests): src comes first on the path.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)/src:$(CURDIR)

.PHONY: run serve test migrate migration demo worker bench loadtest lint format clean venv messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

## make run: the embedded default (SQLite under var/, jobs in-process, demo data) on :8000
run: migrate demo serve

serve: $(STAMP)
	$(PY) -m web serve --host 127.0.0.1 --port 8000

## make migrate: apply Piccolo migrations to DATABASE_URL (default: var/platform.sqlite3)
migrate: $(STAMP)
	$(PY) -m web migrate

## make migration: generate a migration after changing a table (review it, then commit)
migration: $(STAMP)
	PICCOLO_CONF=matching.piccolo_conf $(VENV)/bin/piccolo migrations new matching --auto

demo: $(STAMP)
	$(PY) -m web demo-data

## make worker: an arq worker (needs REDIS_URL)
worker: $(STAMP)
	$(VENV)/bin/arq workers.main.WorkerSettings

## make test: the whole suite (SQLite and PostgreSQL, real Redis, real chromium)
test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m benchmarks

## make loadtest: 50 users on loopback against uvicorn (2 workers) + PostgreSQL, 5,000 doctors
loadtest: $(STAMP)
	$(PY) -m benchmarks.loadtest

lint: $(STAMP)
	$(VENV)/bin/ruff check src workers tests benchmarks migrations
	$(VENV)/bin/ruff format --check src workers tests benchmarks migrations

format: $(STAMP)
	$(VENV)/bin/ruff format src workers tests benchmarks migrations
	$(VENV)/bin/ruff check --fix src workers tests benchmarks migrations

## make messages: extract every message (babel.cfg) and update the en and ar catalogs
## (then translate the new empty Arabic entries; the English ones stay empty = identity)
LOCALES := src/matching/locales
messages: $(STAMP)
	@mkdir -p var
	$(VENV)/bin/pybabel extract -F babel.cfg -o var/messages.pot --add-location=file \
		--sort-output --no-wrap -c TRANSLATORS: --project="Homs Health Bridge" .
	for lang in en ar; do \
		if [ -f $(LOCALES)/$$lang/LC_MESSAGES/messages.po ]; then \
			$(VENV)/bin/pybabel update -i var/messages.pot -d $(LOCALES) -l $$lang \
				--no-fuzzy-matching --ignore-obsolete --no-wrap; \
		else \
			$(VENV)/bin/pybabel init -i var/messages.pot -d $(LOCALES) -l $$lang --no-wrap; \
		fi; \
	done

clean:
	rm -rf $(VENV) var test-artifacts
