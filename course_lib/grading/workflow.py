"""The instructor's workflow around real nbgrader: ``make release`` and ``make grade``.

Run from the course root (the folder with ``nbgrader_config.py``), through the Makefile or as
``python -m course_lib.grading release|grade``. Both wrap nbgrader's own API and gradebook: nothing here
replaces nbgrader, it sequences it, reads its results, and reports them a line per assignment or student.

``grade(..., jobs=N)`` grades N submissions at a time in worker processes sharing the course's one
gradebook (:mod:`course_lib.grading.parallel` says why that is safe); the printed lines and the
:class:`GradeResult` are those of the serial run.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

__all__ = ["load_config", "release", "seal_questions",
           "grade", "GradeResult", "Outcome", "check_jobs", "default_jobs", "main"]

#: ``make grade``'s default number of worker processes never exceeds this (see :func:`default_jobs`).
MAX_DEFAULT_JOBS = 4


def load_config(root: Path) -> Config:
    """nbgrader's configuration for the course in ``root`` (its nbgrader_config.py), rooted there."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config


def _api(root: Path, db_url: str | None = None):
    """nbgrader's API for the course in ``root``, on the gradebook ``db_url`` if given."""
    from nbgrader.apps import NbGraderAPI

    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH to create a gradebook
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    config = load_config(root)
    if db_url is not None:
        config.CourseDirectory.db_url = db_url
    return NbGraderAPI(config=config)


def seal_questions(root: Path) -> dict:
    """The concept checks of every ``<source>/<assignment>/questions.json``, sealed (see
    :mod:`course_lib.checks._questions`): what ``course_lib/checks/questions.json`` must hold."""
    import json

    from ..checks._questions import seal_all

    source = Path(root) / load_config(root).CourseDirectory.source_directory
    plain: dict[str, dict] = {}
    for path in sorted(source.glob("*/questions.json")):
        for name, question in json.loads(path.read_text(encoding="utf-8")).items():
            if name in plain:
                raise ValueError(f"concept question {name!r} is defined twice (again in {path})")
            plain[name] = question
    return seal_all(plain)


def release(root: Path, out=print) -> bool:
    """Seal the concept checks, regenerate every release from its source, then check both with nbgrader's
    validator.

    The source must pass all its tests; the untouched release must pass none (``validate --invert``).
    Returns True when every assignment was generated and validated.
    """
    import json

    from nbgrader.validator import Validator

    from ..checks._questions import SEALED_PATH, _sealed

    # course_lib serves every course on this machine: add this course's questions, keep the others'
    current = json.loads(SEALED_PATH.read_text(encoding="utf-8")) if SEALED_PATH.exists() else {}
    sealed = json.dumps({**current, **seal_questions(root)}, indent=1, sort_keys=True) + "\n"
    if not SEALED_PATH.exists() or SEALED_PATH.read_text(encoding="utf-8") != sealed:
        SEALED_PATH.write_text(sealed, encoding="utf-8")
        _sealed.cache_clear()
        out(f"sealed the concept checks into {SEALED_PATH}")
    api, ok = _api(root), True
    for assignment in sorted(api.get_source_assignments()):
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            out(f"{assignment}: generate_assignment FAILED\n{result['error']}")
            ok = False
            continue
        for folder, invert in ((api.coursedir.source_directory, False), (api.coursedir.release_directory, True)):
            for nb in sorted(Path(api.coursedir.format_path(folder, ".", assignment)).glob("*.ipynb")):
                results = Validator(config=api.config, invert=invert, ignore_checksums=not invert).validate(str(nb))
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


@dataclass(frozen=True)
class Outcome:
    """One submission's grading, as a worker hands it to the parent: ``status`` is graded, skipped or failed."""

    assignment: str
    student: str
    status: Literal["graded", "skipped", "failed"]
    score: float = 0.0
    max_score: float = 0.0
    manual: bool = False
    flags: tuple[str, ...] = ()
    reason: str = ""

    def describe(self) -> str:
        """The progress line's text after ``[i/n] student assignment:``."""
        if self.status == "failed":
            return f"NOT GRADED: {self.reason}"
        if self.status == "skipped":
            return "already graded, skipped (make grade FORCE=1 grades it again)"
        note = " + written answers to grade by hand" if self.manual else ""
        return f"{self.score:g}/{self.max_score:g}{note}" + (f"  flags: {', '.join(self.flags)}" if self.flags else "")

    def record(self, result: GradeResult) -> None:
        """Add this outcome to ``result``."""
        key = (self.assignment, self.student)
        if self.status == "failed":
            result.failed[key] = self.reason
        elif self.status == "skipped":
            result.skipped.append(key)
        else:
            result.graded[key] = (self.score, self.max_score, list(self.flags))


def _submissions(api, assignments) -> list[tuple[str, str]]:
    submitted = Path(api.coursedir.root) / api.coursedir.submitted_directory
    found = []
    for student_dir in sorted(p for p in submitted.glob("*") if p.is_dir()):
        for assignment_dir in sorted(p for p in student_dir.glob("*") if p.is_dir()):
            if not assignments or assignment_dir.name in assignments:
                found.append((assignment_dir.name, student_dir.name))
    return found


def check_jobs(jobs: int, name: str = "jobs") -> int:
    """Require a whole number of worker processes ``jobs >= 1`` (1 grades one submission after another)."""
    if isinstance(jobs, bool) or not isinstance(jobs, int):
        raise TypeError(f"{name} must be a whole number >= 1 (1 grades serially), got {type(jobs).__name__}")
    if jobs < 1:
        raise ValueError(f"{name} must be a whole number >= 1 (1 grades serially); got {jobs}")
    return jobs


def default_jobs() -> int:
    """``make grade``'s default: one worker per CPU this process may use, at most :data:`MAX_DEFAULT_JOBS`."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, MAX_DEFAULT_JOBS))


def _gradebook(api):
    from nbgrader.api import Gradebook

    return Gradebook(api.coursedir.db_url, api.coursedir.course_id)


def _autograded(api, assignment: str, student: str) -> Path:
    return Path(api.coursedir.format_path(api.coursedir.autograded_directory, student, assignment))


def _mtime(path: Path) -> float | None:
    return path.stat().st_mtime if path.exists() else None


def _run(step: Callable[..., dict], *args, **kwargs) -> dict:
    """Call an ``NbGraderAPI`` step; re-raise the Ctrl-C that nbgrader reports as a failure instead."""
    outcome = step(*args, **kwargs)
    if (outcome.get("error") or "").strip().splitlines()[-1:] == ["KeyboardInterrupt"]:
        raise KeyboardInterrupt
    return outcome


def _grade_one(api, assignment: str, student: str, force: bool, feedback: bool) -> Outcome:
    """Autograde one submission (retrying once if its kernel did not start), write its feedback, report it."""
    from .export import submission_flags
    from .submission import submission_problem

    problem = submission_problem(Path(api.coursedir.root) / api.coursedir.submitted_directory, student, assignment)
    if problem:  # a symlink, a FIFO, a device, too large: never handed to nbgrader
        with _gradebook(api) as gb:  # the student still gets a row in grades.csv
            gb.update_or_create_student(student)
        return Outcome(assignment, student, "failed", reason=problem)
    before = _mtime(_autograded(api, assignment, student))
    outcome = _run(api.autograde, assignment, student, force=force, create=True)
    if not outcome["success"] and "grading kernel failed" in (outcome.get("error") or "") + outcome.get("log", ""):
        outcome = _run(api.autograde, assignment, student, force=True, create=True)  # a kernel that did not start
    if not outcome["success"]:
        reason = (outcome.get("error") or outcome.get("log") or "unknown error").strip().splitlines()[-1]
        return Outcome(assignment, student, "failed", reason=reason)
    if before is not None and _mtime(_autograded(api, assignment, student)) == before:
        return Outcome(assignment, student, "skipped")
    with _gradebook(api) as gb:
        sub = gb.find_submission(assignment, student)
        score, max_score, manual = sub.score, sub.max_score, bool(sub.needs_manual_grade)
    if feedback:
        _run(api.generate_feedback, assignment, student, force=True)
    flags = tuple(submission_flags(api.coursedir, assignment, student))
    return Outcome(assignment, student, "graded", score, max_score, manual, flags)


def _graded_serially(api, todo, force: bool, feedback: bool) -> Iterator[Outcome]:
    """Grade ``todo`` one after another in this process."""
    for assignment, student in todo:
        yield _grade_one(api, assignment, student, force, feedback)


def grade(root: Path, force: bool = False, assignments: list[str] | None = None,
          out: Callable[[str], object] = print, csv_path: str = "grades.csv", feedback: bool = True,
          jobs: int = 1) -> GradeResult:
    """Autograde every submission in ``submitted/<student>/<assignment>/``, then export and give feedback.

    Without ``force`` a submission already graded (and not resubmitted since) is skipped, so re-running is
    safe and cheap; with it every submission is graded again (manual grades are kept by nbgrader). A
    submission that cannot be graded is reported and the others go on. ``jobs`` > 1 grades that many
    submissions at a time in worker processes (see the module docstring), with the same output and result;
    workers are spawned, so a script that calls this needs the usual ``if __name__ == "__main__":`` guard.
    """
    from .export import FlaggedCsvExportPlugin

    from .verify import prepare_answer_keys

    jobs = check_jobs(jobs)
    api, result = _api(root), GradeResult()
    todo = _submissions(api, assignments)
    prepare_answer_keys(api, [assignment for assignment, _ in todo])  # before any submission runs
    workers = min(jobs, len(todo))
    if workers > 1:
        from .parallel import graded_in_parallel, shared_db_url

        api = _api(root, shared_db_url(api.coursedir.db_url))
        outcomes = graded_in_parallel(api, todo, force, feedback, workers)
    else:
        outcomes = _graded_serially(api, todo, force, feedback)
    try:
        for i, outcome in enumerate(outcomes, start=1):
            out(f"[{i}/{len(todo)}] {outcome.student} {outcome.assignment}: {outcome.describe()}")
            outcome.record(result)
    finally:
        outcomes.close()  # stops the workers now if printing was interrupted
    with _gradebook(api) as gb:
        FlaggedCsvExportPlugin(config=api.config, to=str(Path(root) / csv_path)).export(gb)
    out(f"grades: {Path(root) / csv_path}; feedback: {Path(root) / api.coursedir.feedback_directory}/")
    if result.failed:
        out(f"{len(result.failed)} of {len(todo)} submission(s) could not be graded (see NOT GRADED above); "
            "the others were graded and exported")
    return result


def _jobs_argument(text: str) -> int:
    """argparse type for ``--jobs``: a whole number >= 1."""
    try:
        return check_jobs(int(text), "--jobs")
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1 (1 grades serially); got {text!r}")


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib.grading release|grade [--force] [--assignment A] [--jobs N]`` from the course root."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.grading")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("release", help="regenerate notebooks/ from solutions/ and validate both")
    g = sub.add_parser("grade", help="autograde submitted/, export grades.csv, generate feedback")
    g.add_argument("--force", action="store_true", help="grade again submissions already graded")
    g.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    g.add_argument("--jobs", type=_jobs_argument, default=default_jobs(), metavar="N",
                   help="submissions graded at a time, each in its own process (N >= 1; 1 grades serially; "
                        f"default: the CPUs available, at most {MAX_DEFAULT_JOBS}, here %(default)s)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy chatter from nbgrader's gradebook
    root = Path.cwd()
    if not (root / "nbgrader_config.py").exists():
        print(f"run this from the course root: no nbgrader_config.py in {root}", file=sys.stderr)
        return 2
    if args.command == "release":
        return 0 if release(root) else 1
    try:
        grade(root, force=args.force, assignments=args.assignment, jobs=args.jobs)
    except KeyboardInterrupt:
        print("interrupted: what was graded is in the gradebook, grades.csv was not updated; "
              "run it again to go on", file=sys.stderr)
        return 130
    return 0
