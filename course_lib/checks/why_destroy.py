"""Visible checks for notebook 01, why destroy data (``from course_lib.checks import why_destroy as checks``).

Every check runs the learner's code through :func:`course_lib.checks._core.check_call` on the same kinds of
input as the hidden tests (numbers, whole numbers, 1-D arrays of floats, of whole numbers and of float32), under
the same rules (inputs unchanged, the learner's own code, the promised shape), and names the likely mistake of a
wrong answer: standard deviations added where variances add, a loop over ``range(t)`` when t is an array, one
side of the empirical CDF's steps only, the reverse step without the prior, ...
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..stats import standard_normal_cdf
from . import _core, _hints
from ._core import CheckFailed, check_call, check_cases
from ._hints import hint
from ._questions import check_choice

__all__ = ["CheckFailed", "check_choice", "hint", "check_variance_without_shrink", "check_variance_with_shrink",
           "check_ks_distance_from_normal", "check_one_step_reverse"]

# The exact reverse's reference implementation (course_lib.exact_reverse.reverse_density) is an answer too:
# graded code may not run it. (For the shared list in _core; see the report to the lead.)
if "course_lib.exact_reverse" not in _core.REFERENCE_MODULES:
    _core.REFERENCE_MODULES = (*_core.REFERENCE_MODULES, "course_lib.exact_reverse")


# --- section 3: the variance with and without the shrink factor ------------------------------------------------

def _floats(*values) -> list[np.ndarray]:
    return [np.asarray(v, dtype=float) for v in values]


def _without_shrink_mistakes(var0, beta, t) -> list[tuple[str, np.ndarray]]:
    v, b, tt = _floats(var0, beta, t)
    return [
        ("the starting variance var0 is missing. The noise adds to what x_0 already had: "
         "Var(x_t) = var0 + t * beta.", tt * b + 0 * v),
        ("only one step was counted (var0 + beta). Each of the t steps adds beta.", v + b + 0 * tt),
        ("sqrt(beta) was added per step. sqrt(beta) is the noise's standard deviation; variances add, "
         "so each step adds beta.", v + tt * np.sqrt(b)),
        ("beta**2 was added per step, as if the noise were beta * eps. The rule adds sqrt(beta) * eps, "
         "whose variance is beta.", v + tt * b**2),
        ("standard deviations were added: (sqrt(var0) + t * sqrt(beta))**2. For independent terms the "
         "variances add, the standard deviations do not.", (np.sqrt(v) + tt * np.sqrt(b)) ** 2),
    ]


# The kinds of input the exercises promise (and the hidden tests use): var0 a number or an array, beta a number,
# t a whole number or an array of whole numbers.
_VARIANCE_CASES = [
    (4.0, 0.02, 100),
    (0.5, 0.1, 1),
    (1.0, 0.02, np.arange(4)),
    (np.array([0.0, 1.0, 4.0]), 0.05, 10),
    (np.array([0.0, 2.5, 9.0]), 0.2, np.array([5, 0, 2])),
    (9.0, 0.999, 1),
]


def check_variance_without_shrink(variance_without_shrink: Callable) -> None:
    """Check ``variance_without_shrink(var0, beta, t)`` = var0 + t * beta on numbers and arrays."""
    __tracebackhide__ = True
    for var0, beta, t in _VARIANCE_CASES:
        v, b, tt = _floats(var0, beta, t)
        check_call(variance_without_shrink, (var0, beta, t), v + tt * b,
                   mistakes=_without_shrink_mistakes(var0, beta, t))
    print("variance_without_shrink: var0 + t * beta, on numbers and arrays, inputs unchanged: it grows without "
          "bound. ✔")


def good_variance_with_shrink(var0, beta, t):
    """The known answer: (1 - beta)**t * var0 + 1 - (1 - beta)**t (the gap to 1 shrinks by 1 - beta per step)."""
    decay = (1.0 - np.asarray(beta, dtype=float)) ** np.asarray(t, dtype=float)
    return decay * np.asarray(var0, dtype=float) + 1.0 - decay


def _with_shrink_mistakes(var0, beta, t) -> list[tuple[str, np.ndarray]]:
    v, b, tt = _floats(var0, beta, t)

    def after(steps, factor=1.0 - b, added=b):
        """t steps of v <- factor * v + added, in closed form."""
        return factor**steps * v + added * (1 - factor**steps) / (1 - factor)

    return [
        ("the noise's contribution is missing: (1 - beta)**t * var0 only decays to 0. Each step also adds "
         "beta, and the total added noise is 1 - (1 - beta)**t.", (1 - b) ** tt * v),
        ("the noise's standard deviation sqrt(beta) was added at each step where its variance beta belongs: "
         "v_t = (1 - beta) v_{t-1} + beta, because Var(sqrt(beta) * eps) = beta.", after(tt, added=np.sqrt(b))),
        ("the variance was multiplied by sqrt(1 - beta) per step. The shrink factor multiplies x by "
         "sqrt(1 - beta), so it multiplies the variance by its square, (1 - beta).",
         after(tt, np.sqrt(1 - b), 1 - np.sqrt(1 - b))),
        ("the added noise was not shrunk by the later steps: (1 - beta)**t * var0 + t * beta. The noise "
         "added at step s is shrunk again at every step after s.", (1 - b) ** tt * v + tt * b),
        ("1 - t * beta was used in place of (1 - beta)**t: the per-step factors multiply (a running "
         "product), they do not add up (a running sum).", (1 - tt * b) * v + tt * b),
        ("off by one: that is the variance after t - 1 steps. After t steps the factor is (1 - beta)**t.",
         after(tt - 1)),
        ("off by one: that is the variance after t + 1 steps. After t steps the factor is (1 - beta)**t.",
         after(tt + 1)),
        ("the answer is 1 whatever var0 and t. The variance only *tends to* 1: it equals 1 at every step "
         "only if it starts at 1.", np.ones(np.broadcast(v, tt).shape)),
    ]


_T_IS_AN_ARRAY = ("t can be an array (for example np.arange(301), for the whole curve): a loop over range(t) "
                  "needs one whole number. Use the closed form, which works on whole arrays: the gap to 1 "
                  "after t steps is (var0 - 1) * (1 - beta)**t.")
_LOOP_ERRORS = [(TypeError, "only integer scalar arrays", _T_IS_AN_ARRAY),
                (TypeError, "cannot be interpreted as an integer", _T_IS_AN_ARRAY)]


def check_variance_with_shrink(variance_with_shrink: Callable) -> None:
    """Check ``variance_with_shrink(var0, beta, t)`` = (1 - beta)**t * var0 + 1 - (1 - beta)**t."""
    __tracebackhide__ = True
    check_cases(variance_with_shrink, _VARIANCE_CASES, good_variance_with_shrink, _with_shrink_mistakes,
                errors=_LOOP_ERRORS,
                done="variance_with_shrink: (1 - beta)**t * var0 + 1 - (1 - beta)**t, on numbers and arrays, inputs "
                     "unchanged: it tends to 1 from any start.")


# --- section 4: the KS distance from N(0, 1) ----------------------------------------------------------------------

def good_ks(x) -> float:
    """The known answer: max over the sorted sample of max(i / n - Phi(x_(i)), Phi(x_(i)) - (i - 1) / n)."""
    cdf = standard_normal_cdf(np.sort(np.ravel(np.asarray(x, dtype=float))))
    i = np.arange(1, cdf.size + 1)
    return float(max(np.max(i / cdf.size - cdf), np.max(cdf - (i - 1) / cdf.size)))


_ONLY_TOP = ("F(x_i) was compared with i / n only, the top of each step. The empirical CDF jumps at each x_i "
             "from (i - 1) / n to i / n: compare F(x_i) with both.")


def _ks_mistakes(x) -> list[tuple[str, float]]:
    x = np.ravel(np.asarray(x, dtype=float))
    i = np.arange(1, x.size + 1)
    top, bottom = i / x.size, (i - 1) / x.size
    cdf, unsorted = standard_normal_cdf(np.sort(x)), standard_normal_cdf(x)
    std = x.std() if x.size > 1 and x.std() > 0 else 1.0
    pdf = np.exp(-0.5 * np.sort(x) ** 2) / np.sqrt(2 * np.pi)
    return [
        ("the sample was not sorted. The empirical CDF at the i-th *smallest* value is i / n: sort x first "
         "(into a new array: np.sort(x), not x.sort()).",
         max(np.max(top - unsorted), np.max(unsorted - bottom))),
        (_ONLY_TOP, np.max(top - cdf)),
        ("only the bottom of each step was compared (F(x_i) - (i - 1) / n). The empirical CDF jumps at each "
         "x_i: compare F(x_i) with both i / n and (i - 1) / n.", np.max(cdf - bottom)),
        (_ONLY_TOP, np.max(np.abs(top - cdf))),
        ("the sample was standardised first ((x - mean) / std). That hides exactly what we measure: a sample "
         "with the wrong mean or variance would look like N(0, 1). Compare x itself with N(0, 1).",
         good_ks((x - x.mean()) / std)),
        ("the density exp(-x**2 / 2) / sqrt(2 pi) was used where the CDF belongs. Compare the empirical CDF "
         "with the normal CDF, Phi(x) = standard_normal_cdf(x).", max(np.max(top - pdf), np.max(pdf - bottom))),
    ]


# Samples of every kind the exercise promises: one value, a few, unsorted, float32, and far from N(0, 1).
_KS_CASES = [
    np.array([0.0]),
    np.array([0.3, -1.2, 2.0, 0.7, -0.1]),
    np.linspace(-2.0, 2.0, 9) + 0.5,
    -0.5 - np.linspace(-2.0, 2.0, 9),
    1.5 * np.sin(np.arange(40.0)),
    np.array([0.4, -1.1, 0.05, 2.2, -0.6, 1.3], dtype=np.float32),
    np.linspace(3.0, 5.0, 50),
]


def check_ks_distance_from_normal(ks_distance_from_normal: Callable) -> None:
    """Check ``ks_distance_from_normal(x)`` = sup_x |F_n(x) - Phi(x)| on samples with known answers."""
    __tracebackhide__ = True
    check_cases(ks_distance_from_normal, [(x,) for x in _KS_CASES], good_ks, _ks_mistakes,
                done="ks_distance_from_normal: the largest gap between the sample's CDF and N(0, 1)'s, both sides of "
                     "every step, for any order, length and float type, sample unchanged.")


# --- section 5: the exact reverse of one step -----------------------------------------------------------------------

def good_reverse(grid, prior, x_t, beta) -> np.ndarray:
    """The known answer: prior * exp(-(x_t - sqrt(1 - beta) grid)**2 / (2 beta)), normalised to sum * dx = 1."""
    grid, prior = np.asarray(grid, dtype=float), np.asarray(prior, dtype=float)
    unnormalised = prior * np.exp(-((x_t - np.sqrt(1.0 - beta) * grid) ** 2) / (2.0 * beta))
    return unnormalised / (unnormalised.sum() * (grid[1] - grid[0]))


def _normalised(values, grid) -> np.ndarray:
    return values / (values.sum() * (grid[1] - grid[0]))


def _reverse_mistakes(grid, prior, x_t, beta) -> list[tuple[str, np.ndarray]]:
    g, p = np.asarray(grid, dtype=float), np.asarray(prior, dtype=float)
    a = np.sqrt(1.0 - beta)
    step = np.exp(-((x_t - a * g) ** 2) / (2.0 * beta))
    return [
        ("the product is not normalised. Divide by its sum times the grid spacing, so that "
         "sum(density) * dx = 1.", p * step),
        ("the density is normalised to sum(density) = 1 (probabilities per grid cell). A density needs "
         "sum(density) * dx = 1: divide by the grid spacing dx = grid[1] - grid[0] as well.",
         p * step / np.sum(p * step)),
        ("the prior is missing: that is the forward step's Gaussian read backwards, which is the reverse only "
         "when every x_{t-1} is equally likely. Bayes' rule multiplies it by q_{t-1} (the prior) first.",
         _normalised(step, g)),
        ("x_t was not used: that is the prior q_{t-1} alone, what we knew *before* seeing x_t. Multiply it by "
         "the step's likelihood exp(-(x_t - sqrt(1 - beta) x)**2 / (2 beta)).", _normalised(p, g)),
        ("the shrink factor is missing in the likelihood: x_t = sqrt(1 - beta) x_{t-1} + sqrt(beta) eps, so "
         "compare x_t with sqrt(1 - beta) * grid, not with grid.",
         _normalised(p * np.exp(-((x_t - g) ** 2) / (2.0 * beta)), g)),
        ("the step's standard deviation sqrt(beta) was used where its variance beta belongs: the Gaussian "
         "is exp(-(x_t - sqrt(1 - beta) x)**2 / (2 beta)).",
         _normalised(p * np.exp(-((x_t - a * g) ** 2) / (2.0 * np.sqrt(beta))), g)),
        ("the forward step was taken from x_t (a Gaussian around sqrt(1 - beta) x_t) instead of *to* x_t: the "
         "likelihood asks how likely x_t is from each x_{t-1}, exp(-(x_t - sqrt(1 - beta) x_{t-1})**2 / (2 beta)).",
         _normalised(p * np.exp(-((g - a * x_t) ** 2) / (2.0 * beta)), g)),
        ("the shrink factor is (1 - beta), not its square root, in the likelihood: x_t = sqrt(1 - beta) x_{t-1} "
         "+ sqrt(beta) eps.", _normalised(p * np.exp(-((x_t - (1 - beta) * g) ** 2) / (2.0 * beta)), g)),
    ]


def _two_modes(grid, mode, spread) -> np.ndarray:
    """Density of 0.5 N(-mode, spread**2) + 0.5 N(mode, spread**2) at ``grid``."""
    return sum(0.5 * np.exp(-0.5 * ((grid - m) / spread) ** 2) / (spread * np.sqrt(2 * np.pi)) for m in (-mode, mode))


_GRID = np.linspace(-4.0, 4.0, 161)
_REVERSE_CASES = [
    (_GRID, np.exp(-0.5 * _GRID**2) / np.sqrt(2 * np.pi), 0.5, 0.1),      # Gaussian prior: a Gaussian reverse
    (_GRID, _two_modes(_GRID, 1.6, 0.6), 0.0, 0.6),                      # a big step between two modes
    (_GRID, _two_modes(_GRID, 1.6, 0.6), 1.2, 0.02),                     # a small step
    (np.linspace(-1.0, 3.0, 41), np.linspace(0.0, 2.0, 41), 0.8, 0.3),   # a prior that rises, starting at 0
]


def check_one_step_reverse(one_step_reverse: Callable) -> None:
    """Check ``one_step_reverse(grid, prior, x_t, beta)``: Bayes' rule on a grid, normalised as a density."""
    __tracebackhide__ = True
    check_cases(one_step_reverse, _REVERSE_CASES, good_reverse, _reverse_mistakes,
                done="one_step_reverse: prior times the step's likelihood, normalised so that sum * dx = 1, inputs "
                     "unchanged.")


_hints.register({
    "variance_without_shrink": [
        "Without the shrink, each step *adds* an independent term sqrt(beta) * eps_t to x. What is the "
        "variance of that term, and what happens to the variances of independent terms when they are added?",
        "Each step adds beta to the variance, and x_0 brings var0 of its own: after t steps, var0 plus t times "
        "the per-step amount.",
        "One line, `return var0 + <number of steps> * <what each step adds>`; plain arithmetic already works "
        "when var0 or t are NumPy arrays.",
    ],
    "variance_with_shrink": [
        "Follow the gap to 1, g_t = v_t - 1: section 3 showed g_t = (1 - beta) * g_{t-1}. What is g_t after t "
        "such steps, starting from g_0 = var0 - 1?",
        "t multiplications by the same factor make a power: g_t = (var0 - 1) * (1 - beta)**t. A loop over "
        "range(t) fails when t is an array (the hidden tests pass whole arrays of t): use this closed form.",
        "`decay = (1 - beta) ** t`, then `return 1 + (var0 - 1) * decay`: `**` works on NumPy arrays of t.",
    ],
    "ks_distance_from_normal": [
        "Look at the staircase in the figure above: at the i-th smallest value it jumps from (i - 1)/n to i/n. "
        "The largest gap to Phi is at the top or at the bottom of one of those jumps.",
        "Sort a copy of the sample (np.sort(x), not x.sort(), which changes the caller's array), compute "
        "Phi at every sorted value, and compare it with both ends of each step.",
        "With `i = np.arange(1, n + 1)`: `top = i / n - cdf`, `bottom = cdf - (i - 1) / n`; the answer is the "
        "larger of `top.max()` and `bottom.max()`.",
    ],
    "one_step_reverse": [
        "Bayes' rule: q(x_{t-1} | x_t) is proportional to q_{t-1}(x_{t-1}) times q(x_t | x_{t-1}). The first "
        "factor is `prior`; the second is the forward step's Gaussian, read as a function of x_{t-1}.",
        "The step's Gaussian, as a function of the grid: exp(-(x_t - sqrt(1 - beta) * grid)**2 / (2 * beta)); "
        "its constant in front cancels when you normalise. A density on a grid with spacing dx is normalised "
        "when sum(density) * dx = 1.",
        "`product = prior * np.exp(...)`, `dx = grid[1] - grid[0]`, `return product / (product.sum() * dx)`: "
        "a new array, nothing written into `prior` or `grid`.",
    ],
    "gradual_answer": [
        "Section 5 measured something about small steps and about one jump. What was it?",
        "Ending at N(0, 1) is possible in one step too; what differs is the shape of what must be undone at each "
        "step (look at the panels of section 5's figure).",
    ],
    "fixed_answer": [
        "What does the notebook need to make one training example: which numbers must it know exactly?",
        "If the forward process were learned, could we still draw x_t from x_0 together with the exact noise "
        "that made it, before any training?",
    ],
    "endpoint_answer": [
        "Where does generation start, and what does the model know how to undo?",
        "Section 4 showed that every start ends at the same N(0, 1). Why does the sampler need exactly that?",
    ],
})
