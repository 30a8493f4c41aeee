"""The lines at the top of every notebook's first code cell find course_lib or say in one line how to install
it: run here with course_lib installed, inside a clone without it installed, and with neither."""

import json
import shutil
import subprocess
import sys
from pathlib import Path


from conftest import ROOT
from course_lib.first_cell import FIRST_CELL

RUN = FIRST_CELL + "\nprint('found', course_lib.__file__)\n"


def _bare_python() -> str:
    """A Python without course_lib: the one this venv was made from (or this one, isolated from site-packages)."""
    return getattr(sys, "_base_executable", None) or sys.executable


def _run(cwd: Path, python: str, isolated: bool) -> subprocess.CompletedProcess:
    flags = ["-I"] if isolated else []
    return subprocess.run([python, *flags, "-c", RUN], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_found_when_installed(tmp_path):
    proc = _run(tmp_path, sys.executable, isolated=False)
    assert proc.returncode == 0 and proc.stdout.startswith("found " + str(ROOT / "course_lib")), proc.stderr


def test_found_in_the_clone_that_holds_the_notebook(tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "course_lib", clone / "course_lib", ignore=shutil.ignore_patterns("__pycache__"))
    notebook_dir = clone / "my-work" / "02-one-step-rule"
    notebook_dir.mkdir(parents=True)
    proc = _run(notebook_dir, _bare_python(), isolated=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"found {clone / 'course_lib' / '__init__.py'}"


def test_elsewhere_one_line_says_how_to_install_it(tmp_path):
    proc = _run(tmp_path, _bare_python(), isolated=True)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: course_lib is not installed: open this notebook from the course's "
                           "folder, or run  %pip install")
    assert last.endswith("in a cell, then restart the kernel")


def test_every_notebook_starts_with_it():
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        first = next(c for c in cells if c["cell_type"] == "code")
        assert "".join(first["source"]).startswith(FIRST_CELL), f"{path.name}'s first code cell does not start with it"
