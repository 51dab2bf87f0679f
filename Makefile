# The two commands: `make run` (set up the embedded default and serve) and `make test`.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test fuzz lint bench bench-setup install system-packages test-system-packages clean scale

# Debian packages the documents need: CJK fonts for Chinese agreements, HarfBuzz's
# subsetter for embedding fonts, poppler for the tests that look at rendered pages.
# Installed only where missing (apt needs root, as on CI and in the Dockerfile).
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstalls whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q $$missing || { apt-get update -q && apt-get install -y -q $$missing; }; \
	fi

# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
TEST_SYSTEM_PACKAGES := chromium

test-system-packages:
	@missing=$$(for p in $(TEST_SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q $$missing || { apt-get update -q && apt-get install -y -q $$missing; }; \
	fi

# The pages' translations, compiled from the catalogues kept in git.
CATALOGUES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)

%.mo: %.po | $(VENV)/.installed
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@

install: system-packages $(VENV)/.installed $(CATALOGUES:.po=.mo)

run: install
	$(VENV)/bin/contractdesk init --demo
	$(VENV)/bin/contractdesk serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check app tests bench scripts
	$(VENV)/bin/ruff format --check app tests bench scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports  # the layers contract in pyproject.toml

# The suite runs in two processes (pytest-xdist), each file's tests in one of them, so
# that a file's module fixtures are made once. Each process has its own database,
# SeaweedFS and DocuSign emulator; a test that stops a server starts one of its own.
TEST_WORKERS ?= 2

test: lint test-system-packages
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

# The API fuzzing at length: as each role and a key of limited scopes, 30 generated
# requests per operation and mode, then 30 sequences along the OpenAPI links (over 20,000
# cases, about an hour on two cores);
# CONTRACTDESK_FUZZ_EXAMPLES=N for more, CONTRACTDESK_FUZZ_SEED=N tries other requests.
fuzz: install
	CONTRACTDESK_FUZZ_ROLES=all CONTRACTDESK_FUZZ_EXAMPLES=$${CONTRACTDESK_FUZZ_EXAMPLES:-30} \
	  $(VENV)/bin/python -m pytest -p no:cacheprovider --timeout=0 tests/web/test_api_fuzz.py -s

# bench.libreoffice measures our PDFs against LibreOffice's, cold and resident (unoserver).
# unoserver needs a Python that can `import uno`, which Debian's python3-uno gives only to
# /usr/bin/python3; bookworm packages no unoserver, so it comes from PyPI into a venv of its
# own that sees the system's site-packages.
BENCH_SYSTEM_PACKAGES := libreoffice-writer-nogui python3-uno python3-venv
UNOSERVER_VENV := build/unoserver

bench-setup:
	@missing=$$(for p in $(BENCH_SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q $$missing || { apt-get update -q && apt-get install -y -q $$missing; }; \
	fi
	@test -x $(UNOSERVER_VENV)/bin/unoserver || { \
	  /usr/bin/python3 -m venv --system-site-packages $(UNOSERVER_VENV) && \
	  $(UNOSERVER_VENV)/bin/pip install --quiet unoserver==3.7; }

bench: install bench-setup
	$(VENV)/bin/python -m bench.create_document
	$(VENV)/bin/python -m bench.storage
	$(VENV)/bin/python -m bench.workers
	$(VENV)/bin/python -m bench.title_lists
	$(VENV)/bin/python -m bench.kbart_lists
	$(VENV)/bin/python -m bench.upload_prescan
	$(VENV)/bin/python -m bench.subscription_schedule
	$(VENV)/bin/python -m bench.api_load
	$(VENV)/bin/python -m bench.libreoffice
	$(VENV)/bin/python -m bench.signing_ltv
	$(VENV)/bin/python -m bench.pdfa
	$(VENV)/bin/python -m bench.worker_memory

# The service at 10,000, 100,000 and 1,000,000 seeded documents (PostgreSQL on 127.0.0.1;
# a database of its own, dropped after). Slow: not part of `make test` or `make bench`.
scale: install
	$(VENV)/bin/python -m bench.scale

clean:
	rm -rf $(VENV) instance build *.egg-info
