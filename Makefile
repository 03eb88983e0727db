# Every target installs what it needs from nothing: a fresh machine runs `make test` as is.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test demo bench lint format clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider

demo: $(STAMP)
	$(VENV)/bin/toolgym demo

bench: $(STAMP)
	$(PY) benchmarks/bench.py
	$(PY) benchmarks/bench_faults.py

lint: $(STAMP)
	$(PY) -m ruff check toolgym tests examples benchmarks
	$(PY) -m ruff format --check toolgym tests examples benchmarks

format: $(STAMP)
	$(PY) -m ruff format toolgym tests examples benchmarks
	$(PY) -m ruff check --fix toolgym tests examples benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
