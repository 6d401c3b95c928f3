# evalkit: `make report` builds every year's reports, `make test` runs the tests,
# `make bench` measures the batch against the plain ways (all years, and one year as the
# analyst runs it), the charts and the disclosure audit (a quarter of an hour).
# All create the environment in .venv on first use and reuse it after.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test bench lint clean

report: $(STAMP)
	$(BIN)/evalkit run

test: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_year.py
	$(BIN)/python scripts/bench_charts.py
	$(BIN)/python scripts/bench_audit.py

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

clean:
	rm -rf data/processed/[0-9]* reports/[0-9]* reports/index.html
