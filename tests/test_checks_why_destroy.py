"""Notebook 01's visible checks accept correct answers and name the misconception behind wrong ones."""

import math

import numpy as np
import pytest

from course_lib.checks import CheckFailed
from course_lib.checks import why_destroy as checks
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


def _with_shrink_loop(var0, beta, t):
    """The recursion v <- (1 - beta) v + beta, run t times (t a number or an array)."""
    def run(v, steps):
        for _ in range(int(steps)):
            v = (1 - beta) * v + beta
        return v
    return np.vectorize(run)(var0, t)


def test_correct_answers_pass(capsys):
    checks.check_variance_without_shrink(lambda v, b, t: v + t * b)
    checks.check_variance_without_shrink(lambda v, b, t: np.add(v, np.multiply(t, b, dtype=np.float32)))
    checks.check_variance_with_shrink(lambda v, b, t: (1 - b) ** t * v + 1 - (1 - b) ** t)
    checks.check_variance_with_shrink(lambda v, b, t: 1 + (np.asarray(v) - 1) * (1 - b) ** np.asarray(t))
    checks.check_variance_with_shrink(_with_shrink_loop)
    checks.check_ks_distance_from_normal(_ks)
    checks.check_ks_distance_from_normal(_ks_loop)
    for name, letter in (("gradual_answer", "b"), ("fixed_answer", "c"), ("endpoint_answer", "d")):
        checks.check_choice(letter, name)
    assert capsys.readouterr().out.count("✔") == 10


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


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda v, b, t: (1 - b) ** t * v, "noise's contribution is missing"),
        (lambda v, b, t: np.sqrt(1 - b) ** t * v + 1 - np.sqrt(1 - b) ** t, "multiplied by sqrt\\(1 - beta\\)"),
        (lambda v, b, t: (1 - b) ** t * v + t * b, "not shrunk by the later steps"),
        (lambda v, b, t: (1 - t * b) * v + t * b, "1 - t \\* beta was used"),
        (lambda v, b, t: (1 - b) ** (t - 1) * v + 1 - (1 - b) ** (t - 1), "after t - 1 steps"),
        (lambda v, b, t: (1 - b) ** (t + 1) * v + 1 - (1 - b) ** (t + 1), "after t \\+ 1 steps"),
        (lambda v, b, t: np.ones(np.broadcast(np.asarray(v), np.asarray(t)).shape), "1 whatever var0 and t"),
    ],
)
def test_variance_with_shrink_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_variance_with_shrink(wrong)


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


def test_ks_distance_without_return_is_explained():
    with pytest.raises(CheckFailed, match="no `return` statement"):
        checks.check_ks_distance_from_normal(lambda x: None)


def test_ks_literals_are_the_one_sample_ks_statistic():
    """The literals in the check equal the KS statistic computed independently (a loop over math.erf)."""
    assert _ks_loop([0.3, -1.2, 2.0, 0.7, -0.1]) == pytest.approx(0.260172162722971, abs=1e-15)
    assert _ks_loop(1.5 * np.sin(np.arange(40.0))) == pytest.approx(0.13629283033967432, abs=1e-15)
