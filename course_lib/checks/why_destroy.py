"""Visible checks for notebook 01, why destroy data (``from course_lib.checks import why_destroy as checks``).

Each check runs the learner's code on inputs whose answers are known (written below as literals, computed
once with the reference formulas), prints a short success line, or raises
:class:`~course_lib.checks.CheckFailed` naming the likely mistake: the shrink factor's effect on the
variance, standard deviations added where variances add, the factors (1 - beta) added instead of
multiplied, a KS distance that looks at one side of the empirical CDF's steps only, ...
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..stats import standard_normal_cdf
from ._core import CheckFailed, compare, fmt
from ._hints import hint
from ._questions import check_choice

__all__ = [
    "CheckFailed",
    "check_choice",
    "hint",
    "check_variance_without_shrink",
    "check_variance_with_shrink",
    "check_ks_distance_from_normal",
]


def _show(value) -> str:
    return repr(value) if isinstance(value, (int, float)) else fmt(value)


def _check_cases(fn: Callable, name: str, cases, mistakes: Callable) -> None:
    """Compare ``fn(var0, beta, t)`` with each case's expected value; ``mistakes(var0, beta, t)`` names wrong ones."""
    __tracebackhide__ = True
    for var0, beta, t, expected in cases:
        wrong = mistakes(np.asarray(var0, float), beta, np.asarray(t, float))
        compare(fn(var0, beta, t), expected, f"{name}({_show(var0)}, {beta}, {_show(t)})", wrong)


def _without_shrink_mistakes(v, beta, tt) -> list[tuple[str, np.ndarray]]:
    return [
        ("the starting variance var0 is missing. The noise adds to what x_0 already had: "
         "Var(x_t) = var0 + t * beta.", tt * beta + 0 * v),
        ("only one step was counted (var0 + beta). Each of the t steps adds beta.", v + beta + 0 * tt),
        ("sqrt(beta) was added per step. sqrt(beta) is the noise's standard deviation; variances add, "
         "so each step adds beta.", v + tt * np.sqrt(beta)),
        ("beta**2 was added per step, as if the noise were beta * eps. The rule adds sqrt(beta) * eps, "
         "whose variance is beta.", v + tt * beta**2),
        ("standard deviations were added: (sqrt(var0) + t * sqrt(beta))**2. For independent terms the "
         "variances add, the standard deviations do not.", (np.sqrt(v) + tt * np.sqrt(beta)) ** 2),
    ]


def check_variance_without_shrink(variance_without_shrink: Callable) -> None:
    """Check ``variance_without_shrink(var0, beta, t)`` = var0 + t * beta on scalars and arrays."""
    __tracebackhide__ = True
    cases = [
        (4.0, 0.02, 100, 6.0),
        (0.5, 0.1, 1, 0.6),
        (1.0, 0.02, np.arange(4), np.array([1.0, 1.02, 1.04, 1.06])),
        (np.array([0.0, 1.0, 4.0]), 0.05, 10, np.array([0.5, 1.5, 4.5])),
    ]
    _check_cases(variance_without_shrink, "variance_without_shrink", cases, _without_shrink_mistakes)
    print("variance_without_shrink: var0 + t * beta, on numbers and arrays: it grows without bound. ✔")


def _with_shrink_mistakes(v, beta, tt) -> list[tuple[str, np.ndarray]]:
    def after(steps, factor=1.0 - beta):
        return factor**steps * v + 1 - factor**steps

    return [
        ("the noise's contribution is missing: (1 - beta)**t * var0 only decays to 0. Each step also adds "
         "beta, and the total added noise is 1 - (1 - beta)**t.", (1 - beta) ** tt * v),
        ("the variance was multiplied by sqrt(1 - beta) per step. The shrink factor multiplies x by "
         "sqrt(1 - beta), so it multiplies the variance by its square, (1 - beta).",
         after(tt, np.sqrt(1 - beta))),
        ("the added noise was not shrunk by the later steps: (1 - beta)**t * var0 + t * beta. The noise "
         "added at step s is shrunk again at every step after s.", (1 - beta) ** tt * v + tt * beta),
        ("1 - t * beta was used in place of (1 - beta)**t: the per-step factors multiply (a running "
         "product), they do not add up (a running sum).", (1 - tt * beta) * v + tt * beta),
        ("off by one: that is the variance after t - 1 steps. After t steps the factor is (1 - beta)**t.",
         after(tt - 1)),
        ("off by one: that is the variance after t + 1 steps. After t steps the factor is (1 - beta)**t.",
         after(tt + 1)),
        ("the answer is 1 whatever var0 and t. The variance only *tends to* 1: it equals 1 at every step "
         "only if it starts at 1.", np.ones(np.broadcast(v, tt).shape)),
    ]


def check_variance_with_shrink(variance_with_shrink: Callable) -> None:
    """Check ``variance_with_shrink(var0, beta, t)`` = (1 - beta)**t * var0 + 1 - (1 - beta)**t."""
    __tracebackhide__ = True
    cases = [
        (4.0, 0.02, 100, 1.3978586676842588),
        (0.0, 0.1, 5, 0.40950999999999993),
        (1.0, 0.3, 7, 1.0),
        (4.0, 0.5, np.arange(4), np.array([4.0, 2.5, 1.75, 1.375])),
        (np.array([0.0, 2.5, 9.0]), 0.05, 20, np.array([0.6415140775914581, 1.5377288836128127, 3.867887379268335])),
    ]
    _check_cases(variance_with_shrink, "variance_with_shrink", cases, _with_shrink_mistakes)
    print("variance_with_shrink: (1 - beta)**t * var0 + 1 - (1 - beta)**t: it tends to 1 from any start. ✔")


def _ks_sides(x, sort: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(F(x_i), i / n, (i - 1) / n) for the sample ``x``, sorted unless ``sort`` is False."""
    x = np.ravel(np.asarray(x, dtype=float))
    x = np.sort(x) if sort else x
    i = np.arange(1, x.size + 1)
    return standard_normal_cdf(x), i / x.size, (i - 1) / x.size


_ONLY_TOP = ("F(x_i) was compared with i / n only, the top of each step. The empirical CDF jumps at each x_i "
             "from (i - 1) / n to i / n: compare F(x_i) with both.")


def _ks_mistakes(x) -> list[tuple[str, float]]:
    x = np.ravel(np.asarray(x, dtype=float))
    cdf, above, below = _ks_sides(x)
    u_cdf, u_above, u_below = _ks_sides(x, sort=False)
    std = x.std() if x.size > 1 and x.std() > 0 else 1.0
    z_cdf, _, _ = _ks_sides((x - x.mean()) / std)
    pdf = np.exp(-0.5 * np.sort(x) ** 2) / np.sqrt(2 * np.pi)
    return [
        ("the sample was not sorted. The empirical CDF at the i-th *smallest* value is i / n: sort x first.",
         max(np.max(u_above - u_cdf), np.max(u_cdf - u_below))),
        (_ONLY_TOP, np.max(above - cdf)),
        ("only the bottom of each step was compared (F(x_i) - (i - 1) / n). The empirical CDF jumps at each "
         "x_i: compare F(x_i) with both i / n and (i - 1) / n.", np.max(cdf - below)),
        (_ONLY_TOP, np.max(np.abs(above - cdf))),
        ("the sample was standardised first ((x - mean) / std). That hides exactly what we measure: a sample "
         "with the wrong mean or variance would look like N(0, 1). Compare x itself with N(0, 1).",
         max(np.max(above - z_cdf), np.max(z_cdf - below))),
        ("the density exp(-x**2 / 2) / sqrt(2 pi) was used where the CDF belongs. Compare the empirical CDF "
         "with the normal CDF, Phi(x) = standard_normal_cdf(x).",
         max(np.max(above - pdf), np.max(pdf - below))),
    ]


def check_ks_distance_from_normal(ks_distance_from_normal: Callable) -> None:
    """Check ``ks_distance_from_normal(x)`` = sup_x |F_n(x) - Phi(x)| on small samples with known answers."""
    __tracebackhide__ = True
    cases = [
        (np.array([0.0]), 0.5),
        (np.array([0.3, -1.2, 2.0, 0.7, -0.1]), 0.260172162722971),
        (np.linspace(-2.0, 2.0, 9) + 0.5, 0.28578919051298735),
        (-0.5 - np.linspace(-2.0, 2.0, 9), 0.28578919051298735),
        (1.5 * np.sin(np.arange(40.0)), 0.13629283033967432),
    ]
    for x, expected in cases:
        got = ks_distance_from_normal(x.copy())
        compare(got, expected, f"ks_distance_from_normal({fmt(x)})", _ks_mistakes(x))
    far = ks_distance_from_normal(np.linspace(3.0, 5.0, 50))
    if not 0.99 < float(np.asarray(far, dtype=float)) <= 1.0:
        raise CheckFailed(f"ks_distance_from_normal of 50 values between 3 and 5 gave {fmt(far)}: every one of "
                          "them lies above 99.8 % of N(0, 1), so the distance should be above 0.99.")
    print("ks_distance_from_normal: the largest gap between the sample's CDF and N(0, 1)'s, both sides "
          "of every step. ✔")
