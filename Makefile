# Every target installs what it needs from nothing: a fresh machine runs `make test` as is.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install sandbox-deps test demo bench lint format clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The sandbox isolates agent code with bubblewrap; install it where apt can (never fatal).
sandbox-deps:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && apt-get install -y -qq bubblewrap) >/dev/null 2>&1 \
	      || echo "note: could not install bubblewrap; the sandbox will run without namespaces"; \
	  else \
	    echo "note: bwrap not found and apt-get unavailable (or not root); the sandbox will run without namespaces"; \
	  fi; }

test: $(STAMP) sandbox-deps
	$(PY) -m pytest -q -p no:cacheprovider

demo: $(STAMP)
	$(VENV)/bin/toolgym demo

bench: $(STAMP) sandbox-deps
	$(PY) benchmarks/bench.py

lint: $(STAMP)
	$(PY) -m ruff check toolgym tests examples benchmarks
	$(PY) -m ruff format --check toolgym tests examples benchmarks

format: $(STAMP)
	$(PY) -m ruff format toolgym tests examples benchmarks
	$(PY) -m ruff check --fix toolgym tests examples benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
