# PaperHub: `make run` for a local site with demo papers, `make test` for the whole suite on PostgreSQL (and
# the search tests on SQLite too).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# `make test` runs against real PostgreSQL; override DATABASE_URL to use another server.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/paperhub

.PHONY: run test bench install install-dev lint audit lock clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Local site: SQLite and a file-system broker under var/, a Celery worker and beat beside runserver. The first run
# writes var/local.env (DEBUG, a generated SECRET_KEY, the database and broker), which every manage.py command of
# the checkout reads too. A threads pool keeps the worker in one process, so its per-process cache holds each
# upstream's rate limit for all its tasks.
VAR_DIR := $(or $(PAPERHUB_VAR_DIR),var)
run: export PAPERHUB_ENV_FILE ?= $(abspath $(VAR_DIR)/local.env)
run: install
	$(PY) -m paperhub.local_env $(PAPERHUB_ENV_FILE)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "PaperHub on http://127.0.0.1:$(PORT)/  (Ctrl-C stops the site, the worker and beat)"
	@trap 'kill 0' INT TERM EXIT; \
	MALLOC_ARENA_MAX=2 $(PY) -m celery -A paperhub worker --loglevel=INFO --pool=threads --concurrency=2 & \
	$(PY) -m celery -A paperhub beat --loglevel=INFO --schedule $(VAR_DIR)/celerybeat-schedule & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: export SECRET_KEY ?= insecure-test-key
test: export DATABASE_URL ?= $(TEST_DATABASE_URL)
test: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/15
test: export CACHE_URL ?= redis://127.0.0.1:6379/14
# The whole suite on PostgreSQL, then the search tests (marker both_databases) again on SQLite, the `make run`
# database; pytest-django keeps that test database in memory. Exit status 5: PYTEST_ARGS picked none of them.
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(PY) -m pytest $(PYTEST_ARGS) -m both_databases || [ $$? -eq 5 ]

# Benchmarks (bench/): serving under load (gunicorn + wrk), ingest through Celery (then the metadata stage's
# profile), search latency, then one table (bench/report.py -> bench/results.json). Not part of `make test`.
bench: export SECRET_KEY ?= bench-only-secret-key-that-is-long-enough-for-django-checks-0123456789
bench: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(PY) bench/serve_bench.py
	$(PY) bench/ingest_bench.py
	$(PY) bench/profile_task.py --papers 50 --lines 15
	$(PY) bench/search_bench.py --sizes 10000 100000
	$(PY) bench/report.py

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Known vulnerabilities in the pinned dependencies. --strict: a dependency that cannot be checked is a failure.
audit: install-dev
	$(VENV)/bin/pip-audit --strict --progress-spinner off -r requirements.txt -r requirements-dev.txt

# Re-pin every dependency after editing requirements*.in.
lock: install-dev
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
