"""Grading that instructors can trust, end to end with real nbgrader and its SQLite gradebook.

The corpus (tests/grading_corpus.py): every submission's exact score, flags and feedback message.
The workflow's parallel side (course_lib.grading.parallel): two processes give the serial run's lines and
grades, and Ctrl-C leaves no worker and no half-graded folder. The instructor's whole loop, from the
README's commands, is tests/test_instructor_loop.py.
"""

import csv
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from grading_corpus import run
from course_lib.grading.sandbox import _slot_dir, left_behind
from course_lib.grading.workflow import grade

pytestmark = pytest.mark.slow
A = "02-one-step-rule"


def sandboxes_of(pids: set[int]) -> set[int]:
    """The sandbox slots whose lock processes ``pids`` hold now (read from /proc/locks): sandboxes in use by
    these graders, not by another grader on the machine."""
    holders, locks = {str(pid) for pid in pids}, [line.split() for line in Path("/proc/locks").read_text().splitlines()]
    inodes = {int(lock[5].split(":")[-1]) for lock in locks if lock[1] == "FLOCK" and lock[4] in holders}
    return {int(lock.stem) for lock in _slot_dir().glob("*.lock") if lock.stat().st_ino in inodes}


def test_every_corpus_submission_gets_exactly_its_expected_grade(capsys):
    lines = []
    rows = run(out=lines.append)
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert rows and all(r.ok for r in rows), "\n".join(lines)


def test_the_graded_notebook_explains_a_failed_hidden_test(tmp_path):
    from corpus import Submission
    from grading_corpus import exercises_of, make_course

    _, answers = exercises_of(nbformat.read(ROOT / "solutions" / A / f"{A}.ipynb", as_version=4))
    # a chain that is right on the visible check's inputs but wrong on a hidden one: T = 1 returns no x0
    chain = answers["forward_chain"].replace("return np.stack(states)",
                                             "return np.stack(states) if len(states) > 2 else states[-1]")
    make_course(tmp_path, {A: [("dan", Submission("short chain", answers={"forward_chain": chain}))]})
    result = grade(tmp_path, out=lambda line: None, feedback=False)
    assert result.graded[(A, "dan")][:2] == (5.0, 10.0)
    graded = nbformat.read(tmp_path / "autograded" / "dan" / A / f"{A}.ipynb", as_version=4)
    cell = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_forward_chain")
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert errors[0].ename == "HiddenTestFailed"
    assert errors[0].evalue == "hidden test 3 of 3, forward_chain(0.3, [0.5], [-1.]): shape (), expected (2,)"


def test_grading_in_two_processes_gives_the_serial_results_and_survives_ctrl_c(tmp_path):
    """jobs=2: the serial run's lines and results; an interrupt leaves no worker and no half-graded folder."""
    import multiprocessing

    from corpus import Submission
    from grading_corpus import corpus_for, make_course

    delegated = next(s for s in corpus_for(A) if s.name == "only calls course_lib's reference")
    # a-slow runs in its sandbox (three cells of 25 s, inside the per-cell and per-notebook limits) while a-full
    # is graded and reported: Ctrl-C then comes while a worker is using its sandbox
    slow = Submission("slow", extra=(("", "import time\ntime.sleep(25)"),) * 3)
    make_course(tmp_path, {A: [("a-full", Submission("the solution")), ("a-slow", slow), ("b-zero", None),
                               ("d-reference", delegated)]})
    (tmp_path / "submitted" / "c-broken" / A).mkdir(parents=True)
    (tmp_path / "submitted" / "c-broken" / A / f"{A}.ipynb").write_text("{ this is not a notebook")
    waits = "1 answer(s) to grade by hand; feedback after hand grading"
    expected = {"a-full": f"8/10; {waits}", "a-slow": f"8/10; {waits}", "b-zero": "0/10; feedback written",
                "c-broken": "NOT GRADED: ",
                "d-reference": f"3/10; {waits}  flags: reference-implementation-used"}

    sandboxes_at_ctrl_c = []

    def interrupt(line):
        assert line.startswith(f"[1/5] a-full {A}: 8/10")
        sandboxes_at_ctrl_c.extend(sandboxes_of({p.pid for p in multiprocessing.active_children()}))
        raise KeyboardInterrupt  # Ctrl-C right after the first submission is reported

    with pytest.raises(KeyboardInterrupt):
        grade(tmp_path, jobs=2, out=interrupt)
    assert multiprocessing.active_children() == []
    if os.geteuid() == 0:  # root: sandboxes with slots
        assert sandboxes_at_ctrl_c, "a-slow's worker was running it in its sandbox when Ctrl-C came"
        assert not set(left_behind()) & set(sandboxes_at_ctrl_c), "the terminated worker's sandbox was removed"
    submitted = tmp_path / "submitted"
    shutil.copy(submitted / "a-full" / A / f"{A}.ipynb", submitted / "a-slow" / A)  # a-slow resubmits: quick now
    lines = []
    result = grade(tmp_path, jobs=2, out=lines.append)
    assert [line.split(":")[0] for line in lines[:5]] == [f"[{i}/5] {s} {A}"
                                                          for i, s in enumerate(sorted(expected), 1)]
    assert lines[0].endswith(f"8/10 (already graded); {waits}")
    for line in lines[1:5]:  # graded now, or already graded by the interrupted run (never half graded)
        student, text = line.split()[1], line.split(": ", 1)[1].replace("isolation:none, ", "")
        assert text.startswith(expected[student]) or "(already graded)" in text, line
    assert list(result.failed) == [(A, "c-broken")]
    graded = ("a-full", "a-slow", "b-zero", "d-reference")
    assert sorted(result.skipped + list(result.graded)) == [(A, s) for s in graded]
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert sorted(r["student_id"] for r in rows) == sorted(expected)
    by_student = {r["student_id"]: r for r in rows}
    assert [by_student[s]["score"] for s in sorted(expected)] == ["8.0", "8.0", "0.0", "0.0", "3.0"]
    assert by_student["c-broken"]["flags"] == "not-graded"
    assert "reference-implementation-used" in by_student["d-reference"]["flags"].split(";")


def test_jobs_must_be_a_whole_number_of_at_least_one(tmp_path, capsys):
    from course_lib.grading.__main__ import main

    with pytest.raises(ValueError, match="jobs must be a whole number >= 1"):
        grade(tmp_path, jobs=0)
    with pytest.raises(SystemExit):
        main(["grade", "--jobs", "0"])
    assert "argument --jobs: must be a whole number >= 1 (1 grades serially); got '0'" in capsys.readouterr().err


def test_parallel_grading_keeps_a_configured_database_and_gives_sqlite_a_busy_timeout():
    from course_lib.grading.parallel import shared_db_url

    assert shared_db_url("sqlite:////course/gradebook.db") == "sqlite:////course/gradebook.db?timeout=120"
    assert shared_db_url("postgresql://grader@db/course") == "postgresql://grader@db/course"
    assert shared_db_url("sqlite:////course/gradebook.db?timeout=5") == "sqlite:////course/gradebook.db?timeout=5"


@pytest.mark.skipif(os.geteuid() != 0, reason="sandbox slots need root")
def test_kill_stops_grading_as_ctrl_c_does_and_leaves_no_sandbox(tmp_path):
    """`kill` (SIGTERM) on `make grade` while a kernel runs: the same message and exit code as Ctrl-C, and the
    sandbox is removed (scratch mount, cgroups)."""
    import signal
    import subprocess
    import sys

    from conftest import tool_env
    from corpus import Submission
    from grading_corpus import make_course

    make_course(tmp_path, {A: [("a-full", Submission("the solution"))]})
    proc = subprocess.Popen([sys.executable, "-m", "course_lib.grading", "grade", "--jobs", "1"], cwd=tmp_path,
                            env=dict(tool_env(), PYTHONPATH=str(ROOT)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not sandboxes_of({proc.pid}) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    in_use = sandboxes_of({proc.pid})
    assert in_use and proc.poll() is None, "graded before a sandbox was seen"
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "interrupted: what was graded is in the gradebook" in err
    assert not set(left_behind()) & in_use, "its sandbox was removed"
