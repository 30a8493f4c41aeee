"""One submission through ``make grade``: autograde it when needed, keep its hand grades, refresh its feedback.

:func:`grade_one` is what ``make grade`` does with one submission, in its own process or in a worker of
:mod:`.parallel`; :func:`summary` describes a submission there is nothing to do for. :func:`needs_autograde`
decides without starting nbgrader: a submission is autograded when it never was, or when its submitted files
changed since (nbgrader's own rule only compares ``timestamp.txt`` files, so a notebook replaced without one
would keep its old grade), or when the instructor forces it. What was graded is recorded beside the
autograded notebook (:data:`GRADED`), so a regrade that fails or is interrupted is retried next time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from typing import Literal

from nbgrader.api import MissingEntry

from . import escape, feedback, manual
from .course import autograded_folder, call, feedback_folder, gradebook, submitted_folder
from .export import submission_flags

__all__ = ["GRADED", "Outcome", "submitted_digest", "needs_autograde", "grade_one", "summary"]

#: The digest of the submitted files that were autograded, in the autograded folder.
GRADED = ".course_lib-graded.json"
#: A line of nbgrader's log that names an exception: the reason a submission could not be graded.
EXCEPTION_LINE = re.compile(r"^\s*((?:\w+\.)*\w*(?:Error|Exception)\b:?.*)$")
MAX_REASON = 300


@dataclass(frozen=True)
class Outcome:
    """One submission after ``make grade``: ``status`` is graded (now), unchanged (nothing to autograde) or
    failed; the counts are of cells left to grade by hand, graded by hand, and graded by hand but changed
    since; ``feedback`` is what :func:`course_lib.grading.feedback.refresh` found or did."""

    assignment: str
    student: str
    status: Literal["graded", "unchanged", "failed"]
    score: float = 0.0
    max_score: float = 0.0
    to_grade: int = 0
    by_hand: int = 0
    changed: int = 0
    feedback: str = ""
    flags: tuple[str, ...] = ()
    reason: str = ""

    def describe(self) -> str:
        """The progress line's text after ``[i/n] student assignment:``, safe to print (:mod:`.escape`)."""
        if self.status == "failed":
            return escape.terminal(f"NOT GRADED: {self.reason}")
        parts = [f"{self.score:g}/{self.max_score:g}" + (" (already graded)" if self.status == "unchanged" else "")]
        if self.changed:
            parts.append(f"{self.changed} answer(s) changed since graded by hand: grade again")
        if self.to_grade > self.changed:
            parts.append(f"{self.to_grade - self.changed} answer(s) to grade by hand")
        elif self.by_hand and not self.to_grade:
            parts.append("graded by hand")
        if self.feedback.startswith("failed: "):
            parts.append("feedback NOT written: " + self.feedback[len("failed: "):])
        else:
            parts.append({"written": "feedback written", "current": "feedback up to date",
                          "waiting": "feedback after hand grading"}.get(self.feedback, ""))
        line = "; ".join(p for p in parts if p)
        return escape.terminal(line + (f"  flags: {', '.join(self.flags)}" if self.flags else ""))


def submitted_digest(coursedir, assignment: str, student: str) -> str:
    """A digest of the submission's regular files (names and contents; links and special files skipped)."""
    folder = submitted_folder(coursedir, assignment, student)
    digest = hashlib.sha256()
    for parent, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(parent, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            digest.update(os.path.relpath(path, folder).encode("utf-8", "surrogateescape") + b"\0")
            with open(path, "rb") as fh:
                digest.update(hashlib.file_digest(fh, "sha256").digest())
    return digest.hexdigest()


def needs_autograde(coursedir, assignment: str, student: str, digest: str) -> bool:
    """Whether the submitted files differ from those last autograded (or none were)."""
    try:
        graded = json.loads((autograded_folder(coursedir, assignment, student) / GRADED).read_text("utf-8"))
        return graded.get("submitted") != digest
    except (OSError, ValueError, AttributeError):
        return True


def summary(coursedir, gb, assignment: str, student: str, status: str, feedback_status: str,
            changed: int = 0) -> Outcome:
    """The outcome of a submission that is in the gradebook, as it stands now."""
    sub = gb.find_submission(assignment, student)
    grades = [g for notebook in sub.notebooks for g in notebook.grades]
    return Outcome(assignment, student, status, sub.score, sub.max_score,
                   to_grade=sum(bool(g.needs_manual_grade) for g in grades),
                   by_hand=sum(g.manual_score is not None and not g.needs_manual_grade for g in grades),
                   changed=changed, feedback=feedback_status,
                   flags=tuple(submission_flags(coursedir, assignment, student)))


def _reason(outcome: dict) -> str:
    """The last exception nbgrader's log names (not its generic NbGraderException), else its last line."""
    lines = f"{outcome.get('log') or ''}\n{outcome.get('error') or ''}".strip().splitlines() or ["unknown error"]
    named = [m.group(1) for m in map(EXCEPTION_LINE.match, lines) if m and "NbGraderException" not in m.group(1)]
    return (named or lines)[-1].strip()[:MAX_REASON]


def _autograde(api, assignment: str, student: str) -> dict:
    """nbgrader's autograde, retried once if the kernel did not start."""
    outcome = call(api.autograde, assignment, student, force=True, create=True)
    if not outcome["success"] and "grading kernel failed" in (outcome.get("error") or "") + outcome.get("log", ""):
        outcome = call(api.autograde, assignment, student, force=True, create=True)
    return outcome


def grade_one(api, assignment: str, student: str, digest: str | None, feedback_too: bool = True) -> Outcome:
    """Autograde one submission unless ``digest`` is None (``digest`` is :func:`submitted_digest` of its
    files, taken before), keeping its hand grades (:mod:`.manual`); then refresh its feedback if
    ``feedback_too``; report it."""
    coursedir = api.coursedir
    changed = []
    if digest is not None:
        with gradebook(coursedir) as gb:
            kept = manual.remember(coursedir, gb, assignment, student)
        outcome = _autograde(api, assignment, student)
        if not outcome["success"]:
            shutil.rmtree(feedback_folder(coursedir, assignment, student), ignore_errors=True)
            return Outcome(assignment, student, "failed", reason=_reason(outcome))
        with gradebook(coursedir) as gb:
            changed = manual.restore(coursedir, gb, assignment, student, kept)
        (autograded_folder(coursedir, assignment, student) / GRADED).write_text(
            json.dumps({"submitted": digest}), encoding="utf-8")
    try:
        done = feedback.refresh(api, assignment, student) if feedback_too else ""
    except RuntimeError as err:
        done = "failed: " + (str(err).splitlines() or ["unknown error"])[-1]
    with gradebook(coursedir) as gb:
        try:
            return summary(coursedir, gb, assignment, student, "unchanged" if digest is None else "graded", done,
                           len(changed))
        except MissingEntry:
            return Outcome(assignment, student, "failed", reason="not in the gradebook after autograding")
