"""Progress across the course: every notebook's visible checks, run on the learner's saved working copy.

``python -m course_lib progress`` (``make progress``) prints one table: notebook, exercise, points, and ✔, ✘
with the check's one-line reason, or "not started"; then the total. Inside JupyterLab, a cell with
``from course_lib.progress import show; show()`` shows the same table.

Each notebook is run the way the grader runs it, without the hidden tests: the course's cells (the setup, the
demonstrations, the checks) from the release, the learner's answers and added cells from their copy
(:func:`course_lib.workspace.merge_answers`), in a fresh interpreter per notebook with a time limit
(:func:`run_cells`), several notebooks at once. Figures are not drawn. Nothing in the working copy is written:
the cells run in an empty scratch folder.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .workspace import (BACKUPS, NotebookError, answer_cells, grade_id, is_answer, is_unanswered, merge_answers,
                        read_notebook, source, survey)

__all__ = ["Exercise", "NotebookProgress", "run_cells", "check_notebook", "course_progress", "format_table",
           "show", "main", "TIMEOUT_S"]

#: CPython 3.11's parser is not safe in several threads at once ("AST constructor recursion depth mismatch"),
#: and the notebooks are checked in threads.
_PARSING = threading.Lock()
#: Seconds one notebook may run (the slowest takes about 5 s; the grader allows 30 s per cell).
TIMEOUT_S = 60.0
_LIB_PARENT = Path(__file__).resolve().parent.parent


@dataclass
class Exercise:
    """One graded cell: ``status`` is ``"pass"``, ``"fail"``, ``"not started"`` or ``"written"`` (by hand)."""

    name: str
    points: float
    status: str
    reason: str = ""


@dataclass
class NotebookProgress:
    name: str
    checked: str | None = None  # the file whose answers were checked
    notes: list[str] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)
    error: str | None = None  # why the notebook could not be checked at all


# --- the one place a notebook's cells run ---------------------------------------------------------------------

def run_cells(cells: list[str], timeout: float = TIMEOUT_S) -> tuple[list[dict], str | None]:
    """Run ``cells`` in order in a fresh interpreter; return one result per cell that ran, and why it stopped
    early (``None`` if every cell ran).

    THE SANDBOX CALL: today a plain subprocess of this interpreter (``python -m course_lib._run_cells``, the plan
    on stdin, the report on stdout, an empty scratch folder as its working directory, a time limit). To run the
    checks in the grader's sandbox, start the same ``argv`` with the same ``env`` and stdin through the grader's
    launcher here; nothing else changes (the runner reads and writes no file).
    """
    nonce = secrets.token_hex(8)
    argv = [sys.executable, "-m", "course_lib._run_cells"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER_TOKEN"))}
    env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONIOENCODING="utf-8", PYTHONPATH=os.pathsep.join(
                   [str(_LIB_PARENT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    plan = json.dumps({"nonce": nonce, "cells": cells})
    stopped = None
    with tempfile.TemporaryDirectory(prefix="course-progress-") as scratch:
        proc = subprocess.Popen(argv, cwd=scratch, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
        try:
            out, err = proc.communicate(plan, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            stopped = f"did not finish in {timeout:g} s (an endless loop?)"
    results, done = [], False
    for line in out.splitlines():
        if line.startswith(nonce + " "):
            record = json.loads(line[len(nonce) + 1:])
            done = done or record.get("done", False)
            if "i" in record:
                results.append(record)
    if stopped is None and not done:
        last = (err.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        stopped = f"the notebook's Python stopped ({last[:120]})"
    return results, stopped


# --- one notebook ---------------------------------------------------------------------------------------------

def _names(code: str) -> tuple[set[str], set[str], set[str]] | None:
    """``(changed, read, imported)``: the names a cell binds or changes, reads, and binds by an import (None: the
    cell is not Python). A method call on a name counts as a change (``rng.normal(...)`` advances ``rng``)."""
    import ast

    from IPython.core.inputtransformer2 import TransformerManager

    try:
        with _PARSING:
            tree = ast.parse(TransformerManager().transform_cell(code))
    except (SyntaxError, ValueError):
        return None
    changed, read, imported = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (changed if isinstance(node.ctx, (ast.Store, ast.Del)) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            changed.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imported |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, ast.Store) \
                and isinstance(node.value, ast.Name):
            changed.add(node.value.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name):
            changed.add(node.func.value.id)
    return changed, read, imported


def needed(cells: list[tuple[bool, str]]) -> list[bool]:
    """Which cells to run: every cell marked ``True`` (the setup, answers, checks, the learner's own cells), and
    each other cell (a demonstration) only if a cell that runs after it reads a name it binds or changes.

    Demonstrations draw figures and compute what the text discusses (seconds); the checks need few of them
    (notebook 02's slip starts from the ``x1`` a demonstration computes). A method call on a module (``np``,
    ``plt``: a name some cell imports) is not a change, and a cell that is not plain Python always runs.
    """
    parsed = [_names(code) for _, code in cells]
    modules = set().union(*(found[2] for found in parsed if found is not None))
    keep, wanted = [False] * len(cells), set()
    for i in range(len(cells) - 1, -1, -1):
        must, found = cells[i][0], parsed[i]
        if must or found is None or (found[0] - modules) & wanted or found[2] & wanted:
            keep[i] = True
            wanted |= found[1] if found is not None else set()
    return keep


def _exercises(course: dict) -> list[tuple[list[str], dict]]:
    """``[(answer grade_ids, graded cell), ...]``: each check cell with the answer cells before it, and each
    written answer (graded by hand) on its own."""
    found, pending = [], []
    for cell in course["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if is_answer(cell) and meta.get("grade"):
            found.append(([grade_id(cell)], cell))
        elif is_answer(cell) and cell.get("cell_type") == "code":
            pending.append(grade_id(cell))
        elif meta.get("grade") and cell.get("cell_type") == "code":
            found.append((pending, cell))
            pending = []
    return found


def check_notebook(mine_path: Path, course_path: Path, timeout: float = TIMEOUT_S) -> list[Exercise]:
    """Every graded cell of one notebook, checked: the learner's answers in ``mine_path`` against the course's
    notebook ``course_path`` (:class:`~course_lib.workspace.NotebookError` if either cannot be read)."""
    course, mine = read_notebook(course_path), read_notebook(mine_path)
    merged, _ = merge_answers(mine, course)
    answers = answer_cells(mine)
    exercises = _exercises(course)
    started = [ids for ids, cell in exercises if cell.get("cell_type") == "code"
               and any(g in answers and not is_unanswered(answers[g]) for g in ids)]
    code = [c for c in merged["cells"] if c.get("cell_type") == "code"]
    if started:
        # The setup cell, the answers, the checks and the learner's own cells always run; a demonstration (a
        # locked course cell) runs when a later cell needs what it computes.
        locked = {grade_id(c) for c in course["cells"] if grade_id(c) and not is_answer(c)
                  and not c["metadata"]["nbgrader"].get("grade")}
        always = [i == 0 or grade_id(c) not in locked for i, c in enumerate(code)]
        code = [c for c, keep in zip(code, needed([(a, source(c)) for a, c in zip(always, code)])) if keep]
    index = {id(c): i for i, c in enumerate(code)}
    by_id = {grade_id(c): c for c in code if grade_id(c)}
    results, stopped = run_cells([source(c) for c in code], timeout) if started else ([], None)
    ran = {r["i"]: r for r in results}
    setup = ran.get(0)
    if setup is not None and not setup["ok"]:
        stopped = f"the notebook's first cell failed: {setup['message']}"
        ran = {}

    def result(gid: str) -> dict | None:
        return ran.get(index[id(by_id[gid])]) if gid in by_id else None

    rows = []
    for ids, cell in exercises:
        points = float(cell["metadata"]["nbgrader"].get("points", 0))
        name = ", ".join(ids) or grade_id(cell)
        if cell.get("cell_type") == "markdown":
            written = answers.get(grade_id(cell))
            rows.append(Exercise(name, points, "written", "answered, graded by a person"
                                 if written is not None and not is_unanswered(written) else "not started"))
            continue
        if ids not in started:
            rows.append(Exercise(name, points, "not started"))
            continue
        broken = [r for r in map(result, ids) if r is not None and not r["ok"] and not r["waiting"]]
        test = result(grade_id(cell))
        if broken:
            rows.append(Exercise(name, points, "fail", f"your answer cell raised {broken[0]['message']}"))
        elif test is None:
            rows.append(Exercise(name, points, "fail", f"not checked: {stopped or 'the check did not run'}"))
        elif test["ok"]:
            rows.append(Exercise(name, points, "pass"))
        else:
            rows.append(Exercise(name, points, "fail", test["message"]))
    return rows


# --- the working copy -----------------------------------------------------------------------------------------

def _renamed_copies(work: Path, course_nb: dict, expected: Path) -> list[Path]:
    """Other notebooks in the working copy that hold this course notebook's exercises (a renamed copy)."""
    wanted = set(answer_cells(course_nb))
    found = []
    for path in sorted(work.rglob("*.ipynb")):
        rel = path.relative_to(work).parts
        if path == expected or ".ipynb_checkpoints" in rel or rel[0] == BACKUPS:
            continue
        try:
            if wanted and wanted <= set(answer_cells(read_notebook(path))):
                found.append(path)
        except NotebookError:
            continue
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def _locate(work: Path, release: Path, rel: str, updates: set[str]) -> NotebookProgress:
    """Which file to check for the course notebook ``rel``, with notes for the learner."""
    progress = NotebookProgress(Path(rel).stem)
    expected = work / rel
    try:
        course_nb = read_notebook(release / rel)
    except NotebookError as err:
        progress.error = f"the course's copy cannot be read: {err}"
        return progress
    others = _renamed_copies(work, course_nb, expected)
    if expected.exists():
        progress.checked = str(expected)
        if others:
            progress.notes.append(f"also found {', '.join(str(o) for o in others)} with these exercises: not "
                                  f"counted (progress and the grader read {expected.name})")
    elif others:
        progress.checked = str(others[0])
        progress.notes.append(f"{expected} is missing; checked {others[0]} (renamed?): rename it to "
                              f"{expected.name}, the name the grader looks for")
    else:
        progress.error = (f"{expected} is missing: `python -m course_lib lab` copies a fresh one "
                          f"(the course's copy is {release / rel})")
    if rel in updates:
        progress.notes.append("the course has a newer version of this notebook: `python -m course_lib update` "
                              "brings it in with your answers (checked here against the newer version)")
    return progress


def course_progress(work: Path | str, release: Path | str, names: list[str] | None = None,
                    timeout: float = TIMEOUT_S, jobs: int | None = None) -> list[NotebookProgress]:
    """Check every course notebook (or those ``names`` picks) in the working copy ``work``; several at once."""
    work, release = Path(work), Path(release)
    if not work.is_dir():
        raise ValueError(f"there is no working copy at {work}: `python -m course_lib lab` (or `make lab`) creates "
                         f"it; --work picks another folder")
    states = survey(release, work, seed=False)
    notebooks = sorted({s.relative for s in states if s.relative.endswith(".ipynb")})
    if names:
        unknown = [n for n in names if not any(n in (r, Path(r).stem, Path(r).parts[0]) for r in notebooks)]
        if unknown:
            raise ValueError(f"no course notebook called {', '.join(unknown)}; the course has: "
                             + ", ".join(Path(r).stem for r in notebooks))
        notebooks = [r for r in notebooks if any(n in (r, Path(r).stem, Path(r).parts[0]) for n in names)]
    updates = {s.relative for s in states if s.state == "update"}
    found = [_locate(work, release, rel, updates) for rel in notebooks]

    def check(item: tuple[str, NotebookProgress]) -> NotebookProgress:
        rel, progress = item
        if progress.checked and not progress.error:
            try:
                progress.exercises = check_notebook(Path(progress.checked), release / rel, timeout)
            except NotebookError as err:
                progress.error = f"{err}: fix it, or `python -m course_lib lab` after moving it away copies a " \
                                 f"fresh one (nothing is deleted)"
        return progress

    with ThreadPoolExecutor(max_workers=jobs or min(len(found) or 1, os.cpu_count() or 1, 4)) as pool:
        return list(pool.map(check, zip(notebooks, found)))


# --- output -----------------------------------------------------------------------------------------------------

def _marks() -> tuple[str, str]:
    """✔ and ✘, or plain words where the terminal cannot print them (an old Windows console, a pipe)."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✔✘…".encode(encoding)
        return "✔", "✘"
    except (UnicodeEncodeError, LookupError):
        return "ok", "x"


def _points(value: float) -> str:
    return f"{value:g}"


def totals(notebooks: list[NotebookProgress]) -> dict:
    rows = [e for nb in notebooks for e in nb.exercises]
    auto = [e for e in rows if e.status != "written"]
    written = [e for e in rows if e.status == "written"]
    return {"earned": sum(e.points for e in auto if e.status == "pass"), "possible": sum(e.points for e in auto),
            "passed": sum(e.status == "pass" for e in auto), "failed": sum(e.status == "fail" for e in auto),
            "not_started": sum(e.status == "not started" for e in auto), "exercises": len(auto),
            "written": len(written), "written_points": sum(e.points for e in written),
            "written_answered": sum(e.reason.startswith("answered") for e in written),
            "unreadable": sum(nb.error is not None for nb in notebooks)}


def table_rows(notebooks: list[NotebookProgress]) -> list[tuple[str, str, str, str]]:
    """``(notebook, exercise, points, result)`` rows, the notebook's name on its first row only."""
    ok, bad = _marks()
    rows = []
    for nb in notebooks:
        first = nb.name
        if nb.error:
            rows.append((first, "", "", f"cannot check: {nb.error}"))
            continue
        for note in nb.notes:
            rows.append((first, "", "", f"note: {note}"))
            first = ""
        for e in nb.exercises:
            if e.status == "written":
                points, result = f"({_points(e.points)})", f"written answer: {e.reason}"
            else:
                points = f"{_points(e.points if e.status == 'pass' else 0)}/{_points(e.points)}"
                result = {"pass": ok, "fail": f"{bad} {e.reason}", "not started": "not started"}[e.status]
            rows.append((first, e.name, points, result))
            first = ""
    return rows


def format_table(notebooks: list[NotebookProgress], work: Path | str = "") -> str:
    rows = table_rows(notebooks)
    t = totals(notebooks)
    header = ("notebook", "exercise", "points", "result")
    total = ("total", f"{t['passed']} of {t['exercises']} passed", f"{_points(t['earned'])}/{_points(t['possible'])}",
             f"{t['failed']} to fix, {t['not_started']} not started"
             + (f"; written answers: {t['written_answered']} of {t['written']} answered "
                f"({_points(t['written_points'])} points, graded by a person)" if t["written"] else ""))
    widths = [max(len(r[i]) for r in [header, total, *rows]) for i in range(3)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r[:3], widths)) + "  " + r[3]  # noqa: E731
    rule = "-" * min(100, sum(widths) + 6 + 30)
    where = f" in {work}" if work else ""
    return "\n".join([f"Progress{where}: the visible checks on your saved notebooks (the grader's hidden tests "
                      f"check more)", "", line(header), rule, *(line(r).rstrip() for r in rows), rule, line(total)])


class ProgressTable:
    """The progress table, shown as HTML in a notebook and as text elsewhere."""

    def __init__(self, notebooks: list[NotebookProgress], work: Path):
        self.notebooks, self.work = notebooks, work

    def __repr__(self) -> str:
        return format_table(self.notebooks, self.work)

    def _repr_html_(self) -> str:
        from html import escape

        t = totals(self.notebooks)
        body = []
        for nb, ex, points, result in table_rows(self.notebooks):
            colour = "#009E73" if result == _marks()[0] else "#D55E00" if result.startswith(_marks()[1]) else "inherit"
            body.append(f"<tr><td style='text-align:left'><b>{escape(nb)}</b></td><td style='text-align:left'>"
                        f"<code>{escape(ex)}</code></td><td>{escape(points)}</td><td style='text-align:left;"
                        f"color:{colour}'>{escape(result)}</td></tr>")
        return ("<div class='course-progress'><p>Progress in <code>{}</code>: the visible checks on your <b>saved</b> "
                "notebooks (save with Ctrl-S first; the grader's hidden tests check more).</p><table>"
                "<thead><tr><th style='text-align:left'>notebook</th><th style='text-align:left'>exercise</th>"
                "<th>points</th><th style='text-align:left'>result</th></tr></thead><tbody>{}"
                "</tbody><tfoot><tr><td><b>total</b></td><td>{} of {} passed</td><td><b>{}/{}</b></td><td "
                "style='text-align:left'>{} to fix, {} not started</td></tr></tfoot></table></div>").format(
            escape(str(self.work)), "".join(body), t["passed"], t["exercises"], _points(t["earned"]),
            _points(t["possible"]), t["failed"], t["not_started"])


def _course_release(course: Path | None) -> Path:
    from .workspace import course_root

    root = course or course_root()
    if root is None or not (root / "notebooks").is_dir():
        raise ValueError("cannot find the course's notebooks/ folder: run this from the course's folder, or pass "
                         "--course FOLDER")
    return root / "notebooks"


def show(work: Path | str | None = None, course: Path | str | None = None) -> ProgressTable:
    """The progress table, from a notebook: ``from course_lib.progress import show; show()``.

    ``work`` is the working copy; by default the folder above the running notebook's folder (or the one that
    holds the course's manifest, walking up from the current folder).
    """
    from .workspace import MANIFEST

    if work is None:
        here = Path.cwd()
        work = next((p for p in [here, *here.parents] if (p / MANIFEST).exists()), here.parent)
    work = Path(work)
    release = _course_release(Path(course) if course else None)
    return ProgressTable(course_progress(work, release), work)


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib progress [--work my-work] [--json] [NOTEBOOK ...]``."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course_lib progress",
                                     description="Run the visible checks of every notebook in your working copy "
                                                 "and print a table (it changes none of your files).")
    parser.add_argument("notebooks", nargs="*", help="only these notebooks (name or folder, e.g. 02-one-step-rule)")
    parser.add_argument("--work", default="my-work", help="your working copy (default: my-work)")
    parser.add_argument("--course", type=Path, help="the course's folder (default: found from here)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds per notebook (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        release = _course_release(args.course)
        work = Path(args.work)
        if not work.is_absolute() and not work.exists() and (release.parent / work).is_dir():
            work = release.parent / work
        notebooks = course_progress(work, release, args.notebooks, args.timeout)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"work": str(work), "notebooks": [asdict(nb) for nb in notebooks],
                          "total": totals(notebooks)}, indent=1))
    else:
        print(format_table(notebooks, work))
    return 1 if any(nb.error for nb in notebooks) else 0
