# tlearn — every entry point a reader or CI needs. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
export PYTHONHASHSEED := 0

.PHONY: help venv lab test unit nbval browser binder-check notebooks html student bench clean

help:
	@echo "make lab           create $(VENV), install pinned deps + tlearn, open JupyterLab at the notebooks"
	@echo "make test          same set-up, then unit tests, nbval over every notebook, browser tests"
	@echo "make notebooks     re-execute every notebook in place (refresh committed outputs)"
	@echo "make binder-check  build a fresh venv from binder/requirements.txt alone and nbval every notebook there"
	@echo "make html          static HTML export of every chapter (widget state kept) into html/"
	@echo "make student       student copies (solutions stubbed) into out/student/"
	@echo "make bench         run the benchmark suite, write benchmarks/RESULTS.md (installs benchmarks/requirements.txt)"

$(STAMP): binder/requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r binder/requirements.txt -r requirements-dev.txt
	$(VPY) -m pip install -q --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/00_welcome.ipynb

unit: $(STAMP)
	$(VPY) -m pytest tests -q

nbval: $(STAMP)
	$(VPY) -m pytest -q $(NBVAL) notebooks

browser: $(STAMP)
	$(VPY) -m pytest -q -m browser tests/browser -rs

test: $(STAMP)
	$(VPY) -m pytest -q -rs tests notebooks $(NBVAL)

binder-check:
	$(PYTHON) scripts/binder_check.py

notebooks: $(STAMP)
	$(VPY) scripts/run_notebooks.py $(sort $(wildcard notebooks/*.ipynb notebooks/dashboards/*.ipynb))

html: $(STAMP)
	$(VPY) scripts/export_html.py notebooks html

student: $(STAMP)
	$(VPY) -m tlearn.classroom student notebooks out/student

# BENCH_ARGS: e.g. "--quick", "--only 1,2", "--make-test"; the default writes benchmarks/RESULTS.md
BENCH_ARGS ?= --write
bench: $(STAMP)
	$(VPY) -m pip install -q -r benchmarks/requirements.txt
	$(VPY) benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .binder-venv out html build *.egg-info .pytest_cache

# CI: every benchmark case once with minimal repetitions (no timing judged); fails if a case raises
bench-smoke: $(STAMP)
	$(VPY) benchmarks/run.py --smoke
