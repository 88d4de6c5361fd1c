# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install, pull the default model, ingest data/corpus, start the chat window
#   make test   the same set-up, then the tests
# Both are idempotent: the second time they only check that everything is in place.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL ?= gemma3-270m
CORPUS ?= data/corpus

.PHONY: run test setup model ingest lint eval clean

run: setup ingest
	$(BIN)/rag ui

test: setup ingest
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed model

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

model: $(VENV)/.installed
	$(BIN)/rag models pull $(MODEL)

# A store built by an older chunker is not mixed with new chunks: `rag ingest` stops and asks for
# `rag reindex`, which rebuilds it from the documents' files; then ingest again.
ingest: $(VENV)/.installed
	$(BIN)/rag ingest $(CORPUS) || { $(BIN)/rag reindex && $(BIN)/rag ingest $(CORPUS); }

lint: $(VENV)/.installed
	$(BIN)/ruff check rag ui tests bench
	$(BIN)/ruff format --check rag ui tests bench

eval: setup ingest
	$(BIN)/rag eval data/eval/questions.jsonl

clean:
	rm -rf .rag eval-out test-artifacts
