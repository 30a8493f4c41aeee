"""Visible checks for notebook 03, the closed form (``from course_lib.checks import closed_form as checks``).

Each check runs the learner's code on inputs whose answers are known (written below as literals, computed
once with the reference), prints a short success line, or raises :class:`~course_lib.checks.CheckFailed`
naming the likely mistake: cumsum instead of cumprod, alpha instead of alpha_bar, the square root forgotten
on alpha_bar, t used as a 0-based index (off by one), a per-sample coefficient that broadcasts along the
wrong axis, ...
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._core import CheckFailed, as_array, compare, fmt
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
]

_OFF_BY_ONE = ("t is the maths' step 1..T but arrays are 0-indexed: alpha_bar_t is alphas_cumprod[t - 1] "
               "(alphas_cumprod[t] is alpha_bar_{t+1}, and does not exist for t = T).")


def _run(fn: Callable, args: tuple, what: str):
    """Call ``fn(*args)``; an IndexError (t used as a 0-based index at t = T) becomes a named mistake."""
    __tracebackhide__ = True
    try:
        return fn(*args)
    except IndexError as exc:
        raise CheckFailed(f"{what} raised IndexError: {exc}.\nLikely mistake: {_OFF_BY_ONE}") from None


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


def check_alphas_cumprod_from_betas(alphas_cumprod_from_betas: Callable) -> None:
    """Check ``alphas_cumprod_from_betas(betas)`` = cumprod(1 - betas): the toy, a short schedule, DDPM's."""
    __tracebackhide__ = True
    cases = [
        (np.array([0.2, 0.2]), np.array([0.8, 0.64])),
        (np.array([0.1, 0.3, 0.2, 0.05]), np.array([0.9, 0.63, 0.504, 0.4788])),
    ]
    for betas, expected in cases:
        got = alphas_cumprod_from_betas(betas.copy())
        compare(got, expected, f"alphas_cumprod_from_betas({fmt(betas)})", _cumprod_mistakes(betas))
    betas = np.linspace(1e-4, 0.02, 1000)
    given = betas.copy()
    got = as_array(alphas_cumprod_from_betas(given), "alphas_cumprod_from_betas(DDPM's linear schedule)")
    if not np.array_equal(given, betas):
        raise CheckFailed("alphas_cumprod_from_betas changed the betas it was given. Compute a new array "
                          "instead of writing into the input.")
    if got.shape != (1000,):
        raise CheckFailed(f"alphas_cumprod_from_betas(DDPM's linear schedule, T = 1000) returned shape {got.shape}, "
                          "expected (1000,): one alpha_bar_t per step.")
    compare(got[[0, 499, 999]], [0.9999, 0.07858724288177824, 4.035829765375676e-05],
            "alphas_cumprod_from_betas(linspace(1e-4, 0.02, 1000))[[0, 499, 999]]", [], tol=1e-10)
    print("alphas_cumprod_from_betas: the running product of 1 - beta; DDPM's alpha_bar_1000 = 4.036e-05. ✔")


# --- q_sample: the closed form ---------------------------------------------------------------------------

# A [2, 3] case both checks use (always passed as copies): _X_T is x_3 from _X0 and _EPS on betas
# 0.1, 0.3, 0.2, 0.05, and _EPS is the noise equivalent_eps must find in it.
_X0 = np.array([[1.0, -0.5, 0.25], [0.0, 2.0, -1.5]])
_EPS = np.array([[0.3, -1.1, 0.6], [1.4, -0.2, 0.05]])
_X_T = np.array([[0.921211376311862, -1.1296647288989734, 0.6000459981728047],
                 [0.9859817442529044, 1.2790046130506356, -1.029680727234613]])


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
    ]
    if t < ac.size:
        ab1 = ac[t]
        mistakes.insert(0, (_OFF_BY_ONE, np.sqrt(ab1) * x0 + np.sqrt(1 - ab1) * eps))
    return mistakes


def check_q_sample(q_sample: Callable) -> None:
    """Check ``q_sample(x0, t, alphas_cumprod, eps)`` returns ``(x_t, eps)``: the toy, t = 1, t = T, arrays."""
    __tracebackhide__ = True
    toy = np.array([0.8, 0.64, 0.512, 0.4096])  # beta = 0.2 at every step, T = 4
    short = np.array([0.9, 0.63, 0.504, 0.4788])  # betas 0.1, 0.3, 0.2, 0.05
    cases = [  # the array case first: on the toy (one beta for every step) some mistakes coincide
        (_X0, 3, short, _EPS, _X_T),
        (0.80, 2, toy, -0.4450, 0.3730000000000001),
        (0.80, 1, toy, -0.4450, 0.5165317028024514),
        (0.80, 4, toy, 0.5, 0.8961874542459709),
    ]
    for x, t, ac, e, expected in cases:
        what = f"q_sample({fmt(x)}, t={t}, alphas_cumprod={fmt(ac)}, eps={fmt(e)})"
        result = _run(q_sample, (np.copy(x), t, ac.copy(), np.copy(e)), what)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailed(f"{what} returned a {type(result).__name__}, not a pair. Return (x_t, eps): eps is "
                              "the training target, the answer key that comes for free.")
        got, eps_out = result
        swapped = [("the pair is in the wrong order: return (x_t, eps), x_t first.", e)]
        compare(got, expected, f"{what}[0] (x_t)", _q_sample_mistakes(x, t, ac, e) + swapped)
        compare(eps_out, e, f"{what}[1] (eps)",
                [("the pair is in the wrong order: return (x_t, eps).", expected)])
    print("q_sample: x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps with alpha_bar_t = "
          "alphas_cumprod[t - 1], returned with eps. ✔")


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


def check_equivalent_eps(equivalent_eps: Callable) -> None:
    """Check ``equivalent_eps(x0, x_t, alpha_bar)`` = (x_t - sqrt(alpha_bar) x0) / sqrt(1 - alpha_bar)."""
    __tracebackhide__ = True
    cases = [
        (0.80, 0.3730199957214676, 0.64, -0.4449666737975542),
        (np.array([1.0, -0.5, 0.4]), np.array([0.2, 0.3, -1.0]), 0.36, np.array([-0.5, 0.75, -1.55])),
        (_X0, _X_T, 0.504, _EPS),
    ]
    for x, xt, ab, expected in cases:
        got = equivalent_eps(np.copy(x), np.copy(xt), ab)
        compare(got, expected, f"equivalent_eps({fmt(x)}, {fmt(xt)}, {ab})", _eps_mistakes(x, xt, ab))
    print("equivalent_eps: the toy's two steps are one jump with eps = -0.4450. ✔")


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


def check_extract(extract: Callable) -> None:
    """Check ``extract(a, t, x_shape)`` = ``a[t - 1]`` reshaped to ``[B, 1, ..., 1]`` (len(x_shape) axes)."""
    __tracebackhide__ = True
    a = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    cases = [
        (np.array([1, 4, 3]), (3, 2, 4, 4), np.array([0.9, 0.6, 0.7]).reshape(3, 1, 1, 1)),
        (np.array([2, 2]), (2, 7), np.array([[0.8], [0.8]])),
        (np.array([5, 1, 3, 2]), (4, 3, 2, 2), np.array([0.5, 0.9, 0.7, 0.8]).reshape(4, 1, 1, 1)),
        (np.array([3]), (1,), np.array([0.7])),
    ]
    for t, x_shape, expected in cases:
        what = f"extract({fmt(a)}, t={fmt(t)}, x_shape={x_shape})"
        got = _run(extract, (a.copy(), t.copy(), x_shape), what)
        compare(got, expected, what, _extract_mistakes(a, t, x_shape))
    print("extract: a[t - 1] for each sample, shaped [B, 1, 1, 1] to broadcast over [B, C, H, W]. ✔")
