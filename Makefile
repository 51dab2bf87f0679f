# The two commands: `make run` (set up the embedded default and serve) and `make test`.
VENV   ?= .venv
PYTHON ?= python3
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint bench install clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstalls whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(VENV)/bin/contractdesk init --demo
	$(VENV)/bin/contractdesk serve --host $(HOST) --port $(PORT)

lint: install
	$(VENV)/bin/ruff check app tests bench
	$(VENV)/bin/ruff format --check app tests bench
	$(VENV)/bin/mypy

test: lint
	$(VENV)/bin/python -m pytest

bench: install
	$(VENV)/bin/python -m bench.create_quote
	$(VENV)/bin/python -m bench.storage
	$(VENV)/bin/python -m bench.workers

clean:
	rm -rf $(VENV) instance build *.egg-info
