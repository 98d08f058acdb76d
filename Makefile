# Lành Mạnh — make demo | make test | make lint | make bench [BENCH=name]
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test suites test-sqlite test-postgres lint bench install assets messages bytecode clean serve prod-check

# Python caches compiled modules (__pycache__) unless PYTHONDONTWRITEBYTECODE is set, as it is on some machines: then
# every process compiles every module it imports again (the suite's collection: 11.6 s instead of 5 s). Not here.
unexport PYTHONDONTWRITEBYTECODE

$(BIN)/activate: pyproject.toml constraints.txt
	@command -v $(PY) >/dev/null || { echo "Cần Python 3.11 ($(PY))"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(BIN)/activate

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

assets: node_modules/.package-lock.json
	$(PYTHON) scripts/copy_assets.py

messages: $(BIN)/activate
	$(PYTHON) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

# The project's own modules compiled once (pip does it for the packages it installs), not by each process that
# imports them: the two test runs, their subprocesses (manage.py, gunicorn) and the server.
bytecode: $(BIN)/activate
	$(PYTHON) -m compileall -q src

install: $(BIN)/activate assets messages bytecode

demo: install
	$(PYTHON) manage.py migrate --no-input -v0
	$(PYTHON) manage.py load_demo
	@echo "Lành Mạnh demo: http://$(HOST):$(PORT)/ (Ctrl+C to stop; a background worker runs long imports and dedup runs)"
	$(PYTHON) manage.py db_worker > var/worker.log 2>&1 & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	LANHMANH_REQUIRE_2FA=$${LANHMANH_REQUIRE_2FA:-false} $(PYTHON) manage.py runserver $(HOST):$(PORT) --noreload

serve: install
	$(PYTHON) manage.py runserver $(HOST):$(PORT)

lint: $(BIN)/activate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=src $(BIN)/lint-imports --no-cache
	@# the structure guards that need no database: inline imports give a reason, views query no personal data,
	@# the tests are laid out like the source
	LANHMANH_ENV=test LANHMANH_VAR_DIR=$(CURDIR)/var/lint $(BIN)/pytest -q -p no:randomly tests/test_layers.py tests/core/test_access_layer.py \
		-k "reason or no_view_module or source_check or laid_out or layout_check"

# The whole suite on SQLite and on PostgreSQL, the two runs at the same time (scripts/test_suites.sh), with the lint
# beside them (a lint failure still fails `make test`, once the suites end).
test: install
	$(MAKE) --no-print-directory -o install -j2 lint suites

suites: install
	+scripts/test_suites.sh

test-sqlite: install
	LANHMANH_ENV=test LANHMANH_VAR_DIR=$(CURDIR)/var/test-sqlite DATABASE_URL=sqlite:///$(CURDIR)/var/test-sqlite/db.sqlite3 \
		$(BIN)/pytest -q --durations=25 --durations-min=3 $(PYTEST_ARGS)

test-postgres: install
	LANHMANH_ENV=test LANHMANH_VAR_DIR=$(CURDIR)/var/test-postgres DATABASE_URL=$(PG_TEST_URL) \
		$(BIN)/pytest -q --durations=25 --durations-min=3 $(PYTEST_ARGS)

# The production stack (gunicorn + worker + Debian's nginx, LANHMANH_ENV=production) on a fresh PostgreSQL
# database, checked over HTTPS; stops everything it started. PROD_CHECK_DATABASE_URL=postgres://… to choose.
prod-check: install
	$(PYTHON) deploy/prod_check.py

bench: $(BIN)/activate
	LANHMANH_ENV=test LANHMANH_VAR_DIR=$(CURDIR)/var/bench $(PYTHON) benchmarks/run.py $(BENCH)

clean:
	rm -rf $(VENV) node_modules var src/lanhmanh/static/vendor
