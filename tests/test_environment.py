"""The install sets, environment.yml (conda, Binder), constraints.txt and the venv agree, and a plain
`pip install .` leaves nothing behind in the repository."""

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, version

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from conftest import ROOT
from course_lib import install

#: The base must stay light enough to `pip install` into Colab, Binder or any Jupyter: what the notebooks import.
BASE = {"numpy", "matplotlib", "pillow", "ipywidgets", "anywidget"}
LAB = {"jupyterlab", "ipykernel", "nbgrader"}
#: `python -m course_lib lock` runs the tests in a fresh, unpinned venv; there the pins are being made.
LOCKING = os.environ.get("COURSE_LIB_LOCKING") == "1"


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _requirements(lines) -> dict[str, SpecifierSet]:
    return {canonicalize_name(Requirement(r).name): Requirement(r).specifier for r in lines
            if canonicalize_name(Requirement(r).name) != "course-lib"}


def _sets() -> dict[str, dict[str, SpecifierSet]]:
    project, extras = _project(), _project()["optional-dependencies"]
    base = _requirements(project["dependencies"])
    lab = base | _requirements(extras["lab"])
    return {"base": base, "lab": lab, "test": lab | _requirements(extras["test"]) | _requirements(extras["book"])}


def _conda() -> tuple[dict[str, str], dict[str, SpecifierSet], list]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    raw, conda, pip = {}, {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep["pip"])
            continue
        name = re.match(r"[A-Za-z0-9_.-]+", dep).group(0)
        raw[name] = dep
        if name not in ("python", "pip"):
            conda[canonicalize_name(name)] = Requirement(dep.replace(" ", "")).specifier
    return raw, conda, pip


def test_the_sets_are_separate_and_nest():
    sets = _sets()
    assert set(sets["base"]) == BASE, "the base is what the notebooks import, nothing more"
    assert set(sets["lab"]) - set(sets["base"]) == LAB
    assert {"pytest", "nbval", "hypothesis", "playwright"} <= set(sets["test"]) - set(sets["lab"])
    assert {"sphinx", "myst-nb"} <= set(sets["test"]) - set(sets["lab"]), "test includes the web edition's set"
    assert "course-lib[lab,book]" in _project()["optional-dependencies"]["test"], "test includes lab and book"


def test_environment_yml_is_the_learners_set_and_follows_binders_conventions():
    raw, conda, pip = _conda()
    assert (ROOT / "environment.yml").is_file(), "Binder reads environment.yml at the repository's root"
    assert conda == _sets()["lab"], "environment.yml lists the base and lab sets with pyproject.toml's bounds"
    assert pip == ["-e ."], "environment.yml installs the course itself with pip: -e ."
    assert "pip" in raw
    # Binder takes the Python version only from `python=X.Y`; it must be one pyproject allows, the tested one.
    match = re.fullmatch(r"python=(\d+)\.(\d+)", raw["python"])
    assert match, f"Binder needs python=X.Y in environment.yml, not {raw['python']!r}"
    assert SpecifierSet(_project()["requires-python"]).contains(f"{match[1]}.{match[2]}.0")
    assert (int(match[1]), int(match[2])) == sys.version_info[:2], "the Python the tests run on"


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / install.CONSTRAINTS).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"constraints.txt pins exact versions: {line}"
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_constraints_pin_every_declared_package_within_its_bounds():
    pins = _pins()
    for name, spec in _sets()["test"].items():
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert spec.contains(pins[name], prereleases=True), f"the pin {name}=={pins[name]} is outside {spec}"
    assert "course-lib" not in pins and "pip" not in pins and "setuptools" not in pins


@pytest.mark.skipif(LOCKING, reason="python -m course_lib lock is testing newer versions to pin")
def test_the_venv_has_the_pinned_versions():
    """The tests ran with exactly the pins (a class next year installs what was tested)."""
    for name, pinned in _pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # a package only another platform needs
        assert installed == pinned, f"{name} {installed} is installed, constraints.txt pins {pinned}"


def test_installed_versions_satisfy_pyproject_and_the_installer_sees_no_gap():
    for name, spec in _sets()["test"].items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            raise AssertionError(f"{name} is in pyproject.toml but not installed in {sys.prefix}") from None
        assert spec.contains(installed, prereleases=True), f"{name} {installed} does not satisfy {spec}"
    assert SpecifierSet(_project()["requires-python"]).contains(".".join(map(str, sys.version_info[:3])))
    assert {s: install.missing(s) for s in install.SETS} == {"base": [], "lab": [], "test": []}
    names = {s: {canonicalize_name(n) for n in install._requirements(s)} for s in install.SETS}
    assert names == {s: set(v) for s, v in _sets().items()}, "the entry point reads the same sets"


def test_the_course_library_is_installed_editable_from_this_checkout():
    import course_lib

    assert version("course-lib") == course_lib.__version__
    assert (ROOT / "course_lib" / "__init__.py").samefile(course_lib.__file__)


@pytest.mark.slow
def test_a_plain_pip_install_leaves_no_build_folder_and_ships_the_data(tmp_path):
    """`pip install .` builds a wheel from the repository: no build/ left behind, every data file inside."""
    before = set(os.listdir(ROOT))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert set(os.listdir(ROOT)) == before, "building the course left files in the repository"
    (wheel,) = tmp_path.glob("course_lib-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ["course_lib/checks/questions.json", "course_lib/jupyter_learner/labconfig/page_config.json",
                 "course_lib/jupyter_learner/jupyter_server_config.json", "course_lib/grading/sandbox.py"]:
        assert data in names, f"{data} is not in the wheel"
    assert not any(n.startswith(("tests/", "solutions/", "notebooks/")) for n in names)


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    for command in ("make lab", "make test", "make progress", "make update", "py -m course_lib lab",
                    "python -m course_lib progress"):
        assert command in readme, f"the README does not say `{command}`"
