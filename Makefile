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

# The sandbox isolates agent code with bubblewrap, and the docker backend's tests start a
# private dockerd: install what is missing where apt can (never fatal; tests skip with reasons).
sandbox-deps:
	@missing=""; \
	command -v bwrap >/dev/null 2>&1 || missing="$$missing bubblewrap"; \
	command -v dockerd >/dev/null 2>&1 || missing="$$missing docker.io"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $$missing) >/dev/null 2>&1 \
	      || echo "note: could not install$$missing; the tests that need it will skip"; \
	  else \
	    echo "note:$$missing not installed and apt-get unavailable (or not root); tests that need it skip"; \
	  fi; \
	fi

test: $(STAMP) sandbox-deps
	$(PY) -m pytest -q -p no:cacheprovider -n auto --dist loadgroup --durations=25

demo: $(STAMP)
	$(VENV)/bin/toolgym demo

bench: $(STAMP) sandbox-deps
	$(PY) benchmarks/bench.py

lint: $(STAMP)
	$(PY) -m ruff check toolgym tests examples benchmarks scripts
	$(PY) -m ruff format --check toolgym tests examples benchmarks scripts

format: $(STAMP)
	$(PY) -m ruff format toolgym tests examples benchmarks scripts
	$(PY) -m ruff check --fix toolgym tests examples benchmarks scripts

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
