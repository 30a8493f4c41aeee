"""The instructor's workflow around real nbgrader: ``make release`` and ``make grade``.

Run from the course root (the folder with ``nbgrader_config.py``), through the Makefile or as
``python -m course_lib.grading release|grade``. Both wrap nbgrader's own API and gradebook: nothing here
replaces nbgrader, it sequences it, reads its results, and reports them a line per assignment or student.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

__all__ = ["load_config", "release", "grade", "GradeResult", "main"]


def load_config(root: Path) -> Config:
    """nbgrader's configuration for the course in ``root`` (its nbgrader_config.py), rooted there."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config


def _api(root: Path):
    from nbgrader.apps import NbGraderAPI

    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH to create a gradebook
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return NbGraderAPI(config=load_config(root))


def release(root: Path, out=print) -> bool:
    """Regenerate every release from its source, then check both with nbgrader's validator.

    The source must pass all its tests; the untouched release must pass none (``validate --invert``).
    Returns True when every assignment was generated and validated.
    """
    from nbgrader.validator import Validator

    api, config, ok = _api(root), load_config(root), True
    for assignment in sorted(api.get_source_assignments()):
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            out(f"{assignment}: generate_assignment FAILED\n{result['error']}")
            ok = False
            continue
        for folder, invert in ((api.coursedir.source_directory, False), (api.coursedir.release_directory, True)):
            for nb in sorted(Path(api.coursedir.format_path(folder, ".", assignment)).glob("*.ipynb")):
                results = Validator(config=config, invert=invert, ignore_checksums=not invert).validate(str(nb))
                bad = results.get("passed" if invert else "failed", []) + results.get("changed", [])
                if bad:
                    ok = False
                    what = "release passes" if invert else "solution fails"
                    out(f"{assignment}: {what} {len(bad)} test cell(s): {nb}")
                    for cell in bad:
                        out("    " + cell["source"].splitlines()[0] + "  " + cell.get("raw_error", "")[-300:])
        if ok:
            out(f"{assignment}: released; the solution passes every test, the untouched release none")
    return ok


@dataclass
class GradeResult:
    """What ``grade`` did: per submission, ``(score, max_score, flags)`` or the error that stopped it."""

    graded: dict[tuple[str, str], tuple[float, float, list[str]]] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: dict[tuple[str, str], str] = field(default_factory=dict)


def _submissions(api, assignments) -> list[tuple[str, str]]:
    submitted = Path(api.coursedir.root) / api.coursedir.submitted_directory
    found = []
    for student_dir in sorted(p for p in submitted.glob("*") if p.is_dir()):
        for assignment_dir in sorted(p for p in student_dir.glob("*") if p.is_dir()):
            if not assignments or assignment_dir.name in assignments:
                found.append((assignment_dir.name, student_dir.name))
    return found


def grade(root: Path, force: bool = False, assignments: list[str] | None = None, out=print,
          csv_path: str = "grades.csv", feedback: bool = True) -> GradeResult:
    """Autograde every submission in ``submitted/<student>/<assignment>/``, then export and give feedback.

    Without ``force`` a submission already graded (and not resubmitted since) is skipped, so re-running is
    safe and cheap; with it every submission is graded again (manual grades are kept by nbgrader). A
    submission that cannot be graded is reported and the others go on.
    """
    from nbgrader.api import Gradebook

    from .export import FlaggedCsvExportPlugin, submission_flags

    api, result = _api(root), GradeResult()
    todo = _submissions(api, assignments)
    for i, (assignment, student) in enumerate(todo, start=1):
        prefix = f"[{i}/{len(todo)}] {student} {assignment}:"
        autograded = Path(api.coursedir.format_path(api.coursedir.autograded_directory, student, assignment))
        before = autograded.stat().st_mtime if autograded.exists() else None
        outcome = api.autograde(assignment, student, force=force, create=True)
        if not outcome["success"] and "grading kernel failed" in (outcome.get("error") or "") + outcome["log"]:
            outcome = api.autograde(assignment, student, force=True, create=True)  # a kernel that did not start
        if not outcome["success"]:
            reason = (outcome.get("error") or outcome.get("log") or "unknown error").strip().splitlines()[-1]
            result.failed[(assignment, student)] = reason
            out(f"{prefix} NOT GRADED: {reason}")
            continue
        if before is not None and autograded.exists() and autograded.stat().st_mtime == before:
            result.skipped.append((assignment, student))
            out(f"{prefix} already graded, skipped (make grade FORCE=1 grades it again)")
            continue
        with Gradebook(api.coursedir.db_url) as gb:
            sub = gb.find_submission(assignment, student)
            score, max_score, manual = sub.score, sub.max_score, sub.needs_manual_grade
        flags = submission_flags(api.coursedir, assignment, student)
        result.graded[(assignment, student)] = (score, max_score, flags)
        note = " + written answers to grade by hand" if manual else ""
        out(f"{prefix} {score:g}/{max_score:g}{note}" + (f"  flags: {', '.join(flags)}" if flags else ""))
        if feedback:
            api.generate_feedback(assignment, student, force=True)
    with Gradebook(api.coursedir.db_url) as gb:
        FlaggedCsvExportPlugin(config=load_config(root), to=str(Path(root) / csv_path)).export(gb)
    out(f"grades: {Path(root) / csv_path}; feedback: {Path(root) / api.coursedir.feedback_directory}/")
    if result.failed:
        out(f"{len(result.failed)} of {len(todo)} submission(s) could not be graded (see NOT GRADED above); "
            "the others were graded and exported")
    return result


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib.grading release|grade [--force] [--assignment A]`` from the course root."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.grading")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("release", help="regenerate notebooks/ from solutions/ and validate both")
    g = sub.add_parser("grade", help="autograde submitted/, export grades.csv, generate feedback")
    g.add_argument("--force", action="store_true", help="grade again submissions already graded")
    g.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy chatter from nbgrader's gradebook
    root = Path.cwd()
    if not (root / "nbgrader_config.py").exists():
        print(f"run this from the course root: no nbgrader_config.py in {root}", file=sys.stderr)
        return 2
    if args.command == "release":
        return 0 if release(root) else 1
    grade(root, force=args.force, assignments=args.assignment)
    return 0
