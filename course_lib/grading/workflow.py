"""The instructor's workflow around real nbgrader: ``make release`` and ``make grade``.

Run from the course root (the folder with ``nbgrader_config.py``), through the Makefile or as
``python -m course_lib.grading release|grade`` (:mod:`course_lib.grading.__main__`). Both wrap nbgrader's own
API and gradebook: nothing here replaces nbgrader, it sequences it, reads its results, and reports them a
line per assignment or submission.

:func:`grade` first decides, without starting nbgrader, what each submission needs: autograding (new or
changed since it was graded, or ``force``), its feedback written again (grades changed since, by hand or
otherwise), or nothing. Only that work is done, by :func:`course_lib.grading.per_submission.grade_one`, in this
process or in ``jobs`` worker processes (:mod:`course_lib.grading.parallel` says why sharing the gradebook
is safe); the printed lines and the :class:`GradeResult` are those of the serial run. The CSV is exported at
the end of every run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import escape
from .course import api as course_api
from .course import feedback_folder, gradebook, load_config, submissions
from .feedback import status as feedback_status
from .export import FlaggedCsvExportPlugin
from .per_submission import Outcome, grade_one, needs_autograde, submitted_digest, summary
from .sandbox import reclaim
from .submission import submission_problem

__all__ = ["release", "seal_questions", "grade", "GradeResult", "check_jobs", "default_jobs",
           "MAX_DEFAULT_JOBS", "FAILURES"]

#: ``make grade``'s default number of worker processes never exceeds this (see :func:`default_jobs`).
MAX_DEFAULT_JOBS = 4
#: What :func:`default_jobs` weighs, in seconds: autograding a submission (2.3 s to 4.7 s per notebook on the
#: reference machine, README's Performance), writing one feedback (0.15 autogrades, measured), and starting a
#: worker: spawning it, importing nbgrader, opening the course, while the parent computes the answer keys.
#: That last one is set to one autograde, which gives what was measured on a loaded 2-core machine: a class of
#: 3 took 83 s to 100 s serially and 84 s to 112 s with two processes, a class of 6 144 s to 193 s serially
#: and 125 s to 147 s with two.
WORKER_START_S, AUTOGRADE_S, FEEDBACK_S = 3.0, 3.0, 0.5
#: Submissions that could not be graded, with the digests of their files and of ``nbgrader_config.py``, so that
#: one is not tried again at every run until either changes (``force`` tries again). In the course root.
FAILURES = ".course_lib-not-graded.json"


def seal_questions(root: Path) -> dict:
    """The concept checks of every ``<source>/<assignment>/questions.json``, sealed (see
    :mod:`course_lib.checks._questions`): what ``course_lib/checks/questions.json`` must hold."""
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
    from nbgrader.validator import Validator

    from ..checks._questions import SEALED_PATH, _sealed

    # course_lib serves every course on this machine: add this course's questions, keep the others'
    current = json.loads(SEALED_PATH.read_text(encoding="utf-8")) if SEALED_PATH.exists() else {}
    sealed = json.dumps({**current, **seal_questions(root)}, indent=1, sort_keys=True) + "\n"
    if not SEALED_PATH.exists() or SEALED_PATH.read_text(encoding="utf-8") != sealed:
        SEALED_PATH.write_text(sealed, encoding="utf-8")
        _sealed.cache_clear()
        out(f"sealed the concept checks into {SEALED_PATH}")
    api, ok = course_api(root), True
    for assignment in sorted(api.get_source_assignments()):
        result = api.generate_assignment(assignment, force=True, create=True)
        if not result["success"]:
            out(f"{assignment}: generate_assignment FAILED\n{result['error']}")
            ok = False
            continue
        released = True
        for folder, invert in ((api.coursedir.source_directory, False), (api.coursedir.release_directory, True)):
            for nb in sorted(Path(api.coursedir.format_path(folder, ".", assignment)).glob("*.ipynb")):
                results = Validator(config=api.config, invert=invert, ignore_checksums=not invert).validate(str(nb))
                bad = results.get("passed" if invert else "failed", []) + results.get("changed", [])
                if bad:
                    released = ok = False
                    what = "release passes" if invert else "solution fails"
                    out(f"{assignment}: {what} {len(bad)} test cell(s): {nb}")
                    for cell in bad:
                        out("    " + cell["source"].splitlines()[0] + "  " + cell.get("raw_error", "")[-300:])
        if released:
            out(f"{assignment}: released; the solution passes every test, the untouched release none")
    return ok


@dataclass
class GradeResult:
    """What ``grade`` did: per submission graded now, ``(score, max_score, flags)``; the submissions with
    nothing to autograde (``skipped``); those that could not be graded, with why (``failed``); and the
    folders that are not submissions it can grade, with why (``refused``)."""

    graded: dict[tuple[str, str], tuple[float, float, list[str]]] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: dict[tuple[str, str], str] = field(default_factory=dict)
    refused: dict[tuple[str, str], str] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)

    def record(self, outcome: Outcome) -> None:
        """Add one submission's outcome."""
        key = (outcome.assignment, outcome.student)
        self.outcomes.append(outcome)
        if outcome.status == "failed":
            self.failed[key] = outcome.reason
        elif outcome.status == "unchanged":
            self.skipped.append(key)
        else:
            self.graded[key] = (outcome.score, outcome.max_score, list(outcome.flags))


def check_jobs(jobs: int, name: str = "jobs") -> int:
    """Require a whole number of worker processes ``jobs >= 1`` (1 grades one submission after another)."""
    if isinstance(jobs, bool) or not isinstance(jobs, int):
        raise TypeError(f"{name} must be a whole number >= 1 (1 grades serially), got {type(jobs).__name__}")
    if jobs < 1:
        raise ValueError(f"{name} must be a whole number >= 1 (1 grades serially); got {jobs}")
    return jobs


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def default_jobs(autograde: int, feedback_only: int = 0, cpus: int | None = None) -> int:
    """``make grade``'s default number of processes for ``autograde`` submissions to autograde and
    ``feedback_only`` feedbacks to write: one per CPU (at most :data:`MAX_DEFAULT_JOBS`), but only as many
    as get at least twice a worker's start-up cost of work each, so starting workers never costs more than
    it saves (a class of 3 is graded serially, nothing to do starts none)."""
    work = autograde * AUTOGRADE_S + feedback_only * FEEDBACK_S
    worth = int(work // (2 * WORKER_START_S))
    return max(1, min(cpus or _cpus(), MAX_DEFAULT_JOBS, worth))


def _load_failures(root: Path) -> dict[str, dict]:
    try:
        failures = json.loads((root / FAILURES).read_text(encoding="utf-8"))
        return failures if isinstance(failures, dict) else {}
    except (OSError, ValueError):
        return {}


def _config_digest(root: Path) -> str:
    return hashlib.sha256((root / "nbgrader_config.py").read_bytes()).hexdigest()


def _plan(api, todo: list[tuple[str, str]], force: bool, with_feedback: bool, failures: dict):
    """For each submission: a task ``(assignment, student, digest)`` for a worker (``digest``, of the files
    to autograde, is None when only the feedback is to be written), or its outcome now."""
    coursedir, plan = api.coursedir, []
    config = _config_digest(Path(coursedir.root))
    with gradebook(coursedir) as gb:
        for assignment, student in todo:
            problem = submission_problem(Path(coursedir.root) / coursedir.submitted_directory, student, assignment)
            if problem:  # a symbolic link, a FIFO, a device, too large: never handed to nbgrader
                gb.update_or_create_student(student)  # the student still gets a row in grades.csv
                plan.append(Outcome(assignment, student, "failed", reason=problem))
                continue
            digest = submitted_digest(coursedir, assignment, student)
            failed = failures.get(f"{assignment}/{student}", {})
            if not force and failed.get("submitted") == digest and failed.get("config") == config:
                plan.append(Outcome(assignment, student, "failed", reason=f"{failed.get('reason', '')} "
                                    "(unchanged since; make grade FORCE=1 tries again)"))
                continue
            state = feedback_status(coursedir, gb, assignment, student)  # "ungraded": not in the gradebook
            if force or state == "ungraded" or needs_autograde(coursedir, assignment, student, digest):
                plan.append((assignment, student, digest))
            elif with_feedback and (state == "stale" or (
                    state == "waiting" and feedback_folder(coursedir, assignment, student).exists())):
                plan.append((assignment, student, None))
            else:
                plan.append(summary(coursedir, gb, assignment, student, "unchanged", state if with_feedback else ""))
    return plan


def _run(api, root: Path, plan: list, with_feedback: bool, jobs: int | None) -> Iterator[tuple[bool, Outcome]]:
    """The plan's outcomes in order, each with whether it was a task, running the tasks serially or in
    worker processes."""
    tasks = [step for step in plan if isinstance(step, tuple)]
    if jobs is None:
        jobs = default_jobs(sum(t[2] is not None for t in tasks), sum(t[2] is None for t in tasks))
    workers = min(jobs, len(tasks))
    if workers > 1:
        from .parallel import graded_in_parallel, shared_db_url

        api = course_api(root, shared_db_url(api.coursedir.db_url))
        results = graded_in_parallel(api, tasks, with_feedback, workers)
    else:
        results = (grade_one(api, a, s, digest, with_feedback) for a, s, digest in tasks)
    try:
        for step in plan:
            yield (True, next(results)) if isinstance(step, tuple) else (False, step)
    finally:
        results.close()  # stops the workers now if printing was interrupted


def grade(root: Path, force: bool = False, assignments: list[str] | None = None,
          out: Callable[[str], object] = print, csv_path: str = "grades.csv", feedback: bool = True,
          jobs: int | None = 1) -> GradeResult:
    """Autograde what is new or changed in ``submitted/<student>/<assignment>/``, write the feedback of
    every fully graded submission whose grades changed, then export the CSV.

    ``force`` autogrades every submission again (hand grades of unchanged answers stay graded, see
    :mod:`course_lib.grading.manual`). A submission that cannot be graded is reported and the others go on.
    ``jobs`` processes share the work (None: :func:`default_jobs` of the work to do, as ``make grade``
    does), with the same output and result; workers are spawned, so a script that calls this needs the
    usual ``if __name__ == "__main__":`` guard. ``feedback=False`` leaves ``feedback/`` alone.
    """
    root = Path(root)
    if jobs is not None:
        check_jobs(jobs)
    reclaim()  # what a grader that was killed left behind: its sandboxes' processes, mounts and cgroups
    api, result = course_api(root), GradeResult()
    todo, refused = submissions(api.coursedir, assignments)
    for assignment, student, why in refused:
        result.refused[(assignment, student)] = why
        out(escape.terminal(f"not graded: {student}/{assignment}: {why}".replace("/: ", ": ")))
    from .verify import prepare_answer_keys

    failures = _load_failures(root)
    plan = _plan(api, todo, force, feedback, failures)
    prepare_answer_keys(api, [step[0] for step in plan if isinstance(step, tuple)])  # before any submission runs
    try:
        for i, (attempted, outcome) in enumerate(_run(api, root, plan, feedback, jobs), start=1):
            out(escape.terminal(f"[{i}/{len(todo)}] {outcome.student} {outcome.assignment}: ") + outcome.describe())
            result.record(outcome)
            key = f"{outcome.assignment}/{outcome.student}"
            if outcome.status == "failed" and attempted:
                failures[key] = {"submitted": plan[i - 1][2], "config": _config_digest(root),
                                 "reason": outcome.reason}
            elif outcome.status != "failed":
                failures.pop(key, None)
    finally:
        if failures or (root / FAILURES).exists():
            (root / FAILURES).write_text(json.dumps(failures, indent=1), encoding="utf-8")
    with gradebook(api.coursedir) as gb:
        FlaggedCsvExportPlugin(config=api.config, to=str(root / csv_path)).export(gb)
    _report(out, result, root / csv_path, feedback)
    return result


def _report(out, result: GradeResult, csv_path: Path, with_feedback: bool) -> None:
    """The run's closing lines: where the grades are, what is left to do by hand, what could not be graded."""
    done = [o for o in result.outcomes if o.status != "failed"]
    to_grade = sum(o.to_grade for o in done)
    line = f"grades: {csv_path}"
    if with_feedback:
        counts = {k: sum(o.feedback == k for o in done) for k in ("written", "current", "waiting")}
        line += (f"; feedback: {counts['written']} written, {counts['current']} up to date, "
                 f"{counts['waiting']} waiting for hand grading")
    out(line)
    if to_grade:
        out(f"{to_grade} answer(s) in {sum(bool(o.to_grade) for o in done)} submission(s) to grade by hand: "
            "make formgrader, then make grade again to write their feedback and the CSV")
    if result.failed or result.refused:
        out(f"{len(result.failed) + len(result.refused)} submission(s) could not be graded (see NOT GRADED "
            "and \"not graded\" above); the others were graded and exported")
