"""The instructor's loop with the README's commands alone, on a scratch copy of the course.

`make release`, `make grade`, hand grading (through nbgrader's gradebook API, exactly as the formgrader's
grade and comment handlers write it), `make grade` again, a hand grade changed after that, `make grade
FORCE=1`, a resubmission; after every step each fully graded submission's feedback shows the score of
grades.csv, and a submission with work left to grade by hand has no feedback. Once serially, once with
JOBS=2. The serial class also holds hostile work: a student id that is a spreadsheet formula, folder names
with terminal escape codes or markup, a written answer with `<img onerror>`, outputs with `<script>`, a lone
surrogate, forged grading records in the submission, a corrupt report; and `make formgrader` serves its
pages, with the rubric, as root.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from browser_lab import free_port
from conftest import ROOT, tool_env
from corpus import Submission
from grading_corpus import build_submission, corpus_for, exercises_of
from html_audit import PAYLOAD, audit
from course_lib.grading.escape import spreadsheet
from course_lib.lab import listening

pytestmark = pytest.mark.slow
A = "02-one-step-rule"
WRITTEN = "written_apply_now"
FORMULA_ID = "=SUM(1+1)"
REFUSED = ("\x1b[1A\x1b[2Kmallory", "<img src=x onerror=alert(1)>")
COPIED = ("Makefile", "nbgrader_config.py", "pyproject.toml", "environment.yml", "README.md")


def _make(*args: str) -> list[str]:
    """``make <args>`` in a scratch course that uses the repository's venv (its real path: the grading sandbox
    shows a kernel its Python by that path), which must never be reinstalled from here (``-o``)."""
    stamp = ROOT / ".venv" / ".installed"
    return ["make", "--no-print-directory", f"BIN={ROOT / '.venv' / 'bin'}", f"STAMP={stamp}", "-o", str(stamp), *args]


def make(course: Path, *args: str) -> list[str]:
    """Run ``make <args>`` in ``course``; its output lines."""
    proc = subprocess.run(_make(*args), cwd=course,
                          env=tool_env(), capture_output=True, text=True, timeout=900, errors="surrogateescape")
    assert proc.returncode == 0, f"make {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout.splitlines()


def progress(lines: list[str]) -> dict[str, str]:
    """``[i/n] student assignment: text`` lines, by student."""
    found = {}
    for line in lines:
        match = re.match(rf"\[\d+/\d+\] (.+) {A}: (.*)$", line)
        if match:
            found[match[1]] = match[2]
    return found


def hand_grade(course: Path, student: str, score: float, comment: str | None = None) -> None:
    """What the formgrader's GradeHandler.put (and CommentHandler.put) write to the gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        grade = gb.find_grade(WRITTEN, A, A, student)
        grade.manual_score, grade.extra_credit = score, None
        grade.needs_manual_grade = grade.manual_score is None and grade.auto_score is None
        if comment is not None:
            gb.find_comment(WRITTEN, A, A, student).manual_comment = comment
        gb.db.commit()


def rows(course: Path) -> dict[str, dict]:
    with open(course / "grades.csv", newline="", encoding="utf-8") as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh)}


def feedback_html(course: Path, student: str) -> Path:
    return course / "feedback" / student / A / f"{A}.html"


def assert_feedback_and_csv_agree(course: Path, students: list[str]) -> dict[str, dict]:
    """Each fully graded student's feedback shows the CSV's score; the others have no feedback."""
    table = rows(course)
    for student in students:
        row, html = table[spreadsheet(student)], feedback_html(course, student)
        if row["needs_manual_grade"] == "True" or "not-graded" in row["flags"]:
            assert not html.exists(), f"{student}: feedback while {row}"
            continue
        shown = re.search(r"\(Score: ([0-9.]+) / ([0-9.]+)\)", html.read_text(encoding="utf-8"))
        assert shown, f"{student}: no score in the feedback"
        assert (float(shown[1]), float(shown[2])) == (float(row["raw_score"]), float(row["max_score"])), student
    return table


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A scratch course with one chapter, released with `make release`."""
    course = tmp_path_factory.mktemp("loop") / "course"
    course.mkdir()
    for name in COPIED:
        shutil.copy2(ROOT / name, course / name)
    shutil.copytree(ROOT / "solutions" / A, course / "solutions" / A)
    lines = make(course, "release")
    assert f"{A}: released; the solution passes every test, the untouched release none" in lines
    return course


def _class(released: Path, folder: Path, hostile: bool) -> Path:
    """A copy of the released course with ada (the solution), bob (a wrong step), carl (a corrupt file)
    and, if ``hostile``, the hostile submissions."""
    course = folder / "course"
    shutil.copytree(released, course, symlinks=True)
    release_nb = nbformat.read(course / "notebooks" / A / f"{A}.ipynb", as_version=4)
    _, answers = exercises_of(nbformat.read(course / "solutions" / A / f"{A}.ipynb", as_version=4))
    wrong = next(s for s in corpus_for(A) if s.kind == "wrong")
    for student, sub in (("ada", Submission("the solution")), ("bob", wrong)):
        (course / "submitted" / student / A).mkdir(parents=True)
        nbformat.write(build_submission(release_nb, answers, sub, course),
                       course / "submitted" / student / A / f"{A}.ipynb")
    (course / "submitted" / "carl" / A).mkdir(parents=True)
    (course / "submitted" / "carl" / A / f"{A}.ipynb").write_text("{ this is not a notebook")
    if hostile:
        _hostile(course, build_submission(release_nb, answers, Submission("the solution"), course))
    return course


def _hostile(course: Path, nb) -> None:
    """A correct submission whose written answer and outputs carry markup, with forged grading records."""
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN:
            cell.source = (f"Because <img src=x onerror=\"alert('{PAYLOAD}')\"> [see](javascript:alert('{PAYLOAD}')) "
                           f"$\\href{{javascript:alert('{PAYLOAD}')}}{{x}}$ and a lone \ud800 surrogate.\n\n"
                           f"<script>alert('{PAYLOAD}')</script>")
    show = nbformat.v4.new_code_cell(
        "from IPython.display import HTML, Javascript, Markdown, display\n"
        f"display(HTML(\"<script>alert('{PAYLOAD}')</script><img src=x onerror=alert('{PAYLOAD}')>\"))\n"
        f"display(Javascript(\"alert('{PAYLOAD}')\"))\n"
        f"display(Markdown(\"<img src=x onerror=alert('{PAYLOAD}')>\"))\n"
        f"print('\\x1b[1A\\x1b[2K[1/1] ada {A}: 0/10 {PAYLOAD}')")
    nb.cells.insert(2, show)
    folder = course / "submitted" / FORMULA_ID / A
    folder.mkdir(parents=True)
    # ensure_ascii: the lone surrogate is written as the JSON escape \ud800, as a hand-edited notebook may hold it
    (folder / f"{A}.ipynb").write_text(json.dumps(nb, ensure_ascii=True))
    (folder / f"{A}.grading.json").write_text("{ forged")
    (folder / ".course_lib-feedback.json").write_text(json.dumps({"fingerprint": "forged"}))
    for name in REFUSED:
        (course / "submitted" / name / A).mkdir(parents=True)
        shutil.copy(course / "submitted" / "ada" / A / f"{A}.ipynb", course / "submitted" / name / A)


@pytest.mark.parametrize("jobs", [1, 2])
def test_release_grade_hand_grade_feedback_and_export_agree(released, tmp_path, jobs):
    hostile = jobs == 1
    course = _class(released, tmp_path, hostile)
    run = ("grade",) if jobs == 1 else ("grade", "JOBS=2")
    students = ["ada", "bob", "carl"] + ([FORMULA_ID] if hostile else [])

    # 1. autograde: written answers wait for a person, and so does their feedback
    lines = make(course, *run)
    seen = progress(lines)
    assert seen["ada"] == "8/10; 1 answer(s) to grade by hand; feedback after hand grading"
    assert seen["bob"] == "6/10; 1 answer(s) to grade by hand; feedback after hand grading"
    assert seen["carl"].startswith("NOT GRADED: ") and "NotJSONError" in seen["carl"]
    table = assert_feedback_and_csv_agree(course, students)
    assert table["ada"]["needs_manual_grade"] == "True" and table["carl"]["flags"] == "not-graded"
    assert not (course / "feedback" / "ada").exists()
    if hostile:
        _assert_hostile_graded(course, lines, seen, table)

    # 2. hand grading, then make grade: no autograding, feedback written from the hand grades
    hand_grade(course, "ada", 2.0)
    hand_grade(course, "bob", 1.0, comment=f"Close. <script>alert('{PAYLOAD}')</script>")
    if hostile:
        hand_grade(course, FORMULA_ID, 0.0)
    seen = progress(make(course, *run))
    assert seen["ada"] == "10/10 (already graded); graded by hand; feedback written"
    assert seen["bob"] == "7/10 (already graded); graded by hand; feedback written"
    table = assert_feedback_and_csv_agree(course, students)
    assert (table["ada"]["raw_score"], table["ada"]["needs_manual_grade"]) == ("10.0", "False")
    bob = audit(feedback_html(course, "bob").read_text(encoding="utf-8"))
    assert "Close. <script>" in bob  # the grader's comment, shown as text

    # 3. a hand grade changed after that: only that feedback is written again
    hand_grade(course, "ada", 1.0)
    seen = progress(make(course, *run))
    assert seen["ada"] == "9/10 (already graded); graded by hand; feedback written"
    assert seen["bob"].endswith("feedback up to date")
    assert rows(course)["ada"]["raw_score"] == "9.0"
    assert_feedback_and_csv_agree(course, students)

    if jobs == 2:
        # 4. FORCE=1 autogrades everything again and keeps hand-graded answers graded
        seen = progress(make(course, "grade", "FORCE=1", "JOBS=2"))
        assert seen["ada"] == "9/10; graded by hand; feedback written"
        table = assert_feedback_and_csv_agree(course, students)
        assert [table[s]["needs_manual_grade"] for s in ("ada", "bob")] == ["False", "False"]
    else:
        # 4. bob resubmits with another written answer: it needs grading again, his feedback is withdrawn
        path = course / "submitted" / "bob" / A / f"{A}.ipynb"
        nb = nbformat.read(path, as_version=4)
        next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN).source += " Also."
        nbformat.write(nb, path)
        seen = progress(make(course, *run))
        assert seen["bob"] == "7/10; 1 answer(s) changed since graded by hand: grade again; feedback after hand grading"
        assert seen["ada"].startswith("9/10 (already graded)")
        table = assert_feedback_and_csv_agree(course, students)
        assert table["bob"]["needs_manual_grade"] == "True"
        _assert_formgrader_serves_rubric_and_no_markup(course)


def _assert_hostile_graded(course: Path, lines: list[str], seen: dict, table: dict) -> None:
    """Escaped names and lines, a graded hostile submission, forged records ignored, a safe CSV."""
    output = "\n".join(lines)
    assert "\x1b" not in output and "\u202e" not in output
    assert "not graded: \\x1b[1A\\x1b[2Kmallory/02-one-step-rule: the student folder's name cannot be used" in output
    assert f"not graded: {REFUSED[1]}/{A}: the student folder's name cannot be used" in output
    assert seen[FORMULA_ID] == "8/10; 1 answer(s) to grade by hand; feedback after hand grading"  # surrogate and all
    autograded = course / "autograded" / FORMULA_ID / A
    assert "flags" in json.loads((autograded / f"{A}.grading.json").read_text())  # the grader's, not the forged one
    assert not (autograded / ".course_lib-feedback.json").exists()
    assert table[spreadsheet(FORMULA_ID)]["raw_score"] == "8.0" and "'=SUM(1+1)" in table
    # a report with hostile flags, and a corrupt one: the CSV and the lines stay safe, the export goes on
    (autograded / f"{A}.grading.json").write_text(json.dumps(
        {"flags": ["=HYPERLINK(\"http://evil\")", f"\x1b[1A\x1b[2K{PAYLOAD}", "\ud800", "\u202eevil"]}))
    bob = course / "autograded" / "bob" / A / f"{A}.grading.json"
    kept = bob.read_bytes()
    bob.write_text("{ not json")
    lines = make(course, "grade")
    output = "\n".join(lines)
    assert "\x1b" not in output and "\u202e" not in output and "\ud800" not in output
    assert f"\\x1b[1A\\x1b[2K{PAYLOAD}" in progress(lines)[FORMULA_ID]
    raw = (course / "grades.csv").read_text(encoding="utf-8")
    assert "\x1b" not in raw and "\u202e" not in raw
    for row in csv.reader(raw.splitlines()):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row
    assert rows(course)["bob"]["flags"] == "report-unreadable"
    bob.write_bytes(kept)


def _assert_formgrader_serves_rubric_and_no_markup(course: Path) -> None:
    """`make formgrader` starts (as root here, as in CI), shows the rubric, and the hostile answer as text;
    the feedback shows no hidden test and no rubric."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        ids = {s: gb.find_submission_notebook(A, A, s).id for s in ("ada", FORMULA_ID)}
    hand_grade(course, FORMULA_ID, 0.0)
    progress(make(course, "grade"))
    feedback = audit(feedback_html(course, FORMULA_ID).read_text(encoding="utf-8"))
    assert "BEGIN HIDDEN TESTS" not in feedback and "hidden tests: not shown" in feedback
    assert not any(call in feedback for call in ("hidden.call(", "hidden.value(", "hidden.choice("))
    assert "Model answer" not in feedback and "onerror" in feedback  # the answer, as text
    port, log = free_port(), course / "formgrader.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(_make("formgrader", f"LAB_PORT={port}"), cwd=course, env=tool_env(), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        token = None
        for _ in range(240):
            match = re.search(rf"http://localhost:{port}/\S*\?token=([0-9a-f]+)", log.read_text())
            if match and listening(f"http://localhost:{port}/"):  # announced a moment before it listens
                token = match[1]
                break
            assert proc.poll() is None, log.read_text()
            time.sleep(0.5)
        assert token, log.read_text()
        pages = {}
        for student, sid in ids.items():
            with urllib.request.urlopen(f"http://localhost:{port}/formgrader/submissions/{sid}/?token={token}",
                                        timeout=60) as resp:
                pages[student] = resp.read().decode()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    for page in pages.values():
        text = audit(page)
        assert f"Model answer and rubric for {WRITTEN}" in text and "Rubric:" in text
        assert "BEGIN HIDDEN TESTS" in text  # graders see the hidden tests
    assert "Because <img src=x onerror=" in audit(pages[FORMULA_ID])
