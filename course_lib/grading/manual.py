"""Hand grades across a regrade: still "graded" when the work they graded is unchanged.

When nbgrader autogrades a submission again (``make grade FORCE=1``, or a resubmission) it keeps every hand
score but marks its cell as needing grading again, so the CSV, the formgrader and ``make grade``'s lines can
no longer tell graded from ungraded work. Around each autograde of a submission, :func:`remember` notes every
cell graded by hand and what was graded -- the cell as the grader saw it in the formgrader (the autograded
notebook's cell) and its automatic score -- and :func:`restore` marks the cell graded again when both are
unchanged. A cell whose answer changed stays "needs grading"; its earlier hand score is kept, as nbgrader
keeps it, and counts until someone grades the new answer; :func:`restore` returns those cells.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry

from .course import autograded_folder

__all__ = ["HandGrade", "remember", "restore"]


@dataclass(frozen=True)
class HandGrade:
    """A cell graded by hand: its notebook and grade id, the hand score, and a digest of what was graded."""

    notebook: str
    cell: str
    manual_score: float
    graded: str


def _cells(path: Path) -> dict[str, str]:
    """Each graded cell's source in an autograded notebook, by grade id (empty if it cannot be read)."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # a missing or unreadable notebook: every hand grade then counts as changed
        return {}
    cells = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if isinstance(grade_id, str):
            cells.setdefault(grade_id, str(cell.source))
    return cells


def _digest(source: str | None, auto_score: float | None) -> str:
    return hashlib.sha256(json.dumps([source, auto_score]).encode()).hexdigest()


def remember(coursedir, gb, assignment: str, student: str) -> list[HandGrade]:
    """The cells of one submission that are graded by hand (a hand score, nothing left to grade)."""
    try:
        sub = gb.find_submission(assignment, student)
    except MissingEntry:
        return []
    folder = autograded_folder(coursedir, assignment, student)
    found = []
    for notebook in sub.notebooks:
        cells = None
        for grade in notebook.grades:
            if grade.manual_score is not None and not grade.needs_manual_grade:
                cells = _cells(folder / f"{notebook.name}.ipynb") if cells is None else cells
                found.append(HandGrade(notebook.name, grade.name, grade.manual_score,
                                       _digest(cells.get(grade.name), grade.auto_score)))
    return found


def restore(coursedir, gb, assignment: str, student: str, remembered: list[HandGrade]) -> list[str]:
    """Mark each remembered cell graded again if what it graded is unchanged; return the grade ids of those
    that changed (they need grading by hand again)."""
    folder = autograded_folder(coursedir, assignment, student)
    changed, cells = [], {}
    for hand in remembered:
        if hand.notebook not in cells:
            cells[hand.notebook] = _cells(folder / f"{hand.notebook}.ipynb")
        grade = gb.find_grade(hand.cell, hand.notebook, assignment, student)
        if grade.manual_score == hand.manual_score and \
                _digest(cells[hand.notebook].get(hand.cell), grade.auto_score) == hand.graded:
            grade.needs_manual_grade = False
        else:
            changed.append(hand.cell)
    gb.db.commit()
    return changed
