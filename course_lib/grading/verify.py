"""Decide the hidden tests where the student's kernel has no say, and keep correct answers from losing points
to stderr.

:class:`VerifyHidden` runs after :class:`~course_lib.grading.execute.SandboxedExecute` and before nbgrader's
``SaveAutoGrades``. A test cell keeps its points only if

1. the kernel's run of the cell ended without an error (so the visible check in the kernel can only cost
   points, never earn them), and
2. every hidden test of the cell, run by :mod:`course_lib.grading.scoring` in a fresh sandboxed runtime
   where course_lib's answers do not exist, gave the answer key's result (compared here, in the
   grader's process, with the tolerance the answer key states).

Otherwise an error output says which hidden test failed, without revealing the expected value, and
nbgrader scores the cell 0. Stderr output (warnings, debug prints) becomes ordinary output, so a correct
answer that warns keeps its points, and ``execute_result`` outputs, which nbgrader would read as partial
credit, are dropped.

The answer key (:func:`answer_key`) is the solution run through the same runtime, before any submission
of the assignment is graded (:func:`prepare_answer_keys`), in a sandbox of its own; it is kept under
``<course>/.answer-keys/`` (mode 0700), which no sandbox can see.

It writes ``<notebook>.grading.json`` beside the autograded notebook: each test cell's outcome and the
flags, all from the grader's own observations (never from the submitted notebook's metadata or files),
which :mod:`course_lib.grading.export` adds to the grades CSV.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import nbformat
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from .execute import SandboxedExecute, _error
from .sandbox import FLAGGED_MODES
from .sanitize import FLAGS_KEY
from .scoring import ProgramResult, plan_tests, run_program, solution_steps, student_steps, valid_reply

__all__ = ["VerifyHidden", "answer_key", "prepare_answer_keys", "compare_result"]


def _is_test_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution") and "grade_id" in meta


def compare_result(got: dict, expected: dict, rtol: float, atol: float) -> str | None:
    """Compare two validated results (see :func:`course_lib.grading.runtime.encode`); None if they match."""
    if got.get("type") != expected.get("type"):
        if got.get("type") == "error":
            return f"it raised {got.get('value')}"
        if got.get("type") == "too-large":
            return f"it returned an array of shape {tuple(got['shape'])}, far larger than expected"
        return f"it returned a {got.get('type')} where a {expected.get('type')} was expected"
    kind = expected["type"]
    if kind == "array":
        if list(got["shape"]) != list(expected["shape"]):
            return f"shape {tuple(got['shape'])}, expected {tuple(expected['shape'])}"
        for g, e in zip(got["data"], expected["data"], strict=True):
            g, e = (0.0).__class__(g), (0.0).__class__(e)  # plain floats, whatever JSON produced
            if g == e:  # also equal infinities
                continue
            if not abs(g - e) <= atol + rtol * abs(e):  # also false for NaN
                return "a different value"
        return None
    if kind == "tuple":
        if len(got["items"]) != len(expected["items"]):
            return f"{len(got['items'])} items, expected {len(expected['items'])}"
        for i, (g, e) in enumerate(zip(got["items"], expected["items"])):
            why = compare_result(g, e, rtol, atol)
            if why:
                return f"item {i}: {why}"
        return None
    return None if got.get("value") == expected.get("value") else "a different answer"


def _source_hash(path: Path) -> str:
    import course_lib

    digest = hashlib.sha256(path.read_bytes())
    for module in sorted(Path(course_lib.__file__).parent.rglob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()


def _execute(config) -> SandboxedExecute:
    return SandboxedExecute(config=config)


def answer_key(source: Path, coursedir: CourseDirectory) -> dict[str, list[dict]]:
    """The solution's hidden-test results, per test cell: ``{grade_id: [record, ...]}``.

    Computed by running the solution notebook through the grading runtime, in a sandbox of its own,
    with the course's configuration (``coursedir.config``). Cached in ``<course root>/.answer-keys/``
    (mode 0700) until the solution notebook or course_lib changes. Raises ``RuntimeError`` if the solution
    fails its own hidden tests or breaks the hidden tests' contract.
    """
    key_dir = Path(coursedir.root) / ".answer-keys"
    key_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(key_dir, 0o700)
    cache = key_dir / f"{source.parent.name}--{source.stem}.json"
    digest = _source_hash(source)
    if cache.exists():
        stored = json.loads(cache.read_text())
        if stored.get("hash") == digest:
            return stored["cells"]
    nb = nbformat.read(source, as_version=4)
    try:
        plan = plan_tests(nb)
    except ValueError as exc:
        raise RuntimeError(f"the solution {source} breaks the hidden tests' contract: {exc}") from None
    execute = _execute(coursedir.config)
    result = run_program(solution_steps(nb, plan), plan, execute.mode(), execute.limits(),
                         execute.timeout or 30, execute.submission_timeout)
    cells = {}
    for grade_id in plan.tests:
        reply = result.replies.get(grade_id)
        failed = (result.stopped or "no result") if reply is None else reply["error"]
        failed = failed or next((r["result"]["value"] for r in reply["reports"] if r["result"]["type"] == "error"),
                                None)
        if failed:
            raise RuntimeError(f"the solution {source} fails its own hidden tests in {grade_id} in the grading "
                               f"runtime: {failed}")
        cells[grade_id] = [{k: r[k] for k in ("kind", "what", "rtol", "atol", "result") if k in r}
                           for r in reply["reports"]]
    partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")  # another grader may read the cache meanwhile
    partial.write_text(json.dumps({"hash": digest, "cells": cells}))
    os.chmod(partial, 0o600)
    os.replace(partial, cache)
    return cells


def prepare_answer_keys(api, assignments) -> dict[str, str]:
    """Compute (or check the cache of) every answer key of ``assignments`` before any submission runs.

    Returns ``{assignment: error}`` for those whose key could not be computed (their submissions then
    report that error themselves).
    """
    preprocessors = api.config.Autograde.get("autograde_preprocessors", [])
    if not any(p is VerifyHidden or str(p).endswith("VerifyHidden") for p in preprocessors):
        return {}
    failed = {}
    for assignment in sorted(set(assignments)):
        source = Path(api.coursedir.format_path(api.coursedir.source_directory, ".", assignment))
        for notebook in sorted(source.glob("*.ipynb")):
            try:
                answer_key(notebook, api.coursedir)
            except Exception as exc:  # noqa: BLE001 -- reported per submission
                failed[assignment] = str(exc)
    return failed


class VerifyHidden(NbGraderPreprocessor):
    """Decide every test cell from the kernel's run and the grading runtime (see the module docstring)."""

    def preprocess(self, nb, resources):
        """Check every test cell; write ``<notebook>.grading.json`` beside the autograded notebook."""
        run = resources.get("course_lib_grading")
        if run is None:
            raise RuntimeError("VerifyHidden needs SandboxedExecute in c.Autograde.autograde_preprocessors")
        runtime = run.pop("runtime", None)  # started by SandboxedExecute while the kernel ran
        try:
            return self._verify(nb, resources, run, runtime)
        finally:
            if runtime is not None:
                runtime.close()

    def _verify(self, nb, resources, run: dict, runtime):
        coursedir = CourseDirectory(config=self.config)
        assignment, notebook = resources["nbgrader"]["assignment"], resources["nbgrader"]["notebook"]
        source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{notebook}.ipynb"
        key = answer_key(source, coursedir)
        flags = set(run["flags"]) | set(nb.metadata.pop(FLAGS_KEY, []))  # the sanitize step's own observations
        if run["isolation"] in FLAGGED_MODES:
            flags.add(f"isolation:{run['isolation']}")
        passed_in_kernel = set()
        for index, cell in enumerate(nb.cells):
            for err in (o for o in cell.get("outputs", []) if o.output_type == "error"):
                if err.ename == "MemoryError":
                    flags.add(f"memory-limit:cell-{index}")
                elif err.ename in ("UsesReference", "ReferenceUsed"):
                    flags.add("reference-implementation-used")
            if _is_test_cell(cell):
                self._clean_outputs(cell, flags)
                if not any(o.output_type == "error" for o in cell.outputs):
                    passed_in_kernel.add(cell.metadata.nbgrader["grade_id"])
        plan = plan_tests(nbformat.read(source, as_version=4))
        steps = student_steps(nb, plan, set(run["skipped_cells"]), passed_in_kernel)
        result = run_program(steps, plan, run["isolation"], run["limits"], run["cell_timeout"] or 30,
                             run["submission_timeout"], runtime)
        if result.stopped:
            flags.add("timeout:hidden-tests")
        answer_errors = self._answer_errors(nb, result)
        outcomes = {}
        for cell in filter(_is_test_cell, nb.cells):
            grade_id = cell.metadata.nbgrader["grade_id"]
            if grade_id not in passed_in_kernel:
                outcomes[grade_id] = "error"
                continue
            outcomes[grade_id] = self._decide(cell, key.get(grade_id, []), result, answer_errors, flags)
        report = {"assignment": assignment, "notebook": notebook, "student": resources["nbgrader"]["student"],
                  "isolation": run["isolation"], "flags": sorted(flags), "cells": outcomes}
        path = Path(resources["metadata"]["path"]) / f"{notebook}.grading.json"
        path.write_text(json.dumps(report, indent=1))
        resources["course_lib_grading"]["flags"] = sorted(flags)
        return nb, resources

    @staticmethod
    def _clean_outputs(cell, flags: set) -> None:
        kept = []
        for out in cell.outputs:
            if out.output_type == "execute_result":
                flags.add("tampered:unexpected-result")
                continue
            if out.output_type == "stream" and out.name == "stderr":
                out = new_output("stream", name="stdout", text="[stderr] " + out.text)
            kept.append(out)
        cell.outputs = kept

    @staticmethod
    def _answer_errors(nb, result: ProgramResult) -> dict[int, str]:
        """Errors the runtime met in the student's *answer* cells, by cell index (for the failure message)."""
        return {index: error for index, error in result.run_errors.items()
                if nb.cells[index].metadata.get("nbgrader", {}).get("solution")}

    @staticmethod
    def _decide(cell, expected: list[dict], result: ProgramResult, answer_errors: dict[int, str], flags: set) -> str:
        grade_id = cell.metadata.nbgrader["grade_id"]
        reply = result.replies.get(grade_id)
        if reply is not None and not valid_reply(reply, len(expected)):
            flags.add("tampered:invalid-report")
            cell.outputs.append(_error("HiddenTestFailed", "the hidden tests' results were not valid"))
            return "invalid-report"
        reports = reply["reports"] if reply else []
        why_stopped = (reply or {}).get("error") or result.stopped or "it did not run"
        if any("ReferenceUnavailable" in e for e in answer_errors.values()) or "ReferenceUnavailable" in why_stopped \
                or any(r["result"].get("value", "").startswith("ReferenceUnavailable")
                       for r in reports if r["result"]["type"] == "error"):
            flags.add("reference-implementation-used")
        for i, exp in enumerate(expected, start=1):
            what = f"hidden test {i} of {len(expected)}, {exp['what']}"
            if i > len(reports):
                note = "; ".join(sorted(set(answer_errors.values())))[:600]
                cell.outputs.append(_error("HiddenTestFailed", f"{what}: did not run: {why_stopped}"
                                           + (f" (your answer cells stopped while grading: {note})" if note else "")))
                return f"failed:{i}"
            got = reports[i - 1]
            if got["kind"] != exp["kind"]:
                flags.add("tampered:invalid-report")
                cell.outputs.append(_error("HiddenTestFailed", f"{what}: not the hidden test that was expected"))
                return f"failed:{i}"
            why = compare_result(got["result"], exp["result"], exp.get("rtol", 0.0), exp.get("atol", 0.0))
            if why is None and got.get("changed"):
                why = f"it changed its input arguments ({', '.join(got['changed'])})"
            if why:
                cell.outputs.append(_error("HiddenTestFailed", f"{what}: {why}"))
                return f"failed:{i}"
        return "passed"
