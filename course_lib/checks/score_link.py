"""Visible checks for notebook 05, the score link (``from course_lib.checks import score_link as checks``).

Each check runs the learner's function on inputs whose answers are known (computed once with
:mod:`course_lib.score` and written here as literals), prints a short success line, or raises
:class:`~course_lib.checks.CheckFailed` naming the likely mistake: a sign error, the variance where its square
root belongs (or the reverse), alpha_t where alpha_bar_t belongs (or the reverse), an off-by-one in t, ...
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..score import GaussianMixture
from ._core import CheckFailed, compare, fmt
from ._hints import hint
from ._questions import check_choice

__all__ = [
    "CheckFailed",
    "check_choice",
    "hint",
    "check_gaussian_score",
    "check_score_from_eps",
    "check_tweedie_x0",
    "check_reverse_step",
    "demo_score",
    "standard_normal_score",
]

#: The small mixture behind :func:`demo_score`: 25 % N(-1.5, 0.3^2) and 75 % N(1, 0.5^2).
DEMO_MIXTURE = GaussianMixture([0.25, 0.75], [-1.5, 1.0], [0.09, 0.25])


def demo_score(x, alpha_bar):
    """Exact score of :data:`DEMO_MIXTURE` noised to ``alpha_bar``: a score function ``score_fn(x, alpha_bar)``
    for checking ``reverse_step`` (the check and the hidden tests pass it in)."""
    ab = float(alpha_bar)
    if not 0.0 <= ab <= 1.0:
        raise CheckFailed(f"score_fn was asked for the score at alpha_bar = {ab!r}, which is not a noise level "
                          "(it must lie in [0, 1]). alpha_bar_t is the product prod(1 - betas[:t]).")
    return DEMO_MIXTURE.noised(ab).score(x)


def standard_normal_score(x, alpha_bar):
    """The score of N(0, 1) data, which stays N(0, 1) at every noise level: -x (``alpha_bar`` is ignored)."""
    return -np.asarray(x, dtype=float)


# --- gaussian_score ----------------------------------------------------------------------------------

def _gaussian_mistakes(x, mean, var) -> list[tuple[str, np.ndarray]]:
    x, mean, var = (np.asarray(v, dtype=float) for v in (x, mean, var))
    return [
        ("sign error: the score is -(x - mean) / var. It points *towards* the mean, where the density "
         "is higher: negative to the right of the mean, positive to the left.", (x - mean) / var),
        ("divided by the standard deviation sqrt(var) instead of the variance var. "
         "d/dx of -(x - mean)^2 / (2 var) is -(x - mean) / var.", -(x - mean) / np.sqrt(var)),
        ("divided by 2 var: the 2 from differentiating the square cancels the 1/2 in -(x - mean)^2 / (2 var).",
         -(x - mean) / (2 * var)),
        ("divided by var squared: var is already the variance sigma^2; do not square it again.",
         -(x - mean) / var**2),
        ("the variance is missing: -(x - mean) is the score of N(mean, 1) only. Divide by var.", -(x - mean)),
        ("that is the log-density log N(x; mean, var), not its derivative. The score is d/dx of it.",
         -0.5 * (x - mean) ** 2 / var - 0.5 * np.log(2 * np.pi * var)),
    ]


def check_gaussian_score(gaussian_score: Callable) -> None:
    """Check ``gaussian_score(x, mean, var)`` = -(x - mean) / var on a number and on arrays."""
    __tracebackhide__ = True
    cases = [
        (1.5, 0.5, 0.64, -1.5625),
        (np.array([-1.0, 0.0, 2.5]), 1.0, 4.0, np.array([0.5, 0.25, -0.375])),
        (np.array([0.3, -0.2]), np.array([1.0, -1.0]), np.array([0.5, 2.0]), np.array([1.4, -0.4])),
    ]
    for x, mean, var, expected in cases:
        got = gaussian_score(x, mean, var)
        compare(got, expected, f"gaussian_score({fmt(x)}, {fmt(mean)}, {fmt(var)})", _gaussian_mistakes(x, mean, var))
    print("gaussian_score: -(x - mean) / var, on numbers and arrays. ✔")


# --- score_from_eps ----------------------------------------------------------------------------------

@np.errstate(divide="ignore", invalid="ignore")  # a wrong formula may divide by sqrt(alpha_bar) = 0
def _eps_mistakes(eps, alpha_bar) -> list[tuple[str, np.ndarray]]:
    eps, ab = np.asarray(eps, dtype=float), np.asarray(alpha_bar, dtype=float)
    return [
        ("sign error: the score is -eps / sqrt(1 - alpha_bar). x_t sits at +eps (scaled) from the clean point, "
         "so the arrow back to it points along -eps.", eps / np.sqrt(1 - ab)),
        ("the variance instead of its square root: divided by 1 - alpha_bar. The noise's standard deviation is "
         "sqrt(1 - alpha_bar); -(x_t - sqrt(alpha_bar) x_0) / (1 - alpha_bar) = -eps / sqrt(1 - alpha_bar).",
         -eps / (1 - ab)),
        ("multiplied by sqrt(1 - alpha_bar) instead of dividing: that is eps_from_score run backwards.",
         -eps * np.sqrt(1 - ab)),
        ("alpha_bar and 1 - alpha_bar are swapped: the noise's scale is sqrt(1 - alpha_bar), not sqrt(alpha_bar).",
         -eps / np.sqrt(ab)),
        ("the scale is missing: -eps is the score only when alpha_bar = 0. Divide by sqrt(1 - alpha_bar).", -eps),
    ]


def check_score_from_eps(score_from_eps: Callable) -> None:
    """Check ``score_from_eps(eps, alpha_bar)`` = -eps / sqrt(1 - alpha_bar)."""
    __tracebackhide__ = True
    cases = [
        (0.6, 0.64, -1.0),
        (np.array([1.2, -0.5, 0.0]), 0.91, np.array([-4.000000000000001, 1.666666666666667, 0.0])),
        (np.array([[0.4, -1.1], [2.0, 0.7]]), np.array([[0.5, 0.99], [0.19, 0.0]]),
         np.array([[-0.565685424949238, 10.999999999999996], [-2.2222222222222223, -0.7]])),
    ]
    for eps, ab, expected in cases:
        got = score_from_eps(eps, ab)
        compare(got, expected, f"score_from_eps({fmt(eps)}, {fmt(ab)})", _eps_mistakes(eps, ab))
    print("score_from_eps: -eps / sqrt(1 - alpha_bar); predicting the noise is estimating the score. ✔")


# --- tweedie_x0 --------------------------------------------------------------------------------------

def _tweedie_mistakes(x_t, score, alpha_bar) -> list[tuple[str, np.ndarray]]:
    x, s, ab = (np.asarray(v, dtype=float) for v in (x_t, score, alpha_bar))
    return [
        ("sign error: Tweedie *adds* (1 - alpha_bar) * score. The score points towards the data, and the "
         "denoised guess moves x_t that way.", (x - (1 - ab) * s) / np.sqrt(ab)),
        ("divided by alpha_bar instead of its square root: x_t holds sqrt(alpha_bar) * x_0, so undo that factor.",
         (x + (1 - ab) * s) / ab),
        ("the score is scaled by sqrt(1 - alpha_bar), the noise's standard deviation, instead of its variance "
         "1 - alpha_bar. (sqrt(1 - alpha_bar) * score is -E[eps | x_t], which must be scaled once more.)",
         (x + np.sqrt(1 - ab) * s) / np.sqrt(ab)),
        ("the division by sqrt(alpha_bar) is missing: x_t + (1 - alpha_bar) * score is sqrt(alpha_bar) * x_0's "
         "estimate, still shrunk.", x + (1 - ab) * s),
        ("alpha_bar and 1 - alpha_bar are swapped: the score is scaled by the noise variance 1 - alpha_bar.",
         (x + ab * s) / np.sqrt(ab)),
    ]


def check_tweedie_x0(tweedie_x0: Callable) -> None:
    """Check ``tweedie_x0(x_t, score, alpha_bar)`` = (x_t + (1 - alpha_bar) * score) / sqrt(alpha_bar)."""
    __tracebackhide__ = True
    cases = [
        (0.5, -1.25, 0.64, 0.06250000000000006),
        (np.array([1.0, -2.0, 0.3]), np.array([-0.5, 2.5, 0.0]), 0.19,
         np.array([1.3650236165298426, 0.05735393346764126, 0.6882472016116853])),
        (np.array([0.7, -0.4]), np.array([-2.0, 0.9]), np.array([0.9, 0.36]),
         np.array([0.5270462766947299, 0.29333333333333345])),
    ]
    for x_t, s, ab, expected in cases:
        got = tweedie_x0(x_t, s, ab)
        compare(got, expected, f"tweedie_x0({fmt(x_t)}, {fmt(s)}, {fmt(ab)})", _tweedie_mistakes(x_t, s, ab))
    print("tweedie_x0: (x_t + (1 - alpha_bar) * score) / sqrt(alpha_bar). ✔")


# --- reverse_step ------------------------------------------------------------------------------------

def _step(x, z, beta, ab_score, divisor, score_scale=None, noise_scale=None, sign=1.0):
    """(x + sign * score_scale * s(x, ab_score)) / divisor + noise_scale * z, the defaults being the right ones."""
    x, z = np.asarray(x, dtype=float), np.asarray(z, dtype=float)
    score_scale = beta if score_scale is None else score_scale
    noise_scale = np.sqrt(beta) if noise_scale is None else noise_scale
    return (x + sign * score_scale * demo_score(x, ab_score)) / divisor + noise_scale * z


def _reverse_mistakes(x, t, betas, z) -> list[tuple[str, np.ndarray]]:
    betas = np.asarray(betas, dtype=float)
    beta, alpha = betas[t - 1], 1 - betas[t - 1]
    ab = np.prod(1 - betas[:t])
    ab_prev = np.prod(1 - betas[: t - 1])
    mistakes = [
        ("sign error: the step *adds* beta_t * score. The score points towards the data; following it is "
         "what turns noise into data.", _step(x, z, beta, ab, np.sqrt(alpha), sign=-1.0)),
        ("the noise is scaled by beta_t, its variance, instead of its square root sqrt(beta_t).",
         _step(x, z, beta, ab, np.sqrt(alpha), noise_scale=beta)),
        ("alpha instead of alpha_bar: the score was asked for at alpha_t = 1 - beta_t. The marginal q_t has "
         "accumulated t steps of noise, so its score needs alpha_bar_t = prod(1 - betas[:t]).",
         _step(x, z, beta, alpha, np.sqrt(alpha))),
        ("alpha_bar where alpha belongs: divided by sqrt(alpha_bar_t). One reverse step undoes one forward "
         "step's shrink, sqrt(alpha_t) = sqrt(1 - beta_t), not all t of them.",
         _step(x, z, beta, ab, np.sqrt(ab))),
        ("that jumps all the way to Tweedie's x_0 estimate ((1 - alpha_bar_t) * score / sqrt(alpha_bar_t)). "
         "One step uses beta_t * score and divides by sqrt(alpha_t).",
         _step(x, z, beta, ab, np.sqrt(ab), score_scale=1 - ab)),
        ("the division by sqrt(alpha_t) is missing: each forward step shrank x by sqrt(1 - beta_t), so the "
         "reverse step must undo that.", _step(x, z, beta, ab, 1.0)),
        ("multiplied by sqrt(alpha_t) instead of dividing: the reverse step undoes the forward shrink.",
         _step(x, z, beta, ab, 1 / np.sqrt(alpha))),
        ("the fresh noise sqrt(beta_t) * z is missing: without it every start collapses onto a few points.",
         _step(x, z, beta, ab, np.sqrt(alpha), noise_scale=0.0)),
        ("alpha_bar_t is computed with a sum instead of a product: alpha_bar_t = prod(1 - betas[:t]), not "
         "1 - sum(betas[:t]).", _step(x, z, beta, 1 - np.sum(betas[:t]), np.sqrt(alpha))),
        ("off by one in alpha_bar: prod(1 - betas[:t - 1]) is alpha_bar_{t-1}. With the maths' t, "
         "alpha_bar_t = prod(1 - betas[:t]) includes step t itself.", _step(x, z, beta, ab_prev, np.sqrt(alpha))),
    ]
    if t < betas.size:  # every quantity taken at t + 1 (betas[t] where betas[t - 1] belongs)
        b1 = betas[t]
        mistakes.append(("off by one: step t uses betas[t - 1] (arrays are 0-indexed, the maths' t starts at 1).",
                         _step(x, z, b1, np.prod(1 - betas[: t + 1]), np.sqrt(1 - b1))))
    return mistakes


def check_reverse_step(reverse_step: Callable) -> None:
    """Check ``reverse_step(x_t, t, betas, score_fn, z)`` with :func:`demo_score` as the score function."""
    __tracebackhide__ = True
    betas = np.array([0.1, 0.2, 0.3, 0.15])
    cases = [
        (np.array([-1.0, 0.4, 2.0]), 3, np.array([0.5, -1.0, 0.2]),
         np.array([-0.7470142020605145, 0.05101335174196764, 1.7560072159163356])),
        (0.3, 1, 0.0, 0.526335120527935),
        (np.array([[0.5, -2.5], [1.2, 0.0]]), 4, np.array([[1.0, 0.3], [-0.6, 2.0]]),
         np.array([[0.9425181210068518, -2.186334151240571], [0.9344841568082386, 0.8563380363170571]])),
    ]
    for x, t, z, expected in cases:
        got = reverse_step(x, t, betas.copy(), demo_score, z)
        what = f"reverse_step({fmt(x)}, t={t}, betas={fmt(betas)}, demo_score, z={fmt(z)})"
        compare(got, expected, what, _reverse_mistakes(x, t, betas, z))
    print("reverse_step: (x_t + beta_t * score(x_t, alpha_bar_t)) / sqrt(alpha_t) + sqrt(beta_t) * z. ✔")
