"""The visible checks exercise every kind of input the hidden tests use, and the exercises state the rules.

The learner's ✔ must be the grader's ✔. Both sides call the learner's code through one function,
``course_lib.checks._core.run_call`` (same rules: inputs unchanged, no reference code), and here every
solution notebook's test cells run with a :class:`~course_lib.checks._core.Recorder` that notes the *kind*
of every argument (a number, an int, a 1-D / 2-D / 4-D array, float32, a function, ...). For each test cell,
every kind of call a hidden test makes must also be made by the visible check; otherwise an answer that
fails only on that kind (``math.sqrt`` on an array ``beta``) would see ✔ and then lose the points.
"""

from __future__ import annotations

import contextlib
import io

import nbformat
import pytest

from conftest import ASSIGNMENTS, ROOT
from course_lib.checks._core import Recorder
from grading_corpus import scratch_shell


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _calls_per_test_cell(assignment: str) -> dict[str, list[tuple[str, str, tuple]]]:
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    setup = next(c.source for c in nb.cells if c.cell_type == "code")
    calls = {}
    with scratch_shell() as shell, contextlib.redirect_stdout(io.StringIO()):
        shell.reset(new_session=False)
        assert shell.run_cell("\n".join(l for l in setup.splitlines() if not l.startswith("%"))).success
        for cell in nb.cells:
            meta = _meta(cell)
            if cell.cell_type != "code" or not (meta.get("solution") or meta.get("grade")):
                continue
            with Recorder() as recorder:
                result = shell.run_cell(cell.source)
            assert result.success, f"{assignment} {meta['grade_id']}: {result.error_in_exec!r}"
            if meta.get("grade"):
                calls[meta["grade_id"]] = recorder.calls
    return calls


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def recorded(request):
    return request.param, _calls_per_test_cell(request.param)


def test_visible_checks_cover_every_kind_of_hidden_call(recorded):
    assignment, calls = recorded
    for test_id, made in calls.items():
        hidden = {(name, kinds) for side, name, kinds in made if side == "hidden"}
        visible = {(name, kinds) for side, name, kinds in made if side == "visible"}
        missing = sorted(hidden - visible)
        assert not missing, (f"{assignment} {test_id}: the hidden tests call {missing}, which the visible check "
                             f"never does (it calls {sorted(visible)})")


def test_function_exercises_are_checked_through_the_shared_runner(recorded):
    assignment, calls = recorded
    for test_id, made in calls.items():
        if any(side == "hidden" for side, _, _ in made):
            assert any(side == "visible" for side, _, _ in made), \
                f"{assignment} {test_id}: the visible check does not call the learner's code through run_call"


def _exercise_text(nb, answer_index: int) -> str:
    """The markdown between the previous code cell and the answer cell: the exercise's statement."""
    text = []
    for cell in reversed(nb.cells[:answer_index]):
        if cell.cell_type == "code":
            break
        text.append(cell.source)
    return "\n".join(reversed(text))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_function_exercise_states_the_rules_its_tests_enforce(assignment):
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    for i, cell in enumerate(nb.cells):
        meta = _meta(cell)
        if cell.cell_type == "code" and meta.get("solution") and "def " in cell.source:
            text = _exercise_text(nb, i).lower()
            assert "not modify" in text, f"{assignment} {meta['grade_id']}: the exercise must say not to modify inputs"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_first_code_cell_runs_where_answers_are_graded(assignment):
    """The grader runs the first code cell again with the answers, where course_lib has only the modules of
    GRADED_AVAILABLE: the cell may import the rest, but call only those (so every name it makes exists there)."""
    import ast

    from course_lib.checks._core import GRADED_AVAILABLE

    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    source = next(c.source for c in nb.cells if c.cell_type == "code")
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.startswith("%")))
    unavailable = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_lib"):
            unavailable |= {alias.asname or alias.name for alias in node.names
                            if f"{node.module}.{alias.name}" not in GRADED_AVAILABLE}
    calls = [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Call)
             and (root := node.func) is not None
             and (getattr(root, "id", None) in unavailable
                  or (isinstance(root, ast.Attribute) and isinstance(root.value, ast.Name)
                      and root.value.id in unavailable))]
    assert not calls, f"{assignment}'s first code cell calls what does not exist where answers are graded: {calls}"
