# Diffusion models, part 1 -- the two commands a newcomer needs are `make lab` and `make test`.
# The learner's targets call `python -m course_lib COMMAND` (course_lib/cli.py), the route without make.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# nbgrader calls `alembic` (and jupyter calls its kernels) from PATH: put the venv first.
export PATH := $(BIN):$(PATH)
LAB_PORT ?= 8888
WORK ?= my-work
HANDOUT ?= handout
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: help venv venv-test lab progress update test lock release grade formgrader handout grade-selftest bench book clean

help:
	@echo "make lab       install the learner's set (first time) and open JupyterLab on your working copy, my-work/"
	@echo "make progress  run the visible checks of every notebook in my-work/ and print a table"
	@echo "make update    bring course updates into my-work/ (a backup first; your answers carried over)"
	@echo "make test      install everything (first time) and run every test"
	@echo "make venv      install only the learner's set into .venv/, at the tested versions (constraints.txt)"
	@echo "make lock      refresh constraints.txt: newest allowed versions, every test, new pins if they pass"
	@echo "make release   regenerate notebooks/ from solutions/ and validate both (instructors)"
	@echo "make grade     autograde new work in submitted/, write the feedback of fully graded work, export grades.csv"
	@echo "               (FORCE=1 autogrades all again; JOBS=N uses N processes, default: from the work, at most 4)"
	@echo "make formgrader  open nbgrader's formgrader to grade written answers by hand (then make grade again)"
	@echo "make handout   build handout/ and its zip: the student notebooks and course_lib, nothing else"
	@echo "make grade-selftest   grade the corpus of known submissions and print the table"
	@echo "make bench     measure the course and print one table (BENCH_ARGS=--quick for a smoke run)"
	@echo "make book      build the web edition (the student notebooks, executed) into _build/book/html"
	@echo "Without make (Windows: py instead of python): python -m course_lib lab | progress | update | test | book"

# Cheap when nothing changed: it compares pyproject.toml and constraints.txt with what .venv was installed from.
venv:
	@$(PYTHON) -m course_lib venv

venv-test:
	@$(PYTHON) -m course_lib venv --test

# localhost only, token required (JupyterLab's defaults); my-work/ is yours and is never overwritten.
lab: venv
	@$(BIN)/python -m course_lib lab --work "$(WORK)" --port $(LAB_PORT)

progress: venv
	@$(BIN)/python -m course_lib progress --work "$(WORK)"

update: venv
	@$(BIN)/python -m course_lib update --work "$(WORK)"

test: venv-test
	$(BIN)/python -m course_lib test

lock:
	@$(PYTHON) -m course_lib lock

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
bench: venv-test
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# The web edition: executes notebooks/ and renders it with Sphinx + MyST-NB, offline (about a minute).
book: venv-test
	$(BIN)/python -m course_lib book

clean:
	rm -rf $(VENV) .pytest_cache .exchange .answer-keys _build handout
