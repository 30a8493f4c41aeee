"""Notebook 05's visible checks accept correct answers and name the misconception behind typical wrong ones."""

import math

import numpy as np
import pytest

from course_lib.checks import CheckFailed
from course_lib.checks import score_link as checks


def _good_step(x, t, betas, score_fn, z):
    beta = betas[t - 1]
    ab = np.prod(1 - np.asarray(betas[:t]))
    return (x + beta * score_fn(x, ab)) / np.sqrt(1 - beta) + np.sqrt(beta) * z


def _loop_step(x, t, betas, score_fn, z):
    """Correct but different: alpha_bar by a loop over Python floats, alpha_t named."""
    alpha_bar = 1.0
    for s in range(t):
        alpha_bar *= 1.0 - float(betas[s])
    alpha_t = 1.0 - betas[t - 1]
    mean = (np.asarray(x) + (1 - alpha_t) * score_fn(x, alpha_bar)) / math.sqrt(alpha_t)
    return mean + math.sqrt(1 - alpha_t) * np.asarray(z)


def test_correct_answers_pass(capsys):
    checks.check_gaussian_score(lambda x, m, v: -(np.asarray(x) - m) / v)
    checks.check_gaussian_score(lambda x, m, v: (np.asarray(m) - x) * (1 / np.asarray(v)))
    checks.check_score_from_eps(lambda e, ab: -np.asarray(e) / np.sqrt(1 - np.asarray(ab)))
    checks.check_score_from_eps(lambda e, ab: -np.asarray(e, np.float32) * (1 - np.asarray(ab)) ** -0.5)
    checks.check_tweedie_x0(lambda x, s, ab: (x + (1 - np.asarray(ab)) * s) / np.sqrt(ab))
    checks.check_tweedie_x0(lambda x, s, ab: np.asarray(x) / np.sqrt(ab) + (1 - np.asarray(ab)) / np.sqrt(ab) * s)
    checks.check_reverse_step(_good_step)
    checks.check_reverse_step(_loop_step)
    checks.check_choice(" b", "noise_score_answer")
    assert capsys.readouterr().out.count("✔") == 9


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda x, m, v: (np.asarray(x) - m) / v, "sign error"),
        (lambda x, m, v: -(np.asarray(x) - m) / np.sqrt(v), "standard deviation sqrt\\(var\\) instead of the variance"),
        (lambda x, m, v: -(np.asarray(x) - m) / (2 * np.asarray(v)), "divided by 2 var"),
        (lambda x, m, v: -(np.asarray(x) - m) / np.asarray(v) ** 2, "var squared"),
        (lambda x, m, v: -(np.asarray(x) - m), "variance is missing"),
        (lambda x, m, v: -0.5 * (np.asarray(x) - m) ** 2 / v - 0.5 * np.log(2 * np.pi * np.asarray(v)),
         "log-density"),
    ],
)
def test_gaussian_score_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_gaussian_score(wrong)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda e, ab: np.asarray(e) / np.sqrt(1 - np.asarray(ab)), "sign error"),
        (lambda e, ab: -np.asarray(e) / (1 - np.asarray(ab)), "the variance instead of its square root"),
        (lambda e, ab: -np.asarray(e) * np.sqrt(1 - np.asarray(ab)), "multiplied by sqrt\\(1 - alpha_bar\\)"),
        (lambda e, ab: -np.asarray(e) / np.sqrt(ab), "alpha_bar and 1 - alpha_bar are swapped"),
        (lambda e, ab: -np.asarray(e), "the scale is missing"),
    ],
)
def test_score_from_eps_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        with np.errstate(divide="ignore"):
            checks.check_score_from_eps(wrong)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda x, s, ab: (x - (1 - np.asarray(ab)) * s) / np.sqrt(ab), "sign error"),
        (lambda x, s, ab: (x + (1 - np.asarray(ab)) * s) / np.asarray(ab),
         "divided by alpha_bar instead of its square root"),
        (lambda x, s, ab: (x + np.sqrt(1 - np.asarray(ab)) * s) / np.sqrt(ab), "scaled by sqrt\\(1 - alpha_bar\\)"),
        (lambda x, s, ab: x + (1 - np.asarray(ab)) * s, "division by sqrt\\(alpha_bar\\) is missing"),
        (lambda x, s, ab: (x + np.asarray(ab) * s) / np.sqrt(ab), "swapped"),
    ],
)
def test_tweedie_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_tweedie_x0(wrong)


def _step_with(*, score_level="bar", divisor="alpha", score_scale="beta", noise="sqrt", sign=1.0, index_shift=0):
    """A reverse step with one part swapped for a typical wrong one."""
    def step(x, t, betas, score_fn, z):
        betas = np.asarray(betas)
        k = t - 1 + index_shift
        beta = betas[k]
        ab = {"bar": np.prod(1 - betas[:k + 1]), "alpha": 1 - beta, "prev": np.prod(1 - betas[:t - 1]),
              "sum": 1 - np.sum(betas[:t])}[score_level]
        ab_t = np.prod(1 - betas[:k + 1])
        div = {"alpha": np.sqrt(1 - beta), "alpha_bar": np.sqrt(ab_t), "none": 1.0,
               "times": 1 / np.sqrt(1 - beta)}[divisor]
        scale = {"beta": beta, "tweedie": 1 - ab_t}[score_scale]
        nz = {"sqrt": np.sqrt(beta), "var": beta, "none": 0.0}[noise]
        return (x + sign * scale * score_fn(x, ab)) / div + nz * np.asarray(z)
    return step


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (_step_with(sign=-1.0), "sign error"),
        (_step_with(noise="var"), "the noise is scaled by beta_t, its variance, instead of its square root"),
        (_step_with(score_level="alpha"), "alpha instead of alpha_bar"),
        (_step_with(divisor="alpha_bar"), "alpha_bar where alpha belongs"),
        (_step_with(divisor="alpha_bar", score_scale="tweedie"), "jumps all the way to Tweedie"),
        (_step_with(divisor="none"), "division by sqrt\\(alpha_t\\) is missing"),
        (_step_with(divisor="times"), "multiplied by sqrt\\(alpha_t\\) instead of dividing"),
        (_step_with(noise="none"), "fresh noise sqrt\\(beta_t\\) \\* z is missing"),
        (_step_with(score_level="sum"), "sum instead of a product"),
        (_step_with(score_level="prev"), "off by one in alpha_bar"),
        (_step_with(index_shift=1), "off by one: step t uses betas\\[t - 1\\]"),
    ],
)
def test_reverse_step_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_reverse_step(wrong)


def test_reverse_step_asking_for_an_impossible_noise_level_is_explained():
    def cumsum_step(x, t, betas, score_fn, z):  # "alpha_bar" as a running sum of alphas: above 1
        ab = np.sum(1 - np.asarray(betas[:t]))
        return (x + betas[t - 1] * score_fn(x, ab)) / np.sqrt(1 - betas[t - 1]) + np.sqrt(betas[t - 1]) * z
    with pytest.raises(CheckFailed, match="not a noise level .* prod\\(1 - betas\\[:t\\]\\)"):
        checks.check_reverse_step(cumsum_step)


def test_answers_without_return_are_explained():
    with pytest.raises(CheckFailed, match="no `return` statement"):
        checks.check_tweedie_x0(lambda x, s, ab: None)


def test_demo_score_is_the_demo_mixtures_noisy_score_and_n01_score_is_minus_x():
    x = np.linspace(-3, 3, 7)
    np.testing.assert_allclose(checks.demo_score(x, 0.5), checks.DEMO_MIXTURE.noised(0.5).score(x))
    np.testing.assert_array_equal(checks.standard_normal_score(x, 0.3), -x)
