# alliance-events: two commands for a newcomer, `make run` and `make test`. Both create the
# virtual environment from the pinned pyproject.toml when it is missing or out of date.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INPUT ?= data/sample
OUTPUT ?= outputs
# Library threads would fight the pipeline's own processes on small machines.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export GX_ANALYTICS_ENABLED ?= False
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: setup run test eval dev lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --compile -e '.[dev]'
	@# This machine may set PYTHONDONTWRITEBYTECODE: compile the project once so imports stay fast.
	$(BIN)/python -m compileall -q pipeline >/dev/null
	@mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	@touch $(STAMP)

setup: $(STAMP)

run: setup  ## run every stage on INPUT (default data/sample) and publish to OUTPUT (default outputs/)
	$(BIN)/alliance-events run --input "$(INPUT)" --output "$(OUTPUT)"

test: setup  ## the whole test suite
	$(BIN)/python -m pytest -q

eval: setup  ## precision/recall/F1 on the shared dev set
	$(BIN)/alliance-events eval

dev: setup  ## the Dagster UI with lineage, checks, schedule and sensor
	$(BIN)/dagster dev -m pipeline.definitions

N ?= 2000
bench: setup  ## time every stage on N generated articles (bench/run.py); results in bench/RESULTS.md
	$(BIN)/python bench/run.py --n $(N)

lint: setup
	$(BIN)/ruff check pipeline tests scripts eval bench

clean:
	rm -rf $(VENV) .dagster outputs/releases outputs/latest outputs/LATEST outputs/_work
