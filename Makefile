# rvsim — set-up, demo, tests. Every target installs what it needs, idempotently.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.rvsim-installed
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
DEMO_OUT ?= demo_out

.PHONY: setup system-deps demo test test-all docs bench clean

setup: system-deps $(STAMP)

# Dr.Jit's CPU backend needs libLLVM >= 16; Debian 12 ships 14/15 by default.
system-deps:
	@if [ -z "$$(ls /usr/lib/*/libLLVM-1[6-9]*.so* /usr/lib/*/libLLVM-[2-9][0-9]*.so* /usr/lib/*/libLLVM.so.1[6-9]* /usr/lib/llvm-1[6-9]/lib/libLLVM*.so* 2>/dev/null)" ]; then \
	  echo "installing libllvm19 (Dr.Jit needs LLVM >= 16)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libllvm19; \
	fi
	@if ! $(PYTHON) -c "import ensurepip, venv" >/dev/null 2>&1; then \
	  echo "installing python3-venv"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; \
	fi

$(STAMP): pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	@touch $(STAMP)

# demo_out/ belongs to this target: a previous demo's output is replaced.
demo: setup
	rm -rf $(DEMO_OUT)
	$(BIN)/rvsim demo --out $(DEMO_OUT)

test: setup
	$(BIN)/python -m pytest -q

test-all: setup
	$(BIN)/python -m pytest -q -m "slow or not slow"

# The docs extra (Sphinx, MyST-NB, furo, ipykernel) on top of setup, reinstalled when pyproject.toml changes.
# -E re-reads every page, so every tutorial is executed on every build (warnings are errors).
DOCS_STAMP := $(VENV)/.rvsim-docs-installed

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -q -e ".[test,docs]"
	@touch $(DOCS_STAMP)

docs: setup $(DOCS_STAMP)
	$(BIN)/sphinx-build -E -W --keep-going -b html docs docs/_build/html

bench: setup
	$(BIN)/python benchmarks/generate_throughput.py

clean:
	rm -rf $(DEMO_OUT) docs/_build .pytest_cache
