"""`progress`: the visible checks of every notebook in the working copy, as one table that changes no file."""

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, tool_env
from course_lib import progress
from course_lib.workspace import read_notebook, seed_workspace

pytestmark = pytest.mark.slow

NB = "02-one-step-rule"
REL = f"{NB}/{NB}.ipynb"
SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[^\n]*\n?", re.M)
ALL = sorted(p.parent.name for p in (ROOT / "notebooks").glob("*/*.ipynb"))


def _solution_answers(assignment: str) -> dict[str, str]:
    nb = read_notebook(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    return {c["metadata"]["nbgrader"]["grade_id"]: SOLUTION_MARKERS.sub("", "".join(c["source"]))
            for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}


def _answer(path: Path, answers: dict[str, str]) -> None:
    nb = read_notebook(path)
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    path.write_text(json.dumps(nb, indent=1))


def _digest(folder: Path) -> dict:
    """Every file's content and modification time: progress writes nothing, not even the same bytes."""
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def work(tmp_path):
    folder = tmp_path / "my-work"
    seed_workspace(ROOT / "notebooks", folder)
    return folder


def _rows(notebooks, name=NB):
    return {e.name: e for nb in notebooks if nb.name == name for e in nb.exercises}


def test_an_untouched_working_copy_is_all_not_started(work):
    notebooks = progress.course_progress(work, ROOT / "notebooks")
    assert [nb.name for nb in notebooks] == ALL
    statuses = {e.status for nb in notebooks for e in nb.exercises}
    assert statuses == {"not started"} | ({"written"} & statuses)
    assert all(e.reason == "not started" for nb in notebooks for e in nb.exercises if e.status == "written")
    total = progress.totals(notebooks)
    assert total["earned"] == 0 and total["not_started"] == total["exercises"] > 0


def test_every_notebook_solved_gets_every_point(work):
    for assignment in ALL:
        _answer(work / assignment / f"{assignment}.ipynb", _solution_answers(assignment))
    before = _digest(work)
    notebooks = progress.course_progress(work, ROOT / "notebooks")
    failed = [(nb.name, e.name, e.reason) for nb in notebooks for e in nb.exercises if e.status == "fail"]
    assert not failed, failed
    total = progress.totals(notebooks)
    assert total["earned"] == total["possible"] > 0 and total["passed"] == total["exercises"]
    assert _digest(work) == before, "progress never writes to the working copy"


def test_mistakes_show_the_checks_one_line_reason(work):
    answers = _solution_answers(NB)
    answers["forward_step"] = "def forward_step(x_prev, beta, eps):\n    return np.sqrt(1 - beta) * x_prev + beta * eps"
    answers["forward_chain"] = "def forward_chain(x0, betas, eps):\n    return [x0 +\n"  # a syntax error
    # The slip answer uses x1 from a demonstration cell above it, as the exercise invites.
    answers["slip"] = ("x2_slip = np.sqrt(0.8) * x1 + np.sqrt(0.2) * -0.4130\n"
                       "eps2_needed = (0.3730 - np.sqrt(0.8) * x1) / np.sqrt(0.2)")
    answers.pop("beta_size_concept")
    _answer(work / REL, answers)
    rows = _rows(progress.course_progress(work, ROOT / "notebooks", [NB]))
    assert rows["forward_step"].status == "fail"
    assert rows["forward_step"].reason == ("forward_step(0.8, 0.2, -0.2) gave 0.6755, expected 0.6261. Likely "
                                           "mistake: the noise is scaled by beta instead of sqrt(beta).")
    assert rows["forward_chain"].status == "fail"
    assert rows["forward_chain"].reason.startswith("your answer cell raised SyntaxError")
    assert rows["slip"].status == "pass", rows["slip"].reason
    assert rows["beta_size_concept"].status == "not started"
    text = progress.format_table(progress.course_progress(work, ROOT / "notebooks", [NB]), work)
    assert "✘ forward_step(0.8, 0.2, -0.2) gave" in text and "not started" in text
    assert re.search(r"^total .* 2/8 ", text, re.M), text


def test_an_endless_loop_is_stopped_and_named(work):
    _answer(work / REL, {"forward_step": "def forward_step(x_prev, beta, eps):\n    while True:\n        pass"})
    rows = _rows(progress.course_progress(work, ROOT / "notebooks", [NB], timeout=8))
    assert rows["forward_step"].status == "fail"
    assert rows["forward_step"].reason == "not checked: did not finish in 8 s (an endless loop?)"


def test_a_renamed_notebook_is_found_and_named(work):
    _answer(work / REL, {"beta_size_concept": 'beta_size_answer = "C"'})
    renamed = work / NB / "mine.ipynb"
    (work / REL).rename(renamed)
    (nb,) = progress.course_progress(work, ROOT / "notebooks", [NB])
    assert nb.checked == str(renamed)
    assert nb.notes and "is missing; checked" in nb.notes[0] and "rename it to 02-one-step-rule.ipynb" in nb.notes[0]
    assert _rows([nb])["beta_size_concept"].status == "pass"


def test_bad_input_gets_a_clear_message_and_loses_nothing(tmp_path, work):
    (work / REL).write_text('{"cells": [')
    before = _digest(work)
    notebooks = progress.course_progress(work, ROOT / "notebooks")
    (bad,) = [nb for nb in notebooks if nb.name == NB]
    assert "is not a readable notebook (broken JSON" in bad.error and not bad.exercises
    assert all(nb.error is None for nb in notebooks if nb.name != NB), "the other notebooks are still checked"
    assert _digest(work) == before
    with pytest.raises(ValueError, match="there is no working copy at .*python -m course_lib lab"):
        progress.course_progress(tmp_path / "nope", ROOT / "notebooks")
    with pytest.raises(ValueError, match="no course notebook called 9-x"):
        progress.course_progress(work, ROOT / "notebooks", ["9-x"])


def test_make_progress_and_the_entry_point_print_the_same_table(work):
    _answer(work / REL, {"beta_size_concept": 'beta_size_answer = "C"'})
    by_make = subprocess.run(["make", "--no-print-directory", "progress", f"WORK={work}"], cwd=ROOT, env=tool_env(),
                             capture_output=True, text=True, timeout=600)
    by_python = subprocess.run([sys.executable, "-m", "course_lib", "progress", "--work", str(work)], cwd=ROOT,
                               capture_output=True, text=True, timeout=600)
    assert by_python.returncode == 0, by_python.stderr
    assert by_make.returncode == 0, by_make.stdout + by_make.stderr
    assert by_make.stdout == by_python.stdout
    assert re.search(r"^02-one-step-rule\s+forward_step\s+0/2\s+not started$", by_python.stdout, re.M)
    assert re.search(r"^\s+beta_size_concept\s+1/1\s+✔$", by_python.stdout, re.M)
    as_json = subprocess.run([sys.executable, "-m", "course_lib", "progress", "--work", str(work), "--json", NB],
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert json.loads(as_json.stdout)["total"]["earned"] == 1
    missing = subprocess.run([sys.executable, "-m", "course_lib", "progress", "--work", str(work / "nope")],
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert missing.returncode == 1 and missing.stderr.startswith("error: there is no working copy at")


def test_the_table_inside_a_notebook_is_html(work):
    table = progress.show(work)
    html = table._repr_html_()
    assert "<table>" in html and "02-one-step-rule" in html and "not started" in html
    assert repr(table).startswith("Progress in")


def test_run_cells_reports_each_cell():
    results, stopped = progress.run_cells(["x = 1", "print('noise'); import os; os.write(1, b'{junk}\\n')",
                                           "raise ValueError('bad value')", "open('made-by-a-cell.txt', 'w')"],
                                          timeout=60)
    assert stopped is None
    assert [r["ok"] for r in results] == [True, True, False, True]
    assert results[2]["message"] == "ValueError: bad value (line 1)"
    results, stopped = progress.run_cells(["import os; os._exit(3)", "x = 1"], timeout=60)
    assert results == [] and stopped.startswith("the notebook's Python stopped")
    assert not (Path.cwd() / "made-by-a-cell.txt").exists(), "cells run in a scratch folder"
