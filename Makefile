# tlearn — every entry point a reader or CI needs. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LAB_STAMP := $(VENV)/.installed-lab
NPM_DIR   := .cache/npm
NPM_STAMP := $(NPM_DIR)/.installed
HUB_STAMP := $(VENV)/.installed-hub
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
export PYTHONHASHSEED := 0

.PHONY: help venv lab test unit nbval browser binder-check notebooks html student bench clean npm \
        hub-load hub-load-small bench-smoke scaling

help:
	@echo "make lab           create $(VENV) (binder/requirements.txt + tlearn only), JupyterLab at the welcome notebook"
	@echo "                   (as root adds --allow-root; headless prints the address to open)"
	@echo "make test          adds the test tools (requirements-dev.txt), then unit tests, nbval, browser tests"
	@echo "make notebooks     re-execute every notebook in place (refresh committed outputs)"
	@echo "make binder-check  build a fresh venv from binder/requirements.txt alone and nbval every notebook there"
	@echo "make html          offline HTML of every chapter (widget state kept, JS beside the pages) into html/"
	@echo "make student       student copies (solutions stubbed) into out/student/"
	@echo "make bench         run the benchmark suite, write benchmarks/RESULTS.md (installs benchmarks/requirements.txt)"
	@echo "make hub-load      JupyterHub on 127.0.0.1, 5/10/20 simulated students, writes benchmarks/RESULTS-hub.md"
	@echo "make hub-load-small  the same with 3 students (CI)"

# The student's environment: exactly what Binder installs, plus tlearn itself. No test tools.
$(LAB_STAMP): binder/requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -r binder/requirements.txt
	$(VPY) -m pip install -q --no-deps -e .
	touch $(LAB_STAMP)

# The developer's environment: the student's plus requirements-dev.txt (Playwright, hypothesis).
$(STAMP): $(LAB_STAMP) requirements-dev.txt
	$(VPY) -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

# Pinned JavaScript (package-lock.json): offline handouts' renderer + MathJax, the Hub's proxy.
$(NPM_STAMP): package.json package-lock.json
	mkdir -p $(NPM_DIR)
	cp package.json package-lock.json $(NPM_DIR)/
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NPM_STAMP)

npm: $(NPM_STAMP)

venv: $(STAMP)

# scripts/lab.py prints why it adds --allow-root (root only) or --no-browser (no display),
# then the address of the welcome notebook; JupyterLab reads jupyter/ (no news pop-up).
# Reuse a student venv you already have, without reinstalling:
#   make lab VENV=/path/to/venv -o /path/to/venv/.installed-lab
lab: $(LAB_STAMP)
	$(VPY) scripts/lab.py $(LAB_ARGS)

unit: $(STAMP)
	$(VPY) -m pytest tests -q

nbval: $(STAMP)
	$(VPY) -m pytest -q $(NBVAL) notebooks

browser: $(STAMP) $(NPM_STAMP)
	$(VPY) -m pytest -q -m browser tests/browser -rs

test: $(STAMP) $(NPM_STAMP)
	$(VPY) -m pytest -q -rs tests notebooks $(NBVAL)

binder-check:
	$(PYTHON) scripts/binder_check.py

notebooks: $(STAMP)
	$(VPY) scripts/run_notebooks.py $(sort $(wildcard notebooks/*.ipynb notebooks/dashboards/*.ipynb))

html: $(LAB_STAMP) $(NPM_STAMP)
	$(VPY) scripts/export_html.py notebooks html

student: $(LAB_STAMP)
	$(VPY) -m tlearn.classroom student notebooks out/student

# BENCH_ARGS: e.g. "--quick", "--only 1,2", "--make-test"; the default writes benchmarks/RESULTS.md
BENCH_ARGS ?= --write
bench: $(STAMP)
	$(VPY) -m pip install -q -r benchmarks/requirements.txt
	$(VPY) benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .binder-venv out html build *.egg-info .pytest_cache .cache

# CI: every benchmark case once with minimal repetitions (no timing judged); fails if a case raises
bench-smoke: $(STAMP)
	$(VPY) benchmarks/run.py --smoke

# Scaling study of the estimators (benchmarks/scaling.py)
scaling: $(STAMP)
	$(VPY) benchmarks/scaling.py

# A class on one JupyterHub (requirements-hub.txt + configurable-http-proxy from package-lock.json),
# all on 127.0.0.1; scripts/hub_load.py starts it, drives the students, kills every process it started.
$(HUB_STAMP): $(LAB_STAMP) requirements-hub.txt
	$(VPY) -m pip install -q -r requirements-hub.txt
	touch $(HUB_STAMP)

HUB_LOAD_ARGS ?= --students 5,10,20 --seconds 60 --write benchmarks/RESULTS-hub.md
hub-load: $(HUB_STAMP) $(NPM_STAMP)
	$(VPY) scripts/hub_load.py $(HUB_LOAD_ARGS)

hub-load-small: $(HUB_STAMP) $(NPM_STAMP)
	$(VPY) scripts/hub_load.py --students 3 --seconds 20
