# evalkit: `make report` builds every year's reports, `make test` runs all the tests, `make lab`
# opens the notebooks in JupyterLab, `make bench` measures the batch against the plain ways (all
# years, and one year as the analyst runs it), the charts, the disclosure audit and the kernels'
# start (a quarter of an hour), `make lock` brings requirements/ in step with pyproject.toml.
# Each installs what it needs into .venv on first use, from the locks in requirements/ (exact
# versions with hashes), and reuses it after.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv --quiet
# Bytecode is compiled at install, as pip does, and for evalkit's own code (installed as a link
# to src/): every kernel and test process then starts as fast the first time, also where Python
# may not write it (PYTHONDONTWRITEBYTECODE).
INSTALL := $(UV) pip install --python $(BIN)/python --compile-bytecode
LOCKS := $(wildcard requirements/*.txt)
# A new virtual environment in $(1) with pip, setuptools and uv from the lock: pip only brings uv.
new-venv = rm -rf $(1) && $(PYTHON) -m venv $(1) && $(1)/bin/python -m pip install --quiet \
	--disable-pip-version-check --require-hashes -r requirements/tools.txt

.PHONY: report test lab bench lint lock clean

report: $(VENV)/.report
	$(BIN)/evalkit run

test: $(VENV)/.test
	$(BIN)/pytest --slow

lab: $(VENV)/.lab
	$(BIN)/jupyter lab notebooks/

bench: $(VENV)/.report
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_year.py
	$(BIN)/python scripts/bench_build.py
	$(BIN)/python scripts/bench_scale.py
	$(BIN)/python scripts/bench_charts.py
	$(BIN)/python scripts/bench_audit.py
	$(BIN)/python scripts/bench_index.py
	$(BIN)/python scripts/bench_kernels.py

lint: $(VENV)/.test
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

# What the reports need. Made from nothing whenever a lock or pyproject.toml changes, so that
# nothing an older lock installed outlives it (about a minute, most of it compiling bytecode).
$(VENV)/.report: pyproject.toml $(LOCKS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || echo \
	  "Advarsel: requirements/ er låst til Python 3.11; $(PYTHON) er en anden version (se README)."
	$(call new-venv,$(VENV))
	$(INSTALL) --require-hashes -r requirements/report.txt
	$(INSTALL) --no-deps --no-build-isolation -e .
	$(BIN)/python -m compileall -q src/evalkit
	@$(UV) pip check --python $(BIN)/python || { echo \
	  "requirements/ passer ikke til pyproject.toml: kør make lock."; exit 1; }
	touch $@

# The test tools and JupyterLab are added to it. make lock resolves test.txt with report.txt as
# constraints and lab.txt with test.txt, so adding them changes no version the reports use.
$(VENV)/.test $(VENV)/.lab: $(VENV)/.%: requirements/%.txt $(VENV)/.report
	$(INSTALL) --require-hashes -r $<
	touch $@

# Resolved for Python 3.11 on Linux x86_64 (glibc 2.28 or newer), wheels only, whichever machine
# runs it. Versions already locked are kept, so adding a library moves nothing else;
# `make lock UPGRADE=1` moves every package to its newest version that pyproject.toml allows.
LOCKER := $(VENV)-lock
COMPILE = $(LOCKER)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-manylinux_2_28 --only-binary :all: --emit-build-options \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock:
	$(call new-venv,$(LOCKER))
	$(COMPILE) requirements/tools.in -o requirements/tools.txt
	$(COMPILE) pyproject.toml -c requirements/tools.txt -o requirements/report.txt
	$(COMPILE) pyproject.toml --extra test -c requirements/tools.txt -c requirements/report.txt \
	  -o requirements/test.txt
	$(COMPILE) pyproject.toml --extra lab -c requirements/tools.txt -c requirements/test.txt \
	  -o requirements/lab.txt
	rm -rf $(LOCKER)

clean:
	rm -rf data/processed/[0-9]* reports/[0-9]* reports/index.html
