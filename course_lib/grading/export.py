"""``nbgrader export`` with two more columns: ``needs_manual_grade`` and the grader's ``flags``.

Configured in nbgrader_config.py as ``c.ExportApp.plugin_class``; the flags come from the
``<notebook>.grading.json`` reports that :class:`~course_lib.grading.verify.VerifyHidden` writes, so an
instructor sees in the spreadsheet which submissions used the reference implementation, tampered with
hidden tests, killed their kernel or timed out, instead of those being credited or failed silently.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import ExportPlugin

__all__ = ["FlaggedCsvExportPlugin", "submission_flags"]

COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
           "late_submission_penalty", "score", "max_score", "needs_manual_grade", "flags"]


def submission_flags(coursedir: CourseDirectory, assignment: str, student: str) -> list[str]:
    """The flags of every notebook of one autograded submission (``not-graded`` if it has no report)."""
    folder = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    reports = list(folder.glob("*.grading.json"))
    flags = set() if reports else {"not-graded"}
    for report in reports:
        flags.update(json.loads(report.read_text())["flags"])
    return sorted(flags)


class FlaggedCsvExportPlugin(ExportPlugin):
    """CSV export: nbgrader's columns plus ``needs_manual_grade`` and ``flags`` (``;``-separated)."""

    def export(self, gradebook: Gradebook) -> None:
        """Write one row per (assignment, student) to ``--to`` (default ``grades.csv``)."""
        coursedir = CourseDirectory(config=self.config)
        assignments, students = set(map(str, self.assignment)), set(map(str, self.student))
        with open(self.to or "grades.csv", "w", newline="") as fh:
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
                    writer.writerow(row)
