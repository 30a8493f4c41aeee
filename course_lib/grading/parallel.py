"""Grading several submissions at once: worker processes sharing the course's one nbgrader gradebook.

:func:`graded_in_parallel` is what ``make grade JOBS=N`` runs (through
:func:`course_lib.grading.workflow.grade`); it yields the same outcomes, in the same order, as
:func:`course_lib.grading.per_submission.grade_one` one submission after another. Why this is safe with
nbgrader's SQLite gradebook (measured: the same grades, cell by cell, as the serial run):

- SQLite serialises writers on one local file, and nbgrader writes in short transactions (a commit per cell
  in ``SaveAutoGrades``, one per submission row), so a waiting writer retries through SQLite's busy
  handler; the busy timeout is raised from pysqlite's 5 s to 120 s (``?timeout=120``) so that a slow disk
  cannot turn a wait into "database is locked". A server database (``c.CourseDirectory.db_url`` set to,
  say, PostgreSQL) is used as configured: it takes concurrent writers itself.
- Rows that several workers could race to create are created once, here, before any worker starts: the
  gradebook itself (tables and alembic stamp), the course row and every student's row. The answer key of
  each assignment (``.answer-keys/``), which every worker reads, is computed before that, by ``grade``.
- Workers are processes, not threads: each sandboxed kernel and grading runtime is its own process tree.
- Each submission is handled by exactly one worker, and nbgrader writes only under that student's
  ``autograded/`` and ``feedback/`` folders; the CSV is exported once, at the end, by the parent process.
- Ctrl-C (or any error) stops the workers at once; a submission they were autograding is removed from
  ``autograded/``, as nbgrader does after a failure, so the next ``make grade`` grades it again.
"""

from __future__ import annotations

import shutil
import signal
import warnings
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path

from .course import api as course_api
from .course import autograded_folder, gradebook
from .per_submission import Outcome, grade_one
from .sandbox import reclaim

__all__ = ["SQLITE_TIMEOUT_S", "shared_db_url", "graded_in_parallel"]

#: SQLite busy timeout, in seconds, while several processes share the gradebook.
SQLITE_TIMEOUT_S = 120

#: A task: (assignment, student, digest of the files to autograde, or None to write the feedback only).
Task = tuple[str, str, str | None]


def shared_db_url(db_url: str) -> str:
    """The gradebook URL for several processes: a SQLite file gets a busy timeout, any other URL is kept.

    nbgrader's default is ``sqlite:///<root>/gradebook.db`` (``CourseDirectory._db_url_default``); a URL
    that already has options, or names a server database, is the instructor's choice and is left alone.
    """
    if db_url.startswith("sqlite:///") and "?" not in db_url:
        return f"{db_url}?timeout={SQLITE_TIMEOUT_S}"
    return db_url


def _prepare_shared_gradebook(api, tasks: list[Task]) -> None:
    """Create, once and before any worker, what workers would race to create (see the module docstring); the
    answer keys are computed before this, by :func:`course_lib.grading.workflow.grade`."""
    with gradebook(api.coursedir) as gb:  # the tables, the alembic stamp, the course row
        for student in sorted({student for _, student, _ in tasks}):
            gb.update_or_create_student(student)


_WORKER: dict = {}


def _ignore_signal(signum, frame) -> None:
    """A worker leaves Ctrl-C to the parent (a Python handler, unlike SIG_IGN, is not inherited by kernels)."""


def _start_worker(root: str, db_url: str) -> None:
    """Each worker process's set-up: its own nbgrader API on the shared gradebook."""
    signal.signal(signal.SIGINT, _ignore_signal)
    warnings.filterwarnings("ignore", module="nbgrader")
    _WORKER["api"] = course_api(Path(root), db_url)


def _run_in_worker(assignment: str, student: str, digest: str | None, feedback: bool) -> Outcome:
    return grade_one(_WORKER["api"], assignment, student, digest, feedback)


def _mtime(path: Path) -> float | None:
    return path.stat().st_mtime if path.exists() else None


def _stop_workers(pool: ProcessPoolExecutor, api, unfinished: dict[tuple[str, str], float | None]) -> None:
    """End the workers now, then remove the ``autograded/`` folders they had started to rewrite.

    ``unfinished`` maps each submission being autograded to its folder's mtime when it was handed out; a
    folder that changed since may be half written (and would not hold a record of what it graded, so the
    next run grades it anyway). What the workers' sandboxes held (kernels, scratch mounts, cgroups) is
    removed by :func:`course_lib.grading.sandbox.reclaim`.
    """
    processes = list((pool._processes or {}).values())  # no public way to end them before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()
    reclaim()  # the sandboxes of the submissions they were grading, which a terminated worker cannot remove
    for (assignment, student), before in unfinished.items():
        folder = autograded_folder(api.coursedir, assignment, student)
        if _mtime(folder) != before:
            shutil.rmtree(folder, ignore_errors=True)


def graded_in_parallel(api, tasks: list[Task], feedback: bool, jobs: int) -> Iterator[Outcome]:
    """Run ``tasks`` in ``jobs`` spawned worker processes; yield their outcomes in ``tasks``' order.

    At most ``jobs`` tasks are handed out at a time, each to one worker, so stopping loses nothing that had
    not started. ``api`` must use a gradebook URL several processes can share (:func:`shared_db_url`).
    """
    _prepare_shared_gradebook(api, tasks)
    pool = ProcessPoolExecutor(jobs, mp_context=get_context("spawn"), initializer=_start_worker,
                               initargs=(str(api.coursedir.root), api.coursedir.db_url))
    waiting, running, done = deque(enumerate(tasks)), {}, {}

    def hand_out() -> None:
        index, (assignment, student, digest) = waiting.popleft()
        before = _mtime(autograded_folder(api.coursedir, assignment, student))
        future = pool.submit(_run_in_worker, assignment, student, digest, feedback)
        running[future] = (index, before)

    try:
        while waiting and len(running) < jobs:
            hand_out()
        for index in range(len(tasks)):
            while index not in done:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    done[running[future][0]] = future.result()
                    del running[future]
                    if waiting:
                        hand_out()
            yield done.pop(index)
    except BaseException:  # Ctrl-C, an error here or in a worker, or the caller stopped reading
        _stop_workers(pool, api, {tasks[i][:2]: before for i, before in running.values() if tasks[i][2] is not None})
        raise
    pool.shutdown()
