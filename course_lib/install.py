"""The course's own environment, ``.venv/``: created and filled with the versions the course was tested with.

Three sets, declared in ``pyproject.toml``: the base (what the notebooks import; enough for Colab, Binder or any
Jupyter), the ``lab`` extra (a learner's own JupyterLab with nbgrader's Validate button) and the ``test`` extra
(everything the tests and the instructors' commands need). ``constraints.txt`` pins every package to the
version the tests passed with; ``python -m course_lib venv`` installs with it, as ``make venv`` does.

Standard library only, and nothing newer than Python 3.8 here, so that a bare Python can run it to say which
Python the course needs and to install the rest.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["PYTHON_MIN", "SETS", "venv_dir", "venv_python", "missing", "ensure_venv", "lock", "CONSTRAINTS"]

PYTHON_MIN = (3, 11)
SETS = ("base", "lab", "test")
CONSTRAINTS = "constraints.txt"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?")
_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def check_python() -> None:
    if sys.version_info < PYTHON_MIN:
        raise SystemExit(f"error: the course needs Python {'.'.join(map(str, PYTHON_MIN))} or newer; this is "
                         f"{sys.version.split()[0]} ({sys.executable}). Install a newer Python from python.org "
                         f"(Windows: the Microsoft Store's Python 3.12 works) and run the command with it.")


def venv_dir(root: Path) -> Path:
    return Path(root) / ".venv"


def venv_python(root: Path) -> Path:
    venv = venv_dir(root)
    return venv / "Scripts" / "python.exe" if os.name == "nt" else venv / "bin" / "python"


def running_in(root: Path) -> bool:
    """Is this interpreter the course's ``.venv``?"""
    return Path(sys.prefix).resolve() == venv_dir(root).resolve()


def _requirements(extra: str) -> list[str] | None:
    """Distribution names the installed course-lib needs for ``extra`` (None: course-lib is not installed)."""
    from importlib import metadata

    try:
        lines = metadata.requires("course-lib") or []
    except metadata.PackageNotFoundError:
        return None
    wanted, names, seen = {"base", extra}, [], set()
    while wanted - seen:
        current = (wanted - seen).pop()
        seen.add(current)
        for line in lines:
            spec, _, marker = line.partition(";")
            match = _EXTRA.search(marker)
            if (match.group(1) if match else "base") != current:
                continue
            name, extras = _NAME.match(spec).groups()
            if name.lower().replace("_", "-") == "course-lib":
                wanted |= {e.strip() for e in (extras or "[]")[1:-1].split(",") if e.strip()}
            else:
                names.append(name)
    return names


def missing(extra: str) -> list[str]:
    """What this interpreter lacks of the set ``extra`` (``"base"``, ``"lab"``, ``"test"``)."""
    from importlib import metadata

    names = _requirements(extra)
    if names is None:
        return ["course-lib"]
    absent = []
    for name in names:
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            absent.append(name)
    return absent


def fingerprint(root: Path) -> str:
    """What an install depends on: the declared dependencies and the pins."""
    digest = hashlib.sha256()
    for name in ("pyproject.toml", CONSTRAINTS):
        path = Path(root) / name
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def _stamp(root: Path, extra: str) -> Path:
    return venv_dir(root) / f".installed-{extra}"


def _pip(python: Path, args: list[str], root: Path) -> None:
    cmd = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", *args]
    if subprocess.call(cmd, cwd=root) != 0:
        raise SystemExit(f"error: the install failed: {' '.join(cmd)}")


def ensure_venv(root: Path, extra: str = "lab", force: bool = False, out=print) -> Path:
    """Create ``.venv/`` if needed and install the course with ``extra`` at the pinned versions, unless that was
    done already for these pyproject.toml and constraints.txt (``force``: install anyway). Returns its Python."""
    check_python()
    if extra not in SETS:
        raise ValueError(f"extra must be one of {', '.join(SETS)}; got {extra!r}")
    root, python = Path(root), venv_python(root)
    stamp, want = _stamp(root, extra), fingerprint(root)
    if not force and python.exists() and stamp.exists() and stamp.read_text() == want:
        return python
    if not python.exists():
        out(f"creating {venv_dir(root)} with Python {sys.version.split()[0]} ...")
        subprocess.check_call([sys.executable, "-m", "venv", str(venv_dir(root))])
    target = "." if extra == "base" else f".[{extra}]"
    out(f"installing the course's {extra} set into {venv_dir(root)} at the tested versions ({CONSTRAINTS}); "
        f"the first time takes a minute or two ...")
    start = time.perf_counter()
    pins = ["-c", str(root / CONSTRAINTS)] if (root / CONSTRAINTS).exists() else []
    if not pins:
        out(f"warning: {root / CONSTRAINTS} is missing: installing the newest versions pyproject.toml allows")
    _pip(python, [*pins, "-e", target], root)
    out(f"installed in {time.perf_counter() - start:.0f} s")
    for done in SETS[: SETS.index(extra) + 1]:  # each set includes the ones before it
        _stamp(root, done).write_text(want)
    return python


def lock(root: Path, run_tests: bool = True, out=print) -> int:
    """Refresh ``constraints.txt``: install the newest versions pyproject.toml allows into a fresh venv, run the
    tests there, and only if they pass, write that venv's exact versions as the new pins."""
    check_python()
    root = Path(root)
    with tempfile.TemporaryDirectory(prefix="course-lock-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
        python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        out("installing the newest versions pyproject.toml allows (no pins) into a fresh venv ...")
        _pip(python, ["-e", ".[test]"], root)
        if run_tests:
            out("running the tests with them (about 15 minutes) ...")
            env = dict(os.environ, COURSE_LIB_LOCKING="1",
                       PATH=os.pathsep.join([str(python.parent), os.environ.get("PATH", "")]))
            status = subprocess.call([str(python), "-m", "course_lib", "test"], cwd=root, env=env)
            if status != 0:
                out(f"the tests failed with the newest versions: {CONSTRAINTS} is unchanged")
                return status
        count = write_constraints(root, python, tested=run_tests)
    out(f"wrote {count} pins to {root / CONSTRAINTS}")
    return 0


def write_constraints(root: Path, python: Path, tested: bool = True) -> int:
    """Pin every package installed in ``python``'s environment (but the course itself) in ``constraints.txt``."""
    frozen = subprocess.run([str(python), "-m", "pip", "freeze", "--exclude-editable", "--disable-pip-version-check"],
                            capture_output=True, text=True, check=True).stdout
    version = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    pins = sorted((line for line in frozen.splitlines() if line and not line.startswith("#")),
                  key=lambda line: line.split("==")[0].lower())
    header = [
        "# The versions the course's tests passed with: `python -m course_lib venv` and `make venv` install these.",
        f"# Pinned from the venv the tests passed in, {time.strftime('%Y-%m-%d')}, Python {version}, {sys.platform}"
        + ("" if tested else " (tests not run)") + ".",
        "# Refresh deliberately: `python -m course_lib lock` (or `make lock`) installs the newest versions",
        "# pyproject.toml allows into a fresh venv, runs every test there and rewrites this file only if they pass;",
        "# commit it with the result. pip ignores the pins of packages an install does not need.",
    ]
    (Path(root) / CONSTRAINTS).write_text("\n".join(header + pins) + "\n", encoding="utf-8")
    return len(pins)
