"""Visible checks for notebook 05, the score link (``from course_lib.checks import score_link as checks``).

Every check runs the learner's code through :func:`course_lib.checks._core.check_call` on the same kinds of
input as the hidden tests (numbers, 1-D and 2-D arrays, arrays that broadcast, one noise level per entry,
a score function passed in), under the same rules (inputs unchanged, the learner's own code), and names the
likely mistake of a wrong answer: a sign error, the variance where its square root belongs (or the reverse),
the conditional score where the data's score belongs, alpha_t where alpha_bar_t belongs, an off-by-one in t,
DDPM's other variance, a rate not integrated, ...
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import _hints
from ._core import CheckFailed, check_call, check_cases
from ._hints import hint
from ._questions import check_choice

__all__ = [
    "CheckFailed",
    "check_choice",
    "hint",
    "check_gaussian_score",
    "check_score_from_eps",
    "check_noisy_gaussian_score",
    "check_tweedie_x0",
    "check_vp_alpha_bar",
    "check_reverse_step",
    "demo_score",
]

# The small mixture behind demo_score: 25 % N(-1.5, 0.3^2) and 75 % N(1, 0.5^2), in plain NumPy.
_DEMO_WEIGHTS, _DEMO_MEANS, _DEMO_VARS = np.array([0.25, 0.75]), np.array([-1.5, 1.0]), np.array([0.09, 0.25])


def demo_score(x, alpha_bar):
    """Exact score of the mixture 0.25 N(-1.5, 0.3^2) + 0.75 N(1, 0.5^2) noised to ``alpha_bar``: a score
    function ``score_fn(x, alpha_bar)`` for checking ``reverse_step``.

    The noised mixture has means sqrt(alpha_bar) mu_k and variances alpha_bar sigma_k^2 + 1 - alpha_bar; its
    score is -sum_k r_k(x) (x - m_k) / v_k with the responsibilities r_k (a softmax, computed stably).
    """
    ab = float(alpha_bar)
    if not 0.0 <= ab <= 1.0:
        raise CheckFailed(f"score_fn was asked for the score at alpha_bar = {ab!r}, which is not a noise level "
                          "(it must lie in [0, 1]). alpha_bar_t is the product prod(1 - betas[:t]).")
    x = np.asarray(x, dtype=float)[..., None]
    means, variances = np.sqrt(ab) * _DEMO_MEANS, ab * _DEMO_VARS + 1.0 - ab
    logits = np.log(_DEMO_WEIGHTS) - 0.5 * np.log(variances) - 0.5 * (x - means) ** 2 / variances
    r = np.exp(logits - logits.max(axis=-1, keepdims=True))
    r /= r.sum(axis=-1, keepdims=True)
    return -np.sum(r * (x - means) / variances, axis=-1)


def _arrays(*values) -> list[np.ndarray]:
    return [np.asarray(v, dtype=float) for v in values]


# --- gaussian_score ----------------------------------------------------------------------------------

def _good_gaussian(x, mean, var):
    x, mean, var = _arrays(x, mean, var)
    return -(x - mean) / var


def _gaussian_mistakes(x, mean, var) -> list[tuple[str, np.ndarray]]:
    x, mean, var = _arrays(x, mean, var)
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


# a number; 1-D and 2-D arrays against numbers; arrays of means and variances; and broadcasting [2, 1] x [3]
_GAUSSIAN_CASES = [
    (1.5, 0.5, 0.64),
    (np.array([-1.0, 0.0, 2.5]), 1.0, 4.0),
    (np.array([0.3, -0.2]), np.array([1.0, -1.0]), np.array([0.5, 2.0])),
    (np.array([[0.5, -1.5, 2.0], [3.0, 0.0, -0.25]]), 0.25, 0.81),
    (np.array([[-0.4], [1.2]]), np.array([0.0, 1.0, -2.0]), np.array([0.25, 1.5, 9.0])),
    (-3.0, -3.0, 1e-4),
]


def check_gaussian_score(gaussian_score: Callable) -> None:
    """Check ``gaussian_score(x, mean, var)`` = -(x - mean) / var on numbers, arrays and broadcasting shapes."""
    __tracebackhide__ = True
    check_cases(gaussian_score, _GAUSSIAN_CASES, _good_gaussian, _gaussian_mistakes,
                done="gaussian_score: -(x - mean) / var, on numbers, 1-D and 2-D arrays and shapes that broadcast, "
                     "inputs unchanged.")


# --- score_from_eps ----------------------------------------------------------------------------------

def _good_score_from_eps(eps, alpha_bar):
    eps, ab = _arrays(eps, alpha_bar)
    return -eps / np.sqrt(1.0 - ab)


@np.errstate(divide="ignore", invalid="ignore")  # a wrong formula may divide by sqrt(alpha_bar) = 0
def _eps_mistakes(eps, alpha_bar) -> list[tuple[str, np.ndarray]]:
    eps, ab = _arrays(eps, alpha_bar)
    return [
        ("sign error: the score is -eps / sqrt(1 - alpha_bar). x_t sits at +eps (scaled) from the clean point, "
         "so the arrow back to it points along -eps.", eps / np.sqrt(1 - ab)),
        ("the variance instead of its square root: divided by 1 - alpha_bar. The noise's standard deviation is "
         "sqrt(1 - alpha_bar); -(x_t - sqrt(alpha_bar) x_0) / (1 - alpha_bar) = -eps / sqrt(1 - alpha_bar).",
         -eps / (1 - ab)),
        ("multiplied by sqrt(1 - alpha_bar) instead of dividing: that is the conversion the other way, "
         "from a score back to a noise.", -eps * np.sqrt(1 - ab)),
        ("alpha_bar and 1 - alpha_bar are swapped: the noise's scale is sqrt(1 - alpha_bar), not sqrt(alpha_bar).",
         -eps / np.sqrt(ab)),
        ("the scale is missing: -eps is the score only when alpha_bar = 0. Divide by sqrt(1 - alpha_bar).", -eps),
    ]


_EPS_CASES = [
    (0.6, 0.64),
    (1.0, 0.0),
    (np.array([1.2, -0.5, 0.0]), 0.91),
    (np.array([0.5, -1.5, 2.0]), np.array([0.999, 0.5, 1e-4])),
    (np.array([[0.4, -1.1], [2.0, 0.7]]), np.array([[0.5, 0.99], [0.19, 0.0]])),
    (np.linspace(-1.0, 1.0, 12).reshape(2, 2, 3), 0.36),
]


def check_score_from_eps(score_from_eps: Callable) -> None:
    """Check ``score_from_eps(eps, alpha_bar)`` = -eps / sqrt(1 - alpha_bar)."""
    __tracebackhide__ = True
    check_cases(score_from_eps, _EPS_CASES, _good_score_from_eps, _eps_mistakes,
                done="score_from_eps: -eps / sqrt(1 - alpha_bar), the score of q(x_t | x_0) for the x_0 that eps came "
                     "from, on numbers and arrays, inputs unchanged.")


# --- noisy_gaussian_score ------------------------------------------------------------------------------

def _good_noisy_gaussian(x, mean, var, alpha_bar):
    x, mean, var, ab = _arrays(x, mean, var, alpha_bar)
    return -(x - np.sqrt(ab) * mean) / (ab * var + 1.0 - ab)


@np.errstate(divide="ignore", invalid="ignore")  # the conditional score divides by 1 - alpha_bar = 0 at alpha_bar = 1
def _noisy_gaussian_mistakes(x, mean, var, alpha_bar) -> list[tuple[str, np.ndarray]]:
    x, mean, var, ab = _arrays(x, mean, var, alpha_bar)
    centre, spread = np.sqrt(ab) * mean, ab * var + 1.0 - ab
    return [
        ("that is the score of q(x_t | x_0) for the single point x_0 = mean: variance 1 - alpha_bar only. The "
         "data is spread out too: x_t = sqrt(alpha_bar) x_0 + sqrt(1 - alpha_bar) eps with x_0 ~ N(mean, var), "
         "and the variances of the two independent terms add.", -(x - centre) / (1.0 - ab)),
        ("the data's variance is not scaled: sqrt(alpha_bar) x_0 has variance alpha_bar * var, not var.",
         -(x - centre) / (var + 1.0 - ab)),
        ("the data's variance is scaled by sqrt(alpha_bar): x_0 is multiplied by sqrt(alpha_bar), so its "
         "variance by the square, alpha_bar.", -(x - centre) / (np.sqrt(ab) * var + 1.0 - ab)),
        ("the noise's variance is 1 - alpha_bar, not 1: x_t = sqrt(alpha_bar) x_0 + sqrt(1 - alpha_bar) eps.",
         -(x - centre) / (ab * var + 1.0)),
        ("the mean is not shrunk: x_t's mean is sqrt(alpha_bar) * mean, not mean.", -(x - mean) / spread),
        ("the mean is shrunk by alpha_bar instead of sqrt(alpha_bar): x_t = sqrt(alpha_bar) x_0 + ...",
         -(x - ab * mean) / spread),
        ("divided by the standard deviation of x_t instead of its variance.", -(x - centre) / np.sqrt(spread)),
        ("sign error: the score points towards the centre sqrt(alpha_bar) * mean.", (x - centre) / spread),
        ("that is the clean data's score -(x - mean) / var: the noise changes both the centre and the spread.",
         -(x - mean) / var),
    ]


_NOISY_CASES = [
    (1.0, 2.0, 0.25, 0.64),
    (0.3, -1.0, 4.0, 0.0),
    (np.array([-1.0, 0.5, 2.0]), 1.5, 0.09, 0.5),
    (np.array([[0.2, -0.7], [1.4, 3.0]]), -0.5, 2.0, 0.9),
    (np.array([0.1, -2.0, 1.0]), np.array([0.0, 1.0, -1.0]), np.array([0.5, 0.25, 1.0]),
     np.array([0.99, 0.3, 1.0])),
]


def check_noisy_gaussian_score(noisy_gaussian_score: Callable) -> None:
    """Check ``noisy_gaussian_score(x, mean, var, alpha_bar)``: the score of q_t when the data is N(mean, var)."""
    __tracebackhide__ = True
    check_cases(noisy_gaussian_score, _NOISY_CASES, _good_noisy_gaussian, _noisy_gaussian_mistakes,
                done="noisy_gaussian_score: the score of the noisy data, not of one clean point, at every noise level "
                     "from alpha_bar = 0 (pure noise) to 1 (the data), on numbers and arrays, inputs unchanged.")


# --- tweedie_x0 --------------------------------------------------------------------------------------

def _good_tweedie(x_t, score, alpha_bar):
    x, s, ab = _arrays(x_t, score, alpha_bar)
    return (x + (1.0 - ab) * s) / np.sqrt(ab)


def _tweedie_mistakes(x_t, score, alpha_bar) -> list[tuple[str, np.ndarray]]:
    x, s, ab = _arrays(x_t, score, alpha_bar)
    return [
        ("sign error: Tweedie *adds* (1 - alpha_bar) * score. The score points towards the data, and the "
         "denoised guess moves x_t that way.", (x - (1 - ab) * s) / np.sqrt(ab)),
        ("divided by alpha_bar instead of its square root: x_t holds sqrt(alpha_bar) * x_0, so undo that factor.",
         (x + (1 - ab) * s) / ab),
        ("the score is scaled by sqrt(1 - alpha_bar), the noise's standard deviation, instead of its variance "
         "1 - alpha_bar. (sqrt(1 - alpha_bar) * score is -E[eps | x_t], which must be scaled once more.)",
         (x + np.sqrt(1 - ab) * s) / np.sqrt(ab)),
        ("the division by sqrt(alpha_bar) is missing: x_t + (1 - alpha_bar) * score estimates sqrt(alpha_bar) * "
         "x_0, still shrunk.", x + (1 - ab) * s),
        ("alpha_bar and 1 - alpha_bar are swapped: the score is scaled by the noise variance 1 - alpha_bar.",
         (x + ab * s) / np.sqrt(ab)),
    ]


_TWEEDIE_CASES = [
    (0.5, -1.25, 0.64),
    (np.array([1.0, -2.0, 0.3]), np.array([-0.5, 2.5, 0.0]), 0.19),
    (np.array([0.7, -0.4, 1.1]), np.array([-2.0, 0.9, 0.3]), np.array([0.9, 0.36, 0.05])),
    (np.array([[0.5, -1.5], [2.0, 0.1]]), np.array([[1.0, 2.0], [-3.0, 0.4]]), 0.42),
    (np.array([1.5, -0.25]), np.array([-3.0, 4.0]), 1.0),
]


def check_tweedie_x0(tweedie_x0: Callable) -> None:
    """Check ``tweedie_x0(x_t, score, alpha_bar)`` = (x_t + (1 - alpha_bar) * score) / sqrt(alpha_bar)."""
    __tracebackhide__ = True
    check_cases(tweedie_x0, _TWEEDIE_CASES, _good_tweedie, _tweedie_mistakes,
                done="tweedie_x0: (x_t + (1 - alpha_bar) * score) / sqrt(alpha_bar), on numbers and arrays, with one "
                     "noise level for all or one per entry, inputs unchanged.")


# --- vp_alpha_bar ------------------------------------------------------------------------------------

def _good_vp_alpha_bar(tau, beta_min, beta_max):
    tau, lo, hi = _arrays(tau, beta_min, beta_max)
    return np.exp(-(lo * tau + 0.5 * (hi - lo) * tau**2))


def _vp_mistakes(tau, beta_min, beta_max) -> list[tuple[str, np.ndarray]]:
    tau, lo, hi = _arrays(tau, beta_min, beta_max)
    integral = lo * tau + 0.5 * (hi - lo) * tau**2
    return [
        ("the 1/2 of the tau^2 term is missing (or the rate at tau was multiplied by tau, which is the same "
         "thing): the integral of u from 0 to tau is tau^2 / 2. Only a constant rate integrates to rate * tau.",
         np.exp(-(lo * tau + (hi - lo) * tau**2))),
        ("the rate is not integrated: exp(-beta(tau)) uses the rate at tau only. The chain multiplies one "
         "factor (1 - beta(u) du) per step, so the exponent is minus the integral of beta(u) from 0 to tau.",
         np.exp(-(lo + tau * (hi - lo)))),
        ("the average of beta_min and beta_max times tau: right at tau = 1 only. Integrate beta(u) from 0 to tau.",
         np.exp(-0.5 * (lo + hi) * tau)),
        ("that is sqrt(alpha_bar(tau)), the factor in front of x_0 (the SDE's drift is -1/2 beta x). "
         "alpha_bar is its square: the exponent is the whole integral.", np.exp(-0.5 * integral)),
        ("that is 1 - integral: the first-order expansion of the exponential, which goes negative for large "
         "integrals. The product of many factors (1 - beta du) is exp(-integral) exactly in the limit.",
         1.0 - integral),
        ("that is 1 - alpha_bar(tau), the variance of the noise, not alpha_bar(tau).", 1.0 - np.exp(-integral)),
        ("sign error: alpha_bar must fall from 1 as noise accumulates, so the exponent is negative.",
         np.exp(integral)),
    ]


_VP_CASES = [
    (0.3, 0.1, 20.0),
    (0.0, 0.1, 20.0),
    (np.array([0.1, 0.25, 1.0]), 0.1, 20.0),
    (np.array([[0.0, 0.3], [0.6, 0.9]]), 0.5, 5.0),
    (0.7, 2.0, 2.0),
]


def check_vp_alpha_bar(vp_alpha_bar: Callable) -> None:
    """Check ``vp_alpha_bar(tau, beta_min, beta_max)`` = exp(-(beta_min tau + (beta_max - beta_min) tau^2 / 2))."""
    __tracebackhide__ = True
    check_cases(vp_alpha_bar, _VP_CASES, _good_vp_alpha_bar, _vp_mistakes,
                done="vp_alpha_bar: exp(-integral of beta from 0 to tau), for a number or an array of times, inputs "
                     "unchanged.")


# --- reverse_step ------------------------------------------------------------------------------------

def _step(x, z, beta, ab_score, divisor, score_scale=None, noise_scale=None, sign=1.0, score_fn=demo_score):
    """(x + sign * score_scale * s(x, ab_score)) / divisor + noise_scale * z, the defaults being the right ones."""
    x, z = _arrays(x, z)
    score_scale = beta if score_scale is None else score_scale
    noise_scale = np.sqrt(beta) if noise_scale is None else noise_scale
    return (x + sign * score_scale * score_fn(x, ab_score)) / divisor + noise_scale * z


def _good_reverse(x, t, betas, score_fn, z):
    betas = np.asarray(betas, dtype=float)
    beta = betas[t - 1]
    return _step(x, z, beta, np.prod(1.0 - betas[:t]), np.sqrt(1.0 - beta), score_fn=score_fn)


_OFF_BY_ONE_UP = ("off by one in alpha_bar: np.cumprod(1 - betas)[t] is alpha_bar_{t+1}, one step too noisy. "
                  "With the maths' t = 1..T, alpha_bar_t sits at index t - 1, like beta_t = betas[t - 1].")


def _reverse_mistakes(x, t, betas, z) -> list[tuple[str, np.ndarray]]:
    betas = np.asarray(betas, dtype=float)
    beta, alpha = betas[t - 1], 1 - betas[t - 1]
    ab = np.prod(1 - betas[:t])
    ab_prev = np.prod(1 - betas[: t - 1])
    beta_tilde = (1 - ab_prev) / (1 - ab) * beta
    mistakes = [
        ("sign error: the step *adds* beta_t * score. The score points towards the data; following it is "
         "what turns noise into data.", _step(x, z, beta, ab, np.sqrt(alpha), sign=-1.0)),
        ("the noise is scaled by beta_t, its variance, instead of its square root sqrt(beta_t).",
         _step(x, z, beta, ab, np.sqrt(alpha), noise_scale=beta)),
        ("the noise has DDPM's other variance, beta_tilde_t = (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) * beta_t. "
         "That choice is valid in Ho et al. (2020), but this exercise uses sigma_t^2 = beta_t: add "
         "sqrt(beta_t) * z.", _step(x, z, beta, ab, np.sqrt(alpha), noise_scale=np.sqrt(beta_tilde))),
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
    if t < betas.size:  # quantities taken at t + 1
        b1 = betas[t]
        mistakes += [
            (_OFF_BY_ONE_UP, _step(x, z, beta, np.prod(1 - betas[: t + 1]), np.sqrt(alpha))),
            ("off by one: step t uses betas[t - 1] (arrays are 0-indexed, the maths' t starts at 1).",
             _step(x, z, b1, np.prod(1 - betas[: t + 1]), np.sqrt(1 - b1))),
        ]
    return mistakes


# x_t as a number, a 1-D and a 2-D array; t from 1 (z = 0, the sampler's last step) to T; betas a 1-D array
_BETAS = np.array([0.1, 0.2, 0.3, 0.15])
_REVERSE_CASES = [
    (np.array([-1.0, 0.4, 2.0]), 3, _BETAS, np.array([0.5, -1.0, 0.2])),
    (0.3, 1, _BETAS, 0.0),
    (-0.8, 2, _BETAS, 1.3),
    (np.array([[0.5, -2.5, 0.1], [1.2, 0.0, -0.6]]), 4, _BETAS, np.array([[1.0, 0.3, -0.2], [-0.6, 2.0, 0.4]])),
    (np.array([1.0, -0.5]), 2, np.array([0.05, 0.5, 0.1]), np.array([0.7, 0.1])),
]
_REVERSE_ERRORS = [(IndexError, "out of bounds", _OFF_BY_ONE_UP)]


def check_reverse_step(reverse_step: Callable) -> None:
    """Check ``reverse_step(x_t, t, betas, score_fn, z)`` with :func:`demo_score` as the score function."""
    __tracebackhide__ = True
    for x, t, betas, z in _REVERSE_CASES:
        check_call(reverse_step, (x, t, betas, demo_score, z), _good_reverse(x, t, betas, demo_score, z),
                   mistakes=_reverse_mistakes(x, t, betas, z), errors=_REVERSE_ERRORS)
    print("reverse_step: (x_t + beta_t * score(x_t, alpha_bar_t)) / sqrt(alpha_t) + sqrt(beta_t) * z, for every "
          "t from 1 to T, on numbers and arrays, inputs unchanged. ✔")


_hints.register({
    "gaussian_score": [
        "Start from the log-density in section 2: log N(x; mean, var) = -(x - mean)^2 / (2 var) + a constant. "
        "The score is its derivative with respect to x.",
        "Differentiating the square brings down a 2 that cancels the 1/2; the constant disappears. `var` is "
        "already the variance, so divide by it once. Use NumPy operations so numbers and arrays both work.",
        "The body is one line of the shape `return -(<x minus the mean>) / <the variance>`; it builds a new "
        "array and writes nothing into `x`.",
    ],
    "score_from_eps": [
        "Section 3 rewrote x_t - sqrt(alpha_bar) x_0 as sqrt(1 - alpha_bar) * eps inside the Gaussian's score.",
        "The result is minus the noise divided by the noise's standard deviation, sqrt(1 - alpha_bar). "
        "`np.sqrt` works on numbers and arrays alike, so alpha_bar may be one per entry.",
        "One line: `return -eps / np.sqrt(<one minus alpha_bar>)`.",
    ],
    "noisy_gaussian_score": [
        "x_t = sqrt(alpha_bar) x_0 + sqrt(1 - alpha_bar) eps, with x_0 ~ N(mean, var) and eps ~ N(0, 1) "
        "independent. What is the distribution of a scaled Gaussian plus an independent Gaussian?",
        "It is Gaussian again. Its mean is sqrt(alpha_bar) * mean; its variance is the sum of the two terms' "
        "variances, alpha_bar * var (a factor c scales a variance by c^2) plus 1 - alpha_bar.",
        "Then use section 2's score of a Gaussian with that mean and that variance: "
        "`return -(x - <mean of x_t>) / <variance of x_t>`. Check your formula at alpha_bar = 1 (the data's "
        "score) and at alpha_bar = 0 (pure noise: -x).",
    ],
    "tweedie_x0": [
        "Average x_t = sqrt(alpha_bar) x_0 + sqrt(1 - alpha_bar) eps over everything that could have produced "
        "this x_t, then solve for E[x_0 | x_t].",
        "E[eps | x_t] = -sqrt(1 - alpha_bar) * score (Tweedie), so sqrt(1 - alpha_bar) * E[eps | x_t] = "
        "-(1 - alpha_bar) * score. Undo the shrink sqrt(alpha_bar) at the end.",
        "One line: `return (x_t + <1 - alpha_bar> * score) / np.sqrt(alpha_bar)`, with no `+=` on x_t.",
    ],
    "vp_alpha_bar": [
        "The chain's alpha_bar is a product of factors (1 - beta_t). Take its logarithm: a sum of "
        "log(1 - beta_t), and log(1 - beta) is about -beta when beta is small.",
        "With beta_t = beta(u) du the sum becomes minus the integral of beta(u) from 0 to tau. For "
        "beta(u) = beta_min + u (beta_max - beta_min), integrate term by term (the integral of u is tau^2 / 2).",
        "`return np.exp(-(<beta_min times tau> + <half of (beta_max - beta_min) times tau squared>))`, with "
        "np.exp so that tau may be an array.",
    ],
    "reverse_step": [
        "Three numbers come first: beta_t = betas[t - 1], alpha_t = 1 - beta_t, and alpha_bar_t, the product "
        "of (1 - beta_s) for s = 1..t (the first t entries of betas).",
        "Ask score_fn for the score at x_t and the noise level alpha_bar_t (not alpha_t). Then move x_t along "
        "the score by beta_t, divide by sqrt(alpha_t), and add sqrt(beta_t) * z.",
        "`alpha_bar_t = np.prod(1 - betas[:t])`, then `return (x_t + beta_t * score_fn(x_t, alpha_bar_t)) / "
        "np.sqrt(alpha_t) + np.sqrt(beta_t) * z`, building new arrays (no `+=` on x_t).",
    ],
    "conditional_score_answer": [
        "What does the network see when it is trained, and what does it not see? Its input is x_t and t only.",
        "Many clean points x_0 could have produced the same x_t. A squared-error loss is minimised by the "
        "average target over all of them, E[eps | x_t]. Which score does section 4 link to that average?",
    ],
    "noise_score_answer": [
        "Write down log N(x; 0, 1) and differentiate it (section 2's formula with mean 0 and variance 1).",
        "Which way do the arrows of -x point, and why does the sampler never need to know the data to draw its "
        "starting points?",
    ],
})
