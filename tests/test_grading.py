"""nbgrader end to end, with a real SQLite gradebook: the solution earns full marks, the release zero."""

import shutil

import pytest
from nbgrader.api import Gradebook

from conftest import ASSIGNMENTS, nbgrader

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(course_dir):
    for assignment in ASSIGNMENTS:
        for student, source in (("solution", "solutions"), ("untouched", "notebooks")):
            dest = course_dir / "submitted" / student / assignment
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(course_dir / source / assignment / f"{assignment}.ipynb", dest)
        nbgrader(["autograde", assignment, "--force"], cwd=course_dir)
    return course_dir


def _scores(course_dir, assignment, student):
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        nb = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: (g.auto_score, g.max_score, g.needs_manual_grade, g.cell_type) for g in nb.grades}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_gets_full_marks_on_every_autograded_cell(graded, assignment):
    scores = _scores(graded, assignment, "solution")
    auto = {k: v for k, v in scores.items() if v[3] == "code"}
    assert len(auto) >= 4
    for name, (score, max_score, _, _) in auto.items():
        assert score == max_score > 0, f"{name}: {score} / {max_score}"
    written = [v for v in scores.values() if v[3] == "markdown"]
    assert written and all(v[2] for v in written), "written answers wait for a human grader"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_release_gets_zero(graded, assignment):
    scores = _scores(graded, assignment, "untouched")
    auto = {k: v for k, v in scores.items() if v[3] == "code"}
    assert auto and all(score == 0 for score, *_ in auto.values()), auto
