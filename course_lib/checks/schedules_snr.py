"""Visible checks for notebook 04, schedules and SNR (``from course_lib.checks import schedules_snr as checks``).

Every check runs the learner's code through :func:`course_lib.checks._core.check_call` on the same kinds of
input as the hidden tests (numbers, 1-D, 2-D, 3-D and 4-D arrays, whole numbers, the spacing's name), under the
same rules (inputs unchanged, the learner's own code), and names the likely mistake of a wrong answer: the
teaching cosine for Nichol & Dhariwal's, 1 - alpha_bar where a per-step beta belongs, a ratio of coefficients
where SNR squares them, the data's variance left out, diffusers' 0-based timestep used as the maths' t, the
alpha_bar of the wrong step, pooling that only works on 2-D arrays, ...
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Callable

import numpy as np

from . import _good, _hints
from ._core import CheckFailed, Waiting, check_call, check_cases, compare, describe
from ._hints import hint
from ._questions import check_choice

__all__ = [
    "CheckFailed",
    "check_choice",
    "hint",
    "check_cosine_alphas_cumprod",
    "check_betas_from_alphas_cumprod",
    "check_snr",
    "check_t_snr1_estimate",
    "check_t_at_snr",
    "check_t_at_data_snr",
    "check_sampling_timesteps",
    "check_average_pool",
    "good_snr",
    "good_t_at_snr",
]


@contextmanager
def _exercise(name: str):
    """Label a CheckFailed raised inside the block with exercise ``name``, so its message points to the hints."""
    try:
        yield
    except CheckFailed as failure:
        failure.exercise = failure.exercise or name
        raise


# --- cosine_alphas_cumprod --------------------------------------------------------------------------------

def _cosine_f(u, s):
    return np.cos((np.asarray(u, dtype=float) + s) / (1 + s) * math.pi / 2) ** 2


def _good_cosine(T: int, s: float) -> np.ndarray:
    return _cosine_f(np.arange(1, T + 1) / T, s) / _cosine_f(0.0, s)


def _cosine_mistakes(T: int, s: float) -> list[tuple[str, np.ndarray]]:
    u = np.arange(T + 1) / T
    f = _cosine_f(u, s)
    abar = f[1:] / f[0]
    clipped = np.cumprod(1 - np.minimum(1 - abar / np.concatenate([[1.0], abar[:-1]]), 0.999))
    return [
        ("that is the teaching cosine of some tutorials, cos(linspace(0, 1, T) * pi/2)**2. Its linspace starts "
         "at 0, so its first value is alpha_bar_0 = 1 (a first step that adds no noise), it ends at "
         "cos^2(pi/2), about 0 (beta_T = 1), and it has no offset s. Use u = t / T for t = 1..T, the offset s "
         "and the division by f(0).", np.cos(np.linspace(0, 1, T) * math.pi / 2) ** 2),
        ("the s offset is dropped: cos^2(t/T * pi/2) is the cosine without Nichol & Dhariwal's offset, which "
         "keeps beta_1 from being vanishingly small.", np.cos(u[1:] * math.pi / 2) ** 2),
        ("alpha_bar_t must be normalised by f(0): alpha_bar_t = f(t) / f(0), so that alpha_bar_0 = 1. "
         "With s > 0, f(0) = cos^2(s/(1+s) * pi/2) is a little below 1.", f[1:]),
        ("alpha where alpha_bar belongs: f(t) / f(t-1) is the per-step alpha_t = 1 - beta_t. "
         "alpha_bar_t = f(t) / f(0) is the cumulative one.", f[1:] / f[:-1]),
        ("an off-by-one in t: the first entry must be alpha_bar_1 = f(1/T) / f(0), not alpha_bar_0 = 1. "
         "Use t = 1..T, i.e. u = t / T from 1/T to 1.", f[:-1] / f[0]),
        ("an off-by-one in t: return T values (alpha_bar_1..alpha_bar_T), without alpha_bar_0 = 1 in front.",
         f / f[0]),
        ("alpha_bar is cos *squared*; cos alone is sqrt(alpha_bar), the signal's scale.", np.sqrt(abar)),
        ("the offset must be divided by 1 + s: f(t) = cos^2((t/T + s) / (1 + s) * pi/2), which makes "
         "alpha_bar reach 0 exactly at t = T.",
         np.cos((u[1:] + s) * math.pi / 2) ** 2 / np.cos(s * math.pi / 2) ** 2),
        ("the betas were clipped at 0.999 before the product (what diffusers does): this exercise asks for "
         "alpha_bar *before* clipping, f(t) / f(0).", clipped),
    ]


def check_cosine_alphas_cumprod(cosine_alphas_cumprod: Callable) -> None:
    """Check ``cosine_alphas_cumprod(T, s)`` = f(t)/f(0), t = 1..T, on small T and on T = 1000."""
    __tracebackhide__ = True
    check_cases(cosine_alphas_cumprod, [(4, 0.008), (10, 0.1), (3, 0.0), (1000, 0.008)], _good_cosine,
                _cosine_mistakes, tol=1e-9,
                done="cosine_alphas_cumprod: f(t)/f(0) with the offset s, t = 1..T (Nichol & Dhariwal eq. 17).")


# --- betas_from_alphas_cumprod ----------------------------------------------------------------------------

def _good_betas(abar) -> np.ndarray:
    abar = np.asarray(abar, dtype=float)
    return 1 - abar / np.concatenate([[1.0], abar[:-1]])


def _betas_mistakes(abar) -> list[tuple[str, np.ndarray]]:
    a = np.asarray(abar, dtype=float)
    prev = np.concatenate([[1.0], a[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        return [
            ("that is 1 - alpha_bar_t, the variance of *all* the noise added up to step t. beta_t is what step t "
             "alone adds: each step keeps alpha_t = alpha_bar_t / alpha_bar_{t-1}, so beta_t = 1 - that ratio.",
             1 - a),
            ("that is alpha_t = alpha_bar_t / alpha_bar_{t-1}, the fraction a step keeps; beta_t = 1 - alpha_t.",
             a / prev),
            ("the ratio is upside down: alpha_bar_t / alpha_bar_{t-1} (at most 1) is what step t keeps.",
             1 - prev / a),
            ("a difference where a ratio belongs: alpha_bar_{t-1} - alpha_bar_t is how much alpha_bar drops, but "
             "each step *multiplies* by alpha_t, so beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}.", prev - a),
            ("the first beta compares alpha_bar_1 with the *last* value: np.roll wraps around. Before step 1 "
             "nothing was lost, alpha_bar_0 = 1, so beta_1 = 1 - alpha_bar_1.", 1 - a / np.roll(a, 1)),
            ("beta_1 is missing: there are T betas, and the first is beta_1 = 1 - alpha_bar_1 / alpha_bar_0 with "
             "alpha_bar_0 = 1. Put 1.0 in front of the earlier values (np.concatenate([[1.0], ...])).",
             1 - a[1:] / a[:-1]),
            ("the betas were clipped at 0.999: that is the next step, done separately (the check shows why). "
             "Return 1 - alpha_bar_t / alpha_bar_{t-1} as it is, even when it is 1.",
             np.minimum(1 - a / prev, 0.999)),
        ]


_TOY_COSINE = _good_cosine(4, 0.008)  # ends at alpha_bar_4 = cos^2(pi/2) ~ 3.7e-33: beta_4 = 1 to float precision
_BETAS_CASES = [
    np.array([0.8, 0.64]),  # the toy of notebooks 02 and 03: beta_1 = beta_2 = 0.2
    np.array([0.9, 0.63, 0.315]),
    _TOY_COSINE,
    np.array([0.5, 0.2, 0.0]),  # zero terminal SNR: the last beta is exactly 1
    np.cumprod(1 - np.linspace(1e-4, 0.02, 1000)),
]


def check_betas_from_alphas_cumprod(betas_from_alphas_cumprod: Callable) -> None:
    """Check ``betas_from_alphas_cumprod(alphas_cumprod)`` on the toy, a cosine, a zero terminal SNR and T = 1000."""
    __tracebackhide__ = True
    check_cases(betas_from_alphas_cumprod, [(abar,) for abar in _BETAS_CASES], _good_betas, _betas_mistakes, tol=1e-9,
                done="betas_from_alphas_cumprod: beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}, alpha_bar_0 = 1, "
                     "T values (the toy's 0.8, 0.64 give 0.2, 0.2).")


# --- snr -------------------------------------------------------------------------------------------------

def good_snr(alphas_cumprod):
    """A known-good SNR, put in place of the learner's ``snr`` while their ``t_at_snr`` is checked."""
    abar = np.asarray(alphas_cumprod, dtype=float)
    with np.errstate(divide="ignore"):
        return abar / (1 - abar)


_good.register({"snr": good_snr})


def _snr_mistakes(abar) -> list[tuple[str, np.ndarray]]:
    a = np.asarray(abar, dtype=float)
    return [
        ("that is (1 - alpha_bar) / alpha_bar, the noise-to-signal ratio (Karras' sigma squared). "
         "SNR puts the signal's squared coefficient, alpha_bar, on top.", (1 - a) / a),
        ("that is sqrt(alpha_bar / (1 - alpha_bar)), the ratio of the coefficients themselves. SNR squares "
         "them: (sqrt(alpha_bar))^2 / (sqrt(1 - alpha_bar))^2 = alpha_bar / (1 - alpha_bar).", np.sqrt(a / (1 - a))),
        ("the noise's squared coefficient is missing: SNR = alpha_bar / (1 - alpha_bar), not alpha_bar alone.", a),
        ("that is log SNR. Return the SNR itself; the notebook takes the log for the plots.", np.log(a / (1 - a))),
        ("sqrt(alpha_bar) / (1 - alpha_bar) squares only the noise's coefficient: square both.",
         np.sqrt(a) / (1 - a)),
    ]


_SNR_CASES = [np.array([0.5, 0.8, 0.2, 0.99, 0.01]), 0.75, np.array([[0.1, 0.2], [0.3, 0.4]])]


def check_snr(snr: Callable) -> None:
    """Check ``snr(alphas_cumprod)`` = alpha_bar / (1 - alpha_bar) on a 1-D array, a number and a 2-D array."""
    __tracebackhide__ = True
    check_cases(snr, [(abar,) for abar in _SNR_CASES], good_snr, _snr_mistakes, tol=1e-9,
                done="snr: alpha_bar / (1 - alpha_bar), the ratio of the squared coefficients, for numbers and "
                     "arrays.")


# --- predict before computing: where the linear schedule's SNR crosses 1 ---------------------------------

#: the quadratic estimate sum_{s<=t} beta_s = log 2 with the linear betas (the solution's value)
T_SNR1_ESTIMATE = 259.3241745868586
T_SNR1_TOLERANCE = 8.0


def check_t_snr1_estimate(t_snr1_estimate) -> None:
    """Check the predicted t at which DDPM's linear schedule reaches SNR = 1 (within 8 steps of the estimate)."""
    __tracebackhide__ = True
    b1, bT, T = 1e-4, 0.02, 1000
    a = (bT - b1) / (2 * (T - 1))
    mistakes = [
        ("you solved 1 - (sum of betas) = 1/2: that is only the first-order product. Keep the log: "
         "alpha_bar_t = prod(1 - beta_s) = exp(sum log(1 - beta_s)), about exp(-sum beta_s), so the sum must "
         "reach log 2 = 0.693.", max(np.roots([a, b1 - a, -0.5]))),
        ("that assumes every beta is beta_1 = 1e-4: the betas grow linearly to 0.02, so their sum up to t is "
         "about beta_1 t + (beta_T - beta_1) t^2 / (2T).", math.log(2) / b1),
        ("that assumes every beta is as large as beta_T = 0.02 from the start; they grow linearly from 1e-4.",
         math.log(2) / bT),
        ("the middle of the schedule is a guess, not an estimate: SNR = 1 means alpha_bar_t = 1/2; find the t "
         "at which the betas have added up to log 2.", 500.0),
    ]
    with _exercise("t_snr1_estimate"):
        compare(t_snr1_estimate, T_SNR1_ESTIMATE, "t_snr1_estimate", mistakes, tol=T_SNR1_TOLERANCE, reveal=False)
    print(f"t_snr1_estimate = {float(t_snr1_estimate):.1f}: within {T_SNR1_TOLERANCE:g} steps of where the "
          "betas add up to log 2. Now compute it exactly. ✔")


# --- t_at_snr --------------------------------------------------------------------------------------------

def _first_at_or_below(values, value):
    hits = np.flatnonzero(np.asarray(values) <= value)
    return int(hits[0]) + 1 if hits.size else None


def good_t_at_snr(alphas_cumprod, value):
    """A known-good ``t_at_snr``, put in place of the learner's while their ``t_at_data_snr`` is checked."""
    return _first_at_or_below(good_snr(alphas_cumprod), value)


_good.register({"t_at_snr": good_t_at_snr})


_NEVER = ("the SNR never drops to the value here, so the answer is None. np.argmax of an all-False array is 0: "
          "check that some step qualifies before you use it.")


def _t_at_snr_mistakes(abar, value, expected) -> list[tuple[str, object]]:
    snrs = good_snr(abar)
    mistakes = [
        ("an off-by-one in t: that is the 0-based array index (or the last step still above value). The maths' "
         "t is 1-based: alphas_cumprod[t - 1] is alpha_bar_t, so return index + 1.",
         None if expected is None else expected - 1),
        ("'drops to or below' includes equality: use SNR <= value, not SNR < value.",
         _first_at_or_below(snrs, np.nextafter(value, -np.inf))),
        ("alpha_bar where SNR belongs: compare SNR = alpha_bar / (1 - alpha_bar) with value, not alpha_bar itself.",
         _first_at_or_below(abar, value)),
        ("log SNR was compared with value; compare the SNR itself.", _first_at_or_below(np.log(snrs), value)),
    ]
    if expected is None:
        mistakes = [(_NEVER, 1), (_NEVER, 0)] + mistakes
    return [(message, wrong) for message, wrong in mistakes if wrong is not None and wrong != expected]


def _check_first_t(fn: Callable, args: tuple, expected, mistakes, substitute: dict, exercise: str,
                   reveal: bool = True) -> None:
    """One call of a function that returns a 1-based step t or None, checked (None: nothing else passes)."""
    __tracebackhide__ = True
    if expected is not None:
        check_call(fn, args, expected, mistakes=mistakes, substitute=substitute, exercise=exercise, reveal=reveal)
        return
    try:  # expected None: the only thing check_call cannot compare; what came back decides
        check_call(fn, args, np.nan, mistakes=mistakes, substitute=substitute, exercise=exercise, reveal=False,
                   what=describe(fn, args) + (" (expected None)" if reveal else ""))
    except CheckFailed as failure:
        if isinstance(failure, Waiting) or "returned None" not in str(failure):
            raise


_SMALL = np.array([0.9, 0.75, 0.5, 0.2, 0.05])  # SNR 9, 3, 1 (exactly), 0.25, 0.053
_LINEAR = np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))  # DDPM's linear schedule, T = 1000
_T_AT_SNR_CASES = [
    (np.array([0.99, 0.98, 0.97, 0.9, 0.5]), 4.0),  # SNR 99, 49, 32.3, 9, 1
    (_SMALL, 1.0), (_SMALL, 2.0), (_SMALL, 0.3), (_SMALL, 10.0), (_SMALL, 0.01),
    (_LINEAR, 1.0),  # t = 260
    (_LINEAR, 1e-6),  # never that low: None
]


def check_t_at_snr(t_at_snr: Callable) -> None:
    """Check ``t_at_snr(alphas_cumprod, value)``: the first 1-based t with SNR <= value, or None.

    The learner's ``snr`` is replaced by :func:`good_snr` meanwhile (it has its own check).
    """
    __tracebackhide__ = True
    for abar, value in _T_AT_SNR_CASES:
        expected = _first_at_or_below(good_snr(abar), value)
        _check_first_t(t_at_snr, (abar, value), expected, _t_at_snr_mistakes(abar, value, expected),
                       {"snr": good_snr}, "t_at_snr")
    print("t_at_snr: the first 1-based t with SNR <= value (DDPM's linear schedule: t = 260), None if never. ✔")


# --- t_at_data_snr: the data's variance and its scale --------------------------------------------------------

_DATA_SCALE_MESSAGES = {
    "the unit": "that is where SNR(t) = alpha_bar / (1 - alpha_bar) reaches 1, the SNR of unit-variance data. For "
                "data of variance s^2 the SNR of x_t is s^2 * SNR(t): find the first t with SNR(t) <= 1 / s^2.",
    "std": "the standard deviation s was used where its square belongs: the signal's variance in x_t is "
           "s^2 * alpha_bar. Use 1 / s^2 with s^2 = the pixels' variance (.var()).",
    "s2": "the threshold is upside down: s^2 * SNR(t) <= 1 means SNR(t) <= 1 / s^2, not SNR(t) <= s^2.",
    "mean square": "that uses the mean of x^2, which counts the mean brightness as signal; the structure that "
                   "noise hides is measured by the variance (.var()), and the mean is one number the section "
                   "treats apart.",
}


def _good_t_at_data_snr(alphas_cumprod, x0):
    """The first 1-based t with var(x0) * SNR(t) <= 1, or None (what the exercise asks for)."""
    return good_t_at_snr(alphas_cumprod, 1 / np.var(x0))


_NEVER_DATA = ("var(x0) * SNR(t) stays above 1 at every step here, so the answer is None. np.argmax of an "
               "all-False array is 0: check that some step qualifies before you use it.")


def _data_scale_thresholds(x0) -> dict[str, float]:
    """The SNR(t) threshold each named mistake compares with, for data ``x0``."""
    x = np.asarray(x0, dtype=float)
    return {"the unit": 1.0, "std": 1 / x.std(), "s2": x.var(), "mean square": 1 / np.mean(x**2)}


def _data_scale_mistakes(abar, x0, expected) -> list[tuple[str, object]]:
    snrs = good_snr(abar)
    mistakes = [(_DATA_SCALE_MESSAGES[name], _first_at_or_below(snrs, threshold))
                for name, threshold in _data_scale_thresholds(x0).items()]
    mistakes.append(("an off-by-one in t: that is the 0-based array index. The maths' t is 1-based: "
                     "alphas_cumprod[t - 1] is alpha_bar_t.", None if expected is None else expected - 1))
    if expected is None:
        mistakes = [(_NEVER_DATA, 1), (_NEVER_DATA, 0)] + mistakes
    return [(message, wrong) for message, wrong in mistakes if wrong is not None and wrong != expected]


def _data_scale_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """(alphas_cumprod, x0): the portrait in three pixel ranges, then other images, batches and schedules."""
    from ..data import sample_image

    portrait = sample_image(64)  # [C, H, W], pixels in [-1, 1], variance 0.319
    cosine = _good_cosine(1000, 0.008)
    return [
        (_LINEAR, portrait),  # the portrait as it is
        (_LINEAR, (portrait + 1) / 2),  # pixels in [0, 1]
        (_LINEAR, (portrait + 1) / 2 * 255),  # pixels in [0, 255]
        (cosine, sample_image(32, gray=True)[0]),  # [H, W]
        (cosine, np.round((portrait.transpose(1, 2, 0) + 1) / 2 * 255)),  # [H, W, C], whole numbers 0..255
        (cosine, (np.stack([portrait, portrait[:, :, ::-1]]) + 1) / 2),  # a batch [B, C, H, W]
        (np.array([0.95, 0.8, 0.5, 0.2, 0.05]), np.array([[1.0, -1.0], [0.0, 0.0]])),  # s^2 = 0.5: t = 3
        (np.array([0.9, 0.8, 0.7]), np.array([[0.0, 4.0], [4.0, 0.0]])),  # s^2 = 4: never, None
    ]


def check_t_at_data_snr(t_at_data_snr: Callable) -> None:
    """Check ``t_at_data_snr(alphas_cumprod, x0)``: the first 1-based t with var(x0) * SNR(t) <= 1, or None.

    The learner's ``t_at_snr`` is replaced by :func:`good_t_at_snr` meanwhile (it has its own check). The
    expected steps are never printed: the exercise asks for a prediction first, and the cell after it shows them.
    """
    __tracebackhide__ = True
    for abar, x0 in _data_scale_cases():
        expected = _good_t_at_data_snr(abar, x0)
        _check_first_t(t_at_data_snr, (abar, x0), expected, _data_scale_mistakes(abar, x0, expected),
                       {"t_at_snr": good_t_at_snr}, "t_at_data_snr", reveal=False)
    print("t_at_data_snr: the first t with var(x0) * SNR(t) <= 1, on the portrait in three pixel ranges, other "
          "images and batches of every shape, None if never. ✔")


# --- sampling_timesteps: leading and trailing spacing -----------------------------------------------------

def _good_timesteps(T: int, n: int, spacing: str) -> np.ndarray:
    i = np.arange(n)
    if spacing == "leading":
        k = (n - 1 - i) * (T // n)
    else:
        k = np.round(T - i * (T / n)).astype(int) - 1
    return k + 1


def _timesteps_mistakes(T: int, n: int, spacing: str) -> list[tuple[str, np.ndarray]]:
    t = _good_timesteps(T, n, spacing)
    i = np.arange(n)
    other = "trailing" if spacing == "leading" else "leading"
    return [
        ("those are diffusers' 0-based timesteps k. The maths' step is t = k + 1 (diffusers' timestep 999 is "
         "the maths' t = 1000, its 0 is one step of noise, not clean data).", t - 1),
        ("the steps run upwards: a sampler starts at the noisiest step and works down, so return them "
         "largest first.", t[::-1]),
        (f"that is the {other} spacing; spacing = {spacing!r} asked for the other rule.",
         _good_timesteps(T, n, other)),
        ("trailing uses the exact step T / num_steps (a float) and rounds each k, not the whole-number "
         "T // num_steps.", T - i * (T // n)),
        ("leading uses the whole-number step T // num_steps, counted up from 0.",
         np.round((n - 1 - i) * (T / n)).astype(int) + 1),
        ("np.round sends halves to the even neighbour (7.5 -> 8, 2.5 -> 2), as diffusers does; int(x + 0.5) "
         "or math.floor(x + 0.5) always rounds halves up.", np.floor(T - i * (T / n) + 0.5).astype(int)),
    ]


#: Python's round() on an array: a scalar-only answer that the common readings do not cover
_ROUND_ERRORS = [(TypeError, "doesn't define __round__", "Python's round() (and int(...)) work on single numbers "
                  "only, and here i is an array: use np.round(...) and .astype(int), which work on whole arrays.")]

_TIMESTEP_CASES = [(10, 5, "leading"), (10, 5, "trailing"), (10, 4, "trailing"), (1000, 50, "leading"),
                   (1000, 50, "trailing"),
                   (100, 7, "leading"), (100, 7, "trailing"), (1000, 1, "leading"), (1000, 1, "trailing")]


def _good_first_alpha_bar(abar, n: int, spacing: str) -> float:
    return float(abar[_good_timesteps(len(abar), n, spacing)[0] - 1])


def _first_abar_mistakes(abar, n: int, spacing: str) -> list[tuple[str, float]]:
    abar = np.asarray(abar, dtype=float)
    T = len(abar)
    steps = _good_timesteps(T, n, spacing)
    t = steps[0]
    other = "trailing" if spacing == "leading" else "leading"
    mistakes = [
        ("that is alpha_bar_{t-1}, one step before the sampler's first: the first element of "
         "sampling_timesteps(...) is already the maths' t (diffusers' k + 1), and alpha_bar_t is "
         "alphas_cumprod[t - 1]. Subtract 1 once, not twice.", abar[t - 2] if t >= 2 else None),
        ("that is alpha_bar_{t+1}, one step after the sampler's first: alphas_cumprod[t] is alpha_bar_{t+1}; "
         "alpha_bar_t is alphas_cumprod[t - 1].", abar[t] if t < T else None),
        ("that is the alpha_bar of the sampler's *last* step: the steps run noisiest first, so its first step is "
         "element [0] of sampling_timesteps(...).", abar[steps[-1] - 1]),
        ("that is alpha_bar_T, the last value of alphas_cumprod: only trailing spacing starts at t = T; leading "
         "starts at t = (num_steps - 1) * (T // num_steps) + 1.", abar[-1]),
        (f"that is where {other} spacing starts; spacing = {spacing!r} asked for the other rule.",
         abar[_good_timesteps(T, n, other)[0] - 1]),
    ]
    expected = abar[t - 1]
    return [(message, wrong) for message, wrong in mistakes if wrong is not None and wrong != expected]


#: alphas_cumprod[t] with t = T: one past the end
_FIRST_ABAR_ERRORS = [(IndexError, "out of bounds", "alphas_cumprod[t] is alpha_bar_{t+1}, and at t = T it is past "
                       "the end of the array: alpha_bar_t is alphas_cumprod[t - 1].")]


def _first_abar_cases() -> list[tuple[np.ndarray, int, str]]:
    """(alphas_cumprod, num_steps, spacing): a short schedule that ends at 0 first (its values read well in a
    message), then Stable Diffusion's schedule rescaled to zero terminal SNR (50 steps), DDPM's linear schedule
    and the cosine."""
    from ..schedules import get_schedule, rescale_zero_terminal_snr

    short = np.array([0.95, 0.8, 0.6, 0.3, 0.1, 0.0])  # T = 6, 4 steps: leading starts at t = 4, trailing at 6
    sd_zero = rescale_zero_terminal_snr(get_schedule("scaled_linear", 1000)).alphas_cumprod
    return [(short, 4, "leading"), (short, 4, "trailing"), (sd_zero, 50, "leading"), (sd_zero, 50, "trailing"),
            (_LINEAR, 7, "trailing"), (_LINEAR, 7, "leading"), (_good_cosine(1000, 0.008), 1, "leading")]


def check_sampling_timesteps(sampling_timesteps: Callable, first_alpha_bar: Callable) -> None:
    """Check ``sampling_timesteps(T, num_steps, spacing)``, then ``first_alpha_bar(alphas_cumprod, num_steps,
    spacing)``, the alpha_bar a sampler assumes at its first step (it may call the learner's sampling_timesteps,
    which has just passed)."""
    __tracebackhide__ = True
    for T, n, spacing in _TIMESTEP_CASES:
        check_call(sampling_timesteps, (T, n, spacing), _good_timesteps(T, n, spacing),
                   mistakes=_timesteps_mistakes(T, n, spacing), errors=_ROUND_ERRORS, tol=1e-9,
                   exercise="sampling_timesteps")
    for abar, n, spacing in _first_abar_cases():
        check_call(first_alpha_bar, (abar, n, spacing), _good_first_alpha_bar(abar, n, spacing),
                   mistakes=_first_abar_mistakes(abar, n, spacing), errors=_FIRST_ABAR_ERRORS, tol=1e-12,
                   exercise="first_alpha_bar")
    print("sampling_timesteps: leading starts at t = 981, trailing at t = T = 1000 (T = 1000, 50 steps); "
          "first_alpha_bar: the alpha_bar of the first of those steps, on any schedule. ✔")


# --- average_pool: the pooling effect on SNR -------------------------------------------------------------

def _good_pool(x, k) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    H, W = x.shape[-2:]
    return x.reshape(*x.shape[:-2], H // k, k, W // k, k).mean(axis=(-3, -1))


def _pool_mistakes(x, k) -> list[tuple[str, np.ndarray]]:
    x = np.asarray(x, dtype=float)
    H, W = x.shape[-2:]
    blocks = x.reshape(*x.shape[:-2], H // k, k, W // k, k)
    return [
        ("you kept one pixel of each k x k block (x[..., ::k, ::k]). Subsampling keeps every bit of the noise: "
         "only *averaging* k^2 independent noise values divides their variance by k^2.", x[..., ::k, ::k]),
        ("the blocks are summed, not averaged: divide by k * k.", blocks.sum(axis=(-3, -1))),
        ("divided by k instead of k * k: a k x k block holds k^2 pixels.", blocks.sum(axis=(-3, -1)) / k),
        ("that is max pooling; the SNR argument needs the mean of the block.", blocks.max(axis=(-3, -1))),
        ("the blocks are cut in the wrong order: reshape to (..., H // k, k, W // k, k) and average axes -3 "
         "and -1 (reshape(..., H // k, W // k, k, k) mixes rows of different blocks).",
         x.reshape(*x.shape[:-2], H // k, W // k, k, k).mean(axis=(-2, -1))),
    ]


_TWO_D_ONLY = ("the code only handles a 2-D array [H, W]. x may have batch and channel axes in front "
               "([..., H, W]): take H, W = x.shape[-2:] and keep the leading axes, x.shape[:-2], in the reshape.")
_POOL_ERRORS = [(ValueError, "too many values to unpack", _TWO_D_ONLY), (ValueError, "cannot reshape", _TWO_D_ONLY)]
_POOL_CASES = [
    (np.arange(16.0).reshape(4, 4), 2),
    (np.arange(2 * 3 * 6 * 9.0).reshape(2, 3, 6, 9), 3),
    (np.cos(np.arange(3 * 8 * 8.0)).reshape(3, 8, 8), 4),
    (np.arange(12.0).reshape(1, 3, 4), 1),
]


def check_average_pool(average_pool: Callable) -> None:
    """Check ``average_pool(x, k)`` on 2-D, 3-D and 4-D arrays, then measure what it does to noise's variance."""
    __tracebackhide__ = True
    for x, k in _POOL_CASES:
        check_call(average_pool, (x, k), _good_pool(x, k), mistakes=_pool_mistakes(x, k), errors=_POOL_ERRORS,
                   tol=1e-9)
    eps = np.random.default_rng(0).standard_normal((256, 256))
    pooled = check_call(average_pool, (eps, 4), _good_pool(eps, 4), mistakes=_pool_mistakes(eps, 4),
                        errors=_POOL_ERRORS, what="average_pool(noise of shape (256, 256), 4)", tol=1e-9)
    print(f"average_pool: correct on 2-D, 3-D and 4-D arrays; 4 x 4 pooling takes N(0, 1) noise to variance "
          f"{np.var(pooled):.4f} (1/16 = 0.0625). ✔")


_hints.register({
    "cosine_alphas_cumprod": [
        "Which t does the formula use? t runs over the steps 1..T, and u = t / T goes from 1/T to 1 (not from 0, "
        "as linspace(0, 1, T) would). f(0) is the same formula at u = 0.",
        "Write a small helper f(u) = cos((u + s) / (1 + s) * pi / 2) ** 2 with np.cos, then divide: "
        "alpha_bar_t = f(t / T) / f(0). Nothing is clipped here.",
        "t = np.arange(1, T + 1); return f(t / T) / f(0): T values, the last one about 0.",
    ],
    "betas_from_alphas_cumprod": [
        "Each step multiplies what is left by alpha_t = 1 - beta_t, so alpha_bar_t = alpha_bar_{t-1} * alpha_t. "
        "Solve that for beta_t.",
        "beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}, and for t = 1 the previous value is alpha_bar_0 = 1 (clean "
        "data). You need the array of 'previous' values, shifted by one with 1.0 in front.",
        "prev = np.concatenate([[1.0], alphas_cumprod[:-1]]); return 1 - alphas_cumprod / prev. That builds new "
        "arrays and leaves alphas_cumprod as it was.",
    ],
    "snr": [
        "In x_t = sqrt(alpha_bar) x0 + sqrt(1 - alpha_bar) eps, the two coefficients are sqrt(alpha_bar) and "
        "sqrt(1 - alpha_bar). SNR is the ratio of their squares.",
        "Write it with array arithmetic only (no math.*, no float(...)), so a number, a 1-D and a 2-D array all "
        "work: one expression, alphas_cumprod / (1 - alphas_cumprod).",
    ],
    "t_snr1_estimate": [
        "SNR = 1 means alpha_bar_t = 1/2. alpha_bar_t = prod(1 - beta_s), so log alpha_bar_t = sum log(1 - beta_s), "
        "and for small beta, log(1 - beta) is about -beta. The betas must add up to log 2 = 0.693.",
        "The betas grow linearly: beta_s = beta_1 + (beta_T - beta_1) (s - 1) / (T - 1). Their sum up to t is "
        "about beta_1 t + (beta_T - beta_1) t^2 / (2T): a quadratic in t.",
        "Solve a t^2 + b t - log 2 = 0 with a = (beta_T - beta_1) / (2T), b = beta_1: "
        "t = (-b + sqrt(b^2 + 4 a log 2)) / (2a), or np.roots([a, b, -np.log(2)]).",
    ],
    "t_at_snr": [
        "Compute the SNR of every step at once (your snr works on arrays), then ask where it is <= value: a "
        "boolean array, one entry per step.",
        "The first True of a boolean array is at np.argmax(mask) (or np.flatnonzero(mask)[0]); that is a 0-based "
        "index, and the maths' t is index + 1. If no entry is True, return None.",
        "mask = snr(alphas_cumprod) <= value; return int(np.argmax(mask)) + 1 if mask.any() else None",
    ],
    "t_at_data_snr": [
        "The SNR of x_t for data of variance s^2 is s^2 * SNR(t): the signal part sqrt(alpha_bar) x0 has variance "
        "alpha_bar s^2, the noise part 1 - alpha_bar. Where does s^2 * SNR(t) <= 1 put a bound on SNR(t) itself?",
        "s^2 is the variance of all of x0's entries, whatever its shape: x0.var() (not the standard deviation, not "
        "the mean of x0 ** 2). Your t_at_snr already finds the first t whose SNR is at or below a value, and "
        "returns None when there is none.",
        "One line: return t_at_snr(alphas_cumprod, <the bound on SNR(t) from hint 1, computed from x0>).",
    ],
    "sampling_timesteps": [
        "Build the 0-based k for i = 0..num_steps-1 with np.arange, by the rule of the spacing; then t = k + 1.",
        "Leading: k = (num_steps - 1 - i) * (T // num_steps). Trailing: k = np.round(T - i * T / num_steps) - 1 "
        "(a float step, rounded). Return integers, largest first.",
        "i = np.arange(num_steps); compute k with the rule of the spacing (an if on the string spacing is fine), "
        "then return (k + 1) as whole numbers (.astype(int) after np.round).",
    ],
    "first_alpha_bar": [
        "The schedule has T = len(alphas_cumprod) steps. Which maths' step t does the sampler visit first? Your "
        "sampling_timesteps lists them, noisiest first.",
        "The first visited step is element [0] of sampling_timesteps(T, num_steps, spacing), already the maths' t; "
        "alpha_bar_t sits at index t - 1 of the 0-based array.",
        "t = sampling_timesteps(len(alphas_cumprod), num_steps, spacing)[0]; then index alphas_cumprod with the "
        "0-based position of alpha_bar_t.",
    ],
    "average_pool": [
        "Split each of the last two axes into (blocks, k): H into (H // k, k) and W into (W // k, k). One reshape "
        "does it, keeping every leading axis as it is.",
        "H, W = x.shape[-2:]; reshape to (*x.shape[:-2], H // k, k, W // k, k), then average over the two "
        "'within-block' axes.",
        "x.reshape(*x.shape[:-2], H // k, k, W // k, k).mean(axis=(-3, -1)) works for 2-D, 3-D and 4-D arrays.",
    ],
    "waste_answer": [
        "Look at the steps-per-log-SNR figure: which schedule piles its steps up at low log SNR?",
        "Wasting steps is about *how many* steps sit at a per-pixel log SNR far below 0, not about beta's size "
        "or about the very last step.",
    ],
})
