"""environment.yml, pyproject.toml and the installed venv agree, so the two install routes cannot drift."""

import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from conftest import ROOT


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pyproject_requirements() -> dict[str, SpecifierSet]:
    return {Requirement(r).name.lower(): Requirement(r).specifier for r in _pyproject()["dependencies"]}


def _conda_requirements() -> tuple[dict[str, SpecifierSet], list]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep["pip"])
            continue
        req = Requirement(dep.replace(" ", ""))
        conda[req.name.lower()] = req.specifier
    return conda, pip


def test_environment_yml_lists_the_same_packages_and_bounds_as_pyproject():
    conda, pip = _conda_requirements()
    assert pip == ["-e ."], "environment.yml must install the course itself with pip: -e ."
    assert conda.pop("python") == SpecifierSet(_pyproject()["requires-python"])
    conda.pop("pip")
    assert conda == _pyproject_requirements()


def test_installed_versions_satisfy_pyproject():
    for name, spec in _pyproject_requirements().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            raise AssertionError(f"{name} is in pyproject.toml but not installed in {sys.prefix}") from None
        assert spec.contains(installed, prereleases=True), f"{name} {installed} does not satisfy {spec}"
    assert SpecifierSet(_pyproject()["requires-python"]).contains(".".join(map(str, sys.version_info[:3])))


def test_the_course_library_is_installed_editable_from_this_checkout():
    import course_lib

    assert version("course-lib") == course_lib.__version__
    assert (ROOT / "course_lib" / "__init__.py").samefile(course_lib.__file__)


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
