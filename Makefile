# Impact evaluation pipeline. `make help` lists the targets.
#
# Real steps are file targets: a second `make report` with nothing changed does no
# work; changing an export, a codebook, the registry, the code or a notebook redoes
# what depends on it.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA ?= surveys/example
OUT ?= reports
MANIFEST ?=
BUILD ?= build/$(notdir $(abspath $(OUT)))
JOBS ?= 2

# Debian packages the reports and the tests need: WeasyPrint's Pango for PDF,
# Chromium to open the reports in a real browser, poppler-utils to read PDFs.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium
SYSTEM_STAMP := build/.system-packages
VENV_STAMP := $(VENV)/.installed

PIPELINE_SRC := $(wildcard pipeline/*.py)
CODEBOOKS := $(wildcard surveys/*.yaml surveys/*/*.yaml)
DATA_FILES := $(wildcard $(DATA)/*.csv $(DATA)/*.xlsx $(DATA)/*.yaml) $(MANIFEST)
NOTEBOOKS := $(wildcard notebooks/*.ipynb)
TEMPLATES := $(wildcard pipeline/templates/*/*)
MANIFEST_ARG := $(if $(MANIFEST),--manifest $(MANIFEST),)

FORM ?=
CODEBOOK ?=

.PHONY: help install system-packages report murrar test bench lab example clean import-form xlsform

help: ## List the targets
	@echo "Usage: make <target> [DATA=<data folder>] [OUT=<report folder>] [MANIFEST=<datasets.yaml>]"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(VENV_STAMP) $(SYSTEM_STAMP) ## Create .venv with pinned dependencies and install the Debian packages

system-packages: $(SYSTEM_STAMP) ## Install the Debian packages the reports and tests need

$(SYSTEM_STAMP): Makefile
	@if ! command -v dpkg >/dev/null 2>&1; then \
	  echo "not a Debian system: install the equivalents of $(SYSTEM_PACKAGES) yourself" >&2; \
	else \
	  missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:" $$missing; \
	    if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	    $$sudo apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  fi; \
	fi
	@mkdir -p $(@D) && touch $@

$(VENV_STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "Python 3.11 is needed; found $$($(PYTHON) --version 2>&1) at $(PYTHON). Set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

$(BUILD)/run.json: $(DATA_FILES) $(CODEBOOKS) $(PIPELINE_SRC) | $(VENV_STAMP)
	$(BIN)/impact ingest --data $(DATA) --build $(BUILD) $(MANIFEST_ARG)

$(BUILD)/indicators.csv: $(BUILD)/run.json
	$(BIN)/impact analyse --build $(BUILD)

$(OUT)/manifest.json: $(BUILD)/indicators.csv $(NOTEBOOKS) $(TEMPLATES) | $(SYSTEM_STAMP)
	$(BIN)/impact report --build $(BUILD) --out $(OUT) --jobs $(JOBS)

report: $(OUT)/manifest.json ## Evaluate DATA (default: the bundled example) and write the reports to OUT (default: reports/)

murrar: ## Evaluate the Murrar & Brauer (2018) reference data in ../shared/data (reports/murrar/)
	$(MAKE) report DATA=../shared/data MANIFEST=surveys/murrar/datasets.yaml OUT=reports/murrar

test: $(VENV_STAMP) $(SYSTEM_STAMP) ## Run the whole test suite
	$(BIN)/python -m pytest -q

bench: $(VENV_STAMP) $(SYSTEM_STAMP) ## Benchmark ingestion (100,000 respondents x 2 waves) and the report set against papermill's floor
	$(BIN)/impact bench

lab: $(VENV_STAMP) ## Open JupyterLab on the project's environment
	$(BIN)/jupyter lab --notebook-dir=.

example: $(VENV_STAMP) ## Regenerate the bundled example data from its seed (identical files)
	$(BIN)/impact generate-example

import-form: $(VENV_STAMP) ## Turn an XLSForm into a codebook: make import-form FORM=form.xlsx [CODEBOOK=surveys/x.yaml]
	@test -n "$(FORM)" || { echo "usage: make import-form FORM=path/to/form.xlsx [CODEBOOK=surveys/<id>.yaml]" >&2; exit 2; }
	$(BIN)/impact import-form $(FORM) $(if $(CODEBOOK),--out $(CODEBOOK),)

xlsform: surveys/community_attitudes.xlsx ## Write the community attitudes codebook as an XLSForm for KoboToolbox

surveys/community_attitudes.xlsx: surveys/community_attitudes.yaml surveys/consortium.yaml pipeline/xlsform.py | $(VENV_STAMP)
	$(BIN)/impact write-form --codebook $< --out $@

clean: ## Remove intermediate tables and generated reports (keeps .venv and the key)
	rm -rf build
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
