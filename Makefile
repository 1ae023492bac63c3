# The two commands a newcomer needs: `make run` and `make test`.
# Our package `src/matching` shares its name with the PyPI `matching` package,
# the parity test's reference: that one lives apart in .venv-reference/ (never in
# .venv), and only benchmarks/reference_matching.py loads it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REFERENCE := .venv-reference
REFERENCE_STAMP := $(REFERENCE)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export PYTHONPATH := $(CURDIR)/src:$(CURDIR)

.PHONY: run serve test migrate migration demo worker bench bench-slow-link loadtest lint format \
	clean venv \
	messages reference

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

## make reference: the PyPI `matching` package for the parity test, in its own folder
$(REFERENCE_STAMP): | $(STAMP)
	$(VENV)/bin/pip install --quiet --no-deps --target $(REFERENCE) "matching==1.4.3"
	touch $(REFERENCE_STAMP)

reference: $(REFERENCE_STAMP)

## make run: the embedded default (SQLite under var/, jobs in-process, demo data) on :8000
## (make run PORT=8080 for another port)
run: migrate demo serve

serve: $(STAMP)
	$(PY) -m web serve --host $(HOST) --port $(PORT)

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

## make test: the whole suite (SQLite and PostgreSQL, real Redis, real chromium), in
## TEST_WORKERS processes (pytest-xdist; each has its own databases and Redis database;
## a file's tests stay in one process, so they share its servers)
TEST_WORKERS ?= 2
test: $(STAMP) $(REFERENCE_STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP) $(REFERENCE_STAMP)
	$(PY) -m benchmarks

## make bench-slow-link: the Arabic head's journey in chromium at 400 kbit/s, 400 ms round trip
bench-slow-link: $(STAMP)
	$(PY) -m benchmarks.slow_link

## make loadtest: 50 users on loopback against uvicorn (2 workers) + PostgreSQL, 5,000 doctors
loadtest: $(STAMP)
	$(PY) -m benchmarks.loadtest

lint: $(STAMP)
	$(VENV)/bin/ruff check src workers tests benchmarks migrations
	$(VENV)/bin/ruff format --check src workers tests benchmarks migrations
	$(VENV)/bin/lint-imports

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
	rm -rf $(VENV) $(REFERENCE) var test-artifacts
