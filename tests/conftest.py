"""Shared fixtures: paths, the venv's tools, and a temporary nbgrader course."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and list(p.glob("*.ipynb")))

# Submissions in the grading corpus are data, not notebooks to execute with nbval.
collect_ignore_glob = ["submissions/*"]


def tool_env() -> dict:
    """The environment for nbgrader / jupyter subprocesses: the venv's bin/ first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("MPLBACKEND", "Agg")
    return env


def nbgrader(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """Run the venv's nbgrader CLI in ``cwd`` (nbgrader reads nbgrader_config.py from there)."""
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=tool_env(),
                          capture_output=True, text=True, timeout=900)
    if check and proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def reference():
    """diffusers 0.42.1's schedule arrays at a dozen timesteps (see tests/data/diffusers_schedules.json)."""
    return json.loads((ROOT / "tests" / "data" / "diffusers_schedules.json").read_text())


@pytest.fixture(scope="session")
def course_dir(tmp_path_factory) -> Path:
    """A throwaway nbgrader course: the repo's config and solutions/, with the release generated into it."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions", course / "solutions",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for assignment in ASSIGNMENTS:
        nbgrader(["generate_assignment", assignment, "--force"], cwd=course)
    return course
