# Impact evaluation pipeline. `make help` lists the targets.
#
# Real steps are file targets: a second `make report` with nothing changed does no
# work; changing an export, a codebook, the registry, the code or a notebook redoes
# what depends on it, and only that: a stage depends on its own layer's code (the
# report on pipeline/report, not on ingestion's modules), and the report stage reuses
# the charts and PDFs of the last run that did not change (build/<out>/figures).
.DEFAULT_GOAL := help
SHELL := /bin/bash

# The newest python3.N on PATH at or above 3.11 (Ubuntu 24.04 ships 3.12, Debian 13 ships 3.13).
# A name that is on PATH but does not run (a pyenv shim of an uninstalled version) is skipped.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3.11 python3; do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
DATA ?= surveys/example
# make report LANG=el writes the whole report set in one language, into reports/el (from
# the same build folder). Only a LANG given on the command line counts: the shell's LANG
# is a locale (en_US.UTF-8), not a report language, and the tools do not inherit it.
ifeq ($(origin LANG),command line)
REPORT_LANGUAGE := $(LANG)
OUT ?= reports/$(LANG)
BUILD ?= build/reports
unexport LANG
endif
OUT ?= reports
MANIFEST ?=
BUILD ?= build/$(notdir $(abspath $(OUT)))
JOBS ?= 2
# test workers (pytest-xdist): one per core; a module runs whole on one worker
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)

# Debian packages. The reports need WeasyPrint's Pango (PDF) and a font; the tests also
# open the reports in a real browser (Chromium) and read PDFs (poppler-utils).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
TEST_PACKAGES := poppler-utils chromium
SYSTEM_STAMP := build/.system-packages
TEST_STAMP := build/.test-packages
VENV_STAMP := $(VENV)/.installed

# The code each stage runs: its own layer (a lower layer's change reaches it through
# the file targets of the stages before it).
INGEST_SRC := $(wildcard pipeline/*.py) $(shell find pipeline/instruments pipeline/ingest -name '*.py')
ANALYSE_SRC := $(shell find pipeline/analysis pipeline/stats -name '*.py') pipeline/report/context.py
REPORT_SRC := $(shell find pipeline/report -name '*.py') pipeline/i18n.py $(wildcard pipeline/locale/*/LC_MESSAGES/*.mo)
CODEBOOKS := $(wildcard surveys/*.yaml surveys/*/*.yaml)
DATA_FILES := $(wildcard $(DATA)/*.csv $(DATA)/*.xlsx $(DATA)/*.yaml) $(MANIFEST)
NOTEBOOKS := $(wildcard notebooks/*.ipynb)
TEMPLATES := $(wildcard pipeline/report/templates/*/*)
MANIFEST_ARG := $(if $(MANIFEST),--manifest $(MANIFEST),)

FORM ?=
CODEBOOK ?=

.PHONY: help install system-packages report murrar test lint docs translations bench lab example clean import-form xlsform

help: ## List the targets
	@echo "Usage: make <target> [DATA=<data folder>] [OUT=<report folder>] [MANIFEST=<datasets.yaml>]"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(VENV_STAMP) $(SYSTEM_STAMP) ## Create .venv with pinned dependencies and install the Debian packages reports need

system-packages: $(SYSTEM_STAMP) ## Install the Debian packages the reports need

# $(call apt,<packages>): install the missing ones with apt-get (through sudo when not root)
define apt
	@if ! command -v dpkg >/dev/null 2>&1; then \
	  echo "not a Debian system: install the equivalents of $(1) yourself" >&2; \
	else \
	  missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	  if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:" $$missing; \
	    if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	    $$sudo apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	  fi; \
	fi
	@mkdir -p $(@D) && touch $@
endef

$(SYSTEM_STAMP): Makefile
	$(call apt,$(SYSTEM_PACKAGES))

$(TEST_STAMP): Makefile
	$(call apt,$(TEST_PACKAGES))

$(VENV_STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || \
	  { echo "Python 3.11 or later is needed; found $$($(PYTHON) --version 2>&1) at $(PYTHON). Set PYTHON=/path/to/python3" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

$(BUILD)/run.json: $(DATA_FILES) $(CODEBOOKS) $(INGEST_SRC) | $(VENV_STAMP)
	$(BIN)/impact ingest --data $(DATA) --build $(BUILD) $(MANIFEST_ARG)

$(BUILD)/indicators.csv: $(BUILD)/run.json $(ANALYSE_SRC)
	$(BIN)/impact analyse --build $(BUILD)

$(OUT)/manifest.json: $(BUILD)/indicators.csv $(NOTEBOOKS) $(TEMPLATES) $(REPORT_SRC) | $(SYSTEM_STAMP)
	$(BIN)/impact report --build $(BUILD) --out $(OUT) --jobs $(JOBS) $(if $(REPORT_LANGUAGE),--language $(REPORT_LANGUAGE),)

report: $(OUT)/manifest.json ## Evaluate DATA (default: the bundled example) and write the reports to OUT (default: reports/; LANG=el: the whole set in Greek, in reports/el)

murrar: ## Evaluate the Murrar & Brauer (2018) reference data in ../shared/data (reports/murrar/)
	$(MAKE) report DATA=../shared/data MANIFEST=surveys/murrar/datasets.yaml OUT=reports/murrar

test: $(VENV_STAMP) $(SYSTEM_STAMP) $(TEST_STAMP) ## Run the whole test suite (and the linter)
	$(BIN)/ruff format --check pipeline tests benchmarks
	$(BIN)/ruff check pipeline tests benchmarks
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadfile

lint: $(VENV_STAMP) ## Check formatting and lint with ruff (make lint FIX=1 rewrites)
	$(BIN)/ruff format $(if $(FIX),,--check) pipeline tests benchmarks
	$(BIN)/ruff check $(if $(FIX),--fix,) pipeline tests benchmarks

docs: $(VENV_STAMP) ## Rewrite the tables in README.md and docs/ that are generated from the code
	$(BIN)/python -m pipeline.docs

translations: $(VENV_STAMP) ## Extract the texts to translate, update each language's catalogue (pipeline/locale) and compile it
	$(BIN)/python -m pipeline.translations

BENCH_ARGS ?=
bench: $(VENV_STAMP) $(SYSTEM_STAMP) ## Benchmark the report set against papermill's floor and ingestion (100,000 and 1,000,000 respondents x 2 waves) against pyarrow's read
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

lab: $(VENV_STAMP) ## Open JupyterLab on the project's environment (as root too, e.g. in a container)
	$(BIN)/jupyter lab --notebook-dir=. $$(if [ "$$(id -u)" = 0 ]; then echo --allow-root; fi)

example: $(VENV_STAMP) ## Regenerate the bundled example data from its seed (identical files)
	$(BIN)/impact generate-example

import-form: $(VENV_STAMP) ## Turn an XLSForm into a codebook: make import-form FORM=form.xlsx [CODEBOOK=surveys/x.yaml]
	@test -n "$(FORM)" || { echo "usage: make import-form FORM=path/to/form.xlsx [CODEBOOK=surveys/<id>.yaml]" >&2; exit 2; }
	$(BIN)/impact import-form $(FORM) $(if $(CODEBOOK),--out $(CODEBOOK),)

xlsform: surveys/community_attitudes.xlsx ## Write the community attitudes codebook as an XLSForm for KoboToolbox

surveys/community_attitudes.xlsx: surveys/community_attitudes.yaml surveys/consortium.yaml pipeline/instruments/form_writer.py | $(VENV_STAMP)
	$(BIN)/impact write-form --codebook $< --out $@

clean: ## Remove intermediate tables and generated reports (keeps .venv and the key)
	rm -rf build
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
