"""A submission is data: what nbgrader may read of it, checked before nbgrader opens anything.

:func:`submission_problem` walks ``submitted/<student>/<assignment>/`` without following links and
refuses the submission (the grader reports it as NOT GRADED, with the reason) if anything in it is not a
regular file or a folder -- a symbolic link (a notebook that points at the solution), a FIFO (reading it
would block grading forever), a device or a socket -- or if it is too large. The notebook itself is then
read by nbgrader as a plain file; extra files are copied into ``autograded/`` by nbgrader but never
interpreted: the kernel starts in an empty scratch folder, and the grader's reports
(``*.grading.json``) are never copied from a submission (``c.CourseDirectory.ignore``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["submission_problem", "MAX_NOTEBOOK_BYTES", "MAX_TOTAL_BYTES", "MAX_ENTRIES"]

MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_TOTAL_BYTES = 100 * 2**20
MAX_ENTRIES = 1000

_KINDS = {stat.S_IFLNK: "a symbolic link", stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket"}


def _what(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def submission_problem(submitted: Path, student: str, assignment: str) -> str | None:
    """Why ``submitted/<student>/<assignment>/`` cannot be graded, or None if it can."""
    folder = Path(submitted)
    for part in (student, assignment):
        folder = folder / part
        mode = os.lstat(folder).st_mode
        if not stat.S_ISDIR(mode):
            return f"{folder} is {_what(mode)}, not a folder: a submission holds only regular files and folders"
    total, entries, pending = 0, 0, [folder]
    while pending:
        with os.scandir(pending.pop()) as listing:
            for entry in listing:
                entries += 1
                if entries > MAX_ENTRIES:
                    return f"{folder} holds more than {MAX_ENTRIES} files and folders"
                mode = entry.stat(follow_symlinks=False).st_mode
                if stat.S_ISDIR(mode):
                    pending.append(entry.path)
                    continue
                if not stat.S_ISREG(mode):
                    return f"{entry.path} is {_what(mode)}: a submission holds only regular files and folders"
                size = entry.stat(follow_symlinks=False).st_size
                total += size
                if entry.name.endswith(".ipynb") and size > MAX_NOTEBOOK_BYTES:
                    return (f"{entry.path} is {size / 2**20:.0f} MiB, more than the "
                            f"{MAX_NOTEBOOK_BYTES // 2**20} MiB allowed")
                if total > MAX_TOTAL_BYTES:
                    return f"{folder} holds more than {MAX_TOTAL_BYTES // 2**20} MiB"
    return None
