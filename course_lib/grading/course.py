"""The nbgrader course in a folder: its configuration, nbgrader's API and gradebook, and its submissions.

Every instructor command (:mod:`.workflow`, :mod:`.parallel`, :mod:`.per_submission`, :mod:`.handout`) finds
the course through here, so they agree on where things are. Submission folders are named by students (or
by whatever collected their work), so :func:`submissions` only returns the ones that are safe to hand to
nbgrader and to show in the formgrader, and says why it left out the others.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

__all__ = ["load_config", "api", "call", "gradebook", "autograded_folder", "submitted_folder", "feedback_folder",
           "source_assignments", "submissions", "unsafe_name"]

#: Characters a student or assignment folder name may not hold: nbgrader's formgrader puts names into its
#: pages without escaping them, so these would be markup there.
HTML_SPECIAL = set("<>&\"'`")
#: nbgrader takes a student id as a file pattern: a name with these would also match other students' folders.
GLOB_SPECIAL = set("*?[]")


def load_config(root: Path) -> Config:
    """nbgrader's configuration for the course in ``root`` (its nbgrader_config.py), rooted there."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config


def api(root: Path, db_url: str | None = None):
    """nbgrader's API for the course in ``root``, on the gradebook ``db_url`` if given."""
    from nbgrader.apps import NbGraderAPI

    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH to create a gradebook
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    config = load_config(root)
    if db_url is not None:
        config.CourseDirectory.db_url = db_url
    return NbGraderAPI(config=config)


def call(step: Callable[..., dict], *args, **kwargs) -> dict:
    """Call an ``NbGraderAPI`` step; re-raise the Ctrl-C that nbgrader reports as a failure instead."""
    outcome = step(*args, **kwargs)
    if (outcome.get("error") or "").strip().splitlines()[-1:] == ["KeyboardInterrupt"]:
        raise KeyboardInterrupt
    return outcome


def gradebook(coursedir):
    """The course's gradebook (a context manager), for ``coursedir`` (an API's ``coursedir``)."""
    from nbgrader.api import Gradebook

    return Gradebook(coursedir.db_url, coursedir.course_id)


def _folder(coursedir, kind: str, student: str, assignment: str) -> Path:
    return Path(coursedir.format_path(getattr(coursedir, f"{kind}_directory"), student, assignment))


def submitted_folder(coursedir, assignment: str, student: str) -> Path:
    return _folder(coursedir, "submitted", student, assignment)


def autograded_folder(coursedir, assignment: str, student: str) -> Path:
    return _folder(coursedir, "autograded", student, assignment)


def feedback_folder(coursedir, assignment: str, student: str) -> Path:
    return _folder(coursedir, "feedback", student, assignment)


def source_assignments(coursedir) -> list[str]:
    """The assignments of the course: the folders of its source directory that hold a notebook."""
    source = Path(coursedir.root) / coursedir.source_directory
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def unsafe_name(name: str) -> str | None:
    """Why ``name`` cannot be a student or assignment id here, or None if it can."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in name):
        return "it holds control, format or undecodable characters"
    if HTML_SPECIAL & set(name):
        return "it holds one of < > & \" ' ` (the formgrader would show it as markup)"
    if GLOB_SPECIAL & set(name):
        return "it holds one of * ? [ ] (nbgrader would read it as a pattern matching other students)"
    if name != name.strip():
        return "it starts or ends with a space (nbgrader would strip it)"
    return None


def submissions(coursedir, assignments: list[str] | None = None
                ) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """The submissions to grade, ``[(assignment, student), ...]`` sorted by student, and those left out,
    ``[(assignment, student, why), ...]``.

    A submission is ``<submitted>/<student>/<assignment>/``, real folders (not symbolic links), whose
    assignment is one of the course's; hidden folders (``.ipynb_checkpoints``) are ignored. A refused
    student folder that is a link has the assignment ``""``.
    """
    root = Path(coursedir.root) / coursedir.submitted_directory
    known = set(source_assignments(coursedir))
    found, refused = [], []
    if not root.is_dir():
        return found, refused
    for student_dir in sorted(root.iterdir()):
        if student_dir.name.startswith(".") or not student_dir.is_dir():
            continue
        if student_dir.is_symlink():
            refused.append(("", student_dir.name, "the folder is a symbolic link"))
            continue
        for assignment_dir in sorted(student_dir.iterdir()):
            assignment, student = assignment_dir.name, student_dir.name
            if assignment.startswith(".") or not assignment_dir.is_dir() or (assignments and
                                                                             assignment not in assignments):
                continue
            why = unsafe_name(student)
            if why:
                why = f"the student folder's name cannot be used: {why}"
            elif assignment_dir.is_symlink():
                why = "the folder is a symbolic link"
            elif assignment not in known:
                why = f"not an assignment of this course (no {coursedir.source_directory}/{assignment}/)"
            if why:
                refused.append((assignment, student, why))
            else:
                found.append((assignment, student))
    return found, refused
