# Two commands for a new user: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
PORT ?= 5000

.PHONY: install run test test-sqlite test-postgres test-browser bench screenshots lint clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) dev seed --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# SQLite always; PostgreSQL too when FORUM_TEST_DATABASE_URL is set.
test: install
	$(PY) -m pytest
	if [ -n "$$FORUM_TEST_DATABASE_URL" ]; then $(PY) -m pytest --db postgres -m "not browser"; fi

test-sqlite: install
	$(PY) -m pytest

test-postgres: install
	$(PY) -m pytest --db postgres -m "not browser"

# PNGs of key pages (phone and desktop, light and dark) in docs/screenshots/; needs Chromium.
screenshots: install
	$(PY) -m tests.browser.screenshots --out docs/screenshots

# Only the real-browser suite (Chromium, axe-core, the Nu HTML checker).
test-browser: install
	$(PY) -m pytest -m browser

lint: install
	$(VENV)/bin/ruff check forum tests config.py app.py

clean:
	rm -rf $(VENV) .pytest_cache
