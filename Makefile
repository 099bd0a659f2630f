# Two entry points for users: `make run` and `make test`. Both start with `make setup`.
# Every target is idempotent: stamps make a second run skip work that is already done.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run test bench docs clean chromium poppler neo4j neo4j-server

setup: $(STAMP) node_modules/.installed chromium poppler neo4j-server

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

# Debian's poppler-utils: pdftotext numbers the report's contents; the tests read the PDF with it.
poppler:
	@command -v pdftotext >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq poppler-utils >/dev/null; }

# Neo4j Community (pinned in its pom.xml) from Maven Central, and its launcher, for the tests on a
# real server and `make neo4j`. Skipped with one line where java or mvn is missing: then, and only
# then, the Neo4j tests are skipped too. A failed fetch is retried once (transient registry errors).
NEO4J := .neo4j
NEO4J_SRC := kb/store/neo4j/server
neo4j-server:
	@if command -v java >/dev/null && command -v mvn >/dev/null && command -v javac >/dev/null; then \
	  $(MAKE) -s --no-print-directory $(NEO4J)/.installed; \
	else echo "make setup: no java/javac/mvn here, so no local Neo4j: the Neo4j tests will be skipped"; fi

$(NEO4J)/.installed: $(NEO4J_SRC)/pom.xml $(NEO4J_SRC)/LocalNeo4j.java
	rm -rf $(NEO4J)/lib $(NEO4J)/classes
	mvn -q -B -Dstyle.color=never -f $(NEO4J_SRC)/pom.xml dependency:copy-dependencies -DincludeScope=runtime || \
	  { echo "make setup: Maven failed; retrying once"; sleep 5; \
	    mvn -q -B -Dstyle.color=never -f $(NEO4J_SRC)/pom.xml dependency:copy-dependencies -DincludeScope=runtime; }
	javac -nowarn -encoding UTF-8 -d $(NEO4J)/classes -cp '$(NEO4J)/lib/*' $(NEO4J_SRC)/LocalNeo4j.java
	touch $@

# A local Neo4j on bolt://127.0.0.1:7687 for trying the project on Neo4j (Ctrl-C stops it).
neo4j: setup
	$(BIN)/python -m kb.store.neo4j.local

# The main job on the embedded default store: load the seed data, draw the maps, serve the pages.
run: setup
	$(BIN)/kb init
	$(BIN)/kb seed
	$(BIN)/kb stats
	$(BIN)/kb map overview -o out/overview.html
	$(BIN)/kb map overlaps -o out/overlaps.html
	$(BIN)/kb map gaps -o out/gaps.html
	$(BIN)/kb serve --host 127.0.0.1 --port 8000

# Lint, formatting and the import contracts (pyproject.toml) first: they take seconds, the tests minutes.
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m bench

docs: setup
	$(BIN)/python -m graph_schema.docs > docs/data-model.md

clean:
	rm -rf $(VENV) node_modules $(NEO4J)
