# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install, pull the default model, ingest data/corpus, start the chat window
#   make test   the same set-up, then the tests
# Both are idempotent: the second time they only check that everything is in place.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MODEL ?= gemma3-270m
CORPUS ?= data/corpus

.PHONY: run test setup model wordnet ingest lint eval clean

run: setup ingest
	$(BIN)/rag ui

test: setup ingest
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed model wordnet

# Antonyms for the mismatch checks come from WordNet 3.0 (Debian's wordnet-base). Installed here when
# apt-get can run as root; otherwise a one-line note, and opposites are found by negating prefixes only.
wordnet:
	@test -f /usr/share/wordnet/data.adj || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wordnet-base; } >/dev/null; } || \
	  echo "note: WordNet is not installed (apt-get install wordnet-base): opposites by prefix only"

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
