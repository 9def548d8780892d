# `make quickstart` and `make test` work on a fresh machine: they create .venv, install
# torch first (2.13.0 unless a torch is already there, so no second multi-GB download),
# then r1kit itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
export TORCH_EXTENSIONS_DIR ?= $(CURDIR)/.cache/torch_extensions

.PHONY: install quickstart quickstart-vl test test-fast smollm2 lint imports clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	@$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install $(TORCH_SPEC)
	$(BIN)/pip install -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

quickstart: install
	$(BIN)/r1kit train recipe=quickstart

quickstart-vl: install
	$(BIN)/r1kit train recipe=quickstart_vl

smollm2: install
	bash scripts/fetch_smollm2.sh

# The import contracts in pyproject.toml ([tool.importlinter]): layers and no cycles, in a second.
imports: install
	$(BIN)/lint-imports --cache-dir .cache/import_linter

test: install imports smollm2
	$(BIN)/python -m pytest -q tests

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow" tests

lint: install imports
	$(BIN)/ruff check r1kit tests scripts

clean:
	rm -rf $(VENV) .cache runs
