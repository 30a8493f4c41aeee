"""``python -m course_lib.grading release|grade|handout`` from the course root: what the Makefile runs."""

from __future__ import annotations

import argparse
import signal
import sys
import warnings
from pathlib import Path

from .workflow import MAX_DEFAULT_JOBS, check_jobs

__all__ = ["main"]


def _jobs_argument(text: str) -> int:
    """argparse type for ``--jobs``: a whole number >= 1."""
    try:
        return check_jobs(int(text), "--jobs")
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1 (1 grades serially); got {text!r}")


def _interrupt(signum, frame) -> None:
    """``kill`` (SIGTERM) stops grading as Ctrl-C does: workers ended, sandboxes removed, the gradebook kept."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the command in the current folder (the course root), return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m course_lib.grading")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("release", help="regenerate notebooks/ from solutions/ and validate both")
    g = sub.add_parser("grade", help="autograde submitted/, write the feedback of fully graded work, export grades.csv")
    g.add_argument("--force", action="store_true", help="autograde again submissions already graded")
    g.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    g.add_argument("--jobs", type=_jobs_argument, default=None, metavar="N",
                   help="submissions handled at a time, each in its own process (N >= 1; 1 grades serially; "
                        f"default: from the work to do, at most one per CPU and {MAX_DEFAULT_JOBS})")
    h = sub.add_parser("handout", help="build what to hand out to students (no solutions, no hidden tests)")
    h.add_argument("--assignment", action="append", help="only this assignment's notebooks (repeatable)")
    h.add_argument("--out", default="handout", help="the folder to write (default: handout)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", module="nbgrader")  # SQLAlchemy chatter from nbgrader's gradebook
    root = Path.cwd()
    if not (root / "nbgrader_config.py").exists():
        print(f"run this from the course root: no nbgrader_config.py in {root}", file=sys.stderr)
        return 2
    if args.command == "release":
        from .workflow import release

        return 0 if release(root) else 1
    if args.command == "handout":
        from .handout import build

        return 0 if build(root, root / args.out, args.assignment) else 1
    from .workflow import grade

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        grade(root, force=args.force, assignments=args.assignment, jobs=args.jobs)
    except KeyboardInterrupt:
        print("interrupted: what was graded is in the gradebook, grades.csv was not updated; "
              "run it again to go on", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
