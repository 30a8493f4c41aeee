"""Notebook 03's visible checks accept correct answers and name the misconception behind wrong ones."""

import numpy as np
import pytest

from course_lib import forward
from course_lib.checks import CheckFailed
from course_lib.checks import closed_form as checks
from course_lib.schedules import from_betas


def _cumprod_loop(betas):
    out, running = [], 1.0
    for beta in betas:
        running *= 1.0 - beta
        out.append(running)
    return np.array(out)


def _q_sample(x0, t, alphas_cumprod, eps):
    abar = alphas_cumprod[t - 1]
    return np.sqrt(abar) * x0 + np.sqrt(1 - abar) * eps, eps


def _q_sample_padded(x0, t, alphas_cumprod, eps):
    """Correct too: pad alpha_bar_0 = 1 in front and index with t directly."""
    padded = np.concatenate([[1.0], alphas_cumprod])
    return padded[t] ** 0.5 * np.asarray(x0) + (1 - padded[t]) ** 0.5 * np.asarray(eps), eps


def _extract(a, t, x_shape):
    return np.asarray(a)[np.asarray(t) - 1].reshape((-1,) + (1,) * (len(x_shape) - 1))


def test_correct_answers_pass(capsys):
    checks.check_alphas_cumprod_from_betas(lambda b: np.cumprod(1 - b))
    checks.check_alphas_cumprod_from_betas(_cumprod_loop)
    checks.check_alphas_cumprod_from_betas(lambda b: np.exp(np.cumsum(np.log1p(-b))))
    checks.check_q_sample(_q_sample)
    checks.check_q_sample(_q_sample_padded)
    checks.check_q_sample(lambda x0, t, ac, eps: [_q_sample(x0, t, ac, eps)[0], eps])
    checks.check_equivalent_eps(lambda x0, xt, ab: (xt - np.sqrt(ab) * x0) / np.sqrt(1 - ab))
    checks.check_equivalent_eps(lambda x0, xt, ab: (np.float32(xt) - ab**0.5 * np.float32(x0)) / (1 - ab) ** 0.5)
    checks.check_extract(_extract)
    checks.check_extract(lambda a, t, s: np.asarray(a)[np.asarray(t) - 1][(...,) + (None,) * (len(s) - 1)])
    checks.check_choice("B", "gaussian_answer")
    assert capsys.readouterr().out.count("✔") == 11


def test_literals_match_the_reference():
    """The check's expected values are what course_lib.forward computes (they were copied from it)."""
    toy = from_betas([0.2] * 4)
    assert float(forward.q_sample(0.80, 2, toy, eps=-0.4450)[0]) == pytest.approx(0.3730000000000001, abs=1e-15)
    assert float(forward.q_sample(0.80, 4, toy, eps=0.5)[0]) == pytest.approx(0.8961874542459709, abs=1e-15)
    short = from_betas([0.1, 0.3, 0.2, 0.05])
    x0 = np.array([[1.0, -0.5, 0.25], [0.0, 2.0, -1.5]])
    eps = np.array([[0.3, -1.1, 0.6], [1.4, -0.2, 0.05]])
    x_t = forward.q_sample(x0, 3, short, eps=eps)[0]
    assert x_t[0, 0] == pytest.approx(0.921211376311862, abs=1e-15)
    assert forward.equivalent_eps(x0, x_t, 0.504) == pytest.approx(eps, abs=1e-12)
    x2 = forward.forward_chain(0.80, [0.2, 0.2], np.array([-0.20, -0.4181]))[-1]
    assert float(forward.equivalent_eps(0.80, x2, 0.64)) == pytest.approx(-0.4449666737975542, abs=1e-15)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda b: np.cumsum(1 - b), "np.cumsum was used"),
        (lambda b: 1 - np.cumsum(b), "first-order approximation"),
        (lambda b: np.cumprod(b), "running product of the betas"),
        (lambda b: 1 - b, "that is alpha = 1 - beta, not alpha_bar"),
        (lambda b: np.prod(1 - b), "only the final product"),
        (lambda b: np.concatenate([[1.0], np.cumprod(1 - b)[:-1]]), "shifted by one"),
        (lambda b: np.concatenate([[1.0], np.cumprod(1 - b)]), "T \\+ 1 values"),
        (lambda b: np.sqrt(np.cumprod(1 - b)), "that is sqrt\\(alpha_bar\\)"),
        (lambda b: 1 - np.cumprod(1 - b), "that is 1 - alpha_bar"),
    ],
)
def test_alphas_cumprod_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_alphas_cumprod_from_betas(wrong)


def test_alphas_cumprod_that_modifies_its_input_is_caught():
    def in_place(betas):
        np.subtract(1.0, betas, out=betas)
        return np.cumprod(betas)
    with pytest.raises(CheckFailed, match="changed the betas"):
        checks.check_alphas_cumprod_from_betas(in_place)


def _q(signal, noise):
    """A q_sample built from wrong coefficient functions of alpha_bar."""
    def q_sample(x0, t, ac, eps):
        abar = ac[t - 1]
        return signal(abar) * x0 + noise(abar) * eps, eps
    return q_sample


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda x0, t, ac, eps: _q_sample(x0, t + 1, ac, eps), "0-indexed: alpha_bar_t is alphas_cumprod\\[t - 1\\]"),
        (_q(lambda a: a, lambda a: 1 - a), "the square roots are missing"),
        (_q(np.sqrt, lambda a: 1 - a), "scaled by 1 - alpha_bar instead of sqrt"),
        (_q(lambda a: a, lambda a: np.sqrt(1 - a)), "sqrt forgotten on alpha_bar"),
        (_q(np.sqrt, lambda a: 1 - np.sqrt(a)), "1 - sqrt\\(alpha_bar\\)"),
        (_q(lambda a: np.sqrt(1 - a), np.sqrt), "swapped"),
        (lambda x0, t, ac, eps: (np.sqrt(np.prod(ac[:t])) * x0 + np.sqrt(1 - np.prod(ac[:t])) * eps, eps),
         "already holds the running product"),
    ],
)
def test_q_sample_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_q_sample(wrong)


def test_q_sample_index_error_at_t_equals_T_names_the_off_by_one():
    def zero_based(x0, t, ac, eps):
        if t == len(ac):  # only the last step goes out of range
            return _q_sample(x0, t + 1, ac, eps)
        return _q_sample(x0, t, ac, eps)
    with pytest.raises(CheckFailed, match="raised IndexError.*\nLikely mistake: t is the maths' step"):
        checks.check_q_sample(zero_based)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda x0, t, ac, eps: _q_sample(x0, t, ac, eps)[0], "not a pair. Return \\(x_t, eps\\)"),
        (lambda x0, t, ac, eps: _q_sample(x0, t, ac, eps)[::-1], "wrong order"),
    ],
)
def test_q_sample_return_value_mistakes_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match=phrase):
        checks.check_q_sample(wrong)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda x0, xt, ab: (xt - ab * x0) / (1 - ab), "the square roots are missing"),
        (lambda x0, xt, ab: (xt - np.sqrt(ab) * x0) / (1 - ab), "divided by 1 - alpha_bar instead"),
        (lambda x0, xt, ab: (xt - ab * x0) / np.sqrt(1 - ab), "sqrt forgotten on alpha_bar"),
        (lambda x0, xt, ab: (xt - x0) / np.sqrt(1 - ab), "x0 was not scaled"),
        (lambda x0, xt, ab: (np.sqrt(ab) * x0 - xt) / np.sqrt(1 - ab), "sign is flipped"),
        (lambda x0, xt, ab: (xt - np.sqrt(ab) * x0) * np.sqrt(1 - ab), "multiplied by sqrt"),
        (lambda x0, xt, ab: xt - np.sqrt(ab) * x0, "division by sqrt\\(1 - alpha_bar\\) is missing"),
    ],
)
def test_equivalent_eps_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_equivalent_eps(wrong)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda a, t, s: _extract(a, np.asarray(t) + 1, s), "0-indexed"),
        (lambda a, t, s: np.asarray(a)[np.asarray(t) - 1], "not reshaped"),
        (lambda a, t, s: np.asarray(a)[np.asarray(t) - 1].reshape(-1, 1), "reshaped to \\[B, 1\\]"),
        (lambda a, t, s: np.asarray(a)[np.asarray(t) - 1].reshape((1,) * (len(s) - 1) + (-1,)), "batch is on the last"),
        (lambda a, t, s: np.asarray(a)[np.asarray(t) - 1].reshape(-1, 1, 1, 1), "always \\[B, 1, 1, 1\\]"),
    ],
)
def test_extract_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_extract(wrong)


def test_extract_index_error_names_the_off_by_one():
    with pytest.raises(CheckFailed, match="IndexError.*\nLikely mistake: t is the maths' step"):
        checks.check_extract(lambda a, t, s: _extract(a, t + 1 if max(t) == len(a) else t, s))
