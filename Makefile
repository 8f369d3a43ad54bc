# Quick start: `make serve` and `make test` work on a fresh machine (set-up included).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_STAMP := $(VENV)/.system-deps
NODE_STAMP := node_modules/.installed

AUDIT_STAMP := audit/node_modules/.installed

.PHONY: serve build check test audit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Chromium (browser tests) and Java (HTML checker) come from Debian, never from a
# browser download step.
$(SYSTEM_STAMP): scripts/install-system-deps | $(STAMP)
	scripts/install-system-deps
	touch $(SYSTEM_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

serve: $(STAMP)
	$(BIN)/missions serve --port 8000 --host 127.0.0.1

build: $(STAMP)
	$(BIN)/missions build

check: $(STAMP)
	$(BIN)/missions check

test: $(STAMP) $(SYSTEM_STAMP) $(NODE_STAMP)
	$(BIN)/ruff check generator benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

$(AUDIT_STAMP): audit/package.json audit/package-lock.json
	cd audit && npm ci --no-audit --no-fund --loglevel=error
	touch $(AUDIT_STAMP)

# Everything: the whole test suite (accessibility, layout, HTML validity, browser tests),
# then Lighthouse on the example board, which prints a table and writes its scores.
audit: test $(AUDIT_STAMP)
	$(BIN)/python scripts/audit.py

clean:
	rm -rf $(VENV) site node_modules audit/node_modules
