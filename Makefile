# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-unit test-app test-browser test-postgres test-journeys test-accessibility test-security test-bad-input test-faults assets migrate lint bench-voting bench-pages clean

APP_STAMP := $(VENV)/.installed-app
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check

# `make run` installs only what the app needs to run; the tests' extra (pytest, Playwright,
# schemathesis …) comes with `make test` and the other test targets.
$(APP_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) install -e .
	@touch $(APP_STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -e ".[dev]"
	@touch $(STAMP) $(APP_STAMP)

venv: $(STAMP)

# The app refuses to start without a real SECRET_KEY; on a developer's machine one is made once
# and kept in instance/ (never committed). A SECRET_KEY already in the environment wins.
DEV_SECRET  := instance/secret_key
WITH_SECRET := SECRET_KEY=$${SECRET_KEY:-$$(cat $(DEV_SECRET))}

$(DEV_SECRET):
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $(DEV_SECRET)

## make run: install, fetch the pinned front-end copies (pages fall back to them when the CDN
## cannot be reached), migrate, load the framework and demo data when empty, serve on SQLite
run: $(APP_STAMP) $(DEV_SECRET)
	@$(BIN)/python scripts/fetch_assets.py --quiet || echo "Could not fetch the front-end copies into static/vendor: pages need the CDN until \`make assets\` succeeds."
	@$(WITH_SECRET) $(BIN)/flask --app app db upgrade heads
	@$(WITH_SECRET) $(BIN)/flask --app app bootstrap
	@echo ""
	@echo "Open http://$(HOST):$(PORT)/ and sign in with a demo login above."
	@# gunicorn (one process, gevent as in production, so phones in a live workshop stream)
	@# rather than Flask's development server, which warns on every start that it is not for production.
	@$(WITH_SECRET) $(BIN)/gunicorn --workers 1 --worker-class gevent --worker-connections 1000 --bind $(HOST):$(PORT) --log-level warning app:app

migrate: $(APP_STAMP) $(DEV_SECRET)
	@$(WITH_SECRET) $(BIN)/flask --app app db upgrade heads

# The whole suite runs in parallel, one pytest-xdist worker per core; each worker has its own
# SQLite file and, with TEST_DATABASE_URL, its own PostgreSQL database. WORKERS=0 runs in one process.
WORKERS ?= auto

## make test: the whole suite (browser tests run when Chromium and the local assets are present)
test: $(STAMP)
	-@$(BIN)/python scripts/fetch_assets.py --quiet
	$(BIN)/python -m pytest -n $(WORKERS) $(PYTEST_ARGS)

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

test-app: $(STAMP)
	$(BIN)/python -m pytest tests/app $(PYTEST_ARGS)

test-browser: $(STAMP)
	$(BIN)/python scripts/fetch_assets.py
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

## make test-postgres: the suite on SQLite and on a PostgreSQL database made for this run and
## dropped after it (server: TEST_POSTGRES_SERVER, default postgres@127.0.0.1:5432)
test-postgres: $(STAMP)
	$(BIN)/python scripts/with_test_database.py $(BIN)/python -m pytest -n $(WORKERS) $(PYTEST_ARGS)

## The quality suites one at a time (each also runs on PostgreSQL when TEST_DATABASE_URL is set)
test-journeys: $(STAMP)
	$(BIN)/python scripts/fetch_assets.py
	$(BIN)/python -m pytest tests/e2e/test_journeys_browser.py tests/e2e/test_workshop_browser.py $(PYTEST_ARGS)

test-accessibility: $(STAMP)
	$(BIN)/python scripts/fetch_assets.py
	$(BIN)/python -m pytest tests/e2e/test_accessibility.py tests/e2e/test_keyboard.py $(PYTEST_ARGS)

test-security: $(STAMP)
	$(BIN)/python -m pytest tests/app/test_security_basics.py tests/app/test_security_routes.py tests/app/test_uploads_security.py tests/app/test_evidence_uploads.py tests/app/test_evidence_access.py tests/app/test_reviews_access.py $(PYTEST_ARGS)

test-bad-input: $(STAMP)
	$(BIN)/python -m pytest tests/app/test_api_schemathesis.py tests/app/test_form_properties.py tests/app/test_uploads_security.py $(PYTEST_ARGS)

test-faults: $(STAMP)
	$(BIN)/python -m pytest tests/app/test_faults.py tests/e2e/test_restart_fault.py tests/app/test_cli.py $(PYTEST_ARGS)

## make assets: fetch the pinned GOV.UK Frontend, Chart.js and axe-core into static/vendor
assets: $(APP_STAMP)
	$(BIN)/python scripts/fetch_assets.py

lint: $(STAMP)
	$(BIN)/ruff check .

bench-voting: $(STAMP)
	$(BIN)/python tests/bench/bench_voting.py --participants $${PARTICIPANTS:-300} --rooms $${ROOMS:-1} --db $${DB:-postgres} $${BENCH_ARGS}

bench-pages: $(STAMP)
	$(BIN)/python tests/bench/bench_pages.py --db $${DB:-postgres}

clean:
	rm -rf $(VENV) build .pytest_cache
