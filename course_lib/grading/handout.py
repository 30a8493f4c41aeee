"""What to hand out to a class: the student notebooks and the course library, nothing else.

``make handout`` (:func:`build`) writes ``handout/<course_id>/`` and ``handout/<course_id>.zip`` holding

- ``notebooks/<assignment>/``: the release, as ``make release`` generated it (no solutions, no hidden tests,
  no outputs);
- ``course_lib/``: the library the notebooks import, with its concept checks sealed
  (``course_lib/checks/questions.json``), and ``pyproject.toml`` and ``environment.yml`` to install it;
- ``README.md``: how a student installs and starts.

It holds nothing from ``solutions/`` (notebooks, ``questions.json``), no gradebook, answer keys,
submissions, grades or feedback. :func:`problems` checks the written folder before the zip is made, and
refuses it when a notebook holds a solution, a hidden test, a mark scheme, an output, or any line of a
model answer, when an assignment has no release, or when the sealed concept checks are not those of
``solutions/`` (``make release`` was not run after an edit).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat

from .course import load_config, source_assignments

__all__ = ["build", "problems", "secret_lines", "INSTALL_FILES"]

#: Files of the repository root that install the course library.
INSTALL_FILES = ("pyproject.toml", "environment.yml")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN MARK SCHEME",
           "END MARK SCHEME")
#: Lines of a source notebook's secret parts with fewer letters and digits than this are not searched for
#: (``return x`` or a table rule may appear in a release for good reasons); every other one must be absent
#: from the handout's notebooks.
MIN_SECRET_CHARS = 12
_REGION = re.compile(r"^[ \t]*#*[ \t]*BEGIN (SOLUTION|HIDDEN TESTS|MARK SCHEME)[^\n]*\n(.*?)^[^\n]*END \1",
                     re.M | re.S)
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")

README = """# {title}: student handout

The course's notebooks are in `notebooks/`, one folder per assignment; `course_lib/` is the small library
they import (the checks after each exercise live there too).

## Install and start

You need Python 3.11 or newer. In this folder:

```bash
python3 -m venv .venv
.venv/bin/pip install .          # on Windows: .venv\\Scripts\\pip install .
.venv/bin/jupyter lab notebooks  # on Windows: .venv\\Scripts\\jupyter lab notebooks
```

(With conda or mamba instead: `mamba env create -f environment.yml`, `conda activate diffusion-forward`,
then `jupyter lab notebooks`.)

Each exercise is marked **Exercise** and followed by a check cell that tells you at once whether your answer
is right and, if not, what the likely mistake is; `checks.hint("<exercise>")` gives hints. The grader runs
further tests of its own; written answers are graded by a person. Hand in
`notebooks/<assignment>/<assignment>.ipynb` the way your instructor tells you to.
"""


def secret_lines(source_nb) -> set[str]:
    """The lines of a source notebook a class must not see: its solution regions, hidden tests and mark
    schemes, and its written model answers (stripped; with at least :data:`MIN_SECRET_CHARS` letters or digits)."""
    texts = []
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution"):
            texts.append(cell.source)
        else:
            texts += [m.group(2) for m in _REGION.finditer(cell.source + "\n")]
    lines = {line.strip() for text in texts for line in text.splitlines()}
    return {line for line in lines if sum(ch.isalnum() for ch in line) >= MIN_SECRET_CHARS}


def _sealed_problems(root: Path, bundle: Path) -> list[str]:
    from .workflow import seal_questions

    path = bundle / "course_lib" / "checks" / "questions.json"
    try:
        sealed = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        return [f"{path}: cannot be read ({err})"]
    found = []
    if any(not isinstance(v, dict) or "correct" in v or "feedback" in v for v in sealed.values()):
        found.append(f"{path}: holds concept checks that are not sealed")
    stale = [name for name, question in seal_questions(root).items() if sealed.get(name) != question]
    if stale:
        found.append(f"{path}: the concept checks {', '.join(stale)} differ from solutions/ (run make release)")
    extra = [p for p in bundle.rglob("questions.json") if p != path]
    found += [f"{p}: a questions.json outside course_lib/checks/" for p in extra]
    return found


def problems(root: Path, bundle: Path, assignments: list[str]) -> list[str]:
    """Everything wrong with the handout folder ``bundle`` for ``assignments`` of the course in ``root``
    (see the module docstring); empty when it can be handed out."""
    config = load_config(root)
    source_dir, release_dir = (Path(root) / config.CourseDirectory.source_directory,
                               Path(root) / config.CourseDirectory.release_directory)
    found = []
    allowed = {"README.md", "notebooks", "course_lib", *INSTALL_FILES}
    found += [f"{p}: not part of a handout" for p in bundle.iterdir() if p.name not in allowed]
    found += [f"{p}: a notebook outside notebooks/" for p in bundle.rglob("*.ipynb")
              if bundle / "notebooks" not in p.parents]
    for assignment in assignments:
        secrets = set()
        for source in sorted((source_dir / assignment).glob("*.ipynb")):
            secrets |= secret_lines(nbformat.read(source, as_version=4))
        released = sorted((bundle / "notebooks" / assignment).glob("*.ipynb"))
        if not released:
            found.append(f"{assignment}: no release notebook in {release_dir.name}/{assignment}/ (run make release)")
        for path in released:
            nb = nbformat.read(path, as_version=4)
            for index, cell in enumerate(nb.cells):
                where = f"{path.relative_to(bundle)}, cell {index}"
                found += [f"{where}: holds the marker {m}" for m in MARKERS if m in cell.source]
                leaked = sorted(secrets & {line.strip() for line in cell.source.splitlines()})
                found += [f"{where}: holds a line of the solution: {line!r}" for line in leaked[:3]]
                if cell.get("outputs"):
                    found.append(f"{where}: has outputs (a release has none)")
    return found + _sealed_problems(root, bundle)


def build(root: Path, out: Path, assignments: list[str] | None = None, say=print) -> bool:
    """Write the handout of ``assignments`` (default: all) to ``out/<course_id>/`` and zip it; False (and
    no zip) if :func:`problems` finds anything, each problem printed."""
    import course_lib

    root, out = Path(root), Path(out)
    config = load_config(root)
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    assignments = assignments or source_assignments(coursedir)
    bundle = out / coursedir.course_id
    shutil.rmtree(bundle, ignore_errors=True)
    (out / f"{coursedir.course_id}.zip").unlink(missing_ok=True)
    bundle.mkdir(parents=True)
    release_dir = root / coursedir.release_directory
    for assignment in assignments:
        if (release_dir / assignment).is_dir():
            shutil.copytree(release_dir / assignment, bundle / "notebooks" / assignment, ignore=IGNORE)
    shutil.copytree(Path(course_lib.__file__).parent, bundle / "course_lib", ignore=IGNORE)
    for name in INSTALL_FILES:
        shutil.copy2(root / name, bundle / name)
    title = (root / "README.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip() \
        if (root / "README.md").is_file() else coursedir.course_id
    (bundle / "README.md").write_text(README.format(title=title), encoding="utf-8")
    found = problems(root, bundle, assignments)
    for problem in found:
        say(f"handout refused: {problem}")
    if found:
        return False
    archive = shutil.make_archive(str(out / coursedir.course_id), "zip", root_dir=out, base_dir=coursedir.course_id)
    say(f"handout: {bundle}/ and {archive} ({', '.join(assignments)}); no solutions, hidden tests or grades")
    return True
