"""Visible checks for notebook 02, the one-step rule (``from course_lib.checks import one_step as checks``).

Each check runs the learner's code on inputs whose answers are known, prints a short success line, or
raises :class:`~course_lib.checks.CheckFailed` naming the likely mistake (beta where sqrt(beta) belongs,
no shrink factor, the same eps reused, ...).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._core import CheckFailed, as_array, check_choice, compare, fmt, substituted

__all__ = [
    "CheckFailed",
    "check_choice",
    "check_forward_step",
    "check_forward_chain",
    "check_slip",
    "good_step",
    "SHRINK_QUESTION",
]


def _step_mistakes(x, beta, eps) -> list[tuple[str, np.ndarray]]:
    """Wrong one-step rules learners write, each with the message that explains it."""
    x, beta, eps = (np.asarray(v, dtype=float) for v in (x, beta, eps))
    return [
        ("the noise is scaled by beta instead of sqrt(beta). beta_t is the noise's *variance*; "
         "its standard deviation, the factor in front of eps, is sqrt(beta_t).",
         np.sqrt(1 - beta) * x + beta * eps),
        ("the shrink factor is missing (x_prev + sqrt(beta) * eps). Without sqrt(1 - beta) the variance "
         "grows by beta at every step and never settles at 1.",
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


def check_forward_step(forward_step: Callable) -> None:
    """Check ``forward_step(x_prev, beta, eps)`` on the toy's first step and on arrays."""
    __tracebackhide__ = True
    cases = [
        (0.80, 0.20, -0.20, 0.6260990336999411),
        (0.6260990336999411, 0.20, -0.4181, 0.3730199957214676),
        (np.array([1.0, -0.5, 2.0]), 0.1, np.array([0.3, -1.2, 0.0]),
         np.array([1.0435516278555652, -0.8538149682454623, 1.8973665961010275])),
    ]
    for x, beta, eps, expected in cases:
        got = forward_step(x, beta, eps)
        compare(got, expected, f"forward_step({fmt(x)}, {beta}, {fmt(eps)})", _step_mistakes(x, beta, eps))
    print("forward_step: correct on the toy's two steps and on an array. ✔")


def good_step(x_prev, beta, eps):
    """A known-good one-step rule, put in place of the learner's ``forward_step`` while their
    ``forward_chain`` is checked, so a mistake in one exercise does not cost the other's points."""
    return np.sqrt(1 - beta) * np.asarray(x_prev, dtype=float) + np.sqrt(beta) * np.asarray(eps, dtype=float)


def _chain(x0, betas, eps, step) -> np.ndarray:
    xs = [np.asarray(x0, dtype=float)]
    for beta, e in zip(betas, eps):
        xs.append(step(xs[-1], beta, e))
    return np.stack(xs)


def check_forward_chain(forward_chain: Callable) -> None:
    """Check ``forward_chain(x0, betas, eps)`` returns the whole trajectory x_0..x_T.

    The learner's ``forward_step`` is replaced by :func:`good_step` meanwhile (it has its own check).
    """
    __tracebackhide__ = True
    x0, betas, eps = 0.80, np.array([0.1, 0.3, 0.2]), np.array([-0.2, 0.5, 1.0])
    good = good_step
    expected = np.array([0.8, 0.6957010852370435, 0.855926567186793, 1.212777590691042])
    mistakes = [
        ("the trajectory leaves out x0. Return T + 1 states, x_0 first, so trajectory[t] is x_t.",
         expected[1:]),
        ("only the last state is returned. Return the whole trajectory x_0, x_1, ..., x_T.", expected[-1]),
        ("the same eps is reused at every step. Each step needs its own fresh draw eps[t-1]; reusing one "
         "draw makes the noise add up coherently instead of averaging out.",
         _chain(x0, betas, [eps[0]] * 3, good)),
        ("each step starts again from x0 instead of from the previous state x_{t-1}: the chain must feed "
         "each output into the next step.",
         np.concatenate([[x0], [good(x0, b, e) for b, e in zip(betas, eps)]])),
        ("the steps are off by one: step t must use betas[t-1] and eps[t-1] (arrays are 0-indexed).",
         _chain(x0, np.roll(betas, 1), eps, good)),
    ]
    mistakes += [(msg, _chain(x0, betas, eps, lambda x, b, e, m=m: _step_mistakes(x, b, e)[m][1]))
                 for m, (msg, _) in enumerate(_step_mistakes(0.0, 0.5, 0.0))]
    with substituted(forward_chain, {"forward_step": good_step}):
        got = forward_chain(x0, betas, eps)
        compare(got, expected, "forward_chain(0.8, [0.1, 0.3, 0.2], [-0.2, 0.5, 1.0])", mistakes)
        x0_img = np.arange(6.0).reshape(2, 3) / 6
        got = as_array(forward_chain(x0_img, betas, np.zeros((3, 2, 3))), "forward_chain on a [2, 3] array")
    if got.shape != (4, 2, 3):
        raise CheckFailed(f"forward_chain on x0 of shape (2, 3) with T = 3 returned shape {got.shape}, "
                          "expected (4, 2, 3): one state per step plus x0, each with x0's shape.")
    print("forward_chain: correct trajectory, x0 included, a fresh eps per step, any shape of x0. ✔")


def check_slip(x2_slip, eps2_needed) -> None:
    """Check x2 recomputed with the widely copied eps2 = -0.4130, and the eps2 that really gives 0.3730."""
    __tracebackhide__ = True
    mistakes = [
        ("0.3730 is what the copied example *claims*, and what the course's eps2 = -0.4181 gives. "
         "Recompute x2 from x1 with the copied example's eps2 = -0.4130.", 0.3730),
        ("that is x1. Take one more step from x1 with beta2 = 0.20 and eps2 = -0.4130.", 0.62610),
        ("the noise term was added with the wrong sign: sqrt(0.2) * (-0.4130) is negative.", 0.74470),
        ("the noise was scaled by beta instead of sqrt(beta).", 0.47740),
    ]
    compare(x2_slip, 0.3753007851, "x2_slip", mistakes, tol=6e-5)
    eps_mistakes = [
        ("that is the copied eps2. Solve 0.3730 = sqrt(0.8) * x1 + sqrt(0.2) * eps2 for eps2.", -0.4130),
        ("the sign is flipped: x2 = 0.3730 is below sqrt(0.8) * x1 = 0.5600, so eps2 is negative.", 0.4181),
        ("divided by beta instead of sqrt(beta) when solving for eps2.", -0.93500),
    ]
    compare(eps2_needed, -0.4181447118, "eps2_needed", eps_mistakes, tol=6e-5)
    print("x2_slip = 0.3753, not 0.3730, and 0.3730 needs eps2 = -0.4181: the copied example slipped. ✔")


#: Notebook 02's concept check: why the signal is shrunk by sqrt(1 - beta).
SHRINK_QUESTION = {
    "name": "shrink_answer",
    "correct": "B",
    "feedback": {
        "A": "The shrink factor is not about looks: it is about the variance. Work out Var(x_t) from "
             "Var(x_{t-1}) with and without it.",
        "C": "The noise is Gaussian because eps is drawn from N(0, 1); scaling x_{t-1} does not change that. "
             "The shrink factor controls the variance.",
        "D": "The forward process is fixed, not learned: beta_t is chosen in advance (the schedule) and nothing "
             "in it is trained. The shrink factor keeps the variance at 1.",
    },
}
