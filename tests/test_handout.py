"""`make handout`: what a class receives, and that a student can install it and work from it.

The handout holds the student notebooks, course_lib (with its sealed concept checks) and what installs it;
no solution, hidden test, model answer, plain concept-check answer, gradebook, answer key or grade. A
solution notebook or a hidden test planted in it is refused. Unzipped elsewhere, it installs with pip and a
notebook from it runs top to bottom on the installed course_lib.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ASSIGNMENTS, ROOT, tool_env
from course_lib.grading.handout import problems, secret_lines

pytestmark = pytest.mark.slow
A = "02-one-step-rule"


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout")
    proc = subprocess.run(["make", "--no-print-directory", "handout", f"HANDOUT={out}"], cwd=ROOT, env=tool_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no solutions, hidden tests or grades" in proc.stdout
    return out


def test_the_handout_holds_the_notebooks_and_course_lib_and_nothing_secret(handout):
    bundle = handout / "diffusion-forward"
    assert sorted(p.name for p in bundle.iterdir()) == ["README.md", "course_lib", "environment.yml", "notebooks",
                                                        "pyproject.toml"]
    assert sorted(p.name for p in (bundle / "notebooks").iterdir()) == ASSIGNMENTS
    files = sorted(str(p.relative_to(handout)) for p in bundle.rglob("*") if p.is_file())
    with zipfile.ZipFile(handout / "diffusion-forward.zip") as archive:
        assert sorted(n for n in archive.namelist() if not n.endswith("/")) == files
    names = [p.name for p in bundle.rglob("*")]
    assert names.count("questions.json") == 1 and "solutions" not in names and "__pycache__" not in names
    assert not [n for n in names if n.endswith((".db", ".grading.json", ".pyc")) or n == ".answer-keys"]
    sealed = json.loads((bundle / "course_lib" / "checks" / "questions.json").read_text())
    assert sealed and all(set(q) <= set("ABCD") for q in sealed.values())  # letters only, no "correct"
    secrets = set()
    for assignment in ASSIGNMENTS:
        secrets |= secret_lines(nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", 4))
    assert len(secrets) > 50  # the check below has something to find
    for path in (bundle / "notebooks").rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert not any(m in text for m in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "hidden.call(", "hidden.value("))
        assert not secrets & {line.strip() for line in text.splitlines()}
        assert not any(c.get("outputs") for c in nb.cells)


def test_a_solution_or_hidden_test_in_the_handout_is_refused(handout, tmp_path):
    bundle = tmp_path / "diffusion-forward"
    shutil.copytree(handout / "diffusion-forward", bundle)
    release = bundle / "notebooks" / A / f"{A}.ipynb"
    nb = nbformat.read(release, as_version=4)
    test = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_slip")
    test.source += "\n### BEGIN HIDDEN TESTS\nhidden.value(x2_slip, atol=6e-5, name=\"x2_slip\")\n### END HIDDEN TESTS"
    nbformat.write(nb, release)
    shutil.copy(ROOT / "solutions" / A / f"{A}.ipynb", bundle / "notebooks" / A / "copy.ipynb")
    (bundle / "gradebook.db").write_text("")
    found = "\n".join(problems(ROOT, bundle, [A]))
    assert "gradebook.db: not part of a handout" in found
    assert f"{A}.ipynb, cell" in found and "holds the marker BEGIN HIDDEN TESTS" in found
    assert "copy.ipynb, cell" in found and "holds a line of the solution" in found


def test_a_student_installs_the_handout_and_runs_a_notebook_from_it(handout, tmp_path, monkeypatch):
    with zipfile.ZipFile(handout / "diffusion-forward.zip") as archive:
        archive.extractall(tmp_path / "student")
    folder, site = tmp_path / "student" / "diffusion-forward", tmp_path / "site"
    # pip builds it as `make venv` does; the course's dependencies are this venv's (--no-deps), and the
    # handout's own course_lib goes to `site`, first on the kernel's path
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check",
                    "--target", str(site), str(folder)],
                   check=True, env=tool_env(), timeout=300)
    monkeypatch.setenv("PYTHONPATH", str(site))
    path = folder / "notebooks" / A / f"{A}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import course_lib; print(course_lib.__file__)"))
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    assert nb.cells[0].outputs[0].text.startswith(str(site / "course_lib"))
    waiting = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert waiting and all("waiting" in " ".join(o.traceback) for o in waiting)  # untouched exercises wait
