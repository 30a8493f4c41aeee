"""Build every corpus submission, grade them all with the course's real workflow, compare with the truth.

``python tests/grading_corpus.py`` (``make grade-selftest``) prints one row per submission -- expected,
got, and whether they match -- and exits 1 on any mismatch. Every plausible answer (a submission with a
``kind``: right, wrong, in place, scalar-only, reference-only) also runs through the visible checks as a
learner runs them, and must get the same verdict there, cell by cell, as from the grader.
``tests/test_grading.py`` runs the same thing inside ``make test``. The corpus: per-notebook entries in
``tests/corpus/nbNN.py`` plus the cheap tricks and faults of ``tests/corpus/generic.py`` for every notebook in
``solutions/``. Plausible answers to different exercises are graded together, several in one submission
(:func:`bundle_plan`), and judged one by one: the same checks with a fraction of the kernel runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from corpus import Submission  # noqa: E402
from corpus.generic import generic_submissions  # noqa: E402

SOLUTION_REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n|^[ \t]*### END SOLUTION[^\n]*\n?", re.M)


def ensure_bubblewrap() -> None:
    """Install Debian's bubblewrap when running as root without it (as CI does): the grader contains
    student code with it. As an ordinary user nothing is installed (the grader then says which mode it uses)."""
    if shutil.which("bwrap") or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "install", "-y", "bubblewrap"]
    if subprocess.run(install, env=env, capture_output=True, timeout=900).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=900)
        subprocess.run(install, env=env, capture_output=True, timeout=900, check=True)


def _meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _strip_markers(source: str) -> str:
    return SOLUTION_REGION.sub("", source)


def exercises_of(solution_nb) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """``[(solution_cell_id, test_cell_id), ...]`` in notebook order, and each solution cell's answer code."""
    pairs, answers, pending = [], {}, []
    for cell in solution_nb.cells:
        meta = _meta(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            answers[meta["grade_id"]] = _strip_markers(cell.source)
            pending.append(meta["grade_id"])
        elif cell.cell_type == "code" and meta.get("grade"):
            pairs += [(s, meta["grade_id"]) for s in pending]
            pending = []
    return pairs, answers


def corpus_for(assignment: str) -> list[Submission]:
    """The notebook's own entries (tests/corpus/nbNN.py, if any) then the generic ones."""
    solution_nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    pairs, answers = exercises_of(solution_nb)
    own = []
    for path in sorted((ROOT / "tests" / "corpus").glob("nb*.py")):
        spec = importlib.util.spec_from_file_location(f"corpus.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if module.ASSIGNMENT == assignment:
            own = list(module.SUBMISSIONS)
    return own + generic_submissions(pairs, answers)


def build_submission(release_nb, answers: dict[str, str], sub: Submission, course: Path):
    """The release notebook with the solution's ``answers`` (see :func:`exercises_of`), then ``sub``'s edits."""
    def extra_cells(after: str) -> list:
        return [new_code_cell(src.format(course=course, repo=ROOT)) for g, src in sub.extra if g == after]

    nb = nbformat.from_dict(json.loads(nbformat.writes(release_nb)))
    cells = []
    for cell in nb.cells:
        meta = _meta(cell)
        grade_id = meta.get("grade_id")
        if cell.cell_type == "code" and meta.get("solution"):
            cell.source = sub.answers.get(grade_id, answers[grade_id])
        elif cell.cell_type == "markdown" and meta.get("solution"):
            cell.source = "Because the variance must stay at one."
        action = sub.tests.get(grade_id)
        if action == "delete":
            continue
        if action == "markdown":
            cell = new_markdown_cell(cell.source, metadata=cell.metadata)
        elif action == "rename":
            meta["grade_id"] = grade_id + "_renamed"
        elif action is not None:
            cell.source = action
        cells.append(cell)
        if grade_id:
            cells += extra_cells(grade_id)
    cells[1:1] = extra_cells("")  # top extras: under the title, before the setup cell runs
    for i, cell in enumerate(cells):
        cell.setdefault("id", f"corpus-{i}")
    nb.cells = cells
    return nb


def student_id(assignment: str, name: str) -> str:
    return f"{assignment[:2]}-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48]


@contextmanager
def scratch_shell():
    """An in-process IPython shell that leaves no trace: IPython puts its own ``__main__`` (without
    ``__spec__``, which spawned worker processes need) into ``sys.modules`` and makes itself what
    ``get_ipython()`` returns; both are undone on exit."""
    import matplotlib

    matplotlib.use("Agg")
    from IPython.core.interactiveshell import InteractiveShell

    saved = sys.modules["__main__"], sys.displayhook, sys.excepthook
    shell = InteractiveShell.instance()
    try:
        yield shell
    finally:
        InteractiveShell.clear_instance()
        sys.modules["__main__"], sys.displayhook, sys.excepthook = saved


def _visible_failures(assignment: str, subs: list[Submission]) -> dict[str, set[str]]:
    """For each submission: the test cells whose *visible* check fails, run as in the learner's notebook.

    One IPython shell runs the release's setup cell, the submission's answer cells and the release's test
    cells (visible checks only; the release has no hidden tests) in notebook order, afresh per submission.
    """
    import contextlib
    import io

    release_nb = nbformat.read(ROOT / "notebooks" / assignment / f"{assignment}.ipynb", as_version=4)
    _, answers = exercises_of(nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", 4))
    setup = next(c.source for c in release_nb.cells if c.cell_type == "code")
    setup = "\n".join(line for line in setup.splitlines() if not line.startswith("%"))
    from course_lib.checks import _core, _notebook

    failures = {}
    with scratch_shell() as shell:
        _notebook.install(shell)
        for sub in subs:
            nb = build_submission(release_nb, answers, sub, ROOT)
            lost = set()
            _core.VALUE_SOURCES.clear()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                shell.reset(new_session=False)
                assert shell.run_cell(setup).success, "the release's setup cell failed"
                for cell in nb.cells:
                    meta, source = _meta(cell), "".join(cell.source)  # a list of lines where build_submission kept it
                    if cell.cell_type == "code" and meta.get("solution"):
                        shell.run_cell(source)
                    elif cell.cell_type == "code" and meta.get("grade") and not shell.run_cell(source).success:
                        lost.add(meta["grade_id"])
            failures[sub.name] = lost
    return failures


def visible_plan(plan) -> dict[str, dict[str, set[str]]]:
    """:func:`_visible_failures` for every plausible answer (a submission with a ``kind``) of ``plan``."""
    return {a: _visible_failures(a, [s for _, s in entries if s is not None and s.kind]) for a, entries in plan.items()}


@dataclass
class Row:
    assignment: str
    name: str
    expected: str
    got: str
    ok: bool
    lost: tuple[str, ...] = ()  # the test cells that lost their points


#: The corpus' scratch courses stop runaway cells sooner than a real course (the slowest honest cell takes
#: about 2 s on 2 busy cores): the fault cases cost 10 s each instead of 30.
CORPUS_CONFIG = "c.Execute.timeout = 10\nc.SandboxedExecute.submission_timeout = 60\n"


def make_course(folder: Path, plan: dict[str, list[tuple[str, Submission | None]]], config: str = "") -> None:
    """A scratch course in ``folder`` with the planned submissions in ``submitted/``; ``config`` is added to
    its nbgrader_config.py."""
    from course_lib.grading.course import api as _api

    ensure_bubblewrap()
    shutil.copy(ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    if config:
        with open(folder / "nbgrader_config.py", "a") as fh:
            fh.write("\n" + config)
    for assignment, entries in plan.items():
        shutil.copytree(ROOT / "solutions" / assignment, folder / "solutions" / assignment)
        result = _api(folder).generate_assignment(assignment, force=True, create=True)
        assert result["success"], result["error"]
        _, answers = exercises_of(nbformat.read(folder / "solutions" / assignment / f"{assignment}.ipynb", 4))
        release_nb = nbformat.read(folder / "notebooks" / assignment / f"{assignment}.ipynb", as_version=4)
        for sid, sub in entries:
            dest = folder / "submitted" / sid / assignment
            dest.mkdir(parents=True)
            nb = release_nb if sub is None else build_submission(release_nb, answers, sub, folder)
            nbformat.write(nb, dest / f"{assignment}.ipynb")
            for name, content in (sub.files if sub else {}).items():
                (dest / name).write_text(content)


def plan_for(assignments: list[str]) -> dict[str, list[tuple[str, Submission | None]]]:
    """Every corpus submission per assignment, with its student id (None: the untouched release)."""
    return {a: [(student_id(a, "untouched release"), None)] + [(student_id(a, s.name), s) for s in corpus_for(a)]
            for a in assignments}


def _tests_of(assignment: str) -> dict[str, set[str]]:
    """For each answer cell, the test cells that grade it (the next test cell after it)."""
    pairs, _ = exercises_of(nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", 4))
    owned: dict[str, set[str]] = {}
    for answer, test in pairs:
        owned.setdefault(answer, set()).add(test)
    return owned


def _own_tests(sub: Submission, owned: dict[str, set[str]]) -> set[str]:
    return set().union(*(owned.get(a, set()) for a in sub.answers))


def bundle_plan(plan) -> tuple[dict, dict[str, tuple[Submission, ...]]]:
    """The same plan with plausible answers graded together: one submission carries the changed answer
    cells of several corpus entries that change *different* exercises and lose only their own exercises'
    test cells. Exercises are graded independently (a mistake costs its own exercise only, the checks and
    hidden tests substitute known-good versions of the others), so one kernel run grades them all; each
    member is still checked on its own cells (:func:`check`), and any bundle that shows anything unexpected
    is graded again member by member (:func:`run`). Returns the plan and ``{bundle id: members}``."""
    bundled, members = {}, {}
    for assignment, entries in plan.items():
        owned, kept, groups = _tests_of(assignment), [], []
        for sid, sub in entries:
            own = _own_tests(sub, owned) if sub is not None else set()
            if sub is None or not sub.kind or not sub.answers or not sub.loses <= own:
                kept.append((sid, sub))
                continue
            group = next((g for g in groups if not (g["answers"] & set(sub.answers) or g["tests"] & own)), None)
            if group is None:
                group = {"answers": set(), "tests": set(), "subs": []}
                groups.append(group)
            group["answers"] |= set(sub.answers)
            group["tests"] |= own
            group["subs"].append(sub)
        for i, group in enumerate(groups):
            subs = tuple(group["subs"])
            if len(subs) == 1:
                kept.append((student_id(assignment, subs[0].name), subs[0]))
                continue
            sid = f"{assignment[:2]}-bundle-{i:02d}"
            merged = Submission(f"bundle {i}", {k: v for sub in subs for k, v in sub.answers.items()})
            kept.append((sid, merged))
            members[sid] = subs
        bundled[assignment] = kept
    return bundled, members


def check(folder: Path, plan, visible: dict[str, dict[str, set[str]]] | None = None,
          members: dict[str, tuple[Submission, ...]] | None = None) -> list[Row]:
    """Compare every graded submission with its expectation, cell by cell, and each plausible answer's
    grade with its visible checks' verdicts (``visible``, from :func:`visible_plan`). A bundle (``members``,
    from :func:`bundle_plan`) gives one row per member, judged on its own exercises' test cells."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
        for assignment, entries in plan.items():
            owned = _tests_of(assignment)
            for sid, graded_sub in entries:
                notebook = gb.find_submission_notebook(assignment, assignment, sid)
                auto = {g.name: (g.auto_score, g.max_score) for g in notebook.grades if g.cell_type == "code"}
                lost_all = {k for k, (score, top) in auto.items() if score != top}
                group = (members or {}).get(sid)
                explained = set().union(*(_own_tests(m, owned) for m in group)) if group else set(auto)
                for sub in group or (graded_sub,):
                    mine = _own_tests(sub, owned) if group else set(auto)
                    lost = (lost_all & mine) | (lost_all - explained)  # a loss no member explains is everyone's
                    rows.append(_row(folder, assignment, sid, sub, auto, lost, visible))
    return rows


def _row(folder: Path, assignment: str, sid: str, sub, auto, lost, visible) -> Row:
    """One submission's (or bundle member's) row: its expected and actual cells, flags and message."""
    partial = {k for k in lost if auto[k][0] not in (0, auto[k][1])}
    expected_lost = set(auto) if sub is None else set(sub.loses)
    total = sum(top for _, top in auto.values())
    report = folder / "autograded" / sid / assignment / f"{assignment}.grading.json"
    flags = json.loads(report.read_text())["flags"] if report.exists() else ["(no report)"]
    problems = []
    if lost != expected_lost or partial:
        problems.append(f"lost {sorted(lost)}")
    seen = (visible or {}).get(assignment, {}).get(sub.name) if sub is not None else None
    if seen is not None and seen != lost:
        problems.append(f"the visible checks fail {sorted(seen)}, the grader {sorted(lost)}")
    missing_flags = [f for f in (sub.flags if sub else ()) if not any(x.startswith(f) for x in flags)]
    if missing_flags:
        problems.append(f"no flag {missing_flags}")
    if sub is not None and sub.says:
        graded = nbformat.read(folder / "autograded" / sid / assignment / f"{assignment}.ipynb", 4)
        text = json.dumps([c.outputs for c in graded.cells if _meta(c).get("grade_id") in sub.loses])
        if sub.says not in text.replace("\\n", "\n"):
            problems.append(f"does not say {sub.says!r}")
    score = total - sum(auto[k][1] for k in lost)
    expected_score = total - sum(auto[k][1] for k in expected_lost if k in auto)
    return Row(assignment, sub.name if sub else "untouched release",
               f"{expected_score:g}/{total:g}" + (f" {sorted(sub.flags)}" if sub and sub.flags else ""),
               f"{score:g}/{total:g}" + (f" {flags}" if flags else "") + "; ".join([""] + problems),
               not problems, tuple(sorted(lost)))


def grade_plan(plan, visible=None, members=None) -> list[Row]:
    """Build a scratch course for ``plan``, grade it with the course's workflow, check every submission
    (each member of a bundle on its own, see :func:`bundle_plan`)."""
    import warnings

    from course_lib.grading.workflow import grade

    warnings.filterwarnings("ignore", module="nbgrader")
    with tempfile.TemporaryDirectory(prefix="grading-corpus-") as tmp:
        folder = Path(tmp)
        make_course(folder, plan, CORPUS_CONFIG)
        grade(folder, force=True, out=lambda line: None, feedback=False)
        return check(folder, plan, visible, members)


def _agree(rows: list[Row], visible: dict[str, dict[str, set[str]]]) -> None:
    """Mark every plausible answer whose visible checks fail other cells than the grader took points for."""
    for row in rows:
        seen = visible.get(row.assignment, {}).get(row.name)
        if seen is not None and seen != set(row.lost):
            row.got += f"; the visible checks fail {sorted(seen)}, the grader {sorted(row.lost)}"
            row.ok = False


def run(assignments: list[str] | None = None, out=print, workers: int = 2) -> list[Row]:
    """Grade the whole corpus in ``workers`` scratch courses at once, while the visible checks run in one more
    process; print the table; return its rows.

    Each scratch course has its own gradebook, so the workers never share a SQLite writer.
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    assignments = assignments or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    ensure_bubblewrap()  # once, before the workers start
    plan = plan_for(assignments)
    bundled, members = bundle_plan(plan)
    shares = [{a: entries[w::workers] for a, entries in bundled.items()} for w in range(workers)]
    with ProcessPoolExecutor(workers + 1, mp_context=get_context("spawn")) as pool:
        visible = pool.submit(visible_plan, plan)
        graded = [pool.submit(grade_plan, share, None, members) for share in shares]
        rows = [row for future in graded for row in future.result()]
        # a bundle member that was not graded exactly as expected is graded again on its own
        again = {(r.assignment, r.name) for r in rows if not r.ok}
        bundled_subs = {id(sub) for group in members.values() for sub in group}
        retry = {a: [(sid, s) for sid, s in entries if s is not None and (a, s.name) in again
                     and id(s) in bundled_subs] for a, entries in plan.items()}
        if any(retry.values()):
            redone = {(r.assignment, r.name): r for r in grade_plan(retry)}
            rows = [redone.get((r.assignment, r.name), r) for r in rows]
        _agree(rows, visible.result())
    order = {(a, s.name if s else "untouched release"): i for a, e in plan.items() for i, (_, s) in enumerate(e)}
    rows.sort(key=lambda r: (r.assignment, order[(r.assignment, r.name)]))
    width = max(len(r.name) for r in rows)
    out(f"{'assignment':<22} {'submission':<{width}}  {'expected':<24} got")
    for r in rows:
        out(f"{r.assignment:<22} {r.name:<{width}}  {r.expected:<24} {r.got}  {'ok' if r.ok else 'MISMATCH'}")
    out(f"{sum(r.ok for r in rows)} of {len(rows)} submissions graded exactly as expected")
    plausible = [(a, s) for a, entries in plan.items() for _, s in entries if s is not None and s.kind]
    cells = sum(len(exercises_of(nbformat.read(ROOT / "solutions" / a / f"{a}.ipynb", 4))[0]) for a, _ in plausible)
    disagree = [r for r in rows if "the visible checks fail" in r.got]
    out(f"visible checks and grader agree on {len(plausible) - len(disagree)} of {len(plausible)} plausible answers "
        f"({cells} test-cell verdicts compared)")
    return rows


if __name__ == "__main__":
    from grading_corpus import run as module_run  # workers find the functions they are sent in the module

    rows = module_run(sys.argv[1:] or None)
    sys.exit(0 if all(r.ok for r in rows) else 1)
