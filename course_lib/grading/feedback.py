"""Feedback that says what the gradebook says, and only once nothing is left to grade by hand.

nbgrader writes a submission's feedback when asked, from the grades of that moment, and never again: feedback
written right after autograding shows every written answer at 0, and nothing rewrites it after hand grading.
:func:`refresh`, which ``make grade`` calls for every submission, keeps ``feedback/<student>/<assignment>/``
right instead:

- a submission with work left to grade by hand gets no feedback (an earlier one is removed: it would be
  wrong), and :func:`refresh` says it waits;
- a fully graded submission gets its feedback written again whenever what the feedback shows may have
  changed since it was written: any grade, hand score, extra credit or comment, the late penalty, the
  course's ``nbgrader_config.py`` or the views' code (:mod:`.views`). The fingerprint of the last feedback is
  kept beside the autograded notebook (:data:`STATE`), so regrading, which replaces that folder, also makes
  the feedback be written again.

:func:`status` is the same decision without writing anything, for planning a run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Literal

from nbgrader.api import MissingEntry

from . import views
from .course import autograded_folder, call, feedback_folder, gradebook

__all__ = ["STATE", "status", "refresh"]

#: The fingerprint of a submission's feedback, in its autograded folder (``c.CourseDirectory.ignore`` keeps
#: nbgrader from copying it into the feedback, and a student's file of that name into the autograded folder).
STATE = ".course_lib-feedback.json"

Status = Literal["current", "stale", "waiting", "ungraded"]


def _fingerprint(coursedir, sub) -> str:
    facts: list = [sub.late_submission_penalty]
    for notebook in sorted(sub.notebooks, key=lambda n: n.name):
        facts += [[notebook.name, g.name, g.auto_score, g.manual_score, g.extra_credit, g.max_score]
                  for g in sorted(notebook.grades, key=lambda g: g.name)]
        facts += [[notebook.name, c.name, c.auto_comment, c.manual_comment]
                  for c in sorted(notebook.comments, key=lambda c: c.name)]
    digest = hashlib.sha256(json.dumps(facts, default=str).encode())
    for path in (Path(coursedir.root) / "nbgrader_config.py", Path(views.__file__)):
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def _stored(path: Path) -> str | None:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        return None


def _decide(coursedir, gb, assignment: str, student: str) -> tuple[Status, str | None]:
    try:
        sub = gb.find_submission(assignment, student)
    except MissingEntry:
        return "ungraded", None
    autograded = autograded_folder(coursedir, assignment, student)
    if not all((autograded / f"{n.name}.ipynb").is_file() for n in sub.notebooks):
        return "ungraded", None
    if sub.needs_manual_grade:
        return "waiting", None
    fingerprint = _fingerprint(coursedir, sub)
    written = feedback_folder(coursedir, assignment, student)
    current = _stored(autograded / STATE) == fingerprint and all(
        (written / f"{n.name}.html").is_file() for n in sub.notebooks)
    return ("current" if current else "stale"), fingerprint


def status(coursedir, gb, assignment: str, student: str) -> Status:
    """``current`` (feedback up to date), ``stale`` (to be written), ``waiting`` (hand grading left) or
    ``ungraded`` (no autograded submission)."""
    return _decide(coursedir, gb, assignment, student)[0]


def refresh(api, assignment: str, student: str) -> Status | Literal["written"]:
    """Make one submission's feedback right (see the module docstring); returns what it found or did:
    ``written``, ``current``, ``waiting`` or ``ungraded``. Raises RuntimeError if nbgrader fails."""
    coursedir = api.coursedir
    with gradebook(coursedir) as gb:
        decision, fingerprint = _decide(coursedir, gb, assignment, student)
    if decision in ("waiting", "ungraded"):
        shutil.rmtree(feedback_folder(coursedir, assignment, student), ignore_errors=True)
    if decision != "stale":
        return decision
    outcome = call(api.generate_feedback, assignment, student, force=True)
    if not outcome["success"]:
        raise RuntimeError((outcome.get("error") or outcome.get("log") or "generate_feedback failed").strip())
    state = autograded_folder(coursedir, assignment, student) / STATE
    state.write_text(json.dumps({"fingerprint": fingerprint}), encoding="utf-8")
    return "written"
