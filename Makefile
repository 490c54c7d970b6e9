# The two commands a fresh clone needs: `make demo` and `make test`.
# Each sets itself up (virtual environment, install) and is quick on a second run.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test lint test-postgres test-sqlite install clean

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

# The whole suite on PostgreSQL with Redis and the browser, then the database-neutral part
# again on the embedded SQLite default.
test: lint test-postgres test-sqlite

test-postgres: $(STAMP)
	DATABASE_URL=$(TEST_DATABASE_URL) LEDGERSYNC_TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/pytest -q

test-sqlite: $(STAMP)
	DATABASE_URL= $(BIN)/pytest -q -m "not postgres and not redis and not browser"

clean:
	rm -rf $(VENV) var
