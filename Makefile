# Two commands for a fresh machine: `make data` (the main job for now) and `make test`.
# Both create .venv from requirements.txt on first use and reuse it afterwards.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Kernels are looked up here first, so papermill's `-k python3` is always this .venv's Python.
export JUPYTER_PATH := $(CURDIR)/$(VENV)/share/jupyter

DATA_DIR ?= data/anime
DATA_COUNT ?= 30000
SEED ?= 0

.PHONY: venv data test bench clean-venv

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

data: venv
	$(VENV)/bin/hw3 data render --out $(DATA_DIR) --n $(DATA_COUNT) --seed $(SEED)

test: venv
	$(PY) -m pytest -q

bench: venv
	$(VENV)/bin/hw3 bench train --data $(DATA_DIR) --out report/bench_train.json

clean-venv:
	rm -rf $(VENV)
