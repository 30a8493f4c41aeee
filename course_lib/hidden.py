"""Hidden tests: the instructor's own calls of the learner's code, which decide the points.

In a solution notebook, the hidden part of a test cell is a few calls such as::

    ### BEGIN HIDDEN TESTS
    hidden.call(forward_step, np.array([[0.5, -1.0], [2.0, 0.25]]), 0.05, np.ones((2, 2)))
    hidden.call(forward_chain, np.zeros(3), np.full(4, 0.1), np.ones((4, 3)), substitute=("forward_step",))
    hidden.value(x2_slip, atol=6e-5)
    hidden.choice(beta_size_answer)
    ### END HIDDEN TESTS

The hidden part may use only ``np``, ``hidden``, the learner's answer names, literals and small helper
functions defined in the hidden part itself: no ``checks.*`` and no ``course_lib``.

This module is ``hidden`` in a notebook: an instructor running the solution, ``nbgrader validate`` and the
student's kernel while grading. There each call just runs, through
:func:`course_lib.checks._core.run_call` (the code the visible checks use, so both apply the same rules:
inputs must be left unchanged, running course_lib's reference raises :class:`ReferenceUsed`), and an error
fails the cell. It reports nothing: the points are decided by the grader, which runs the hidden part
again in a separate sandboxed interpreter where course_lib's answers do not exist, with its own ``hidden``
(:class:`course_lib.grading.runtime.Reporter`), and compares the results with the solution's outside any
student process (:mod:`course_lib.grading.scoring`).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from .checks._core import REFERENCE_MODULES, ReferenceUsed, describe, run_call
from .checks._good import known_good

__all__ = ["call", "value", "choice", "ReferenceUsed", "REFERENCE_MODULES"]


def call(fn: Callable, *args, rtol: float = 1e-5, atol: float = 1e-8, substitute: Sequence[str] = (),
         **kwargs) -> None:
    """Run ``fn(*args, **kwargs)`` through :func:`course_lib.checks._core.run_call`; raise what it raised.

    ``substitute`` names functions of the learner's namespace that are replaced by known-good versions
    during the call (for example ``("forward_step",)`` while ``forward_chain`` is tested), so exercises are
    graded independently. ``rtol``/``atol``: the tolerance the grader allows. Returns None.
    """
    outcome = run_call(fn, args, kwargs, known_good(substitute), side="hidden")
    if outcome.reference:
        raise ReferenceUsed(f"{describe(fn, args, kwargs)} ran course_lib's reference code "
                            f"({', '.join(outcome.reference)})")
    if outcome.unavailable:
        raise ReferenceUsed(f"{describe(fn, args, kwargs)} uses {', '.join(outcome.unavailable)}, which do not "
                            "exist where answers are graded")
    if outcome.error is not None:
        raise outcome.error


def value(x: Any, rtol: float = 1e-5, atol: float = 1e-8, name: str = "value") -> None:
    """A value the learner computed (a number or an array): compared by the grader."""


def choice(answer: Any, name: str = "answer") -> None:
    """A multiple-choice answer (a letter, any case): compared by the grader."""
