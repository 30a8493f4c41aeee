"""Grade hidden tests outside the learner's kernel, and keep correct answers from losing points to stderr.

:class:`VerifyHidden` runs after :class:`~course_lib.grading.execute.SandboxedExecute` and before nbgrader's
``SaveAutoGrades``. For every auto-graded test cell it

1. takes out the hidden-test reports (:data:`course_lib.hidden.MIME`) the cell emitted;
2. compares them, in this process, with the same cell's reports from the *solution* notebook (the answer
   key, computed by running the solution in the same sandbox and cached under ``.answer-keys/``);
3. on any difference (a wrong value, a missing report, another run's nonce) appends an error output that
   says which hidden test failed, without revealing the expected value, so nbgrader scores the cell 0;
4. turns stderr output (warnings, debug prints) into ordinary output, so a correct answer that warns keeps
   its points, and drops ``execute_result`` outputs, which nbgrader would read as partial credit.

It also writes ``<notebook>.grading.json`` beside the autograded notebook: each test cell's outcome and the
submission's flags (reference implementation used, hidden tests that did not run as written, kernel died,
timeout, isolation available), which :mod:`course_lib.grading.export` adds to the grades CSV.
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

from ..hidden import MIME
from .execute import SandboxedExecute, _error
from .sanitize import FLAGS_KEY

__all__ = ["VerifyHidden", "answer_key", "compare_result"]


def _is_test_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution") and "grade_id" in meta


def _reports(cell) -> list[dict]:
    return [dict(o.data[MIME]) for o in cell.get("outputs", []) if o.output_type == "display_data" and MIME in o.data]


def compare_result(got: dict, expected: dict, rtol: float, atol: float) -> str | None:
    """Compare two encoded results (see :func:`course_lib.hidden._encode`); None if they match, else why not."""
    if got.get("type") != expected.get("type"):
        if got.get("type") == "error":
            return f"it raised {got.get('value')}"
        return f"it returned a {got.get('type')} where a {expected.get('type')} was expected"
    kind = expected["type"]
    if kind == "array":
        if list(got["shape"]) != list(expected["shape"]):
            return f"shape {tuple(got['shape'])}, expected {tuple(expected['shape'])}"
        for g, e in zip(got["data"], expected["data"]):
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


def answer_key(source: Path, coursedir: CourseDirectory) -> dict[str, list[dict]]:
    """The solution notebook's hidden-test reports, per test cell: ``{grade_id: [record, ...]}``.

    Run by :class:`SandboxedExecute` with the course's configuration (``coursedir.config``). Cached in
    ``<course root>/.answer-keys/`` (mode 0700) until the solution notebook or course_lib changes. Raises
    ``RuntimeError`` if the solution fails its own tests.
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
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    execute = SandboxedExecute(config=coursedir.config)
    nb, resources = execute.preprocess(nb, {"metadata": {"path": str(source.parent)}})
    nonce = resources["course_lib_grading"]["nonce"]
    cells = {}
    for cell in nb.cells:
        if not _is_test_cell(cell):
            continue
        failed = [o for o in cell.outputs if o.output_type == "error"]
        if failed:
            raise RuntimeError(f"the solution {source} fails its own test cell "
                               f"{cell.metadata.nbgrader['grade_id']} in the grading sandbox: "
                               f"{failed[0].ename}: {failed[0].evalue}")
        reports = _reports(cell)
        if any(r.get("nonce") != nonce for r in reports):
            raise RuntimeError(f"the solution {source} produced hidden-test reports from another run")
        cells[cell.metadata.nbgrader["grade_id"]] = [
            {k: v for k, v in r.items() if k != "nonce"} for r in reports]
    partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")  # another grader may read the cache meanwhile
    partial.write_text(json.dumps({"hash": digest, "cells": cells}))
    os.chmod(partial, 0o600)
    os.replace(partial, cache)
    return cells


class VerifyHidden(NbGraderPreprocessor):
    """Compare hidden-test reports with the answer key (see the module docstring)."""

    def preprocess(self, nb, resources):
        """Check every test cell; write ``<notebook>.grading.json`` beside the autograded notebook."""
        run = resources.get("course_lib_grading")
        if run is None:
            raise RuntimeError("VerifyHidden needs SandboxedExecute in c.Autograde.autograde_preprocessors")
        coursedir = CourseDirectory(config=self.config)
        assignment, notebook = resources["nbgrader"]["assignment"], resources["nbgrader"]["notebook"]
        source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment)) / f"{notebook}.ipynb"
        key = answer_key(source, coursedir)
        flags, outcomes = set(nb.metadata.pop(FLAGS_KEY, [])), {}
        if run["isolation"] == "none":
            flags.add("isolation:none")
        if run["kernel_died"] is not None:
            flags.add(f"kernel-died:cell-{run['kernel_died']}")
        for index, cell in enumerate(nb.cells):
            errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
            for err in errors:
                if err.ename in ("ReferenceUsed", "UsesReference"):
                    flags.add("reference-implementation-used")
                elif err.ename == "CellTimeoutError":
                    flags.add(f"timeout:cell-{index}")
                elif err.ename == "MemoryError":
                    flags.add(f"memory-limit:cell-{index}")
            if _is_test_cell(cell):
                grade_id = cell.metadata.nbgrader["grade_id"]
                outcomes[grade_id] = self._check_cell(cell, key.get(grade_id, []), run["nonce"], flags)
        report = {"assignment": assignment, "notebook": notebook, "student": resources["nbgrader"]["student"],
                  "isolation": run["isolation"], "flags": sorted(flags), "cells": outcomes}
        path = Path(resources["metadata"]["path"]) / f"{notebook}.grading.json"
        path.write_text(json.dumps(report, indent=1))
        resources["course_lib_grading"]["flags"] = sorted(flags)
        return nb, resources

    @staticmethod
    def _check_cell(cell, expected: list[dict], nonce: str, flags: set) -> str:
        reports = _reports(cell)
        kept = []
        for out in cell.outputs:
            if out.output_type == "display_data" and MIME in out.data:
                continue
            if out.output_type == "execute_result":
                flags.add("tampered:unexpected-result")
                continue
            if out.output_type == "stream" and out.name == "stderr":
                out = new_output("stream", name="stdout", text="[stderr] " + out.text)
            kept.append(out)
        cell.outputs = kept
        if any(o.output_type == "error" for o in kept):
            return "error"
        if len(reports) != len(expected) or any(r.get("nonce") != nonce for r in reports):
            flags.add("tampered:hidden-tests-did-not-run")
            cell.outputs.append(_error(
                "HiddenTestsDidNotRun",
                f"{len(expected)} hidden tests should have reported, {len(reports)} did: the cell did not run as "
                "written"))
            return "hidden-tests-did-not-run"
        for i, (got, exp) in enumerate(zip(reports, expected), start=1):
            why = compare_result(got.get("result", {}), exp["result"], exp.get("rtol", 0.0), exp.get("atol", 0.0))
            if why is None and got.get("changed"):
                why = f"it changed its input arguments ({', '.join(map(str, got['changed']))})"
            if why:
                cell.outputs.append(_error("HiddenTestFailed", f"hidden test {i} of {len(expected)}, "
                                                               f"{exp['what']}: {why}"))
                return f"failed:{i}"
        return "passed"
