"""Notebook 05's visible checks accept correct answers, name the misconception behind typical wrong ones, and
enforce the grader's rules (inputs unchanged, the learner's own code, every kind of input)."""

import math
import re

import nbformat
import numpy as np
import pytest

from conftest import ROOT
from course_lib import score
from course_lib.checks import CheckFailed
from course_lib.checks import _hints
from course_lib.checks import score_link as checks
from course_lib.checks._core import UsesReference, Waiting

NOTEBOOK = ROOT / "solutions" / "05-score-link" / "05-score-link.ipynb"


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


def _cumprod_step(x, t, betas, score_fn, z):
    """Correct but different: alphas_cumprod[t - 1], the diffusers way."""
    ab = np.cumprod(1 - np.asarray(betas))[t - 1]
    return (x + betas[t - 1] * score_fn(x, ab)) / np.sqrt(1 - betas[t - 1]) + np.sqrt(betas[t - 1]) * z


def test_correct_answers_pass(capsys):
    checks.check_gaussian_score(lambda x, m, v: -(np.asarray(x) - m) / v)
    checks.check_gaussian_score(lambda x, m, v: (np.asarray(m) - x) * (1 / np.asarray(v)))
    checks.check_score_from_eps(lambda e, ab: -np.asarray(e) / np.sqrt(1 - np.asarray(ab)))
    checks.check_score_from_eps(lambda e, ab: -np.asarray(e) * (1 - np.asarray(ab)) ** -0.5)
    checks.check_noisy_gaussian_score(lambda x, m, v, ab: -(x - np.sqrt(ab) * m) / (ab * v + 1 - ab))
    checks.check_noisy_gaussian_score(lambda x, m, v, ab: (np.sqrt(ab) * m - x) / (1 + ab * (np.asarray(v) - 1)))
    checks.check_tweedie_x0(lambda x, s, ab: (x + (1 - np.asarray(ab)) * s) / np.sqrt(ab))
    checks.check_tweedie_x0(lambda x, s, ab: np.asarray(x) / np.sqrt(ab) + (1 - np.asarray(ab)) / np.sqrt(ab) * s)
    checks.check_vp_alpha_bar(lambda tau, lo, hi: np.exp(-(lo * tau + 0.5 * (hi - lo) * np.square(tau))))
    checks.check_vp_alpha_bar(lambda tau, lo, hi: np.exp(-lo * tau) * np.exp(-(hi - lo) * np.asarray(tau) ** 2 / 2))
    checks.check_reverse_step(_good_step)
    checks.check_reverse_step(_loop_step)
    checks.check_reverse_step(_cumprod_step)
    checks.check_choice(" b", "noise_score_answer")
    checks.check_choice("B", "conditional_score_answer")
    assert capsys.readouterr().out.count("✔") == 15


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
        (lambda x, m, v, ab: -(x - np.sqrt(ab) * m) / (1 - np.asarray(ab)), "score of q\\(x_t \\| x_0\\) for the single point"),
        (lambda x, m, v, ab: -(x - np.sqrt(ab) * m) / (v + 1 - np.asarray(ab)), "variance is not scaled"),
        (lambda x, m, v, ab: -(x - np.sqrt(ab) * m) / (np.sqrt(ab) * v + 1 - np.asarray(ab)), "scaled by sqrt"),
        (lambda x, m, v, ab: -(x - np.sqrt(ab) * m) / (np.asarray(ab) * v + 1), "noise's variance is 1 - alpha_bar"),
        (lambda x, m, v, ab: -(x - np.asarray(m)) / (np.asarray(ab) * v + 1 - ab), "mean is not shrunk"),
        (lambda x, m, v, ab: -(x - np.asarray(ab) * m) / (np.asarray(ab) * v + 1 - ab), "shrunk by alpha_bar"),
        (lambda x, m, v, ab: -(x - np.sqrt(ab) * m) / np.sqrt(np.asarray(ab) * v + 1 - ab), "standard deviation"),
        (lambda x, m, v, ab: (x - np.sqrt(ab) * m) / (np.asarray(ab) * v + 1 - ab), "sign error"),
        (lambda x, m, v, ab: -(x - np.asarray(m)) / v, "clean data's score"),
    ],
)
def test_noisy_gaussian_score_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        with np.errstate(divide="ignore", invalid="ignore"):
            checks.check_noisy_gaussian_score(wrong)


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


def _vp(exponent):
    return lambda tau, lo, hi: exponent(np.asarray(tau, dtype=float), lo, hi)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (_vp(lambda tau, lo, hi: np.exp(-(lo * tau + (hi - lo) * tau**2))), "1/2 of the tau\\^2 term is missing"),
        (_vp(lambda tau, lo, hi: np.exp(-(lo + tau * (hi - lo)))), "the rate is not integrated"),
        (_vp(lambda tau, lo, hi: np.exp(-(lo + tau * (hi - lo)) * tau)), "the rate at tau was multiplied by tau"),
        (_vp(lambda tau, lo, hi: np.exp(-0.5 * (lo + hi) * tau)), "average of beta_min and beta_max"),
        (_vp(lambda tau, lo, hi: np.exp(-0.5 * (lo * tau + 0.5 * (hi - lo) * tau**2))), "sqrt\\(alpha_bar\\(tau\\)\\)"),
        (_vp(lambda tau, lo, hi: 1 - (lo * tau + 0.5 * (hi - lo) * tau**2)), "first-order expansion"),
        (_vp(lambda tau, lo, hi: 1 - np.exp(-(lo * tau + 0.5 * (hi - lo) * tau**2))), "variance of the noise"),
        (_vp(lambda tau, lo, hi: np.exp(lo * tau + 0.5 * (hi - lo) * tau**2)), "sign error"),
    ],
)
def test_vp_alpha_bar_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_vp_alpha_bar(wrong)


def _step_with(*, score_level="bar", divisor="alpha", score_scale="beta", noise="sqrt", sign=1.0, index_shift=0):
    """A reverse step with one part swapped for a typical wrong one."""
    def step(x, t, betas, score_fn, z):
        betas = np.asarray(betas)
        k = t - 1 + index_shift
        beta = betas[k]
        ab_t = np.prod(1 - betas[:k + 1])
        ab = {"bar": ab_t, "alpha": 1 - beta, "prev": np.prod(1 - betas[:t - 1]),
              "sum": 1 - np.sum(betas[:t]), "next": np.cumprod(1 - betas)[t]}[score_level]
        div = {"alpha": np.sqrt(1 - beta), "alpha_bar": np.sqrt(ab_t), "none": 1.0,
               "times": 1 / np.sqrt(1 - beta)}[divisor]
        scale = {"beta": beta, "tweedie": 1 - ab_t}[score_scale]
        ab_prev = np.prod(1 - betas[:t - 1])
        nz = {"sqrt": np.sqrt(beta), "var": beta, "none": 0.0,
              "tilde": np.sqrt((1 - ab_prev) / (1 - ab_t) * beta)}[noise]
        return (x + sign * scale * score_fn(x, ab)) / div + nz * np.asarray(z)
    return step


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (_step_with(sign=-1.0), "sign error"),
        (_step_with(noise="var"), "the noise is scaled by beta_t, its variance, instead of its square root"),
        (_step_with(noise="tilde"), "DDPM's other variance, beta_tilde_t .* valid in Ho et al\\. \\(2020\\), but this "
                                    "exercise uses sigma_t\\^2 = beta_t"),
        (_step_with(score_level="alpha"), "alpha instead of alpha_bar"),
        (_step_with(divisor="alpha_bar"), "alpha_bar where alpha belongs"),
        (_step_with(divisor="alpha_bar", score_scale="tweedie"), "jumps all the way to Tweedie"),
        (_step_with(divisor="none"), "division by sqrt\\(alpha_t\\) is missing"),
        (_step_with(divisor="times"), "multiplied by sqrt\\(alpha_t\\) instead of dividing"),
        (_step_with(noise="none"), "fresh noise sqrt\\(beta_t\\) \\* z is missing"),
        (_step_with(score_level="sum"), "sum instead of a product"),
        (_step_with(score_level="prev"), "off by one in alpha_bar: prod\\(1 - betas\\[:t - 1\\]\\)"),
        (_step_with(score_level="next"), "np.cumprod\\(1 - betas\\)\\[t\\] is alpha_bar_\\{t\\+1\\}"),
        (_step_with(index_shift=1), "off by one: step t uses betas\\[t - 1\\]"),
    ],
)
def test_reverse_step_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_reverse_step(wrong)


def test_cumprod_off_by_one_is_named_when_it_runs_off_the_end():
    """np.cumprod(1 - betas)[t] raises IndexError at t = T; the check reads the error as the same mistake."""
    def step(x, t, betas, score_fn, z):
        ab = np.cumprod(1 - np.asarray(betas))[t]
        return (x + betas[t - 1] * score_fn(x, ab)) / np.sqrt(1 - betas[t - 1]) + np.sqrt(betas[t - 1]) * z
    failure = None
    for case in checks._REVERSE_CASES:  # the check's own cases, one at a time: each t is named
        x, t, betas, z = case
        if t == len(betas):
            checks._REVERSE_CASES, saved = [case], checks._REVERSE_CASES
            try:
                with pytest.raises(CheckFailed, match="(?s)IndexError.*\nLikely mistake: .*alpha_bar_\\{t\\+1\\}") as info:
                    checks.check_reverse_step(step)
                failure = info.value
            finally:
                checks._REVERSE_CASES = saved
    assert failure is not None, "the visible check has no case with t = T"


def test_reverse_step_asking_for_an_impossible_noise_level_is_explained():
    def cumsum_step(x, t, betas, score_fn, z):  # "alpha_bar" as a running sum of alphas: above 1
        ab = np.sum(1 - np.asarray(betas[:t]))
        return (x + betas[t - 1] * score_fn(x, ab)) / np.sqrt(1 - betas[t - 1]) + np.sqrt(betas[t - 1]) * z
    with pytest.raises(CheckFailed, match="not a noise level .* prod\\(1 - betas\\[:t\\]\\)"):
        checks.check_reverse_step(cumsum_step)


# --- the grader's rules --------------------------------------------------------------------------------

def _in_place_tweedie(x_t, s, ab):
    x_t += (1 - np.asarray(ab)) * s
    return x_t / np.sqrt(ab)


def _in_place_gaussian(x, mean, var):
    x = np.asarray(x, dtype=float)
    x -= mean
    return -x / var


def _in_place_step(x_t, t, betas, score_fn, z):
    alpha_bar = np.prod(1 - betas[:t])
    z *= np.sqrt(betas[t - 1])
    return (x_t + betas[t - 1] * score_fn(x_t, alpha_bar)) / np.sqrt(1 - betas[t - 1]) + z


@pytest.mark.parametrize("check, answer", [
    (checks.check_tweedie_x0, _in_place_tweedie),
    (checks.check_gaussian_score, _in_place_gaussian),
    (checks.check_reverse_step, _in_place_step),
])
def test_answers_that_modify_their_inputs_are_rejected(check, answer):
    with pytest.raises(CheckFailed, match="modified its input"):
        check(answer)


@pytest.mark.parametrize("check, answer", [
    (checks.check_vp_alpha_bar, lambda tau, lo, hi: math.exp(-(lo * tau + 0.5 * (hi - lo) * tau**2))),
    (checks.check_score_from_eps, lambda e, ab: -e / math.sqrt(1 - ab)),
    (checks.check_tweedie_x0, lambda x, s, ab: (x + (1 - ab) * s) / math.sqrt(ab)),
    (checks.check_noisy_gaussian_score, lambda x, m, v, ab: -(x - math.sqrt(ab) * m) / (ab * v + 1 - ab)),
    (checks.check_gaussian_score, lambda x, m, v: -(float(x) - m) / v),
    (checks.check_reverse_step, lambda x, t, b, f, z: (float(x) + b[t - 1] * float(f(x, np.prod(1 - b[:t]))))
     / math.sqrt(1 - b[t - 1]) + math.sqrt(b[t - 1]) * float(z)),
])
def test_scalar_only_answers_are_named(check, answer):
    with pytest.raises(CheckFailed, match="NumPy's versions"):
        check(answer)


@pytest.mark.parametrize("check, answer", [
    (checks.check_gaussian_score, lambda x, m, v: score.gaussian_score(x, m, v)),
    (checks.check_score_from_eps, lambda e, ab: score.score_from_eps(e, ab)),
    (checks.check_tweedie_x0, lambda x, s, ab: score.tweedie_denoise(x, s, ab)),
    (checks.check_vp_alpha_bar, lambda tau, lo, hi: score.vp_alpha_bar(tau, lo, hi)),
    (checks.check_noisy_gaussian_score,
     lambda x, m, v, ab: score.GaussianMixture([1.0], [m], [v]).noised(ab).score(x)),
])
def test_answers_that_only_call_the_reference_get_no_tick(check, answer):
    with pytest.raises(UsesReference, match="course_lib's own implementation"):
        check(answer)


def test_unanswered_exercises_are_waiting():
    def waiting(*args):
        raise NotImplementedError()
    for check in (checks.check_gaussian_score, checks.check_noisy_gaussian_score, checks.check_vp_alpha_bar,
                  checks.check_reverse_step):
        with pytest.raises(Waiting):
            check(waiting)


def test_answers_without_return_are_explained():
    with pytest.raises(CheckFailed, match="no `return` statement"):
        checks.check_tweedie_x0(lambda x, s, ab: None)


def test_demo_score_is_the_exact_score_of_its_mixture():
    """The plain-NumPy demo_score against course_lib's GaussianMixture, at four noise levels (1e-12)."""
    mixture = score.GaussianMixture([0.25, 0.75], [-1.5, 1.0], [0.09, 0.25])
    x = np.linspace(-4, 4, 17).reshape(1, 17)
    for ab in (1.0, 0.7, 0.1, 0.0):
        np.testing.assert_allclose(checks.demo_score(x, ab), mixture.noised(ab).score(x), rtol=1e-12, atol=1e-12)


def test_every_auto_graded_exercise_has_two_or_three_hints():
    for name in ("gaussian_score", "score_from_eps", "noisy_gaussian_score", "tweedie_x0", "vp_alpha_bar",
                 "reverse_step", "conditional_score_answer", "noise_score_answer"):
        assert 2 <= len(_hints._HINTS[name]) <= 3, name


def _hidden_parts() -> list[str]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    pattern = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
    return [m for cell in nb.cells if cell.cell_type == "code" for m in pattern.findall(cell.source)]


def test_hidden_parts_use_only_numpy_hidden_and_inline_helpers():
    """The new grader runs hidden parts where course_lib and the checks do not exist."""
    parts = _hidden_parts()
    assert len(parts) == 8
    for part in parts:
        for forbidden in ("checks.", "course_lib", "score.", "import "):
            assert forbidden not in part, f"a hidden part uses {forbidden!r}:\n{part}"
