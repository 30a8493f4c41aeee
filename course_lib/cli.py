"""``python -m course_lib COMMAND``: the course's commands, for every learner, with or without ``make``.

Each ``make`` target a learner uses calls the command of the same name here, so there is one implementation.
Run from the course's folder with any Python 3.11+: a command that needs packages this Python lacks creates
``.venv/`` (the pinned versions, as ``make venv`` does) and runs itself there. On Windows::

    py -m course_lib lab

To add a command, add a row to :data:`COMMANDS`: its help line, ``"module:function"`` (called with the rest of
the command line, returning an exit status), and the set it needs installed (``"base"``, ``"lab"``, ``"test"``,
or ``None`` for the standard library alone).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Callable, NamedTuple, Optional

__all__ = ["Command", "COMMANDS", "main"]


class Command(NamedTuple):
    help: str
    target: str
    needs: Optional[str]


COMMANDS: dict[str, Command] = {
    "lab": Command("copy the course's new notebooks into my-work/ and open JupyterLab on it",
                   "course_lib.lab:main", "lab"),
    "progress": Command("run the visible checks of every notebook in my-work/ and print a table",
                        "course_lib.progress:main", "base"),
    "update": Command("bring course updates into my-work/, keeping a backup and your answers",
                      "course_lib.cli:update_main", None),
    "venv": Command("create .venv/ and install the learner's set at the tested versions (--test: everything)",
                    "course_lib.cli:venv_main", None),
    "test": Command("run every test, as CI does (extra arguments go to pytest)", "course_lib.cli:test_main", "test"),
    "book": Command("build the web edition, offline, into _build/book/html (--out DIR: elsewhere)",
                    "course_lib.book.build:main", "test"),
    "lock": Command("refresh constraints.txt: newest allowed versions, every test, new pins if they pass",
                    "course_lib.cli:lock_main", None),
}


def _root(course: Path | None = None) -> Path:
    from .workspace import course_root

    root = Path(course) if course else course_root()
    if root is None:
        raise SystemExit("error: cannot find the course's folder (notebooks/ and nbgrader_config.py): run this "
                         "command from it")
    return root


def _work(value: str | None, root: Path) -> Path:
    return root / "my-work" if value is None else Path(value)


def update_main(argv: list[str]) -> int:
    import argparse

    from .workspace import NotebookError, update

    parser = argparse.ArgumentParser(prog="python -m course_lib update", description=(
        "Bring the course's new versions of your notebooks into your working copy: each is backed up first, "
        "then replaced by the new version with your answers (and the cells you added) carried in."))
    parser.add_argument("notebooks", nargs="*", help="only these notebooks (default: every one with an update)")
    parser.add_argument("--work", help="your working copy (default: my-work in the course's folder)")
    parser.add_argument("--course", type=Path, help="the course's folder (default: found from here)")
    args = parser.parse_args(argv)
    root = _root(args.course)
    try:
        done = update(root / "notebooks", _work(args.work, root), args.notebooks)
    except (ValueError, NotebookError, OSError) as err:
        print(f"error: {err}; nothing was changed in that notebook", file=sys.stderr)
        return 1
    for item in done:
        answers = ", ".join(item.carried) if item.carried else "none answered yet"
        print(f"updated {item.relative}: your answers carried over ({answers}); your previous version is "
              f"{item.backup}")
    if not done:
        print("Everything is up to date: no course notebook changed since your copies were made.")
    return 0


def venv_main(argv: list[str]) -> int:
    import argparse

    from .install import ensure_venv

    parser = argparse.ArgumentParser(prog="python -m course_lib venv", description=COMMANDS["venv"].help)
    parser.add_argument("--test", action="store_true", help="also what the tests and instructors need")
    args = parser.parse_args(argv)
    ensure_venv(_root(), "test" if args.test else "lab")
    return 0


def test_main(argv: list[str]) -> int:
    import os

    root = _root()
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    # --durations: the slowest tests at the end of every run, so a maintainer sees where CI's minutes go
    cmd = [sys.executable, "-m", "pytest", "tests", "solutions", "--nbval", "--nbval-current-env",
           "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "--durations=15", *argv]
    return subprocess.call(cmd, cwd=root, env=env)


def lock_main(argv: list[str]) -> int:
    import argparse

    from .install import lock

    parser = argparse.ArgumentParser(prog="python -m course_lib lock", description=COMMANDS["lock"].help)
    parser.add_argument("--no-tests", action="store_true", help="write the pins without running the tests")
    args = parser.parse_args(argv)
    return lock(_root(), run_tests=not args.no_tests)


def usage() -> str:
    width = max(map(len, COMMANDS))
    rows = [f"  {name.ljust(width)}  {cmd.help}" for name, cmd in COMMANDS.items()]
    return "\n".join(["usage: python -m course_lib COMMAND [options]   (COMMAND --help for its options)", "",
                      "commands:", *rows, "", "Windows: py -m course_lib COMMAND"])


def _resolve(target: str) -> Callable[[list[str]], int]:
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    command = COMMANDS.get(name)
    if command is None:
        print(f"error: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    if command.needs is not None:
        absent = _missing_set(command.needs)
        if absent:
            return _run_in_course_venv(name, command.needs, absent, argv)
    return int(_resolve(command.target)(rest) or 0)


def _missing_set(needs: str) -> list[str]:
    from .install import check_python, missing

    check_python()
    return missing(needs)


def _run_in_course_venv(name: str, needs: str, absent: list[str], argv: list[str]) -> int:
    """Install what ``needs`` names into the course's .venv (pinned), then run the same command there."""
    import os

    from .install import ensure_venv, running_in
    from .workspace import course_root

    extra = "test" if needs == "test" else "lab"
    root = course_root()
    if root is None or os.environ.get(_AGAIN):
        print(f"error: `{name}` needs {', '.join(absent)}, which this Python ({sys.executable}) does not have. "
              f"In the course's folder: python -m pip install -c constraints.txt -e \".[{extra}]\"", file=sys.stderr)
        return 1
    python = ensure_venv(root, extra, force=running_in(root))
    proc = subprocess.Popen([str(python), "-m", "course_lib", *argv], env=dict(os.environ, **{_AGAIN: "1"}))
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:  # Ctrl-C reached the command too; it stops on its own
            continue


_AGAIN = "COURSE_LIB_IN_VENV"
