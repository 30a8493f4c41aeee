"""A prototype of ``make grade`` in several processes sharing one SQLite gradebook, measured by ``make bench``.

Why it is safe (see the README's Performance section for the measurement):

- SQLite serialises writers on one local file; nbgrader writes in short transactions (a commit per cell in
  ``SaveAutoGrades``, one per submission row), each opened by a write, so a waiting writer retries through
  SQLite's busy handler instead of failing. The busy timeout is raised from pysqlite's 5 s to 120 s
  (``?timeout=120`` in the URL) so a slow disk cannot turn a wait into "database is locked".
- The gradebook is created (and its alembic version stamped) once, in the parent, before any worker starts.
- Workers are processes, not threads: ``SandboxedExecute`` puts the grading nonce in ``os.environ``.
- Each submission is graded by exactly one worker, and nbgrader writes only under that student's
  ``autograded/`` and ``feedback/`` folders; the CSV is exported once, at the end, by the parent.
"""

from __future__ import annotations

import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

__all__ = ["grade_parallel", "same_grades"]


def _api(root: Path, db_url: str):
    from nbgrader.apps import NbGraderAPI

    from course_lib.grading.workflow import load_config

    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    config = load_config(root)
    config.CourseDirectory.db_url = db_url
    return NbGraderAPI(config=config)


def _grade_share(root: str, db_url: str, jobs: list[tuple[str, str]], force: bool) -> list[tuple[str, str, bool]]:
    warnings.filterwarnings("ignore", module="nbgrader")
    warnings.filterwarnings("ignore", message="Cell is missing an id field")
    api, done = _api(Path(root), db_url), []
    for assignment, student in jobs:
        outcome = api.autograde(assignment, student, force=force, create=True)
        if outcome["success"]:
            api.generate_feedback(assignment, student, force=True)
        done.append((assignment, student, bool(outcome["success"])))
    return done


def grade_parallel(root: Path, workers: int = 2, force: bool = False, csv_path: str = "grades.csv"):
    """Autograde ``submitted/`` in ``workers`` processes on the course's one gradebook, then export the CSV."""
    from nbgrader.api import Gradebook

    from course_lib.grading.export import FlaggedCsvExportPlugin
    from course_lib.grading.workflow import _submissions, load_config

    db_url = f"sqlite:///{Path(root).resolve() / 'gradebook.db'}?timeout=120"
    api = _api(Path(root), db_url)
    with Gradebook(db_url):  # create the gradebook here, once, before any worker can race to
        pass
    todo = _submissions(api, None)
    shares = [todo[w::workers] for w in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        done = [row for share in pool.map(_grade_share, [str(root)] * workers, [db_url] * workers, shares,
                                          [force] * workers) for row in share]
    with Gradebook(db_url) as gb:
        FlaggedCsvExportPlugin(config=load_config(Path(root)), to=str(Path(root) / csv_path)).export(gb)
    return done


def same_grades(a: dict, b: dict) -> bool:
    """Whether two gradebook snapshots (see :func:`benchmarks.grading.grade_scores`) agree exactly."""
    return a == b
