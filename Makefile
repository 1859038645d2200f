# Two commands for a new user: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
PORT ?= 5000
export PORT  # the app's default FORUM_BASE_URL follows it (links in emails)

.PHONY: install install-runtime run digest test test-sqlite test-postgres test-browser bench bench-write bench-cluster bench-profile bench-digests screenshots lint clean

# `make run` installs only what the forum needs to run: its dependencies, read from
# pyproject.toml (the app runs from this folder, so the project itself needs no build),
# without compiling every installed module up front (Python compiles what it imports).
# Everything else (`make test`, `make lint`, ...) installs the project with its test
# tools. Two stamps: the runtime one never stands in for the other.
RUNTIME_STAMP := $(VENV)/.installed-runtime
TOOLS_STAMP := $(VENV)/.installed-tools

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > $(VENV)/runtime-requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile -r $(VENV)/runtime-requirements.txt
	touch $@

$(TOOLS_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@ $(RUNTIME_STAMP)  # the runtime dependencies came with them

install-runtime: $(RUNTIME_STAMP)

install: $(TOOLS_STAMP)

run: install-runtime
	$(FLASK) db upgrade
	$(FLASK) dev seed --if-empty
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# A first email digest in development: this week's, sent now to the demo members with
# an email address, into instance/outbox/*.eml (see README.md).
digest: install-runtime
	$(FLASK) digests send --period weekly --now

# SQLite always; PostgreSQL too when FORUM_TEST_DATABASE_URL is set.
test: install lint
	$(PY) -m pytest --durations=15
	if [ -n "$$FORUM_TEST_DATABASE_URL" ]; then $(PY) -m pytest --db postgres -m "not browser" --durations=15; fi

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

# Read benchmark against a minimal Flask app (see docs/scaling.md). SQLite by default;
# PostgreSQL when FORUM_DATABASE_URL is set (its tables are replaced). BENCH_ARGS="--scale 0.1".
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: sudo apt-get install wrk (macOS: brew install wrk)"; exit 1; }
	$(PY) -m bench.run $(BENCH_ARGS)

# 16 members posting replies for 30 s; then every reply and counter is checked.
bench-write: install
	$(PY) -m bench.write $(BENCH_ARGS)

# Two gunicorn instances, one PostgreSQL (FORUM_DATABASE_URL), Redis rate limits.
bench-cluster: install
	@test -n "$$FORUM_DATABASE_URL" || { echo "bench-cluster needs FORUM_DATABASE_URL (PostgreSQL)"; exit 1; }
	$(PY) -m bench.write --instances 2 $(BENCH_ARGS)

# A weekly digest for 10,000 members (500 new threads) through a local SMTP server, two
# workers; SQLite, or PostgreSQL with FORUM_DATABASE_URL (its tables are replaced).
# BENCH_ARGS="--members 100000". Results in bench/results/.
bench-digests: install
	$(PY) bench/digests_bench.py $(BENCH_ARGS)

# CPU time per page in one process, optionally with cProfile: BENCH_ARGS='--cprofile home'.
bench-profile: install
	$(PY) -m bench.profile $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check forum tests bench migrations config.py app.py

clean:
	rm -rf $(VENV) .pytest_cache
