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

ingest: $(VENV)/.installed
	$(BIN)/rag ingest $(CORPUS)

lint: $(VENV)/.installed
	$(BIN)/ruff check rag ui tests bench
	$(BIN)/ruff format --check rag ui tests bench

eval: setup ingest
	$(BIN)/rag eval data/eval/questions.jsonl

clean:
	rm -rf .rag eval-out test-artifacts
