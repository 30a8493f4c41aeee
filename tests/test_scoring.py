"""Hidden tests decided in the grading runtime: what exists there, what comes back and how it is checked,
the contract a solution's hidden tests follow, and the submission seen as data."""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT
from grading_corpus import ensure_bubblewrap
from course_lib.grading.sandbox import Limits, isolation
from course_lib.grading.sanitize import FLAGS_KEY, SubmissionAsData
from course_lib.grading.scoring import NotebookPlan, CellPlan, plan_tests, run_program, valid_reply
from course_lib.grading.submission import submission_problem

ensure_bubblewrap()


def _test(grade_id: str, hidden: str, check: str = "checks.check_it(f)"):
    return new_code_cell(f"{check}\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS",
                         metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": grade_id, "points": 1}})


def _answer(grade_id: str, source: str):
    return new_code_cell(f"### BEGIN SOLUTION\n{source}\n### END SOLUTION",
                         metadata={"nbgrader": {"grade": False, "solution": True, "grade_id": grade_id}})


def _solution(*cells):
    return new_notebook(cells=[new_code_cell("import numpy as np\nfrom course_lib import hidden, forward"), *cells])


# --- the runtime ------------------------------------------------------------------------------------------

RUNTIME_PROBE = r"""
import glob, os
from course_lib import data, forward, schedules, hidden
from course_lib.checks import one_step as checks
from course_lib.widgets.scrubber import timestep_scrubber
from course_lib.stats import standard_normal_cdf
import course_lib.checks._core as core
def attempt(action):
    try:
        return action()
    except Exception as exc:
        return type(exc).__name__ + ": " + str(exc)[:120]
FOUND = {"forward": attempt(lambda: forward.forward_step(1.0, 0.5, 0.0)),
         "checks": attempt(lambda: checks.check_forward_step(None)),
         "widget": attempt(lambda: timestep_scrubber()),
         "stats": attempt(lambda: float(standard_normal_cdf(0.0))),
         "data": attempt(lambda: data.sample_image(8).shape),
         "files": sorted(glob.glob(os.path.join(os.path.dirname(core.__file__), "..", "**", "*.py"), recursive=True)),
         "solutions": [p for depth in range(5) for p in glob.glob("/*" * depth + "/solutions/*/*.ipynb")
                       if not p.startswith("/proc/")][:3]}
"""


def _run(setup: str, hidden: str, expected: int = 1):
    plan = NotebookPlan(setup, None, [], {"t": CellPlan("t", hidden)})
    result = run_program([("run", 0, setup), ("test", "t")], plan, isolation(), Limits(), 30, 60)
    reply = result.replies["t"]
    assert valid_reply(reply, expected), reply
    return result, reply


@pytest.mark.slow
def test_the_runtime_has_no_answers_course_lib_and_no_course():
    """Notebook imports still work, but every answer and check is a stand-in; only stats, data, _validate
    and the call rules exist as files (``from course_lib import data`` gives the real module); no solution
    notebook is readable."""
    expected = {"forward": "ReferenceUnavailable: course_lib.forward.forward_step is not available while grading",
                "checks": "ReferenceUnavailable: course_lib.checks.one_step.check_forward_step is not available",
                "widget": "ReferenceUnavailable: course_lib.widgets.scrubber.timestep_scrubber is not available",
                "stats": 0.5,
                "data": (3, 8, 8),
                "files": ["_core.py", "_validate.py", "data.py", "runtime.py", "stats.py"],
                "solutions": []}
    hidden = "\n".join(f"hidden.value(0.0, name=str(FOUND[{key!r}]))" for key in expected)
    result, reply = _run(RUNTIME_PROBE, hidden, len(expected))
    assert result.run_errors == {}
    got = {key: report["what"] for key, report in zip(expected, reply["reports"])}
    for key in ("forward", "checks", "widget"):
        assert got[key].startswith(expected[key]), got[key]
    assert got["stats"] == "0.5"
    assert got["data"] == "(3, 8, 8)"
    assert sorted(os.path.basename(f) for f in eval(got["files"])) == expected["files"]  # noqa: S307
    assert got["solutions"] == "[]"


@pytest.mark.slow
def test_a_hidden_call_in_the_runtime_applies_the_call_rules_and_stops_at_the_first_error():
    setup = "import numpy as np\ndef f(x):\n    x += 1\n    return x\ndef g(x):\n    raise ValueError('no')"
    _, reply = _run(setup, "hidden.call(f, np.zeros(2))\nhidden.call(g, 1.0)\nhidden.call(f, np.ones(2))", 3)
    first, second = reply["reports"]
    assert first["result"] == {"type": "array", "shape": [2], "data": [1.0, 1.0]} and first["changed"] == ["x"]
    assert second["result"] == {"type": "error", "value": "ValueError: no"}


# --- what comes back is untrusted ----------------------------------------------------------------------------

def _report(result, kind="call"):
    return {"kind": kind, "what": "f()", "rtol": 1e-5, "atol": 1e-8, "result": result, "changed": []}


@pytest.mark.parametrize("result", [
    {"type": "array", "shape": [2, 2], "data": []},                      # empty data, right shape
    {"type": "array", "shape": [3], "data": [1.0, 2.0]},                 # shorter than its shape
    {"type": "array", "shape": [1], "data": [True]},                     # not a number
    {"type": "array", "shape": [1], "data": ["1.0"]},
    {"type": "array", "shape": [-1], "data": []},
    {"type": "array", "shape": [2**21], "data": []},                     # too large
    {"type": "array", "shape": [1], "data": [1.0], "extra": 1},
    {"type": "str", "value": "x" * 5000},
    {"type": "tuple", "items": [{"type": "none"}] * 17},
    {"type": "rigged"},
    "array",
])
def test_a_malformed_result_is_refused(result):
    assert not valid_reply({"reports": [_report(result)], "error": None}, 1)


def test_a_well_formed_reply_is_accepted_and_more_reports_than_hidden_calls_are_refused():
    good = _report({"type": "array", "shape": [2], "data": [1.0, float("nan")]})
    assert valid_reply({"reports": [good], "error": None}, 1)
    assert not valid_reply({"reports": [good, good], "error": None}, 1)
    assert not valid_reply({"reports": [good], "error": None, "score": 10}, 1)
    assert not valid_reply({"reports": [_report({"type": "none"}, kind="verdict")], "error": None}, 1)


# --- the contract of a solution's hidden tests ----------------------------------------------------------------

def test_every_solution_keeps_the_hidden_tests_contract():
    for path in sorted(ROOT.glob("solutions/*/*.ipynb")):
        plan = plan_tests(nbformat.read(path, as_version=4))
        assert plan.tests, path


@pytest.mark.parametrize("cells, problem", [
    ([_answer("f", "def f(x):\n    return x"), _test("test_f", "hidden.call(f, checks.demo(1.0))")], "use checks"),
    ([_answer("f", "def f(x):\n    return x"), _test("test_f", "import course_lib\nhidden.call(f, 1.0)")],
     "use checks or course_lib"),
    ([_answer("f", "def f(x):\n    return x"), _test("test_f", "pass\n")], "test_f has no hidden tests"),
    ([_answer("f", "def f(x):\n    return x"), _answer("g", "def g(x):\n    return f(x)"),
      _test("test_g", "hidden.call(g, 1.0, substitute=('f',))"), _test("test_f", "hidden.call(f, 1.0)")],
     "graded after it"),
])
def test_a_solution_that_breaks_the_contract_is_refused(cells, problem):
    with pytest.raises(ValueError, match=problem):
        plan_tests(_solution(*cells))


# --- the submission is data -------------------------------------------------------------------------------

def test_a_submission_folder_holds_only_regular_files(tmp_path):
    submitted = tmp_path / "submitted"
    folder = submitted / "ann" / "a1"
    folder.mkdir(parents=True)
    notebook = folder / "a1.ipynb"
    notebook.write_text("{}")
    assert submission_problem(submitted, "ann", "a1") is None
    notebook.unlink()
    notebook.symlink_to(ROOT / "solutions" / "02-one-step-rule" / "02-one-step-rule.ipynb")
    assert "is a symbolic link" in submission_problem(submitted, "ann", "a1")
    notebook.unlink()
    os.mkfifo(notebook)
    assert "is a FIFO" in submission_problem(submitted, "ann", "a1")
    notebook.unlink()
    with open(notebook, "wb") as fh:
        fh.truncate(21 * 2**20)
    assert "MiB allowed" in submission_problem(submitted, "ann", "a1")
    notebook.unlink()
    (submitted / "bob").symlink_to(submitted / "ann")
    assert "not a folder" in submission_problem(submitted, "bob", "a1")


def test_lone_surrogates_and_the_graders_metadata_keys_are_removed_from_a_submission():
    nb = new_notebook(cells=[new_code_cell("x = 1  # \ud800"), new_markdown_cell("\udfff")],
                      metadata={FLAGS_KEY: ["=1+1"]})
    nb, _ = SubmissionAsData().preprocess(nb, {})
    assert FLAGS_KEY not in nb.metadata
    json.dumps(nb).encode("utf-8")
    nbformat.writes(nb).encode("utf-8")
    assert nb.cells[0].source.startswith("x = 1  # \ufffd")
