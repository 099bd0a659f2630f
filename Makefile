# Two entry points for users: `make run` and `make test`. Both start with `make setup`.
# Every target is idempotent: stamps make a second run skip work that is already done.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run test bench docs clean chromium

setup: $(STAMP) node_modules/.installed chromium

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium for the browser tests (Playwright drives it; no browser is downloaded).
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The main job on the embedded default store: load the seed data, draw the maps, serve the pages.
run: setup
	$(BIN)/kb init
	$(BIN)/kb seed
	$(BIN)/kb stats
	$(BIN)/kb map overview -o out/overview.html
	$(BIN)/kb map overlaps -o out/overlaps.html
	$(BIN)/kb map gaps -o out/gaps.html
	$(BIN)/kb serve --host 127.0.0.1 --port 8000

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench

docs: setup
	$(BIN)/python -m graph_schema.docs > docs/data-model.md

clean:
	rm -rf $(VENV) node_modules
