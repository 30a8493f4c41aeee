"""Hidden tests' side of grading: run the learner's code on the instructor's inputs and report the
results to the grader, which compares them with the solution's *outside* the learner's kernel.

In a solution notebook, the hidden part of a test cell is a few calls such as::

    ### BEGIN HIDDEN TESTS
    hidden.call(forward_step, np.array([[0.5, -1.0], [2.0, 0.25]]), 0.05, np.ones((2, 2)))
    hidden.call(forward_chain, np.zeros(3), np.full(4, 0.1), np.ones((4, 3)), substitute=("forward_step",))
    hidden.value(x2_slip, atol=6e-5)
    hidden.choice(beta_size_answer)
    ### END HIDDEN TESTS

Outside grading (an instructor running the solution, `nbgrader validate`) each call just runs, so an
error still fails the cell. While grading, the grader sets the environment variable
``COURSE_LIB_GRADING_NONCE``; each call then emits its result as a display output of MIME type
``application/vnd.course-lib.hidden+json`` carrying that nonce, and
:mod:`course_lib.grading` compares it with the same call's result on the solution notebook. Because
the comparison happens in the grader's process, patching ``np.allclose`` or returning an object whose
``==`` always succeeds changes nothing: a payload only matches if it holds the right numbers.

Each call goes through :func:`course_lib.checks._core.run_call`, the same code the visible checks use, so
both sides apply the same rules: inputs must be left unchanged, and a call that runs course_lib's reference
implementations (:data:`REFERENCE_MODULES`) or the checks' known-good helpers raises :class:`ReferenceUsed`.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np

from .checks._core import REFERENCE_MODULES, ReferenceUsed, describe, run_call
from .checks._good import known_good

__all__ = ["call", "value", "choice", "ReferenceUsed", "GRADING_ENV", "MIME", "REFERENCE_MODULES"]

GRADING_ENV = "COURSE_LIB_GRADING_NONCE"
MIME = "application/vnd.course-lib.hidden+json"


def _encode(value: Any) -> dict:
    """A JSON-able record of a result: strings as text, numbers as float64 arrays, tuples item by item."""
    if value is None:
        return {"type": "none"}
    if isinstance(value, str):
        return {"type": "str", "value": str.__str__(value)}
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        if isinstance(value, (tuple, list)):
            return {"type": "tuple", "items": [_encode(v) for v in value]}
        return {"type": "unsupported", "value": type(value).__name__}
    return {"type": "array", "shape": list(arr.shape), "data": arr.ravel().tolist()}


def _report(record: dict) -> None:
    nonce = os.environ.get(GRADING_ENV)
    if not nonce:
        return
    from IPython.display import display

    record["nonce"] = nonce
    display({MIME: record, "text/plain": f"hidden test: {record['what']}"}, raw=True)


def call(fn: Callable, *args, rtol: float = 1e-5, atol: float = 1e-8, substitute: Sequence[str] = (),
         **kwargs) -> None:
    """Run ``fn(*args, **kwargs)`` through :func:`course_lib.checks._core.run_call` and report the outcome.

    The same rules as the visible checks apply: the call gets copies of the arguments, and the report says
    which ones it changed; running course_lib's reference code raises :class:`ReferenceUsed`.
    ``substitute`` names functions of the learner's namespace that are replaced by known-good versions
    during the call (for example ``("forward_step",)`` while ``forward_chain`` is tested), so exercises are
    graded independently. ``rtol``/``atol``: the tolerance the grader allows. Returns None.
    """
    what = describe(fn, args, kwargs)
    record = {"what": what, "kind": "call", "rtol": rtol, "atol": atol}
    outcome = run_call(fn, args, kwargs, known_good(substitute), side="hidden")
    error = outcome.error
    if outcome.reference:
        error = ReferenceUsed(f"{what} ran course_lib's reference code ({', '.join(outcome.reference)})")
    if error is not None:
        record["result"] = {"type": "error", "value": f"{type(error).__name__}: {error}"}
        _report(record)
        raise error
    record["result"] = _encode(outcome.result)
    record["changed"] = outcome.changed
    _report(record)


def value(x: Any, rtol: float = 1e-5, atol: float = 1e-8, name: str = "value") -> None:
    """Report a value the learner computed (a number or an array)."""
    _report({"what": name, "kind": "value", "rtol": rtol, "atol": atol, "result": _encode(x)})


def choice(answer: Any, name: str = "answer") -> None:
    """Report a multiple-choice answer, normalised to an upper-case letter."""
    letter = str.__str__(answer).strip().upper() if isinstance(answer, str) else None
    _report({"what": name, "kind": "choice", "result": {"type": "str", "value": letter}})
