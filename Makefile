# Quick start: `make serve` and `make test` work on a fresh machine (set-up included).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve build check test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/missions serve --port 8000 --host 127.0.0.1

build: $(STAMP)
	$(BIN)/missions build

check: $(STAMP)
	$(BIN)/missions check

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) site
