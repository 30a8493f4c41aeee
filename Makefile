# Diffusion models, part 1 -- the two commands a newcomer needs are `make lab` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
# nbgrader calls `alembic` (and jupyter calls its kernels) from PATH: put the venv first.
export PATH := $(BIN):$(PATH)
ASSIGNMENTS := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard solutions/*/*.ipynb)))))
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_PORT ?= 8888
WORK ?= my-work

.PHONY: help venv lab test release clean

help:
	@echo "make lab      install (first time) and open JupyterLab on your working copy in my-work/"
	@echo "make test     install (first time) and run every test"
	@echo "make venv     install only, into .venv/"
	@echo "make release  regenerate notebooks/ (student release) from solutions/ (instructors)"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $(STAMP)

# localhost only, token required (JupyterLab's defaults); my-work/ is yours and is never overwritten.
lab: venv
	@$(BIN)/python -m course_lib.workspace notebooks "$(WORK)"
	$(BIN)/jupyter lab --ServerApp.ip=localhost --ServerApp.port=$(LAB_PORT) --no-browser \
	    --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/$(WORK) $(ROOT_FLAG)

test: venv
	$(BIN)/python -m pytest tests solutions --nbval --nbval-current-env \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg

release: venv
	@for a in $(ASSIGNMENTS); do \
	    echo "== $$a"; \
	    $(BIN)/nbgrader generate_assignment "$$a" --force --log-level=WARN || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache gradebook.db .exchange
