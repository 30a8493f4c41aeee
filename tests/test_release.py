"""The student release: generated from solutions/ (never edited by hand) and safe to run.

- drift: `nbgrader generate_assignment` in a scratch course must reproduce notebooks/ exactly;
- execution: Run All on every untouched release notebook runs every cell; figures and widgets appear, and the
  only errors are the exercise cells and the cells using their answers, each saying in one line what waits;
- structure: each chapter has at least three auto-graded exercises with hidden tests and one written answer.
"""

import ast
import json

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ASSIGNMENTS, ROOT
from course_lib.grading.sanitize import RAISES_TAG, names_defined_by_answers


def _nb(path):
    return nbformat.read(path, as_version=4)


def _grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def test_release_folder_matches_the_assignments():
    released = sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir())
    assert released == ASSIGNMENTS and ASSIGNMENTS, "every solutions/<a>/ needs its notebooks/<a>/ (make release)"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_not_drifted_from_solutions(course_dir, assignment):
    generated = sorted(p.relative_to(course_dir / "notebooks") for p in (course_dir / "notebooks" / assignment).rglob("*") if p.is_file())
    committed = sorted(p.relative_to(ROOT / "notebooks") for p in (ROOT / "notebooks" / assignment).rglob("*") if p.is_file())
    assert generated == committed
    for rel in committed:
        if rel.suffix == ".ipynb":
            fresh = json.loads((course_dir / "notebooks" / rel).read_text())
            ours = json.loads((ROOT / "notebooks" / rel).read_text())
            assert fresh == ours, f"notebooks/{rel} differs from what `make release` generates: run `make release`"


def _shows(cell) -> set[str]:
    """What a cell displays: a figure, a widget, text."""
    kinds = set()
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        kinds |= {"figure"} if "image/png" in data else set()
        kinds |= {"widget"} if "application/vnd.jupyter.widget-view+json" in data else set()
    return kinds


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_run_all_on_an_untouched_release_runs_every_cell_and_says_what_waits(assignment):
    """Run All (no ``allow_errors``: it stops at any error in a cell not tagged ``raises-exception``) runs every
    code cell of the untouched release; every figure and widget of the solution appears; the only errors are
    the tagged exercise cells and the cells that use their answers, each one short line saying what waits."""
    path = ROOT / "notebooks" / assignment / f"{assignment}.ipynb"
    nb = _nb(path)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    solution = _nb(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    assert [c.id for c in solution.cells] == [c.id for c in nb.cells]
    answer_names = names_defined_by_answers(solution)
    errors = 0
    for cell, solved in zip(nb.cells, solution.cells):
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"cell {cell.id} did not run: Run All stopped before it"
        for err in (o for o in cell.outputs if o.output_type == "error"):
            errors += 1
            assert RAISES_TAG in cell.metadata.get("tags", []), f"cell {cell.id}: an untagged cell failed"
            assert len(err.traceback) == 1 and err.traceback[0].startswith("⏳"), \
                f"cell {cell.id}: {err.ename}: {err.evalue} is not a short 'waiting' message: {err.traceback}"
        if RAISES_TAG not in cell.metadata.get("tags", []):
            assert _shows(cell) == _shows(solved), f"cell {cell.id} shows {_shows(cell)}, the solution {_shows(solved)}"
            assert not _python_names(cell.source) & answer_names
    assert errors, "the release should contain exercise stubs that say they wait for an answer"


def _python_names(source: str) -> set[str]:
    from IPython.core.inputtransformer2 import TransformerManager

    return {n.id for n in ast.walk(ast.parse(TransformerManager().transform_cell(source))) if isinstance(n, ast.Name)}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_each_chapter_has_graded_exercises_and_a_written_answer(assignment):
    nb = _nb(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    graded = _grade_cells(nb)
    auto = [c for c in graded if c.cell_type == "code"]
    manual = [c for c in graded if c.metadata["nbgrader"].get("solution")]
    assert len(auto) >= 4, "at least three code exercises and one concept check, auto-graded"
    assert all("### BEGIN HIDDEN TESTS" in c.source for c in auto), "every test cell has hidden tests"
    assert all("checks." in c.source.split("### BEGIN HIDDEN TESTS")[0] for c in auto), "and a visible check"
    assert manual and all(c.cell_type == "markdown" for c in manual), "one written answer, graded by hand"
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_leaks_no_solution_or_hidden_test(assignment):
    text = (ROOT / "notebooks" / assignment / f"{assignment}.ipynb").read_text()
    for marker in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "Model answer", "Rubric"):
        assert marker not in text
    nb = _nb(ROOT / "notebooks" / assignment / f"{assignment}.ipynb")
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "the release ships without outputs"
