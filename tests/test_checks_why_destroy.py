"""Notebook 01's visible checks accept correct answers, name the misconception behind wrong ones, and enforce
the shared rules (inputs unchanged, no reference code, arrays of every promised kind)."""

import math

import numpy as np
import pytest

from course_lib import exact_reverse, forward, schedules, score
from course_lib.checks import CheckFailed, Waiting
from course_lib.checks import _hints
from course_lib.checks import why_destroy as checks
from course_lib.checks._core import UsesReference
from course_lib.stats import standard_normal_cdf


def _step_gap(f):
    """The largest gap between ``f`` (a CDF at the i-th value) and both ends of the i-th step, i / n and (i - 1) / n."""
    i = np.arange(1, f.size + 1)
    return max(np.max(i / f.size - f), np.max(f - (i - 1) / f.size))


def _ks(x):
    return _step_gap(standard_normal_cdf(np.sort(np.asarray(x, dtype=float))))


def _ks_loop(x):
    values, d = sorted(float(v) for v in x), 0.0
    for i, v in enumerate(values):
        phi = 0.5 * (1 + math.erf(v / math.sqrt(2)))
        d = max(d, (i + 1) / len(values) - phi, phi - i / len(values))
    return d


def _with_shrink_vectorised_loop(var0, beta, t):
    """The recursion v <- (1 - beta) v + beta, run t times for each entry (t a number or an array)."""
    def run(v, steps):
        for _ in range(int(steps)):
            v = (1 - beta) * v + beta
        return v
    return np.vectorize(run, otypes=[float])(var0, t)


def _with_shrink_range_loop(var0, beta, t):
    """The recursion over range(t): right for a whole number t, a TypeError for an array t."""
    v = var0
    for _ in range(t):
        v = (1 - beta) * v + beta
    return v


def _reverse(grid, prior, x_t, beta):
    product = prior * np.exp(-((x_t - np.sqrt(1 - beta) * grid) ** 2) / (2 * beta))
    return product / (product.sum() * (grid[1] - grid[0]))


def _reverse_trapezoid_weights(grid, prior, x_t, beta):
    """Normalised with the log-sum-exp trick, written differently: the same density."""
    log_p = np.log(np.maximum(prior, 1e-300)) - (x_t - np.sqrt(1 - beta) * grid) ** 2 / (2 * beta)
    p = np.where(prior > 0, np.exp(log_p - log_p.max()), 0.0)
    return p / np.sum(p) / (grid[1] - grid[0])


def test_correct_answers_pass(capsys):
    checks.check_variance_without_shrink(lambda v, b, t: v + t * b)
    checks.check_variance_without_shrink(lambda v, b, t: np.add(v, np.multiply(t, b, dtype=np.float32)))
    checks.check_variance_with_shrink(lambda v, b, t: (1 - b) ** t * v + 1 - (1 - b) ** t)
    checks.check_variance_with_shrink(lambda v, b, t: 1 + (np.asarray(v) - 1) * (1 - b) ** np.asarray(t))
    checks.check_variance_with_shrink(_with_shrink_vectorised_loop)
    checks.check_ks_distance_from_normal(_ks)
    checks.check_ks_distance_from_normal(_ks_loop)
    checks.check_one_step_reverse(_reverse)
    checks.check_one_step_reverse(_reverse_trapezoid_weights)
    for name, letter in (("gradual_answer", "b"), ("fixed_answer", "c"), ("endpoint_answer", "d")):
        checks.check_choice(letter, name)
    assert capsys.readouterr().out.count("✔") == 12


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda v, b, t: t * b + 0 * np.asarray(v), "starting variance var0 is missing"),
        (lambda v, b, t: v + b + 0 * np.asarray(t), "only one step was counted"),
        (lambda v, b, t: v + t * np.sqrt(b), "sqrt\\(beta\\) was added per step"),
        (lambda v, b, t: v + t * b**2, "beta\\*\\*2 was added per step"),
        (lambda v, b, t: (np.sqrt(v) + t * np.sqrt(b)) ** 2, "standard deviations were added"),
    ],
)
def test_variance_without_shrink_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_variance_without_shrink(wrong)


def _std_added(v, b, t):
    """v <- (1 - beta) v + sqrt(beta): the noise's standard deviation added where its variance belongs."""
    decay = (1 - b) ** np.asarray(t, dtype=float)
    return decay * v + np.sqrt(b) * (1 - decay) / b


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda v, b, t: (1 - b) ** t * v, "noise's contribution is missing"),
        (_std_added, "standard deviation sqrt\\(beta\\) was added at each step"),
        (lambda v, b, t: np.sqrt(1 - b) ** t * v + 1 - np.sqrt(1 - b) ** t, "multiplied by sqrt\\(1 - beta\\)"),
        (lambda v, b, t: (1 - b) ** t * v + t * b, "not shrunk by the later steps"),
        (lambda v, b, t: (1 - t * b) * v + t * b, "1 - t \\* beta was used"),
        (lambda v, b, t: (1 - b) ** (t - 1) * v + 1 - (1 - b) ** (t - 1), "after t - 1 steps"),
        (lambda v, b, t: (1 - b) ** (t + 1) * v + 1 - (1 - b) ** (t + 1), "after t \\+ 1 steps"),
        (lambda v, b, t: np.ones(np.broadcast(np.asarray(v), np.asarray(t)).shape), "1 whatever var0 and t"),
        (_with_shrink_range_loop, "t can be an array .*Use the closed form"),
    ],
)
def test_variance_with_shrink_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: (.|\n)*" + phrase):
        checks.check_variance_with_shrink(wrong)


def test_variance_answers_that_modify_var0_are_caught():
    def in_place(var0, beta, t):
        if isinstance(var0, np.ndarray):
            var0 *= (1 - beta) ** t
            var0 += 1 - (1 - beta) ** t
            return var0
        return (1 - beta) ** t * var0 + 1 - (1 - beta) ** t

    with pytest.raises(CheckFailed, match="modified its input var0"):
        checks.check_variance_with_shrink(in_place)


def test_variance_answers_for_numbers_only_are_caught():
    with pytest.raises(CheckFailed, match="NumPy's versions"):
        checks.check_variance_with_shrink(lambda v, b, t: math.pow(1 - b, t) * v + 1 - math.pow(1 - b, t))
    with pytest.raises(CheckFailed, match="NumPy's versions"):
        checks.check_variance_without_shrink(lambda v, b, t: float(v) + t * b)


def test_reference_only_answers_get_no_tick():
    with pytest.raises(UsesReference, match="variance_after_steps"):
        checks.check_variance_with_shrink(lambda v, b, t: forward.variance_after_steps(v, b, t))
    with pytest.raises(UsesReference, match="variance_after_steps"):
        checks.check_variance_without_shrink(lambda v, b, t: forward.variance_after_steps(v, b, t, shrink=False))
    with pytest.raises(UsesReference, match="reverse_density"):
        checks.check_one_step_reverse(lambda g, p, x, b: exact_reverse.reverse_density(g, p, x, b))
    with pytest.raises(UsesReference, match="good_ks"):
        checks.check_ks_distance_from_normal(lambda x: checks.good_ks(x))


def test_unanswered_exercise_is_waiting():
    def stub(*args):
        raise NotImplementedError()

    with pytest.raises(Waiting, match="waiting for your answer"):
        checks.check_one_step_reverse(stub)


# --- the modes' merge, counted -------------------------------------------------------------------------------------

def test_the_merge_literals_are_the_exact_densitys():
    """4 abar = 0.1225 abar + 1 - abar at abar = 1 / 4.8775 = 0.2050; DDPM's linear schedule crosses it between
    t = 393 and t = 394, and the exact density of x_t has two peaks at t = 393 and one at t = 394."""
    linear = schedules.linear_schedule(1000)
    star = 1 / 4.8775
    assert linear.alpha_bar(393) > star >= linear.alpha_bar(394)
    mixture = score.GaussianMixture([0.5, 0.5], [-2.0, 2.0], [0.35**2, 0.35**2])
    grid = np.linspace(-3.5, 3.5, 2001)
    for t, count in ((393, 2), (394, 1)):
        d = mixture.noised(linear.alpha_bar(t)).pdf(grid)
        assert np.count_nonzero((d[1:-1] > d[:-2]) & (d[1:-1] >= d[2:])) == count


# --- the KS distance ------------------------------------------------------------------------------------------

def _one_side(top: bool):
    def ks(x):
        x = np.sort(x)
        i = np.arange(1, x.size + 1)
        cdf = standard_normal_cdf(x)
        return np.max(i / x.size - cdf) if top else np.max(cdf - (i - 1) / x.size)
    return ks


def _abs_top(x):
    x = np.sort(x)
    return np.max(np.abs(np.arange(1, x.size + 1) / x.size - standard_normal_cdf(x)))


def _standardised(x):
    return _ks((x - x.mean()) / (x.std() if x.size > 1 else 1.0))


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda x: _step_gap(standard_normal_cdf(x)), "not sorted"),
        (_one_side(top=True), "compared with i / n only, the top of each step"),
        (_one_side(top=False), "only the bottom of each step"),
        (_abs_top, "compared with i / n only, the top of each step"),
        (_standardised, "standardised first"),
        (lambda x: _step_gap(np.exp(-0.5 * np.sort(x) ** 2) / np.sqrt(2 * np.pi)),
         "density .* was used where the CDF belongs"),
    ],
)
def test_ks_distance_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_ks_distance_from_normal(wrong)


def test_ks_distance_that_sorts_in_place_is_caught():
    def sorts_in_place(x):
        x.sort()
        return _ks(x)

    with pytest.raises(CheckFailed, match="modified its input x"):
        checks.check_ks_distance_from_normal(sorts_in_place)


def test_ks_distance_without_return_is_explained():
    with pytest.raises(CheckFailed, match="no `return` statement"):
        checks.check_ks_distance_from_normal(lambda x: None)


def test_ks_known_answer_is_the_one_sample_ks_statistic():
    """The check's known answer equals the KS statistic computed independently (a loop over math.erf)."""
    assert checks.good_ks([0.3, -1.2, 2.0, 0.7, -0.1]) == pytest.approx(0.260172162722971, abs=1e-15)
    assert checks.good_ks(1.5 * np.sin(np.arange(40.0))) == pytest.approx(_ks_loop(1.5 * np.sin(np.arange(40.0))),
                                                                          abs=1e-15)
    assert checks.good_ks(np.linspace(3.0, 5.0, 50)) > 0.99  # every value lies above 99.8 % of N(0, 1)


# --- the exact reverse of one step ---------------------------------------------------------------------------

def _normalised(g, q):
    return q / (q.sum() * (g[1] - g[0]))


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda g, p, x, b: p * np.exp(-((x - np.sqrt(1 - b) * g) ** 2) / (2 * b)), "not normalised"),
        (lambda g, p, x, b: _reverse(g, p, x, b) * (g[1] - g[0]), "normalised to sum\\(density\\) = 1"),
        (lambda g, p, x, b: _reverse(g, np.ones_like(p), x, b), "the prior is missing"),
        (lambda g, p, x, b: p / (p.sum() * (g[1] - g[0])), "x_t was not used"),
        (lambda g, p, x, b: _normalised(g, p * np.exp(-((x - g) ** 2) / (2 * b))), "shrink factor is missing"),
        (lambda g, p, x, b: _normalised(g, p * np.exp(-((x - np.sqrt(1 - b) * g) ** 2) / (2 * np.sqrt(b)))),
         "standard deviation sqrt\\(beta\\)"),
        (lambda g, p, x, b: _normalised(g, p * np.exp(-((g - np.sqrt(1 - b) * x) ** 2) / (2 * b))), "taken from x_t"),
        (lambda g, p, x, b: _normalised(g, p * np.exp(-((x - (1 - b) * g) ** 2) / (2 * b))),
         "is \\(1 - beta\\), not its square root"),
    ],
)
def test_one_step_reverse_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_one_step_reverse(wrong)


def test_one_step_reverse_that_modifies_the_prior_is_caught():
    def in_place(grid, prior, x_t, beta):
        prior *= np.exp(-((x_t - np.sqrt(1 - beta) * grid) ** 2) / (2 * beta))
        return prior / (prior.sum() * (grid[1] - grid[0]))

    with pytest.raises(CheckFailed, match="modified its input prior"):
        checks.check_one_step_reverse(in_place)


def test_one_step_reverse_with_math_exp_is_caught():
    def scalar_only(grid, prior, x_t, beta):
        product = prior * math.exp(-((x_t - math.sqrt(1 - beta) * grid) ** 2) / (2 * beta))
        return product / (product.sum() * (grid[1] - grid[0]))

    with pytest.raises(CheckFailed, match="NumPy's versions"):
        checks.check_one_step_reverse(scalar_only)


def test_good_reverse_is_the_library_s():
    """The check's known answer is course_lib.exact_reverse.reverse_density on the check's cases."""
    for grid, prior, x_t, beta in checks._REVERSE_CASES:
        assert np.allclose(checks.good_reverse(grid, prior, x_t, beta),
                           exact_reverse.reverse_density(grid, prior, x_t, beta), rtol=1e-12, atol=1e-300)


def test_every_auto_graded_exercise_has_two_or_three_hints():
    for name in ("variance_without_shrink", "variance_with_shrink", "ks_distance_from_normal",
                 "one_step_reverse", "gradual_answer", "fixed_answer", "endpoint_answer"):
        assert 2 <= len(_hints._HINTS[name]) <= 3, name
