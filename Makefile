# The two commands of the README. Each sets everything up from scratch on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-oldest setup setup-test browser lint model teacher

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -e .

setup-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

# Debian's Chromium for the real-browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

# Build claims.db from the example corpus, show what was found, and serve it read-only.
demo: setup
	$(BIN)/provenance ingest corpus/
	$(BIN)/provenance stats
	$(BIN)/provenance serve

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Everything CI runs: set-up, lint, type check, the full test suite (README sync included).
test: setup-test browser lint
	$(BIN)/pytest -q

# The suite again on the oldest Python the project supports (3.10), when the machine has one
# (on PATH or under pyenv): what only 3.11 has (possessive repeats in ``re``, say) fails here.
OLDEST_CANDIDATES := $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python) python3.10

test-oldest: browser
	@for candidate in $(OLDEST_CANDIDATES); do \
	  if $$candidate -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
	    echo "test-oldest: $$candidate"; set -e; $$candidate -m venv .venv310; \
	    .venv310/bin/python -m pip install --quiet --upgrade pip; \
	    .venv310/bin/pip install --quiet -e '.[test]'; .venv310/bin/pytest -q; exit 0; fi; \
	done; echo "test-oldest: no Python 3.10 on this machine, skipped"

# Rebuild the classifier's weights (provenance/extract/rules/classifier.json) from the labelled
# sentences in data/classify/ and the teacher's labels in data/unlabelled/teacher.jsonl;
# scikit-learn is needed only here (the `train` extra).
model: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[train]'
	$(BIN)/python -m evaluation.train

# Relabel the unlabelled corpus with the fine-tuned transformer (data/unlabelled/teacher.jsonl),
# then `make model`. PyTorch is needed only here (the `teacher` extra; about 20 minutes of CPU).
teacher: $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0 || $(BIN)/pip install --quiet torch
	$(BIN)/pip install --quiet -e '.[teacher]'
	$(BIN)/python -m evaluation.teacher
