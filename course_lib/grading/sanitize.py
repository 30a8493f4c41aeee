"""Cleaning steps for notebooks on their way through nbgrader.

:class:`ClearVolatileMetadata` (release): nbgrader clears cell outputs but not the notebook's saved
widget state (the executed solution's widget pictures) nor each cell's execution timestamps, which
change at every run; it drops both, so a release changes only when its content does.

:class:`DemoteOrphanCells` (autograde): a renamed test cell (its ``grade_id`` changed) makes nbgrader
0.9's ``OverwriteCells`` drop the id and then, with ``add_missing_cells``, fail on the id-less cell,
which loses the whole submission. Placed before ``OverwriteCells``, it strips the grading metadata of
any cell whose ``grade_id`` the gradebook does not know (``OverwriteCells`` then puts the original test
cell back) and records the ``tampered:grade-id-changed`` flag in the notebook's metadata for the report.
"""

from __future__ import annotations

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["ClearVolatileMetadata", "DemoteOrphanCells", "add_flag", "FLAGS_KEY"]

FLAGS_KEY = "course_lib_grading_flags"


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
