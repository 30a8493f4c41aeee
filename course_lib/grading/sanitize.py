"""Cleaning steps for notebooks on their way through nbgrader.

:class:`ClearVolatileMetadata` (release): nbgrader clears cell outputs but not the notebook's saved
widget state (the executed solution's widget pictures) nor each cell's execution timestamps, which
change at every run; it drops both, so a release changes only when its content does.

:class:`SubmissionAsData` (autograde, first): a submitted notebook is data. Every string in it (sources,
metadata) loses its lone surrogates (an unpaired half of a UTF-16 pair, which valid JSON can carry but
UTF-8 cannot: it made a submission ungradable), and the grader's own metadata keys are removed, so flags
come only from the grader's observations, never from what a student wrote into the notebook.

:class:`DemoteOrphanCells` (autograde): a renamed test cell (its ``grade_id`` changed) makes nbgrader
0.9's ``OverwriteCells`` drop the id and then, with ``add_missing_cells``, fail on the id-less cell,
which loses the whole submission. Placed before ``OverwriteCells``, it strips the grading metadata of
any cell whose ``grade_id`` the gradebook does not know (``OverwriteCells`` then puts the original test
cell back) and records the ``tampered:grade-id-changed`` flag in the notebook's metadata for the report.

:class:`TagRunAll` (release): tags every cell that can fail in an untouched student notebook with
``raises-exception`` (the exercise cells, their check cells, and every cell that uses a name an exercise
defines), so JupyterLab's Run All and ``nbclient`` run the whole notebook instead of stopping at the first
unanswered exercise: figures, widgets and demonstrations all appear, and each unanswered exercise says it
is waiting (:mod:`course_lib.checks._notebook`). ``nbgrader validate`` still fails and an untouched
notebook still scores zero: the cells still end in an error.
"""

from __future__ import annotations

import ast

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

from .escape import writable

__all__ = ["ClearVolatileMetadata", "DemoteOrphanCells", "SubmissionAsData", "TagRunAll", "add_flag",
           "names_defined_by_answers", "FLAGS_KEY", "RAISES_TAG"]

FLAGS_KEY = "course_lib_grading_flags"
RAISES_TAG = "raises-exception"


class SubmissionAsData(NbGraderPreprocessor):
    """Remove lone surrogates and the grader's own metadata keys from a submission (see module docstring)."""

    def preprocess(self, nb, resources):
        nb.metadata.pop(FLAGS_KEY, None)
        return writable(nb), resources


def add_flag(nb, flag: str) -> None:
    """Record a flag in the notebook's metadata (read by VerifyHidden when it writes the report)."""
    nb.metadata[FLAGS_KEY] = sorted(set(nb.metadata.get(FLAGS_KEY, [])) | {flag})


class DemoteOrphanCells(NbGraderPreprocessor):
    """Strip nbgrader metadata from graded/solution cells unknown to the gradebook (see module docstring)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            try:
                known = {c.name for c in gb.find_notebook(info["notebook"], info["assignment"]).source_cells}
            except MissingEntry:
                return nb, resources
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if (meta.get("grade") or meta.get("solution")) and meta.get("grade_id") not in known:
                cell.metadata.pop("nbgrader")
                add_flag(nb, "tampered:grade-id-changed")
        return nb, resources


class ClearVolatileMetadata(NbGraderPreprocessor):
    """Remove the saved widget state (``metadata.widgets``) and every cell's ``metadata.execution``."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        return nb, resources


def _python(source: str) -> ast.Module:
    """The cell's code as Python (IPython's magics turned into calls), parsed; an empty module if it does not parse."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def _is_answer(cell) -> bool:
    return cell.cell_type == "code" and bool(cell.metadata.get("nbgrader", {}).get("solution"))


def names_defined_by_answers(nb) -> set[str]:
    """Top-level names the exercise (solution) cells define: undefined in the release until answered."""
    names = set()
    for cell in filter(_is_answer, nb.cells):
        for node in _python(cell.source).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
            else:
                names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


class TagRunAll(NbGraderPreprocessor):
    """Tag the cells an untouched release can fail in with ``raises-exception`` (see module docstring)."""

    def preprocess(self, nb, resources):
        answers = names_defined_by_answers(nb)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            meta = cell.metadata.get("nbgrader", {})
            uses = {n.id for n in ast.walk(_python(cell.source)) if isinstance(n, ast.Name)
                    and isinstance(n.ctx, ast.Load)}
            if meta.get("solution") or meta.get("grade") or uses & answers:
                tags = cell.metadata.setdefault("tags", [])
                if RAISES_TAG not in tags:
                    tags.append(RAISES_TAG)
        return nb, resources
