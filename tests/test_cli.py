"""`python -m course_lib`: the route without make, one command per learner target, and from a bare Python."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from course_lib import cli, install


def _run(*args, python=sys.executable, env=None):
    return subprocess.run([str(python), "-m", "course_lib", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env=env)


def test_every_command_resolves_and_says_what_it_does():
    out = _run("--help").stdout
    for name, command in cli.COMMANDS.items():
        assert f"  {name}" in out and command.help in out
        assert callable(cli._resolve(command.target)), name
        assert command.needs in (None, *install.SETS)
    assert "py -m course_lib" in out
    unknown = _run("frobnicate")
    assert unknown.returncode == 2 and "unknown command 'frobnicate'" in unknown.stderr


def test_the_make_targets_call_the_entry_point():
    """One implementation: each learner target of the Makefile is `python -m course_lib <the same command>`."""
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "progress", "update", "test", "venv", "lock"):
        recipe = makefile.split(f"\n{target}:", 1)[1].split("\n\n", 1)[0]
        assert f"-m course_lib {target}" in recipe, f"make {target} does not call python -m course_lib {target}"


def test_the_test_command_is_what_ci_runs(monkeypatch):
    """`python -m course_lib test` (and so `make test`, and CI) runs every test and every solution with nbval,
    from the course's folder, with this Python's scripts first on PATH (nbgrader calls alembic from there)."""
    seen = {}
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, cwd, env: seen.update(cmd=cmd, cwd=cwd, env=env) or 7)
    assert cli.test_main(["-x"]) == 7
    assert seen["cmd"] == [sys.executable, "-m", "pytest", "tests", "solutions", "--nbval", "--nbval-current-env",
                           "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "--durations=15", "-x"]
    assert seen["cwd"] == ROOT and seen["env"]["PATH"].startswith(str(Path(sys.executable).parent))


def _bare_python() -> Path | None:
    """The Python this venv was made from: it has no course_lib installed."""
    base = Path(getattr(sys, "_base_executable", "") or "")
    return base if base.is_file() and Path(sys.prefix) != Path(sys.base_prefix) else None


@pytest.mark.slow
@pytest.mark.skipif(not install.running_in(ROOT) or _bare_python() is None,
                    reason="needs the course's .venv and the Python it was made from")
def test_a_bare_python_runs_the_command_in_the_course_venv(tmp_path):
    """What a Windows learner types, `py -m course_lib progress`: a Python without the course installed finds
    the course's .venv (creating it if needed, here it exists) and runs the command there."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "COURSE_LIB_IN_VENV")}
    probe = subprocess.run([str(_bare_python()), "-c", "import importlib.util as u; print(u.find_spec('nbgrader'))"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    if probe.stdout.strip() != "None":
        pytest.skip("the base Python has the course's packages; nothing to bootstrap")
    bare = _run("progress", "--work", str(tmp_path / "nope"), python=_bare_python(), env=env)
    assert bare.returncode == 1
    assert bare.stderr.strip().endswith("python -m course_lib lab` (or `make lab`) creates it; --work picks "
                                        "another folder"), bare.stderr


def test_a_python_without_numpy_can_run_the_entry_point():
    """`python -m course_lib venv` must start in a Python that has nothing installed yet (it installs numpy)."""
    code = "import sys; sys.modules['numpy'] = None; import runpy; runpy.run_module('course_lib', run_name='__main__')"
    proc = subprocess.run([sys.executable, "-c", code, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and "commands:" in proc.stdout, proc.stderr
    blocked = subprocess.run([sys.executable, "-c", "import sys; sys.modules['numpy'] = None; "
                              "from course_lib import forward_step"], cwd=ROOT, capture_output=True, text=True,
                             timeout=120)
    assert blocked.stderr.strip().splitlines()[-1] == (
        "ModuleNotFoundError: course_lib.forward_step needs numpy, which this Python does not have: pip install "
        "numpy (or run `python -m course_lib venv`)"), "the library itself still needs numpy, and says so"
