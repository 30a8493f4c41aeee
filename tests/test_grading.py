"""Grading that instructors can trust, end to end with real nbgrader and its SQLite gradebook.

The corpus (tests/grading_corpus.py): every submission's exact score, flags and feedback message.
The workflow (course_lib.grading.workflow): progress per student, a broken submission does not stop the
others, re-running never loses or double-counts a grade and keeps manual grades, CSV export with flags.
"""

import csv
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import ROOT
from grading_corpus import run
from course_lib.grading.workflow import grade, release

pytestmark = pytest.mark.slow
A = "02-one-step-rule"


def test_every_corpus_submission_gets_exactly_its_expected_grade(capsys):
    lines = []
    rows = run(out=lines.append)
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert rows and all(r.ok for r in rows), "\n".join(lines)


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A scratch course released with `make release`'s code: (folder, success, printed lines)."""
    course = tmp_path_factory.mktemp("instructor")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / A, course / "solutions" / A)
    lines = []
    return course, release(course, out=lines.append), lines


@pytest.fixture(scope="module")
def course(released):
    return released[0]


def test_release_generates_and_validates(released):
    course, ok, lines = released
    assert ok and lines == [f"{A}: released; the solution passes every test, the untouched release none"]
    assert (course / "notebooks" / A / f"{A}.ipynb").exists()


def test_grade_reports_each_student_and_survives_a_broken_submission(course):
    for student, source in (("ada", course / "solutions"), ("bob", course / "notebooks")):
        (course / "submitted" / student / A).mkdir(parents=True)
        shutil.copy(source / A / f"{A}.ipynb", course / "submitted" / student / A)
    (course / "submitted" / "carl" / A).mkdir(parents=True)
    (course / "submitted" / "carl" / A / f"{A}.ipynb").write_text("{ this is not a notebook")
    lines = []
    result = grade(course, out=lines.append)
    assert result.graded[(A, "ada")][:2] == (8.0, 10.0) and result.graded[(A, "bob")][:2] == (0.0, 10.0)
    assert list(result.failed) == [(A, "carl")]
    assert any(line.startswith(f"[1/3] ada {A}: 8/10 + written answers") for line in lines)
    assert any(line.startswith(f"[3/3] carl {A}: NOT GRADED") for line in lines)
    assert "1 of 3 submission(s) could not be graded" in lines[-1]
    rows = {r["student_id"]: r for r in csv.DictReader(open(course / "grades.csv"))}
    assert rows["ada"]["score"] == "8.0" and rows["ada"]["needs_manual_grade"] == "True"
    assert rows["bob"]["score"] == "0.0" and rows["carl"]["flags"] == "not-graded"
    assert (course / "feedback" / "ada" / A / f"{A}.html").exists()


def test_regrading_keeps_manual_grades_and_never_double_counts(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        written = gb.find_grade("written_apply_now", A, A, "ada")
        written.manual_score = 2.0
        gb.db.commit()
    lines = []
    again = grade(course, out=lines.append)
    assert (A, "ada") in again.skipped and any("already graded, skipped" in line for line in lines)
    forced = grade(course, force=True, out=lines.append)
    assert forced.graded[(A, "ada")][:2] == (10.0, 10.0)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_grade("written_apply_now", A, A, "ada").manual_score == 2.0
        assert gb.find_submission(A, "ada").score == 10.0
        assert len(gb.find_assignment(A).submissions) == 3


def test_the_graded_notebook_explains_a_failed_hidden_test(course):
    nb = nbformat.read(course / "solutions" / A / f"{A}.ipynb", as_version=4)
    # a chain that is right on the visible check's inputs but wrong on a hidden one: T = 1 returns no x0
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "forward_chain":
            cell.source = cell.source.replace("return np.stack(states)",
                                              "return np.stack(states) if len(states) > 2 else states[-1]")
    (course / "submitted" / "dan" / A).mkdir(parents=True)
    nbformat.write(nb, course / "submitted" / "dan" / A / f"{A}.ipynb")
    result = grade(course, out=lambda line: None)
    assert result.graded[(A, "dan")][:2] == (5.0, 10.0)
    graded = nbformat.read(course / "autograded" / "dan" / A / f"{A}.ipynb", as_version=4)
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
    make_course(tmp_path, {A: [("a-full", Submission("the solution")), ("b-zero", None), ("d-reference", delegated)]})
    (tmp_path / "submitted" / "c-broken" / A).mkdir(parents=True)
    (tmp_path / "submitted" / "c-broken" / A / f"{A}.ipynb").write_text("{ this is not a notebook")
    expected = {"a-full": "8/10 + written answers to grade by hand", "b-zero": "0/10", "c-broken": "NOT GRADED: ",
                "d-reference": "3/10 + written answers to grade by hand  flags: reference-implementation-used"}

    def interrupt(line):
        raise KeyboardInterrupt  # Ctrl-C right after the first submission is reported

    with pytest.raises(KeyboardInterrupt):
        grade(tmp_path, jobs=2, out=interrupt)
    assert multiprocessing.active_children() == []
    lines = []
    result = grade(tmp_path, jobs=2, out=lines.append)
    assert [line.split(":")[0] for line in lines[:4]] == [f"[{i}/4] {s} {A}" for i, s in enumerate(sorted(expected), 1)]
    assert lines[0].endswith("already graded, skipped (make grade FORCE=1 grades it again)")
    for line in lines[1:4]:  # graded now, or already graded by the interrupted run (never half graded)
        student, text = line.split()[1], line.split(": ", 1)[1].replace("isolation:none, ", "")
        assert text.startswith(expected[student]) or "already graded" in text, line
    assert list(result.failed) == [(A, "c-broken")]
    assert sorted(result.skipped + list(result.graded)) == [(A, s) for s in ("a-full", "b-zero", "d-reference")]
    rows = list(csv.DictReader(open(tmp_path / "grades.csv")))
    assert sorted(r["student_id"] for r in rows) == sorted(expected)
    by_student = {r["student_id"]: r for r in rows}
    assert [by_student[s]["score"] for s in sorted(expected)] == ["8.0", "0.0", "0.0", "3.0"]
    assert by_student["c-broken"]["flags"] == "not-graded"
    assert "reference-implementation-used" in by_student["d-reference"]["flags"].split(";")


def test_jobs_must_be_a_whole_number_of_at_least_one(tmp_path, capsys):
    from course_lib.grading.workflow import main

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
