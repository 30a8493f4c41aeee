"""Hidden tests' side of grading: run the learner's code on the instructor's inputs and report the
results to the grader, which compares them with the solution's *outside* the learner's kernel.

In a solution notebook, the hidden part of a test cell is a few calls such as::

    ### BEGIN HIDDEN TESTS
    hidden.call(forward_step, np.array([[0.5, -1.0], [2.0, 0.25]]), 0.05, np.ones((2, 2)))
    hidden.value(x2_slip, atol=6e-5)
    hidden.choice(shrink_answer)
    ### END HIDDEN TESTS

Outside grading (an instructor running the solution, `nbgrader validate`) each call just runs, so an
error still fails the cell. While grading, the grader sets the environment variable
``COURSE_LIB_GRADING_NONCE``; each call then emits its result as a display output of MIME type
``application/vnd.course-lib.hidden+json`` carrying that nonce, and
:mod:`course_lib.grading` compares it with the same call's result on the solution notebook. Because
the comparison happens in the grader's process, patching ``np.allclose`` or returning an object whose
``==`` always succeeds changes nothing: a payload only matches if it holds the right numbers.

A call that runs course_lib's reference implementations (:data:`REFERENCE_MODULES`) raises
:class:`ReferenceUsed`, so an answer that only delegates to them earns nothing.
"""

from __future__ import annotations

import copy
import os
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np

from .checks._core import substituted

__all__ = ["call", "value", "choice", "ReferenceUsed", "GRADING_ENV", "MIME", "REFERENCE_MODULES"]

GRADING_ENV = "COURSE_LIB_GRADING_NONCE"
MIME = "application/vnd.course-lib.hidden+json"
#: Modules whose functions are the answers to exercises; graded code may not run them.
REFERENCE_MODULES = ("course_lib.forward", "course_lib.schedules", "course_lib.score")


class ReferenceUsed(RuntimeError):
    """Raised when graded code calls course_lib's reference implementation during a hidden test."""


def _reference_files() -> set[str]:
    """Source files of the reference modules that are imported."""
    return {sys.modules[name].__file__ for name in REFERENCE_MODULES if name in sys.modules}


@contextmanager
def _reference_watched(exempt: set) -> Iterator[list]:
    """Record every call into reference code made while the block runs.

    Yields a list that receives the names of reference functions that ran, however they were reached:
    a wrapper, an alias, a copied ``__code__``, a reloaded module. Calls made *inside* an exempt
    callable (one the test itself passed in, such as an exact score function) do not count.
    """
    files = _reference_files()
    exempt_codes = {getattr(f, "__code__", None) for f in exempt} - {None}
    used: list[str] = []
    depth = [0]

    def watch(frame, event, arg):
        code = frame.f_code
        if code in exempt_codes:
            depth[0] += 1 if event == "call" else -1 if event == "return" else 0
        elif event == "call" and depth[0] == 0 and code.co_filename in files:
            used.append(code.co_name)

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        yield used
    finally:
        if sys.getprofile() is not watch:
            used.append("(the grader's watch was removed)")
        sys.setprofile(previous)


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


def _describe(fn: Callable, args: tuple, kwargs: dict) -> str:
    def short(a):
        if isinstance(a, np.ndarray):
            return f"array{tuple(a.shape)}"
        if callable(a):
            return getattr(a, "__name__", "function")
        return repr(a) if len(repr(a)) <= 20 else type(a).__name__
    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return f"{getattr(fn, '__name__', 'function')}({', '.join(parts)})"


def _report(record: dict) -> None:
    nonce = os.environ.get(GRADING_ENV)
    if not nonce:
        return
    from IPython.display import display

    record["nonce"] = nonce
    display({MIME: record, "text/plain": f"hidden test: {record['what']}"}, raw=True)


def call(fn: Callable, *args, rtol: float = 1e-5, atol: float = 1e-8,
         substitute: dict[str, Callable] | None = None, **kwargs) -> None:
    """Run ``fn(*args, **kwargs)`` on deep copies of the arguments and report the result.

    ``substitute`` rebinds names in the learner's namespace during the call (for example a known-good
    ``forward_step`` while ``forward_chain`` is tested), so exercises are graded independently.
    The arguments *after* the call are reported too: an answer that modifies its inputs does not match.
    ``rtol``/``atol``: the tolerance the grader allows (taken from the solution's run). Returns None.
    """
    what = _describe(fn, args, kwargs)
    args_copy, kwargs_copy = copy.deepcopy(args), copy.deepcopy(kwargs)
    exempt = {getattr(a, "__func__", a) for a in (*args, *kwargs.values(), *(substitute or {}).values())
              if callable(a)}
    record = {"what": what, "kind": "call", "rtol": rtol, "atol": atol}
    try:
        with substituted(fn, substitute or {}), _reference_watched(exempt) as used:
            result = fn(*args_copy, **kwargs_copy)
        if used:
            raise ReferenceUsed(f"{what} ran course_lib's reference code ({', '.join(sorted(set(used)))})")
    except BaseException as exc:
        record["result"] = {"type": "error", "value": f"{type(exc).__name__}: {exc}"}
        _report(record)
        raise
    record["result"] = _encode(result)
    record["args_after"] = _encode([*args_copy, *kwargs_copy.values()])
    _report(record)


def value(x: Any, rtol: float = 1e-5, atol: float = 1e-8, name: str = "value") -> None:
    """Report a value the learner computed (a number or an array)."""
    _report({"what": name, "kind": "value", "rtol": rtol, "atol": atol, "result": _encode(x)})


def choice(answer: Any, name: str = "answer") -> None:
    """Report a multiple-choice answer, normalised to an upper-case letter."""
    letter = str.__str__(answer).strip().upper() if isinstance(answer, str) else None
    _report({"what": name, "kind": "choice", "result": {"type": "str", "value": letter}})
