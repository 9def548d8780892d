# `make quickstart` and `make test` work on a fresh machine: they create .venv, install
# torch first (the version pinned in constraints.txt, unless a torch is already there, so
# no second multi-GB download), then r1kit itself with every dependency at the version
# constraints.txt pins: the stack the suite last passed with. `make upgrade-deps` moves it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := constraints.txt
TORCH_SPEC ?= $(shell grep -m1 '^torch==' $(CONSTRAINTS))
export TORCH_EXTENSIONS_DIR ?= $(CURDIR)/.cache/torch_extensions

.PHONY: install quickstart quickstart-vl quickstart-tools test test-fast smollm2 lint imports upgrade-deps wheelhouse clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# A torch already in .venv (a CUDA build, say) is kept: the other pins apply around it.
$(VENV)/.installed: $(BIN)/python pyproject.toml $(CONSTRAINTS)
	@$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install $(TORCH_SPEC)
	grep -v '^torch==' $(CONSTRAINTS) > $(VENV)/constraints-besides-torch.txt
	$(BIN)/pip install -c $(VENV)/constraints-besides-torch.txt -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

quickstart: install
	$(BIN)/r1kit train recipe=quickstart

quickstart-vl: install
	$(BIN)/r1kit train recipe=quickstart_vl

quickstart-tools: install
	$(BIN)/r1kit train recipe=quickstart_tools

smollm2: install
	bash scripts/fetch_smollm2.sh

# The import contracts in pyproject.toml ([tool.importlinter]): layers and no cycles, in a second.
imports: install
	$(BIN)/lint-imports --cache-dir .cache/import_linter

# Test files spread over TEST_WORKERS processes (pytest-xdist; 0 runs them in this one), each torch on one thread,
# so the workers share the cores instead of fighting over them.
TEST_WORKERS ?= 2
test: install imports smollm2
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile tests

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow" tests

# Every dependency but torch (the one in .venv stays) to its newest release within pyproject.toml's
# ranges, constraints.txt rewritten from .venv, then the whole suite: commit constraints.txt if it passes.
upgrade-deps: install
	$(BIN)/python -c "from importlib.metadata import version; print('torch==' + version('torch'))" \
		> $(VENV)/constraints-torch.txt
	$(BIN)/pip install --upgrade --upgrade-strategy eager -c $(VENV)/constraints-torch.txt -e ".[dev]"
	$(BIN)/python scripts/freeze_constraints.py
	@touch $(VENV)/.installed
	$(MAKE) test

# Wheels of everything r1kit needs but torch, for a node without internet (docs/launching.md):
# `make wheelhouse PYTHON_VERSION=3.12 PLATFORM=manylinux_2_28_x86_64`; both default to this machine's.
WHEELHOUSE ?= wheelhouse
wheelhouse: install
	$(BIN)/python scripts/build_wheelhouse.py --output $(WHEELHOUSE) \
		$(if $(PYTHON_VERSION),--python-version $(PYTHON_VERSION)) $(if $(PLATFORM),--platform $(PLATFORM))

lint: install imports
	$(BIN)/ruff check r1kit tests scripts

clean:
	rm -rf $(VENV) .cache runs wheelhouse
