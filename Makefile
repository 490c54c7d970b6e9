# The two commands a fresh clone needs: `make demo` and `make test`.
# Each sets itself up (virtual environment, install) and is quick on a second run.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

# pytest-xdist spreads the suite over the machine's cores; PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -n $(PYTEST_WORKERS)

.PHONY: demo test lint typecheck migrations-check test-postgres test-sqlite install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ledgersync demo

lint: $(STAMP)
	$(BIN)/ruff check src benchmarks conftest.py
	$(BIN)/ruff format --check src benchmarks conftest.py

typecheck: $(STAMP)
	$(BIN)/mypy

# A model change without its migration fails here, before any test runs.
migrations-check: $(STAMP)
	DATABASE_URL= $(BIN)/python -m django makemigrations --check --dry-run \
		--settings=ledgersync.settings

# The whole suite on PostgreSQL with Redis and the browser, then the database-neutral part
# again on the embedded SQLite default.
test: lint typecheck migrations-check test-postgres test-sqlite

test-postgres: $(STAMP)
	DATABASE_URL=$(TEST_DATABASE_URL) LEDGERSYNC_TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(PYTEST)

test-sqlite: $(STAMP)
	DATABASE_URL= $(PYTEST) -m "not postgres and not redis and not browser"

clean:
	rm -rf $(VENV) var
