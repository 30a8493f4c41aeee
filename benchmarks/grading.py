"""Section 5 of ``make bench``: autograding, against executing the same notebook plainly.

Everything runs in scratch nbgrader courses built like ``tests/grading_corpus.py`` builds its own (the
repository's ``nbgrader_config.py`` and ``solutions/``, the release generated into it), graded with the
course's own :func:`course_lib.grading.workflow.grade`, the code behind ``make grade``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat

from course_lib.grading.workflow import grade

from ._timing import Row, timed
from .notebooks import execute

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from corpus import Submission  # noqa: E402
from grading_corpus import corpus_for, make_course  # noqa: E402

__all__ = ["ROOT", "one_submission_rows", "class_plan", "grade_class", "class_rows"]

CORRECT = Submission("the solution's answers")


def _submitted(course: Path, student: str, assignment: str) -> Path:
    return course / "submitted" / student / assignment / f"{assignment}.ipynb"


def one_submission_rows(assignments: list[str], repeats: int, max_ratio: float = 1.5) -> list[Row]:
    """Grade one correct submission per notebook, alone, against executing that submission plainly."""
    warnings.filterwarnings("ignore", module="nbgrader")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        course = Path(tmp)
        make_course(course, {a: [("student", CORRECT)] for a in assignments})
        for assignment in assignments:
            path = _submitted(course, "student", assignment)
            nb = nbformat.read(path, as_version=4)
            graded, plain = [], []
            for _ in range(repeats):
                graded.append(timed(lambda: grade(course, force=True, assignments=[assignment],
                                                  out=lambda line: None, feedback=False)))
                plain.append(timed(lambda: execute(nb, path.parent)))
            rows.append(Row("5", f"autograde one {assignment} submission", statistics.median(graded),
                            "executing it plainly", statistics.median(plain), max_ratio=max_ratio))
    return rows


def class_plan(assignment: str, size: int) -> list[tuple[str, Submission]]:
    """``size`` students for one notebook: the corpus' correct variants and misconceptions, in turn."""
    entries = [CORRECT] + [s for s in corpus_for(assignment) if not s.flags and not s.files and not s.extra]
    return [(f"student-{i + 1:03d}", entries[i % len(entries)]) for i in range(size)]


def grade_class(course: Path, force: bool = False, jobs: int = 1) -> tuple[float, list[float], object]:
    """Run ``make grade JOBS=<jobs>``'s code on ``course``: total seconds, seconds per student, the result."""
    stamps = [time.perf_counter()]
    result = grade(course, force=force, jobs=jobs, out=lambda line: stamps.append(time.perf_counter()))
    total = time.perf_counter() - stamps[0]
    per_student = [b - a for a, b in zip(stamps, stamps[1:])][:len(result.graded) + len(result.failed)]
    return total, per_student, result


def class_rows(assignment: str, size: int, repeats: int, workers: int = 2) -> tuple[list[Row], list[str]]:
    """A class of ``size`` graded end to end (autograde, feedback, CSV), serially and with ``jobs=workers``."""
    warnings.filterwarnings("ignore", module="nbgrader")
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        course = Path(tmp)
        plan = class_plan(assignment, size)
        make_course(course, {assignment: plan})
        path = _submitted(course, plan[0][0], assignment)
        nb = nbformat.read(path, as_version=4)
        plain = statistics.median(timed(lambda: execute(nb, path.parent)) for _ in range(repeats))
        total, per_student, result = grade_class(course)
        serial = grade_scores(course)
        parallel_total, _, parallel_result = grade_class(course, force=True, jobs=workers)
        parallel = grade_scores(course)
    for name, run in (("serially", result), (f"with jobs={workers}", parallel_result)):
        if len(run.graded) != size or run.failed:
            raise RuntimeError(f"grading the class {name} went wrong: {len(run.graded)} graded, failed: {run.failed}")
    agree = serial == parallel and result.graded == parallel_result.graded
    note = (f"the class graded by make grade JOBS={workers} ({workers} processes, one gradebook) got "
            + ("exactly" if agree else "NOT") + f" the grades of the serial run ({len(serial)} graded cells compared)")
    return [
        Row("5", f"make grade: one student of a class of {size} ({assignment})", statistics.median(per_student),
            "executing it plainly", plain),
        Row("5", f"make grade: the class of {size}, end to end", total, f"{size} x executing plainly", size * plain),
        Row("5", f"make grade JOBS={workers}: the class of {size}" + ("" if agree else " (GRADES DIFFER)"),
            parallel_total, "make grade JOBS=1", total),
    ], [note]


def grade_scores(course: Path) -> dict:
    """Every submission's per-cell (auto_score, max_score) and needs_manual_grade, from the gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for sub in gb.assignment_submissions(assignment.name):
                for notebook in sub.notebooks:
                    for g in notebook.grades:
                        scores[(sub.student_id, notebook.name, g.name)] = (g.auto_score, g.max_score,
                                                                            g.needs_manual_grade)
    return scores
