"""``nbgrader export`` with two more columns, ``needs_manual_grade`` and the grader's ``flags``, safe to open.

Configured in nbgrader_config.py as ``c.ExportApp.plugin_class``; the flags come from the
``<notebook>.grading.json`` report that :class:`~course_lib.grading.verify.VerifyHidden` writes beside each
autograded notebook, so an instructor sees in the spreadsheet which submissions used the reference
implementation, tampered with hidden tests, killed their kernel or timed out, instead of those being
credited or failed silently.

Everything in the CSV is treated as text someone else wrote: a report is read only if it is a regular
file of at most :data:`MAX_REPORT_BYTES` holding a list of strings under ``"flags"`` (anything else gives
the flag ``report-unreadable`` and the export goes on), and every text cell goes through
:func:`course_lib.grading.escape.spreadsheet` (no formula, no control character). The file is replaced
in one step, so an interrupted export leaves the previous CSV.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import ExportPlugin

from .course import autograded_folder
from .escape import spreadsheet

__all__ = ["FlaggedCsvExportPlugin", "submission_flags", "MAX_REPORT_BYTES"]

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
           "late_submission_penalty", "score", "max_score", "needs_manual_grade", "flags"]
#: A grading report larger than this is not read.
MAX_REPORT_BYTES = 1 << 20


def _report_flags(path: Path) -> list[str]:
    """The flags of one report, or ``["report-unreadable"]``."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode) or os.lstat(path).st_size > MAX_REPORT_BYTES:
            return ["report-unreadable"]
        flags = json.loads(path.read_bytes())["flags"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return ["report-unreadable"]
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        return ["report-unreadable"]
    return flags


def submission_flags(coursedir: CourseDirectory, assignment: str, student: str) -> list[str]:
    """The flags of every notebook of one autograded submission (``not-graded`` if it has no report)."""
    folder = autograded_folder(coursedir, assignment, student)
    notebooks = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
    reports = [folder / (name[: -len(".ipynb")] + ".grading.json") for name in notebooks]
    reports = [r for r in reports if os.path.lexists(r)]
    flags = set() if reports else {"not-graded"}
    for report in reports:
        flags.update(_report_flags(report))
    return sorted(flags)


class FlaggedCsvExportPlugin(ExportPlugin):
    """CSV export: nbgrader's columns plus ``needs_manual_grade`` and ``flags`` (``;``-separated)."""

    def export(self, gradebook: Gradebook) -> None:
        """Write one row per (assignment, student) to ``--to`` (default ``grades.csv``)."""
        coursedir = CourseDirectory(config=self.config)
        assignments, students = set(map(str, self.assignment)), set(map(str, self.student))
        path = Path(self.to or "grades.csv")
        partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(partial, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS)
            writer.writeheader()
            for assignment in gradebook.assignments:
                if assignments and assignment.name not in assignments:
                    continue
                for student in gradebook.students:
                    if students and student.id not in students:
                        continue
                    row = {"assignment": assignment.name, "duedate": assignment.duedate, "student_id": student.id,
                           "last_name": student.last_name, "first_name": student.first_name,
                           "email": student.email, "max_score": assignment.max_score}
                    try:
                        sub = gradebook.find_submission(assignment.name, student.id)
                    except MissingEntry:
                        row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0,
                                   needs_manual_grade=False, flags="not-submitted")
                    else:
                        penalty = sub.late_submission_penalty
                        row.update(timestamp=sub.timestamp, raw_score=sub.score, late_submission_penalty=penalty,
                                   score=max(0.0, sub.score - penalty), needs_manual_grade=sub.needs_manual_grade,
                                   flags=";".join(submission_flags(coursedir, assignment.name, student.id)))
                    writer.writerow({k: spreadsheet(v) for k, v in row.items()})
        os.replace(partial, path)
