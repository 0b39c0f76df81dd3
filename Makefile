# jha-graph: make help lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= var/store
PORT ?= 8000
SHARED ?= ../shared

.PHONY: help install build serve run test score validate bench bench-quick bench-smoke clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/jha-graph: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

install: $(BIN)/jha-graph ## create .venv with the project and its test tools

build: install ## build the graph from data/articles into $(STORE) and validate it
	rm -rf $(STORE).new $(STORE).new.search.sqlite*
	$(BIN)/jha-graph ingest data/articles --store $(STORE).new
	$(BIN)/jha-graph validate --store $(STORE).new
	@# switch: the new store and its search index replace the old ones
	rm -rf $(STORE).old $(STORE).old.search.sqlite*
	if [ -d $(STORE) ]; then mv $(STORE) $(STORE).old; fi
	for f in $(STORE).search.sqlite*; do [ -e "$$f" ] && mv "$$f" "$(STORE).old$${f#$(STORE)}"; done; true
	mv $(STORE).new $(STORE)
	for f in $(STORE).new.search.sqlite*; do [ -e "$$f" ] && mv "$$f" "$(STORE)$${f#$(STORE).new}"; done; true
	rm -rf $(STORE).old $(STORE).old.search.sqlite*
	$(BIN)/jha-graph stats --store $(STORE)

serve: ## serve $(STORE) on http://127.0.0.1:$(PORT)
	$(BIN)/jha-graph serve --store $(STORE) --port $(PORT) --workers auto

run: build serve ## set up, build the graph and serve it (the newcomer's command)

test: install ## run the test suite
	$(BIN)/python -m pytest -q

score: install ## score extraction on the development corpus in $(SHARED)/corpus
	$(BIN)/python $(SHARED)/tools/score_extraction.py $(SHARED)/corpus/articles $(SHARED)/corpus/gold --cli $(BIN)/jha-graph

validate: install ## SHACL shapes and quality checks on $(STORE)
	$(BIN)/jha-graph validate --store $(STORE)

bench: install ## run the benchmarks (1k/10k/100k articles, ~1 h) and write bench/results/<date>.md
	$(BIN)/pip install --quiet -e ".[test]" matplotlib rdflib-endpoint
	$(BIN)/python -m bench.run

bench-quick: install ## smoke run of every benchmark at tiny size (report in a temporary folder)
	$(BIN)/python -m bench.run --quick

clean: ## remove the store and caches (keeps .venv)
	rm -rf var .pytest_cache .hypothesis

.PHONY: soak
soak: install ## the long reliability tests: 60 s of load, 30 ingest kills, thousands of fuzz cases (docs/reliability.md)
	JHA_SOAK=1 $(BIN)/python -m pytest -q tests/reliability
