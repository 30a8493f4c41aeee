# Diffusion models, part 1 -- the two commands a newcomer needs are `make lab` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
# nbgrader calls `alembic` (and jupyter calls its kernels) from PATH: put the venv first.
export PATH := $(BIN):$(PATH)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_PORT ?= 8888
WORK ?= my-work
HANDOUT ?= handout

.PHONY: help venv lab test release grade formgrader handout grade-selftest bench book clean

help:
	@echo "make lab      install (first time) and open JupyterLab on your working copy in my-work/"
	@echo "make test     install (first time) and run every test"
	@echo "make venv     install only, into .venv/"
	@echo "make release  regenerate notebooks/ from solutions/ and validate both (instructors)"
	@echo "make grade    autograde new work in submitted/, write the feedback of fully graded work, export grades.csv"
	@echo "              (FORCE=1 autogrades all again; JOBS=N uses N processes, default: from the work, at most 4)"
	@echo "make formgrader  open nbgrader's formgrader to grade written answers by hand (then make grade again)"
	@echo "make handout  build handout/ and its zip: the student notebooks and course_lib, nothing else"
	@echo "make grade-selftest   grade the corpus of known submissions and print the table"
	@echo "make bench    measure the course and print one table (BENCH_ARGS=--quick for a smoke run)"
	@echo "make book     build the web edition (the student notebooks, executed) into _build/book/html"

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
	$(BIN)/python -m course_lib.grading release

grade: venv
	$(BIN)/python -m course_lib.grading grade $(if $(FORCE),--force,) $(if $(JOBS),--jobs $(JOBS),)

# nbgrader's formgrader, served like `make lab` (localhost, token) from the course root, where it finds
# nbgrader_config.py; --allow-root only when run as root (a grading container, CI).
formgrader: venv
	$(BIN)/jupyter lab --ServerApp.ip=localhost --ServerApp.port=$(LAB_PORT) --no-browser \
	    --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/formgrader $(ROOT_FLAG)

# HANDOUT=folder writes elsewhere than handout/
handout: venv
	$(BIN)/python -m course_lib.grading handout --out "$(HANDOUT)"

grade-selftest: venv
	$(BIN)/python tests/grading_corpus.py

# Benchmarks print figures (medians, ratios to same-run baselines, goals); they never fail. About 8 minutes.
bench: venv
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# The web edition: executes notebooks/ and renders it with Sphinx + MyST-NB, offline (about a minute).
book: venv
	$(BIN)/python -m course_lib.book

clean:
	rm -rf $(VENV) .pytest_cache .exchange .answer-keys _build handout
