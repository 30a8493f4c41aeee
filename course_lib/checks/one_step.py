"""Visible checks for notebook 02, the one-step rule (``from course_lib.checks import one_step as checks``).

Every check runs the learner's code through :func:`course_lib.checks._core.check_call` on the same kinds of
input as the hidden tests (numbers, 1-D arrays, 2-D arrays with one beta per entry, images
``[B, C, H, W]``), under the same rules (inputs unchanged, the learner's own code), and names the likely
mistake of a wrong answer: beta where sqrt(beta) belongs, no shrink factor, the same eps reused, ...
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import _good, _hints
from ._core import CheckFailed, check_call, check_cases, compare
from ._hints import hint
from ._questions import check_choice

__all__ = ["CheckFailed", "check_choice", "hint", "check_forward_step", "check_forward_chain", "check_slip",
           "good_step"]


def good_step(x_prev, beta, eps):
    """A known-good one-step rule, put in place of the learner's ``forward_step`` while their
    ``forward_chain`` is checked, so a mistake in one exercise does not cost the other's points."""
    return np.sqrt(1 - np.asarray(beta, dtype=float)) * np.asarray(x_prev, dtype=float) + \
        np.sqrt(beta) * np.asarray(eps, dtype=float)


_good.register({"forward_step": good_step})


def _step_mistakes(x, beta, eps) -> list[tuple[str, np.ndarray]]:
    """Wrong one-step rules learners write, each with the message that explains it."""
    x, beta, eps = (np.asarray(v, dtype=float) for v in (x, beta, eps))
    return [
        ("the noise is scaled by beta instead of sqrt(beta). beta_t is the noise's *variance*; "
         "its standard deviation, the factor in front of eps, is sqrt(beta_t).",
         np.sqrt(1 - beta) * x + beta * eps),
        ("the shrink factor is missing (x_prev + sqrt(beta) * eps). Without sqrt(1 - beta) the variance "
         "grows by beta at every step and never settles at 1 (notebook 01, section 3).",
         x + np.sqrt(beta) * eps),
        ("the signal is scaled by (1 - beta) instead of sqrt(1 - beta). Variances add, so the *square* of "
         "the signal factor must be 1 - beta.",
         (1 - beta) * x + np.sqrt(beta) * eps),
        ("both factors are unsquared: (1 - beta) * x_prev + beta * eps. Use sqrt(1 - beta) and sqrt(beta).",
         (1 - beta) * x + beta * eps),
        ("beta and 1 - beta are swapped: the signal keeps sqrt(1 - beta), the noise gets sqrt(beta).",
         np.sqrt(beta) * x + np.sqrt(1 - beta) * eps),
        ("the noise is subtracted. The rule adds sqrt(beta) * eps (eps carries its own sign).",
         np.sqrt(1 - beta) * x - np.sqrt(beta) * eps),
    ]


# The kinds of input the exercise promises (and the hidden tests use): a number, a 1-D array, a 2-D array
# with one beta for all or one beta per entry, and images [B, C, H, W].
_GRID = np.array([[0.5, -1.0, 1.5], [2.0, 0.25, -0.75]])
_NOISE = np.array([[0.3, -1.2, 0.0], [1.1, -0.4, 2.0]])
_STEP_CASES = [
    (0.80, 0.20, -0.20),
    (np.array([1.0, -0.5, 2.0]), 0.1, np.array([0.3, -1.2, 0.0])),
    (np.array([1.0, -0.5, 2.0]), np.array([0.1, 0.5, 0.02]), np.array([0.3, -1.2, 0.7])),
    (_GRID, 0.05, _NOISE),
    (_GRID, np.array([[0.1, 0.2, 0.3], [0.4, 0.01, 0.999]]), _NOISE),
    (np.linspace(-1.0, 1.0, 2 * 3 * 2 * 2).reshape(2, 3, 2, 2), 0.3,
     np.cos(np.arange(24.0)).reshape(2, 3, 2, 2)),
]


def check_forward_step(forward_step: Callable) -> None:
    """Check ``forward_step(x_prev, beta, eps)`` on the toy's first step, arrays, per-entry betas and images."""
    __tracebackhide__ = True
    check_cases(forward_step, _STEP_CASES, good_step, _step_mistakes,
                done="forward_step: correct on the toy's first step (0.6261), on arrays, with one beta per entry and "
                     "on images, inputs unchanged.")


def _chain(x0, betas, eps, step) -> np.ndarray:
    xs = [np.asarray(x0, dtype=float)]
    for beta, e in zip(betas, eps):
        xs.append(step(xs[-1], beta, e))
    return np.stack(xs)


def _chain_mistakes(x0, betas, eps) -> list[tuple[str, np.ndarray]]:
    expected = _chain(x0, betas, eps, good_step)
    mistakes = [
        ("the trajectory leaves out x0. Return T + 1 states, x_0 first, so trajectory[t] is x_t.", expected[1:]),
        ("only the last state is returned. Return the whole trajectory x_0, x_1, ..., x_T.", expected[-1]),
        ("the same eps is reused at every step. Each step needs its own fresh draw eps[t-1]; reusing one "
         "draw makes the noise add up coherently instead of averaging out.",
         _chain(x0, betas, [eps[0]] * len(betas), good_step)),
        ("each step starts again from x0 instead of from the previous state x_{t-1}: the chain must feed "
         "each output into the next step.",
         np.stack([np.asarray(x0, dtype=float)] + [good_step(x0, b, e) for b, e in zip(betas, eps)])),
        ("the steps are off by one: step t must use betas[t-1] and eps[t-1] (arrays are 0-indexed).",
         _chain(x0, np.roll(betas, 1), eps, good_step)),
    ]
    return mistakes + [(msg, _chain(x0, betas, eps, lambda x, b, e, m=m: _step_mistakes(x, b, e)[m][1]))
                       for m, (msg, _) in enumerate(_step_mistakes(0.0, 0.5, 0.0))]


_CHAIN_CASES = [
    (0.80, np.array([0.1, 0.3, 0.2]), np.array([-0.2, 0.5, 1.0])),
    (np.array([1.0, -2.0]), np.array([0.05, 0.4, 0.01, 0.2]), np.array([[0.1, -1.0], [2.0, 0.5], [-0.7, 0.3],
                                                                        [1.1, -1.4]])),
    (np.arange(8.0).reshape(1, 2, 2, 2) / 8, np.array([0.1, 0.3]), np.ones((2, 1, 2, 2, 2))),
]


def check_forward_chain(forward_chain: Callable) -> None:
    """Check ``forward_chain(x0, betas, eps)`` returns the whole trajectory x_0..x_T, for a number, a 1-D x0
    and images.

    The learner's ``forward_step`` is replaced by :func:`good_step` meanwhile (it has its own check).
    """
    __tracebackhide__ = True
    for x0, betas, eps in _CHAIN_CASES:
        expected = _chain(x0, betas, eps, good_step)
        check_call(forward_chain, (x0, betas, eps), expected, mistakes=_chain_mistakes(x0, betas, eps),
                   substitute={"forward_step": good_step})
    print("forward_chain: the whole trajectory, x0 first, a fresh eps per step, for any shape of x0. ✔")


def check_slip(x2_slip, eps2_needed) -> None:
    """Check x2 recomputed with the copied eps2 = -0.4130, and the eps2 that really gives 0.3730.

    The expected values are never printed: here the value *is* the answer.
    """
    __tracebackhide__ = True
    x1 = good_step(0.80, 0.20, -0.20)
    x2 = good_step(x1, 0.20, -0.4130)
    mistakes = [
        ("0.3730 is what the copied example *claims*. Recompute x2 from x1 with its eps2 = -0.4130 and see "
         "whether the claim holds.", 0.3730),
        ("that is x1. Take one more step from x1 with beta2 = 0.20 and eps2 = -0.4130.", x1),
        ("the noise term was added with the wrong sign: sqrt(0.2) * (-0.4130) is negative.",
         np.sqrt(0.8) * x1 + np.sqrt(0.2) * 0.4130),
        ("the noise was scaled by beta instead of sqrt(beta).", np.sqrt(0.8) * x1 + 0.2 * -0.4130),
    ]
    try:
        compare(x2_slip, x2, "x2_slip", mistakes, tol=6e-5, reveal=False)
        eps_mistakes = [
            ("that is the copied eps2. Solve 0.3730 = sqrt(0.8) * x1 + sqrt(0.2) * eps2 for eps2.", -0.4130),
            ("the sign is flipped: x2 = 0.3730 is below sqrt(0.8) * x1, so eps2 is negative.",
             -(0.3730 - np.sqrt(0.8) * x1) / np.sqrt(0.2)),
            ("divided by beta instead of sqrt(beta) when solving for eps2.", (0.3730 - np.sqrt(0.8) * x1) / 0.2),
            ("that is the single-jump eps of notebook 03, which goes from x0 to x2 in one step with "
             "alpha_bar_2 = 0.64. Here solve the one-step rule for the *second* step, from x1 with beta2 = 0.20.",
             (0.3730 - 0.8 * 0.80) / 0.6),
        ]
        compare(eps2_needed, (0.3730 - np.sqrt(0.8) * x1) / np.sqrt(0.2), "eps2_needed", eps_mistakes, tol=6e-5,
                reveal=False)
    except CheckFailed as failure:
        failure.exercise = "slip"
        raise
    print(f"x2_slip = {float(x2_slip):.4f}: the copied example's eps2 does not give 0.3730; and "
          f"eps2_needed = {float(eps2_needed):.4f} does. ✔")


_hints.register({
    "forward_step": [
        "Read the rule in section 2 term by term: which factor multiplies `x_prev`, which multiplies `eps`? "
        "beta is a *variance*; the factor in front of eps is a standard deviation.",
        "Both factors are square roots: `sqrt(1 - beta)` for the signal, `sqrt(beta)` for the noise. Use "
        "NumPy's `np.sqrt`, which works on numbers and on arrays alike, so `beta` may be an array too.",
        "The body is one line of the shape `return <shrink factor> * x_prev + <noise scale> * eps`; it builds "
        "a new value and writes nothing into `x_prev` or `eps`.",
    ],
    "forward_chain": [
        "The trajectory starts with x0 itself, then appends one new state per beta: T betas give T + 1 states.",
        "Step t uses betas[t-1] and eps[t-1] and starts from the *previous state*, not from x0. "
        "`zip(betas, eps)` walks both arrays together.",
        "Keep a list `states = [x0]`; in a loop, append `forward_step(states[-1], beta_t, eps_t)`; at the "
        "end turn the list into one array with `np.stack`.",
    ],
    "slip": [
        "x1 is the same in both versions (0.6261). Only the second step differs: take it with the copied "
        "eps2 = -0.4130 and compare with the 0.3730 the copied example prints.",
        "For eps2_needed, write the second step as an equation, 0.3730 = sqrt(0.8) * x1 + sqrt(0.2) * eps2, "
        "and solve it for eps2.",
        "Keep every number at full precision: compute x1 with NumPy and use that variable, not the rounded "
        "0.6261; then `eps2_needed = (0.3730 - <shrunk x1>) / <noise scale>`.",
    ],
    "beta_size_answer": [
        "Picture one step with a huge beta (0.9) and one with a tiny beta (1e-6): how much of x_{t-1} is left "
        "after the step, and how far is x_T from N(0, 1) after 1000 steps?",
        "A reverse step is easy to learn when it undoes a small change. With the shrink factor the variance "
        "stays 1 whatever beta is, so 'the variance blows up' is not the problem.",
    ],
})
