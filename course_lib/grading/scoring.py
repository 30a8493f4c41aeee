"""Hidden tests decided in the grading runtime, never in the student's kernel.

For one notebook, :func:`plan_tests` reads the *solution* (grader-controlled): its setup cell, its answer
cells and, per test cell, the hidden part (between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN
TESTS``) and the functions it substitutes. :func:`run_program` starts :mod:`course_lib.grading.runtime`
in a sandbox of its own and runs, in notebook order, the student's code cells (the first code cell,
the answer cells and any cell the student added; never the locked demonstration cells) and, at each test
cell, that cell's hidden part. The grader sends one step at a time and reads each test cell's result
before it sends anything else, so nothing a later step reveals (the solution's version of a substituted
function) can change an earlier result; a function is only substituted in a test cell that comes after the
test cells of the solution cells it is taken from (:func:`plan_tests` refuses a notebook where that is not
so). Every reply is validated as untrusted input (:func:`valid_reply`): sizes, types, an array's data
length equal to the product of its shape, exactly one report per hidden call.

The contract for a hidden part: it may use only ``np``, ``hidden``, the learner's answer names, literals
and small helper functions defined in the hidden part itself -- no ``checks.*`` and no ``course_lib``,
which do not exist in the runtime.
"""

from __future__ import annotations

import ast
import math
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .runtime import MAX_ELEMENTS, MAX_MESSAGE, receive, send
from .sandbox import Limits, Sandbox

__all__ = ["CellPlan", "NotebookPlan", "ProgramResult", "Runtime", "plan_tests", "student_steps", "solution_steps",
           "run_program", "valid_reply", "hidden_part", "answer_code"]

RUNTIME = Path(__file__).with_name("runtime.py").resolve()
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n(.*?)^[ \t]*### END HIDDEN TESTS", re.M | re.S)
SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[^\n]*\n?", re.M)
#: Seconds a step may take beyond its own time limit before the runtime is killed.
GRACE_S = 5

#: Transition only, until notebook 05's hidden tests define their score functions inline: the hidden
#: parts' ``checks.demo_score`` and ``checks.standard_normal_score`` become these inline helpers (the
#: same functions as in course_lib.checks.score_link, in plain NumPy). Remove once no hidden part uses them.
TRANSITION_HELPERS = {
    "demo_score": '''
def _transition_demo_score(x, alpha_bar):
    x, ab = np.asarray(x, dtype=float), float(alpha_bar)
    if not 0.0 <= ab <= 1.0:
        raise ValueError(f"score_fn was asked for the score at alpha_bar = {ab!r}")
    weights, means, variances = np.array([0.25, 0.75]), np.array([-1.5, 1.0]), np.array([0.09, 0.25])
    m, v = np.sqrt(ab) * means, ab * variances + (1.0 - ab)
    d = x[..., None] - m
    logp = np.log(weights) - 0.5 * np.log(2 * np.pi * v) - 0.5 * d ** 2 / v
    r = np.exp(logp - logp.max(axis=-1, keepdims=True))
    r = r / r.sum(axis=-1, keepdims=True)
    return np.sum(r * (-d / v), axis=-1)
''',
    "standard_normal_score": '''
def _transition_standard_normal_score(x, alpha_bar):
    return -np.asarray(x, dtype=float)
''',
}


def hidden_part(source: str) -> str | None:
    """The code between a test cell's hidden-test markers, or None if it has none."""
    found = HIDDEN.search(source)
    return found.group(1) if found else None


def answer_code(source: str) -> str:
    """A solution cell's code without its ``### BEGIN/END SOLUTION`` lines."""
    return SOLUTION_MARKERS.sub("", source)


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _is_test(cell) -> bool:
    meta = _meta(cell)
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution") \
        and "grade_id" in meta


def _is_answer(cell) -> bool:
    return cell.get("cell_type") == "code" and bool(_meta(cell).get("solution"))


def _defined(source: str) -> set[str]:
    try:
        body = ast.parse(source).body
    except SyntaxError:  # IPython syntax (a magic): parse it as IPython does
        from .sanitize import _python

        body = _python(source).body
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            names |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


def _reports_anything(hidden: str) -> bool:
    """Does the hidden part call ``hidden.call``, ``hidden.value`` or ``hidden.choice`` at all?"""
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and isinstance(node.func.value, ast.Name) and node.func.value.id == "hidden"
               and node.func.attr in ("call", "value", "choice") for node in ast.walk(ast.parse(hidden)))


def _substituted(hidden: str, where: str) -> set[str]:
    """Names the hidden part's ``hidden.call(..., substitute=(...))`` calls substitute (literals only)."""
    names = set()
    for node in ast.walk(ast.parse(hidden)):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "substitute":
                    try:
                        value = ast.literal_eval(keyword.value)
                    except ValueError:
                        raise ValueError(f"{where}: substitute=... must be a tuple of names written out") from None
                    names |= {value} if isinstance(value, str) else set(value)
    return names


def _transition(hidden: str) -> str:
    """Replace ``checks.<helper>`` of :data:`TRANSITION_HELPERS` with inline definitions (see there)."""
    used = [name for name in TRANSITION_HELPERS if f"checks.{name}" in hidden]
    for name in used:
        hidden = hidden.replace(f"checks.{name}", f"_transition_{name}")
    return "".join(TRANSITION_HELPERS[name] for name in used) + hidden


@dataclass(frozen=True)
class CellPlan:
    """One test cell: its hidden part and, per substituted name, the solution cells that define it."""

    grade_id: str
    source: str
    substitutes: dict[str, dict] = field(default_factory=dict)


@dataclass(frozen=True)
class NotebookPlan:
    """What the runtime needs from the solution notebook (see :func:`plan_tests`)."""

    setup: str
    setup_id: str | None
    answers: list[tuple[str, str]]
    tests: dict[str, CellPlan]


def plan_tests(solution_nb) -> NotebookPlan:
    """Every test cell's hidden part and substitutes, from the solution notebook (ValueError if the
    notebook breaks the contract: a test cell without hidden tests, a hidden part that uses ``checks`` or
    ``course_lib``, a substitute whose own exercise is graded later)."""
    cells = solution_nb.cells
    code = [c for c in cells if c.cell_type == "code"]
    if not code:
        raise ValueError("the solution has no code cell")
    setup, setup_id = code[0].source, _meta(code[0]).get("grade_id")
    answers: list[tuple[str, str]] = []  # (grade_id, code) in order
    graded_at: dict[str, int] = {}  # answer cell -> position of the first test cell after it
    tests: dict[str, CellPlan] = {}
    pending: list[str] = []
    for position, cell in enumerate(cells):
        if _is_answer(cell):
            answers.append((_meta(cell)["grade_id"], answer_code(cell.source)))
            pending.append(_meta(cell)["grade_id"])
        elif _is_test(cell):
            for grade_id in pending:
                graded_at[grade_id] = position
            pending = []
    for position, cell in enumerate(cells):
        if not _is_test(cell):
            continue
        grade_id = _meta(cell)["grade_id"]
        hidden = hidden_part(cell.source)
        if not hidden or not _reports_anything(hidden):
            raise ValueError(f"test cell {grade_id} has no hidden tests: its points would be decided by the "
                             "student's own kernel")
        hidden = _transition(hidden)
        if re.search(r"\b(checks\s*\.|course_lib\b)", hidden):
            raise ValueError(f"the hidden tests of {grade_id} use checks or course_lib, which do not exist where "
                             "hidden tests run: use only np, hidden, the answers' names, literals and helpers "
                             "defined in the hidden part")
        substitutes = {}
        for name in sorted(_substituted(hidden, grade_id)):
            upto = next((i for i, (_, src) in enumerate(answers) if name in _defined(src)), None)
            if upto is None:
                raise ValueError(f"{grade_id} substitutes {name}, which no solution cell defines")
            late = [a for a, _ in answers[:upto + 1] if graded_at.get(a, position) >= position]
            if late:
                raise ValueError(f"{grade_id} substitutes {name} with the solution's cells, but {', '.join(late)} "
                                 "is graded after it: move that test cell before it")
            substitutes[name] = {"setup": setup, "cells": [src for _, src in answers[:upto + 1]]}
        tests[grade_id] = CellPlan(grade_id, hidden, substitutes)
    return NotebookPlan(setup, setup_id, answers, tests)


def student_steps(nb, plan: NotebookPlan, skip_cells: set[int], tests: set[str]) -> list[tuple]:
    """The runtime's program for a graded notebook: ``("run", index, source)`` for the student's code cells
    (the setup cell -- the solution's first code cell --, answer cells and cells without grading metadata;
    not the locked demonstration cells, nor the cells in ``skip_cells``, which the kernel did not finish)
    and ``("test", grade_id)`` for the test cells in ``tests``, in notebook order."""
    steps = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = _meta(cell)
        if _is_test(cell):
            if meta["grade_id"] in tests and meta["grade_id"] in plan.tests:
                steps.append(("test", meta["grade_id"]))
        elif (meta.get("grade_id") == plan.setup_id or meta.get("solution")
              or not (meta.get("locked") or meta.get("grade"))) and index not in skip_cells:
            steps.append(("run", index, cell.source))
    return steps


def solution_steps(solution_nb, plan: NotebookPlan) -> list[tuple]:
    """The runtime's program for the solution itself (the answer key): every step."""
    return student_steps(solution_nb, plan, set(), set(plan.tests))


@dataclass
class ProgramResult:
    """What the runtime did: per test cell the reply (None if it never came), per run step its error."""

    replies: dict[str, dict | None] = field(default_factory=dict)
    run_errors: dict[int, str] = field(default_factory=dict)
    stopped: str | None = None  # why the runtime was stopped early, if it was


class Runtime:
    """A grading runtime in a sandbox of its own (see the module docstring).

    It can be started ahead (:meth:`start`), while the student's kernel runs, because until :meth:`run` sends
    the first step it runs only the grader's own code: the half second it takes to start is then not waited
    for. :meth:`run` (or :meth:`close`) ends it, and everything it started.
    """

    def __init__(self, mode: str, limits: Limits) -> None:
        self._box = Sandbox(mode, limits, "runtime")
        self._proc: subprocess.Popen | None = None
        self._errors = None
        self._open = False

    def start(self) -> "Runtime":
        self._box.__enter__()
        self._open = True
        try:
            self._errors = tempfile.TemporaryFile()
            self._proc = subprocess.Popen(self._box.command([sys.executable, "-I", "-B", str(RUNTIME)],
                                                            env=self._box.env()),
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
                                          start_new_session=True)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Kill the runtime and everything it started; remove its sandbox."""
        if not self._open:
            return
        self._open = False
        if self._proc is not None:
            self._box.kill()
            self._proc.kill()
            self._proc.wait()
            self._proc.stdin.close()
            self._proc.stdout.close()
            self._proc = None
        if self._errors is not None:
            self._errors.close()
            self._errors = None
        self._box.__exit__()

    def run(self, steps: list[tuple], plan: NotebookPlan, cell_timeout: float, budget: float) -> "ProgramResult":
        """Run ``steps`` one by one, each reply validated before the next step is sent; then close."""
        result = ProgramResult()
        if self._proc is None:
            self.start()
        deadline = time.monotonic() + budget
        inbox, outbox = self._proc.stdout.fileno(), self._proc.stdin.fileno()
        try:
            if _reply(inbox, min(deadline, time.monotonic() + 60)) != {"ready": True}:
                self._errors.seek(0)
                raise RuntimeError("the grading runtime did not start: "
                                   + self._errors.read(4000).decode(errors="replace").strip())
            for step in steps:
                if deadline - time.monotonic() <= 0:
                    result.stopped = f"the time limit of {budget:g} s was used up"
                    break
                timeout = max(1.0, min(cell_timeout, deadline - time.monotonic()))
                if step[0] == "run":
                    send(outbox, {"op": "run", "source": step[2], "name": f"<cell {step[1]}>", "timeout": timeout})
                else:
                    test = plan.tests[step[1]]
                    send(outbox, {"op": "test", "source": test.source, "substitutes": test.substitutes,
                                  "timeout": timeout})
                reply = _reply(inbox, time.monotonic() + timeout + GRACE_S)
                if reply is None:
                    result.stopped = f"it did not answer within {timeout + GRACE_S:g} s"
                    break
                if step[0] == "run":
                    if reply.get("error") is not None:
                        result.run_errors[step[1]] = str(reply["error"])[:500]
                else:
                    result.replies[step[1]] = reply
        except OSError as exc:
            result.stopped = f"it stopped ({exc.__class__.__name__})"
        finally:
            self.close()
        return result


def run_program(steps: list[tuple], plan: NotebookPlan, mode: str, limits: Limits, cell_timeout: float,
                budget: float, runtime: Runtime | None = None) -> "ProgramResult":
    """Run ``steps`` in ``runtime`` (started ahead) or a fresh runtime sandbox; every reply validated.

    Steps after the last test step are left out: they cannot change any result. Nothing is started when
    there is no test step at all.
    """
    tests = [i for i, step in enumerate(steps) if step[0] == "test"]
    if not tests:
        if runtime is not None:
            runtime.close()
        return ProgramResult()
    return (runtime or Runtime(mode, limits)).run(steps[:tests[-1] + 1], plan, cell_timeout, budget)


def _reply(fd: int, deadline: float) -> dict | None:
    try:
        return receive(fd, MAX_MESSAGE, deadline)
    except (EOFError, TimeoutError, ValueError, UnicodeError):
        return None


# --- validation of what comes back -------------------------------------------------------------------------

_KINDS = {"call", "value", "choice"}
_TYPES = {"none", "str", "array", "tuple", "error", "unsupported", "too-large"}


def _short_text(value, limit: int = 1000) -> bool:
    return isinstance(value, str) and len(value) <= limit


def _valid_result(result, depth: int = 0) -> bool:
    if not isinstance(result, dict) or result.get("type") not in _TYPES or depth > 4:
        return False
    kind = result["type"]
    if kind == "none":
        return set(result) == {"type"}
    if kind in ("str",):
        return set(result) == {"type", "value"} and (result["value"] is None or _short_text(result["value"]))
    if kind in ("error", "unsupported"):
        return set(result) == {"type", "value"} and _short_text(result["value"])
    if kind == "tuple":
        items = result.get("items")
        return set(result) == {"type", "items"} and isinstance(items, list) and len(items) <= 16 \
            and all(_valid_result(item, depth + 1) for item in items)
    shape = result.get("shape")
    if not (isinstance(shape, list) and len(shape) <= 8
            and all(type(n) is int and 0 <= n <= MAX_ELEMENTS for n in shape)):
        return False
    if kind == "too-large":
        return set(result) == {"type", "shape"}
    data = result.get("data")
    return set(result) == {"type", "shape", "data"} and isinstance(data, list) \
        and len(data) == math.prod(shape) <= MAX_ELEMENTS \
        and all(type(x) in (float, int) for x in data)


def valid_reply(reply, expected: int) -> bool:
    """Is ``reply`` a well-formed answer to a test step with at most ``expected`` reports?"""
    if not isinstance(reply, dict) or set(reply) != {"reports", "error"}:
        return False
    reports, error = reply["reports"], reply["error"]
    if not (error is None or _short_text(error)) or not isinstance(reports, list) or len(reports) > expected:
        return False
    for report in reports:
        if not isinstance(report, dict) or report.get("kind") not in _KINDS or not _valid_result(report.get("result")):
            return False
        if not set(report) <= {"kind", "what", "rtol", "atol", "result", "changed"}:
            return False
        changed = report.get("changed", [])
        if not (isinstance(changed, list) and len(changed) <= 16 and all(_short_text(c, 100) for c in changed)):
            return False
    return True
