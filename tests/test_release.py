"""The student release: generated from solutions/ (never edited by hand) and safe to run.

- drift: `nbgrader generate_assignment` in a scratch course must reproduce notebooks/ exactly;
- execution: every release notebook runs top to bottom, and its only errors are the exercise stubs'
  NotImplementedError and the checks that depend on them;
- structure: each chapter has at least three auto-graded exercises with hidden tests and one written answer.
"""

import ast
import json

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ASSIGNMENTS, ROOT


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


def _names_bound_by_solutions(nb) -> set[str]:
    """Names that solution cells define (functions, variables): undefined in the release until answered."""
    names = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    names.add(node.name)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
    return names


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_runs_and_only_the_stubs_fail(assignment):
    path = ROOT / "notebooks" / assignment / f"{assignment}.ipynb"
    nb = _nb(path)
    NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    answer_names = _names_bound_by_solutions(_nb(ROOT / "solutions" / assignment / f"{assignment}.ipynb"))
    errors = [(i, o) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors, "the release should contain exercise stubs that raise NotImplementedError"
    for i, err in errors:
        if err.ename == "NotImplementedError":
            continue
        missing = err.evalue.split("'")[1] if err.ename == "NameError" and "'" in err.evalue else None
        assert missing in answer_names, f"cell {i}: unexpected {err.ename}: {err.evalue}"
    stub_cells = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution")
                  and c.cell_type == "code"]
    first_stub = min(stub_cells)
    assert all(i > first_stub for i, _ in errors), "a cell before the first exercise failed"


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
