"""Visible checks for notebook 04, schedules and SNR (``from course_lib.checks import schedules_snr as checks``).

Each check runs the learner's code on inputs whose answers are known (literals computed once with the
reference), prints a short success line, or raises :class:`~course_lib.checks.CheckFailed` naming the
likely mistake: cumsum for cumprod, the cosine's offset s dropped, alpha where alpha_bar belongs, an
off-by-one in t, SNR as a ratio of standard deviations, subsampling where pooling belongs, ...
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from . import _good
from ._core import CheckFailed, as_array, compare, fmt, substituted
from ._hints import hint
from ._questions import check_choice

__all__ = [
    "CheckFailed",
    "check_choice",
    "hint",
    "check_linear_betas",
    "check_alphas_cumprod_from_betas",
    "check_cosine_alphas_cumprod",
    "check_snr",
    "check_t_at_snr",
    "check_average_pool",
    "good_snr",
]


# --- linear_betas ----------------------------------------------------------------------------------------

def _linear_mistakes(T: int, start: float, end: float) -> list[tuple[str, np.ndarray]]:
    betas = np.linspace(start, end, T)
    return [
        ("an off-by-one in t: beta_1 must be beta_start and beta_T must be beta_end. "
         "linspace(beta_start, beta_end, T + 1)[1:] starts one step too late.",
         np.linspace(start, end, T + 1)[1:]),
        ("an off-by-one in t: the last beta must be beta_end itself (linspace includes its endpoint; "
         "arange and endpoint=False stop one step short).",
         np.linspace(start, end, T + 1)[:-1]),
        ("beta_start and beta_end are swapped: the noise per step grows with t, from small to large.",
         np.linspace(end, start, T)),
        ("that is Stable Diffusion's *scaled* linear schedule (sqrt(beta) evenly spaced, then squared). "
         "The linear schedule spaces beta itself evenly.",
         np.linspace(math.sqrt(start), math.sqrt(end), T) ** 2),
        ("that is alpha_t = 1 - beta_t, not beta_t: return the noise variances themselves.", 1 - betas),
        ("that is alpha_bar_t (the cumulative product of 1 - beta), not beta_t: return the betas.",
         np.cumprod(1 - betas)),
    ]


def check_linear_betas(linear_betas: Callable) -> None:
    """Check ``linear_betas(T, beta_start, beta_end)`` on a small case and on DDPM's T = 1000."""
    __tracebackhide__ = True
    compare(linear_betas(5, 0.1, 0.5), [0.1, 0.2, 0.3, 0.4, 0.5], "linear_betas(5, 0.1, 0.5)",
            _linear_mistakes(5, 0.1, 0.5))
    got = as_array(linear_betas(1000, 1e-4, 0.02), "linear_betas(1000, 1e-4, 0.02)")
    if got.shape != (1000,):
        raise CheckFailed(f"linear_betas(1000, 1e-4, 0.02) returned shape {got.shape}, expected (1000,): "
                          "one beta per step t = 1..T.")
    idx = [0, 1, 499, 998, 999]
    compare(got[idx], [0.0001, 0.00011991991991991993, 0.010040040040040039, 0.01998008008008008, 0.02],
            "linear_betas(1000, 1e-4, 0.02) at t = 1, 2, 500, 999, 1000",
            [(msg, wrong[idx]) for msg, wrong in _linear_mistakes(1000, 1e-4, 0.02)], tol=1e-12)
    print("linear_betas: beta_1 = beta_start, beta_T = beta_end, evenly spaced (DDPM's schedule). ✔")


# --- alphas_cumprod_from_betas ---------------------------------------------------------------------------

def _cumprod_mistakes(betas) -> list[tuple[str, np.ndarray]]:
    betas = np.asarray(betas, dtype=float)
    abar = np.cumprod(1 - betas)
    return [
        ("cumsum for cumprod: alpha_bar_t = alpha_1 * alpha_2 * ... * alpha_t is a *product* (each step keeps "
         "a fraction of what was left), so use np.cumprod, not np.cumsum.", np.cumsum(1 - betas)),
        ("1 - cumsum(beta) adds the variances up: that is only the first-order approximation of the product "
         "prod(1 - beta_s), and it turns negative on long schedules. Use np.cumprod(1 - betas).",
         1 - np.cumsum(betas)),
        ("alpha where alpha_bar belongs: 1 - beta_t is the per-step alpha_t. alpha_bar_t is the product of "
         "all alphas up to and including step t.", 1 - betas),
        ("that is the product of the betas; alpha_bar multiplies the alphas, 1 - beta_s.", np.cumprod(betas)),
        ("an off-by-one in t: entry t - 1 must be alpha_bar_t, which includes step t's own alpha "
         "(you returned alpha_bar_{t-1}, diffusers' alphas_cumprod_prev).",
         np.concatenate([[1.0], abar[:-1]])),
        ("an off-by-one in t: the array starts with alpha_bar_0 = 1. Return T values, alpha_bar_1..alpha_bar_T, "
         "so that alphas_cumprod[t - 1] is alpha_bar_t.", np.concatenate([[1.0], abar])),
    ]


def check_alphas_cumprod_from_betas(alphas_cumprod_from_betas: Callable) -> None:
    """Check ``alphas_cumprod_from_betas(betas)`` on the toy (0.8, 0.64) and on three steps."""
    __tracebackhide__ = True
    cases = [
        (np.array([0.2, 0.2]), [0.8, 0.6400000000000001]),
        (np.array([0.1, 0.3, 0.5]), [0.9, 0.63, 0.315]),
    ]
    for betas, expected in cases:
        compare(alphas_cumprod_from_betas(betas.copy()), expected, f"alphas_cumprod_from_betas({fmt(betas)})",
                _cumprod_mistakes(betas), tol=1e-12)
    print("alphas_cumprod_from_betas: alpha_bar_t = prod_{s<=t} (1 - beta_s), T values, index t - 1. ✔")


# --- cosine_alphas_cumprod -------------------------------------------------------------------------------

def _cosine_f(u, s):
    return np.cos((np.asarray(u, dtype=float) + s) / (1 + s) * math.pi / 2) ** 2


def _cosine_mistakes(T: int, s: float) -> list[tuple[str, np.ndarray]]:
    u = np.arange(T + 1) / T
    f = _cosine_f(u, s)
    abar = f[1:] / f[0]
    clipped = np.cumprod(1 - np.minimum(1 - abar / np.concatenate([[1.0], abar[:-1]]), 0.999))
    return [
        ("the s offset is dropped: cos^2(t/T * pi/2) is the simple teaching cosine. Nichol & Dhariwal shift "
         "t/T by s (and divide by 1 + s) so that beta_1 is not vanishingly small.",
         np.cos(u[1:] * math.pi / 2) ** 2),
        ("alpha_bar_t must be normalised by f(0): alpha_bar_t = f(t) / f(0), so that alpha_bar_0 = 1. "
         "With s > 0, f(0) = cos^2(s/(1+s) * pi/2) is a little below 1.", f[1:]),
        ("alpha where alpha_bar belongs: f(t) / f(t-1) is the per-step alpha_t = 1 - beta_t. "
         "alpha_bar_t = f(t) / f(0) is the cumulative one.", f[1:] / f[:-1]),
        ("an off-by-one in t: the first entry must be alpha_bar_1 = f(1/T) / f(0), not alpha_bar_0 = 1. "
         "Use t = 1..T, i.e. u = t / T from 1/T to 1.", f[:-1] / f[0]),
        ("an off-by-one in t: return T values (alpha_bar_1..alpha_bar_T), without alpha_bar_0 = 1 in front.",
         f / f[0]),
        ("alpha_bar is cos *squared*; cos alone is sqrt(alpha_bar), the signal's scale.",
         np.sqrt(f[1:] / f[0])),
        ("the offset must be divided by 1 + s: f(t) = cos^2((t/T + s) / (1 + s) * pi/2), which makes "
         "alpha_bar reach 0 exactly at t = T.",
         np.cos((u[1:] + s) * math.pi / 2) ** 2 / np.cos(s * math.pi / 2) ** 2),
        ("the betas were clipped at 0.999 before the product (what diffusers does): this exercise asks for "
         "alpha_bar *before* clipping, f(t) / f(0).", clipped),
    ]


def check_cosine_alphas_cumprod(cosine_alphas_cumprod: Callable) -> None:
    """Check ``cosine_alphas_cumprod(T, s)`` = f(t)/f(0), t = 1..T, on small T and on T = 1000."""
    __tracebackhide__ = True
    cases = [
        (4, 0.008, [0.8470121613269047, 0.49384359044063775, 0.1442721023857358, 3.749982237642683e-33]),
        (10, 0.1, [0.9396581450530997, 0.8445351712043728, 0.7223373760769349, 0.5829644982937408,
                   0.43770769953036454, 0.29833482174717046, 0.17613702661973243, 0.08101405277100528,
                   0.020672197824105037, 3.826907783944201e-33]),
    ]
    for T, s, expected in cases:
        compare(cosine_alphas_cumprod(T, s), expected, f"cosine_alphas_cumprod({T}, {s})",
                _cosine_mistakes(T, s), tol=1e-9)
    got = as_array(cosine_alphas_cumprod(1000, 0.008), "cosine_alphas_cumprod(1000, 0.008)")
    if got.shape != (1000,):
        raise CheckFailed(f"cosine_alphas_cumprod(1000, 0.008) returned shape {got.shape}, expected (1000,).")
    idx = [0, 1, 249, 499, 749, 998, 999]
    compare(got[idx], [0.999958715775178, 0.9999125759273678, 0.8470121613269047, 0.49384359044063775,
                       0.1442721023857358, 2.428766907034851e-06, 3.749982237642683e-33],
            "cosine_alphas_cumprod(1000, 0.008) at t = 1, 2, 250, 500, 750, 999, 1000",
            [(msg, wrong[idx]) for msg, wrong in _cosine_mistakes(1000, 0.008)], tol=1e-9)
    print("cosine_alphas_cumprod: f(t)/f(0) with the offset s, t = 1..T (Nichol & Dhariwal eq. 17). ✔")


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
         "SNR puts the signal's variance alpha_bar on top.", (1 - a) / a),
        ("that is sqrt(alpha_bar / (1 - alpha_bar)), a ratio of standard deviations. SNR compares "
         "variances (powers): alpha_bar / (1 - alpha_bar).", np.sqrt(a / (1 - a))),
        ("the noise variance is missing: SNR = alpha_bar / (1 - alpha_bar), not alpha_bar alone.", a),
        ("that is log SNR. Return the SNR itself; the notebook takes the log for the plots.", np.log(a / (1 - a))),
        ("sqrt(alpha_bar) / (1 - alpha_bar) mixes a scale with a variance: both must be variances.",
         np.sqrt(a) / (1 - a)),
    ]


def check_snr(snr: Callable) -> None:
    """Check ``snr(alphas_cumprod)`` = alpha_bar / (1 - alpha_bar) on an array."""
    __tracebackhide__ = True
    abar = np.array([0.5, 0.8, 0.2, 0.99, 0.01])
    compare(snr(abar.copy()), [1.0, 4.000000000000001, 0.25, 98.99999999999991, 0.010101010101010102],
            f"snr({fmt(abar)})", _snr_mistakes(abar), tol=1e-9)
    print("snr: alpha_bar / (1 - alpha_bar), the signal's variance over the noise's. ✔")


# --- t_at_snr --------------------------------------------------------------------------------------------

def _first_at_or_below(values, value):
    hits = np.flatnonzero(np.asarray(values) <= value)
    return int(hits[0]) + 1 if hits.size else None


def check_t_at_snr(t_at_snr: Callable) -> None:
    """Check ``t_at_snr(alphas_cumprod, value)``: the first 1-based t with SNR <= value, or None.

    The learner's ``snr`` is replaced by :func:`good_snr` meanwhile (it has its own check).
    """
    __tracebackhide__ = True
    small = np.array([0.9, 0.75, 0.5, 0.2, 0.05])  # SNR 9, 3, 1 (exactly), 0.25, 0.053
    steep = np.array([0.99, 0.98, 0.97, 0.9, 0.5])  # SNR 99, 49, 32.3, 9, 1: log SNR 4.6, 3.9, 3.5, 2.2, 0
    cases = [(steep, "[0.99, 0.98, 0.97, 0.9, 0.5]", "99, 49, 32.3, 9, 1", 4.0, 5)] + [
        (small, "[0.9, 0.75, 0.5, 0.2, 0.05]", "9, 3, 1, 0.25, 0.053", value, expected)
        for value, expected in [(1.0, 3), (2.0, 3), (0.3, 4), (10.0, 1), (0.01, None)]]
    linear = np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))
    with substituted(t_at_snr, {"snr": good_snr}):
        for abar, shown, snrs_shown, value, expected in cases:
            got = t_at_snr(abar.copy(), value)
            what = f"t_at_snr({shown}, {value}) (SNR = {snrs_shown})"
            if expected is None:
                if got is not None:
                    raise CheckFailed(f"{what}: got {got!r}, expected None: the SNR never drops to {value}. "
                                      "np.argmax of an all-False array is 0, so check that some step qualifies.")
                continue
            if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
                raise CheckFailed(f"{what}: got {got!r}, expected the whole number {expected} (a timestep t).")
            snrs = good_snr(abar)
            mistakes = [
                ("an off-by-one in t: that is the 0-based array index (or the last step still above value). "
                 "The maths' t is 1-based: alphas_cumprod[t - 1] is alpha_bar_t, so return index + 1.",
                 expected - 1),
                ("'drops to or below' includes equality: use SNR <= value, not SNR < value.",
                 _first_at_or_below(snrs, np.nextafter(value, -np.inf))),
                ("alpha_bar where SNR belongs: compare SNR = alpha_bar / (1 - alpha_bar) with value, "
                 "not alpha_bar itself.", _first_at_or_below(abar, value)),
                ("log SNR was compared with value; compare the SNR itself.",
                 _first_at_or_below(np.log(snrs), value)),
            ]
            for message, wrong in mistakes:
                if wrong is not None and got == wrong and wrong != expected:
                    raise CheckFailed(f"{what}: got {got}, expected {expected}.\nLikely mistake: {message}")
            if got != expected:
                raise CheckFailed(f"{what}: got {got}, expected {expected}.")
        got = t_at_snr(linear, 1.0)
    if got != 260:
        raise CheckFailed(f"t_at_snr on DDPM's linear schedule (T = 1000) with value 1: got {got!r}, expected 260.")
    print("t_at_snr: the first 1-based t with SNR <= value (linear schedule: t = 260), None if never. ✔")


# --- average_pool: the pooling effect on SNR -------------------------------------------------------------

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


def check_average_pool(average_pool: Callable) -> None:
    """Check ``average_pool(x, k)`` on small arrays, then measure what it does to the noise's variance."""
    __tracebackhide__ = True
    x = np.arange(16.0).reshape(4, 4)
    compare(average_pool(x.copy(), 2), [[2.5, 4.5], [10.5, 12.5]], "average_pool(arange(16).reshape(4, 4), 2)",
            _pool_mistakes(x, 2), tol=1e-12)
    x = np.arange(2 * 3 * 6 * 9.0).reshape(2, 3, 6, 9)
    got = as_array(average_pool(x.copy(), 3), "average_pool(x of shape (2, 3, 6, 9), 3)")
    if got.shape != (2, 3, 2, 3):
        raise CheckFailed(f"average_pool(x of shape (2, 3, 6, 9), 3) returned shape {got.shape}, expected "
                          "(2, 3, 2, 3): pool the last two axes (H, W) only, keep batch and channels.")
    # block (i, j) of image plane p averages rows 3i..3i+2 and columns 3j..3j+2: mean = p*54 + (3i+1)*9 + 3j+1
    expected = (np.arange(6)[:, None, None] * 54 + (3 * np.arange(2)[:, None] + 1) * 9
                + 3 * np.arange(3) + 1).reshape(2, 3, 2, 3)
    compare(got, expected, "average_pool(x of shape (2, 3, 6, 9), 3)", _pool_mistakes(x, 3), tol=1e-9)
    eps = np.random.default_rng(0).standard_normal((256, 256))
    pooled = as_array(average_pool(eps.copy(), 4), "average_pool(noise of shape (256, 256), 4)")
    compare(pooled.var(), 0.06432090799277126, "variance of N(0, 1) noise after 4 x 4 average pooling",
            [(msg, np.var(wrong)) for msg, wrong in _pool_mistakes(eps, 4)], tol=1e-9)
    print(f"average_pool: correct; 4 x 4 pooling takes N(0, 1) noise to variance {pooled.var():.4f} "
          f"(1/16 = 0.0625), so the SNR of a smooth image grows about 16 times. ✔")
