"""Visible checks for notebook 03, the closed form (``from course_lib.checks import closed_form as checks``).

Every check runs the learner's code through :func:`course_lib.checks._core.check_call` on the same kinds of
input as the hidden tests (numbers, 1-D, 2-D and image arrays, float32 betas, one step per sample), under
the same rules (inputs unchanged, the learner's own code), and names the likely mistake of a wrong answer:
cumsum instead of cumprod, alpha instead of alpha_bar, the square root forgotten on alpha_bar, t used as a
0-based index, alpha_bar_0 read from the end of the array, a coefficient that broadcasts along the wrong
axis, the step's variance beta_t where the posterior's belongs, ...
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import _hints
from ._core import CheckFailed, check_call, check_cases, compare, describe, run_call
from ._hints import hint
from ._questions import check_choice

__all__ = [
    "CheckFailed",
    "check_choice",
    "hint",
    "check_alphas_cumprod_from_betas",
    "check_q_sample",
    "check_equivalent_eps",
    "check_extract",
    "check_merge",
    "check_posterior_mean_var",
]

_OFF_BY_ONE = ("t is the maths' step 1..T but arrays are 0-indexed: alpha_bar_t is alphas_cumprod[t - 1] "
               "(alphas_cumprod[t] is alpha_bar_{t+1}, and does not exist for t = T).")
#: An index past the end (t used as a 0-based index at t = T) is the off-by-one, read from the exception.
_INDEX_ERRORS = [(IndexError, "out of bounds", _OFF_BY_ONE)]

# A short schedule with four different betas (0.1, 0.3, 0.2, 0.05): on the toy, where every beta is 0.2,
# some mistakes give the right number by accident.
_SHORT = np.array([0.9, 0.63, 0.504, 0.4788])
_TOY = np.array([0.8, 0.64, 0.512, 0.4096])  # beta = 0.2 at every step, T = 4


# --- alpha_bar as a running product --------------------------------------------------------------------

def _cumprod_mistakes(betas) -> list[tuple[str, np.ndarray]]:
    b = np.asarray(betas, dtype=float)
    abar = np.cumprod(1 - b)
    return [
        ("np.cumsum was used: alpha_bar_t is a running *product* of the alphas (np.cumprod), not a running sum.",
         np.cumsum(1 - b)),
        ("1 - cumsum(betas) is only the first-order approximation of prod(1 - beta_s): multiply the alphas "
         "(np.cumprod(1 - betas)).", 1 - np.cumsum(b)),
        ("the running product of the betas was taken. alpha_bar multiplies the alphas, alpha_s = 1 - beta_s.",
         np.cumprod(b)),
        ("that is alpha = 1 - beta, not alpha_bar. alpha_bar_t multiplies all the alphas up to t: "
         "alpha_bar_t = alpha_1 * alpha_2 * ... * alpha_t.", 1 - b),
        ("only the final product alpha_bar_T was returned. Return the whole running product: one alpha_bar_t "
         "per step, T values.", abar[-1]),
        ("the array is shifted by one: that is alpha_bar_{t-1} (diffusers' alphas_cumprod_prev). "
         "alphas_cumprod[0] must be alpha_bar_1 = 1 - beta_1.", np.concatenate([[1.0], abar[:-1]])),
        ("alpha_bar_0 = 1 was put in front, so there are T + 1 values. Keep T: alphas_cumprod[t - 1] is "
         "alpha_bar_t, for t = 1..T.", np.concatenate([[1.0], abar])),
        ("that is sqrt(alpha_bar) (sqrt_alphas_cumprod), the signal's scale. alpha_bar itself has no square root.",
         np.sqrt(abar)),
        ("that is 1 - alpha_bar, the noise variance. alpha_bar_t is the product of the alphas itself.", 1 - abar),
    ]


_CUMPROD_CASES = [  # the toy, four different betas, DDPM's linear schedule, float32 betas
    (np.array([0.2, 0.2]), 1e-6),
    (np.array([0.1, 0.3, 0.2, 0.05]), 1e-6),
    (np.linspace(1e-4, 0.02, 1000), 1e-12),
    (np.linspace(0.002, 0.04, 30, dtype=np.float32), 1e-5),
]


def check_alphas_cumprod_from_betas(alphas_cumprod_from_betas: Callable) -> None:
    """Check ``alphas_cumprod_from_betas(betas)`` = cumprod(1 - betas): the toy, a short schedule, DDPM's
    linear schedule (T = 1000) and float32 betas."""
    __tracebackhide__ = True
    for betas, tol in _CUMPROD_CASES:
        expected = np.cumprod(1.0 - betas.astype(np.float64))
        check_call(alphas_cumprod_from_betas, (betas,), expected, mistakes=_cumprod_mistakes(betas), tol=tol,
                   exercise="alphas_cumprod_from_betas")
    print("alphas_cumprod_from_betas: the running product of 1 - beta (the toy's 0.64; DDPM's alpha_bar_1000 = "
          "4.036e-05), float32 betas too, betas unchanged. ✔")


# --- q_sample: the closed form ---------------------------------------------------------------------------

# A [2, 3] case that q_sample's and equivalent_eps's checks share: _X_T is x_3 from _X0 and _EPS on the
# short schedule, and _EPS is the noise equivalent_eps must find in it (alpha_bar_3 = 0.504).
_X0 = np.array([[1.0, -0.5, 0.25], [0.0, 2.0, -1.5]])
_EPS = np.array([[0.3, -1.1, 0.6], [1.4, -0.2, 0.05]])
_X_T = np.sqrt(0.504) * _X0 + np.sqrt(1 - 0.504) * _EPS
# images: [C, H, W] and [B, C, H, W]
_IMG3 = np.linspace(-1.0, 1.0, 12).reshape(3, 2, 2)
_NOISE3 = np.cos(np.arange(12.0)).reshape(3, 2, 2)
_IMG4 = np.linspace(-1.0, 1.0, 24).reshape(2, 3, 2, 2)
_NOISE4 = np.sin(np.arange(24.0) + 0.5).reshape(2, 3, 2, 2)


def _closed(x0, t, ac, eps):
    ab = np.asarray(ac, dtype=float)[t - 1]
    return np.sqrt(ab) * np.asarray(x0, dtype=float) + np.sqrt(1 - ab) * np.asarray(eps, dtype=float)


def _q_sample_mistakes(x0, t, alphas_cumprod, eps) -> list[tuple[str, np.ndarray]]:
    x0, eps, ac = (np.asarray(v, dtype=float) for v in (x0, eps, alphas_cumprod))
    ab = ac[t - 1]
    mistakes = [
        ("the square roots are missing: alpha_bar * x0 + (1 - alpha_bar) * eps. alpha_bar and 1 - alpha_bar are "
         "*variances*; the factors are sqrt(alpha_bar) and sqrt(1 - alpha_bar).", ab * x0 + (1 - ab) * eps),
        ("the noise is scaled by 1 - alpha_bar instead of sqrt(1 - alpha_bar): that is its variance, and the "
         "factor in front of eps is the standard deviation.", np.sqrt(ab) * x0 + (1 - ab) * eps),
        ("the signal is scaled by alpha_bar instead of sqrt(alpha_bar): sqrt forgotten on alpha_bar.",
         ab * x0 + np.sqrt(1 - ab) * eps),
        ("the noise scale is 1 - sqrt(alpha_bar); it must be sqrt(1 - alpha_bar), so that the two variances "
         "add up to 1.", np.sqrt(ab) * x0 + (1 - np.sqrt(ab)) * eps),
        ("signal and noise are swapped: x0 keeps sqrt(alpha_bar), eps gets sqrt(1 - alpha_bar).",
         np.sqrt(1 - ab) * x0 + np.sqrt(ab) * eps),
        ("alphas_cumprod already holds the running product: alpha_bar_t is alphas_cumprod[t - 1] itself. "
         "Multiplying its first t entries again gives the wrong factor.",
         np.sqrt(np.prod(ac[:t])) * x0 + np.sqrt(1 - np.prod(ac[:t])) * eps),
        ("the pair is in the wrong order: return (x_t, eps), x_t first.", eps),
    ]
    if t < ac.size:
        mistakes.insert(0, (_OFF_BY_ONE, _closed(x0, t + 1, ac, eps)))
    return mistakes


_Q_CASES = [  # the array case first: on the toy (one beta for every step) some mistakes coincide
    (_X0, 3, _SHORT, _EPS),
    (0.80, 2, _TOY, -0.4450),
    (0.80, 1, _TOY, -0.4450),
    (0.80, 4, _TOY, 0.5),
    (np.array([1.0, -0.5, 0.4]), 4, _SHORT, np.array([0.2, 0.3, -1.0])),
    (_IMG3, 2, _SHORT, _NOISE3),
    (_IMG4, 4, _SHORT, _NOISE4),
]


def check_q_sample(q_sample: Callable) -> None:
    """Check ``q_sample(x0, t, alphas_cumprod, eps)`` returns ``(x_t, eps)``: the toy at t = 1, 2 and T, and
    a 1-D array, a 2-D array and images [C, H, W] and [B, C, H, W]."""
    __tracebackhide__ = True
    for x0, t, ac, eps in _Q_CASES:
        check_call(q_sample, (x0, t, ac, eps), (_closed(x0, t, ac, eps), np.asarray(eps, dtype=float)),
                   mistakes=_q_sample_mistakes(x0, t, ac, eps), errors=_INDEX_ERRORS, exercise="q_sample")
    print("q_sample: x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps with alpha_bar_t = "
          "alphas_cumprod[t - 1] (the toy's 0.3730), returned with eps, for numbers, arrays and images. ✔")


# --- the noise that makes one jump ------------------------------------------------------------------------

def _eps_mistakes(x0, x_t, alpha_bar) -> list[tuple[str, np.ndarray]]:
    x0, x_t, ab = (np.asarray(v, dtype=float) for v in (x0, x_t, alpha_bar))
    return [
        ("the square roots are missing: (x_t - alpha_bar x0) / (1 - alpha_bar). Use sqrt(alpha_bar) and "
         "sqrt(1 - alpha_bar).", (x_t - ab * x0) / (1 - ab)),
        ("divided by 1 - alpha_bar instead of sqrt(1 - alpha_bar): the noise's factor is its standard deviation.",
         (x_t - np.sqrt(ab) * x0) / (1 - ab)),
        ("x0 was scaled by alpha_bar instead of sqrt(alpha_bar): sqrt forgotten on alpha_bar.",
         (x_t - ab * x0) / np.sqrt(1 - ab)),
        ("x0 was not scaled: subtract the signal as it appears in x_t, sqrt(alpha_bar) * x0.",
         (x_t - x0) / np.sqrt(1 - ab)),
        ("the sign is flipped: solve x_t = sqrt(alpha_bar) x0 + sqrt(1 - alpha_bar) eps for eps.",
         (np.sqrt(ab) * x0 - x_t) / np.sqrt(1 - ab)),
        ("multiplied by sqrt(1 - alpha_bar) where you must divide by it.",
         (x_t - np.sqrt(ab) * x0) * np.sqrt(1 - ab)),
        ("the division by sqrt(1 - alpha_bar) is missing: x_t - sqrt(alpha_bar) x0 is the scaled noise, "
         "sqrt(1 - alpha_bar) * eps.", x_t - np.sqrt(ab) * x0),
    ]


_EPS_CASES = [
    (0.80, 0.3730199957214676, 0.64),  # the toy's x2 after two steps: eps = -0.4450
    (np.array([1.0, -0.5, 0.4]), np.array([0.2, 0.3, -1.0]), 0.36),
    (_X0, _X_T, 0.504),
    (_IMG4, 0.3 * _IMG4 + 0.9 * _NOISE4, 0.09),
]


def check_equivalent_eps(equivalent_eps: Callable) -> None:
    """Check ``equivalent_eps(x0, x_t, alpha_bar)`` = (x_t - sqrt(alpha_bar) x0) / sqrt(1 - alpha_bar) on the
    toy, a 1-D and a 2-D array and images."""
    __tracebackhide__ = True
    check_cases(equivalent_eps, _EPS_CASES,
                lambda x0, x_t, ab: (np.asarray(x_t) - np.sqrt(ab) * np.asarray(x0)) / np.sqrt(1 - ab),
                _eps_mistakes, exercise="equivalent_eps",
                done="equivalent_eps: the toy's two steps are one jump with eps = -0.4450; arrays and images too.")


# --- one timestep per sample --------------------------------------------------------------------------------

def _extract_mistakes(a, t, x_shape) -> list[tuple[str, np.ndarray]]:
    a, t = np.asarray(a, dtype=float), np.asarray(t)
    picked = a[t - 1]
    trailing = (1,) * (len(x_shape) - 1)
    mistakes = [
        ("not reshaped: a [B] array broadcasts against [B, C, H, W] along the *last* axis (the width), not the "
         "batch. Reshape to [B, 1, 1, 1]: one trailing 1 per axis after the batch.", picked),
        ("reshaped to [B, 1]: against [B, C, H, W] that lines up with the last two axes (H, W), not the batch. "
         "Give it one trailing 1 per axis after the batch.", picked.reshape(-1, 1)),
        ("the batch is on the last axis ([1, ..., 1, B]). It must be the first: [B, 1, ..., 1].",
         picked.reshape(trailing + (-1,))),
        ("the shape is always [B, 1, 1, 1]. Use one trailing 1 per axis of x_shape after the batch: "
         "len(x_shape) - 1 of them.", picked.reshape(-1, 1, 1, 1)),
    ]
    if np.all(t < a.size):
        mistakes.insert(0, (_OFF_BY_ONE, a[t].reshape((-1,) + trailing)))
    return mistakes


_A = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
_EXTRACT_CASES = [
    (_A, np.array([1, 4, 3]), (3, 2, 4, 4)),
    (_A, np.array([2, 2]), (2, 7)),
    (_A, np.array([5, 1, 3, 2]), (4, 3, 2, 2)),
    (_A, np.array([3]), (1,)),
    (_A, np.array([4, 5]), (2, 1, 1, 2, 2)),
]


def check_extract(extract: Callable) -> None:
    """Check ``extract(a, t, x_shape)`` = ``a[t - 1]`` reshaped to ``[B, 1, ..., 1]`` (len(x_shape) axes)."""
    __tracebackhide__ = True
    check_cases(extract, _EXTRACT_CASES, lambda a, t, x_shape: a[t - 1].reshape((-1,) + (1,) * (len(x_shape) - 1)),
                _extract_mistakes, errors=_INDEX_ERRORS, exercise="extract",
                done="extract: a[t - 1] for each sample, shaped [B, 1, ..., 1] to broadcast over x_shape, t unchanged.")


# --- where the two modes merge (a value derived, not copied) --------------------------------------------------

#: The course's two-mode data (course_lib.data.bimodal): modes at -2 and +2, each of standard deviation 0.35.
_M, _S = 2.0, 0.35
def check_merge(alpha_bar_merge) -> None:
    """Check the alpha_bar at which the two modes merge, 1 / (1 + m^2 - s^2). The expected value is never
    printed: here the value *is* the answer."""
    __tracebackhide__ = True
    right = 1.0 / (1.0 + _M**2 - _S**2)
    separation = 1.0 / (1.0 + 4 * _M**2 - _S**2)
    u = (-_M + np.sqrt(_M**2 + 4 * (1 - _S**2))) / (2 * (1 - _S**2))  # sqrt(abar) m = sigma_t^2, u = sqrt(abar)
    by_mean = (-(1 - _S**2) + np.sqrt((1 - _S**2) ** 2 + 4 * _M**2)) / (2 * _M**2)  # abar m = sigma_t
    mistakes = [
        ("the modes' own width was left out. Before any noise each mode has variance s^2 = 0.35^2, and after the "
         "jump it keeps alpha_bar * s^2 of it: sigma_t^2 = alpha_bar s^2 + 1 - alpha_bar.", 1.0 / (1.0 + _M**2)),
        ("the modes' own spread was not shrunk: x_0's part of x_t is scaled by sqrt(alpha_bar), so a mode's "
         "variance s^2 becomes alpha_bar * s^2, not s^2.", (1.0 + _S**2) / (1.0 + _M**2)),
        ("that compares the distance *between* the two modes, 2 sqrt(alpha_bar) m, with sigma_t. The dip at 0 "
         "disappears when each mode's distance from the middle, sqrt(alpha_bar) m, equals sigma_t.", separation),
        ("that compares the distance sqrt(alpha_bar) m with the variance sigma_t^2. Compare two lengths: "
         "sqrt(alpha_bar) m with the standard deviation sigma_t.", u**2),
        ("the mode's centre was scaled by alpha_bar instead of sqrt(alpha_bar): x_t = sqrt(alpha_bar) x_0 + ..., "
         "so a mode at m sits at sqrt(alpha_bar) m.", by_mean),
        ("that is where SNR = 1 (alpha_bar = 1/2), notebook 04's landmark, not where the modes merge.", 0.5),
        ("that is sqrt(alpha_bar_merge), the factor on the modes' positions. The answer is alpha_bar itself.",
         np.sqrt(right)),
        ("that is the share of noise, 1 - alpha_bar. alpha_bar_merge is alpha_bar itself.", 1.0 - right),
    ]
    try:
        compare(alpha_bar_merge, right, "alpha_bar_merge", mistakes, tol=5e-4, reveal=False)
    except CheckFailed as failure:
        failure.exercise = "merge"
        raise
    print(f"alpha_bar_merge = {float(alpha_bar_merge):.4f}: the two modes become one bump there. ✔ "
          "(The next cells find the step.)")


# --- the forward posterior q(x_{t-1} | x_t, x_0) ----------------------------------------------------------------

def _posterior(x0, x_t, t, alphas_cumprod, prev_of=None, now_of=None):
    """(mean, variance) of q(x_{t-1} | x_t, x0) on alphas_cumprod, optionally with wrong lookups of
    alpha_bar_{t-1} (``prev_of``) and alpha_bar_t (``now_of``), functions of (padded array, t)."""
    padded = np.concatenate([[1.0], np.asarray(alphas_cumprod, dtype=float)])
    t = np.asarray(t)
    abar = (now_of or (lambda p, s: p[s]))(padded, t)
    prev = (prev_of or (lambda p, s: p[s - 1]))(padded, t)
    beta = 1.0 - abar / prev
    x0, x_t = np.asarray(x0, dtype=float), np.asarray(x_t, dtype=float)
    mean = (np.sqrt(prev) * beta * x0 + np.sqrt(1.0 - beta) * (1.0 - prev) * x_t) / (1.0 - abar)
    return mean, (1.0 - prev) * beta / (1.0 - abar)


_WRAPS = ("at t = 1, alphas_cumprod[t - 2] is alphas_cumprod[-1]: Python counts negative indices from the end, "
          "so that is alpha_bar_T, not alpha_bar_0 = 1. alpha_bar_0 is not stored: put 1.0 in front of the array "
          "(np.concatenate([[1.0], alphas_cumprod])) and index that, which works for every t at once.")


def _posterior_mistakes(x0, x_t, t, ac) -> tuple[list, list]:
    """(mistakes named by the mean, mistakes named by the variance) for one case."""
    with np.errstate(all="ignore"):  # some wrong formulas take square roots of negative numbers on some cases
        padded = np.concatenate([[1.0], np.asarray(ac, dtype=float)])
        t_arr = np.asarray(t)
        abar, prev = padded[t_arr], padded[t_arr - 1]
        alpha, beta = abar / prev, 1.0 - abar / prev
        x0, x_t = np.asarray(x0, dtype=float), np.asarray(x_t, dtype=float)
        right_mean, right_var = _posterior(x0, x_t, t, ac)
        means = [
            ("beta_t was taken as 1 - alpha_bar_t. The step's own beta is 1 - alpha_t, with alpha_t = "
             "alpha_bar_t / alpha_bar_{t-1}.",
             (np.sqrt(prev) * (1 - abar) * x0 + np.sqrt(abar) * (1 - prev) * x_t) / (1 - abar)),
            ("x0's coefficient uses sqrt(alpha_bar_t); it is sqrt(alpha_bar_{t-1}) (the signal left one step "
             "*before* t).", (np.sqrt(abar) * beta * x0 + np.sqrt(alpha) * (1 - prev) * x_t) / (1 - abar)),
            ("x_t's coefficient uses sqrt(alpha_bar_t); it is sqrt(alpha_t), the shrink of the last step only.",
             (np.sqrt(prev) * beta * x0 + np.sqrt(abar) * (1 - prev) * x_t) / (1 - abar)),
            ("the square roots are missing: the coefficients hold sqrt(alpha_bar_{t-1}) and sqrt(alpha_t).",
             (prev * beta * x0 + alpha * (1 - prev) * x_t) / (1 - abar)),
            ("x0 and x_t are swapped: x0 gets sqrt(alpha_bar_{t-1}) beta_t, x_t gets sqrt(alpha_t) "
             "(1 - alpha_bar_{t-1}).", (np.sqrt(prev) * beta * x_t + np.sqrt(alpha) * (1 - prev) * x0) / (1 - abar)),
            ("that is sqrt(alpha_bar_{t-1}) x0, the mean of q(x_{t-1} | x0): where x_{t-1} is expected knowing x0 "
             "alone. The posterior also uses what x_t says.", np.sqrt(prev) * x0 + 0 * x_t),
            ("that is x_t / sqrt(alpha_t), the step undone as if it had added no noise. The posterior weighs x_t "
             "against x0.", x_t / np.sqrt(alpha) + 0 * x0),
            ("the pair is in the wrong order: return (mean, variance), the mean first.", right_var),
        ]
        wrapped = _posterior(x0, x_t, t, ac, prev_of=lambda p, s: np.asarray(ac, dtype=float)[s - 2])[0]
        if np.any(t_arr == 1):
            means.insert(0, (_WRAPS, wrapped))
        if np.all(t_arr < len(ac)):
            means.insert(0, (_OFF_BY_ONE + " Here alpha_bar_{t-1} is alphas_cumprod[t - 2] (and 1 at t = 1).",
                             _posterior(x0, x_t, t, ac, prev_of=lambda p, s: p[s], now_of=lambda p, s: p[s + 1])[0]))
        variances = [
            ("that is beta_t, the variance of the forward step q(x_t | x_{t-1}) (and one of DDPM's choices for "
             "the reverse step's sigma_t^2). The posterior also knows x0, so it is narrower: "
             "(1 - alpha_bar_{t-1}) beta_t / (1 - alpha_bar_t).", beta),
            ("that is a standard deviation, sqrt(beta~_t). Return the variance.", np.sqrt(right_var)),
            ("alpha_bar_t and alpha_bar_{t-1} are swapped: beta~_t = (1 - alpha_bar_{t-1}) beta_t / "
             "(1 - alpha_bar_t).", (1 - abar) * beta / (1 - prev)),
            ("that is 1 - alpha_bar_{t-1}, the variance of q(x_{t-1} | x0): what x0 alone says. Knowing x_t as "
             "well narrows it by beta_t / (1 - alpha_bar_t).", 1 - prev),
        ]
    return means, variances


_POST_CASES = [  # varied betas first (on the toy, where every beta is 0.2, mistakes can coincide)
    (np.array([0.5, -1.0, 1.5]), np.array([0.2, 0.4, -0.3]), 3, _SHORT),
    (0.80, 0.3730, 2, _TOY),  # the toy: x1 given x0 = 0.80 and x2 = 0.3730
    (0.80, 0.6261, 1, _TOY),  # t = 1: x0 is known, so mean x0 and variance 0
    (0.80, -0.25, 4, _SHORT),  # t = T
    (_X0, _X_T, 2, _SHORT),
    (_IMG4, _NOISE4, 4, _SHORT),
    (np.array([0.5, -1.0, 1.5, 0.3]), np.array([0.2, 0.4, -0.3, 1.1]), np.array([1, 2, 4, 3]), _SHORT),
]


def check_posterior_mean_var(posterior_mean_var: Callable) -> None:
    """Check ``posterior_mean_var(x0, x_t, t, alphas_cumprod)`` returns ``(mean, variance)`` of
    q(x_{t-1} | x_t, x0): the toy, t = 1, t = T, arrays, images and one t per entry of a 1-D x0."""
    __tracebackhide__ = True
    for x0, x_t, t, ac in _POST_CASES:
        mean, var = _posterior(x0, x_t, t, ac)
        mean_mistakes, var_mistakes = _posterior_mistakes(x0, x_t, t, ac)
        args = (x0, x_t, t, ac)
        what = describe(posterior_mean_var, args)
        try:
            check_call(posterior_mean_var, args, (mean, var), mistakes=mean_mistakes, errors=_INDEX_ERRORS,
                       exercise="posterior_mean_var")
        except CheckFailed as failure:
            if not str(failure).startswith(f"{what}[1]"):
                raise
            # check_call names mistakes of the first item only; the call ran and its mean was right, so run it
            # once more (same rules) to name the variance's mistake, if it is a known one
            got = run_call(posterior_mean_var, args).result[1]
            try:
                compare(got, var, f"{what}[1]", var_mistakes)
            except CheckFailed as named:
                named.exercise = "posterior_mean_var"
                raise named from None
            raise
    print("posterior_mean_var: the toy's x1 given x0 = 0.80 and x2 = 0.3730 has mean 0.5829 and variance 0.1111; "
          "t = 1 gives (x0, 0); arrays, images and one t per sample too, inputs unchanged. ✔")


_hints.register({
    "alphas_cumprod_from_betas": [
        "alpha_bar_t multiplies the alphas up to step t: alpha_1, then alpha_1 * alpha_2, then alpha_1 * alpha_2 * "
        "alpha_3, ... One value per step, T values in all. What is alpha_s in terms of beta_s?",
        "NumPy has a running product that keeps every partial result: `np.cumprod`. Apply it to the alphas, "
        "alpha_s = 1 - beta_s (a new array: `1 - betas` does not touch `betas`).",
        "The body is one line of the shape `return np.cumprod(<the alphas>)`.",
    ],
    "q_sample": [
        "Two things to get: alpha_bar_t from the array (section 4 says at which index it sits), and the two "
        "factors of the closed form, which are square roots of variances.",
        "alpha_bar_t is `alphas_cumprod[t - 1]` (t is the maths' step, the array is 0-indexed). The signal keeps "
        "`np.sqrt(alpha_bar)`, the noise gets `np.sqrt(1 - alpha_bar)`; NumPy's versions work on numbers and arrays.",
        "Build a new `x_t = <signal factor> * x0 + <noise factor> * eps` and `return x_t, eps`: the pair, x_t first.",
    ],
    "equivalent_eps": [
        "Start from the closed form x_t = sqrt(alpha_bar) x0 + sqrt(1 - alpha_bar) eps, with x0, x_t and alpha_bar "
        "known. Which one unknown is left?",
        "Move the signal term to the other side, then divide by the noise's factor: two operations, in that order.",
        "`return (x_t - <signal factor> * x0) / <noise factor>`, with `np.sqrt` for both factors.",
    ],
    "extract": [
        "Two steps: pick one value per sample (a has a_1..a_T at indices 0..T-1), then give that [B] array a shape "
        "that broadcasts over x_shape along the batch axis.",
        "`a[t - 1]` picks all B values at once (t is an array). NumPy lines shapes up from the right, so the B "
        "values must sit on the first axis, followed by len(x_shape) - 1 axes of length 1.",
        "`values.reshape((len(values),) + (1,) * (len(x_shape) - 1))`; compute `t - 1` as a new array rather than "
        "writing into `t`.",
    ],
    "merge": [
        "Push one mode, N(m, s^2), through the closed form: what are the mean and the variance of "
        "sqrt(alpha_bar) x0 + sqrt(1 - alpha_bar) eps when x0 ~ N(m, s^2)?",
        "Each noised mode is centred at sqrt(alpha_bar) m with standard deviation sigma = sqrt(alpha_bar s^2 + 1 - "
        "alpha_bar); the dip disappears when sqrt(alpha_bar) m = sigma. Square both sides: the equation is linear "
        "in alpha_bar.",
        "Write sigma^2 = alpha_bar s^2 + 1 - alpha_bar and m^2 alpha_bar = sigma^2; collect the alpha_bar terms: "
        "alpha_bar_merge = 1 / (1 + m^2 - <one more term>), with m = 2 and s = 0.35.",
    ],
    "posterior_mean_var": [
        "You need three numbers for step t: alpha_bar_t, alpha_bar_{t-1} (1 at t = 1, and not stored) and "
        "beta_t. Only alphas_cumprod is given: how do alpha_t and beta_t follow from alpha_bar_t and "
        "alpha_bar_{t-1}?",
        "alpha_t = alpha_bar_t / alpha_bar_{t-1} and beta_t = 1 - alpha_t. Put 1.0 in front of the array "
        "(np.concatenate) so that `padded[t]` is alpha_bar_t and `padded[t - 1]` is alpha_bar_{t-1} for every t, "
        "t = 1 and arrays of t included: no `if` on t.",
        "With `abar`, `abar_prev`, `alpha` and `beta` in hand (numbers or arrays), the body is two expressions, "
        "`mean = (<x0's coefficient> * x0 + <x_t's coefficient> * x_t) / (1 - abar)` and "
        "`variance = <numerator> / (1 - abar)`, read off section 10's formula; then `return mean, variance`.",
    ],
    "gaussian_answer": [
        "Two options are about things this notebook never relies on: how noisy images look, and what a network "
        "outputs. Section 2 tested a third one directly: is the Gaussian the only noise whose steps compose?",
        "Section 2's Cauchy steps composed in closed form too. Look for the option that says what Gaussian "
        "composition gives training: the jump to any t as one scaled draw of standard-normal noise, known exactly.",
    ],
})
