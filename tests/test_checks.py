"""The visible checks accept correct answers and name the misconception behind typical wrong ones."""

import numpy as np
import pytest

from course_lib.checks import one_step as checks
from course_lib.checks import CheckFailed


def _chain_with(step):
    def chain(x0, betas, eps):
        xs = [np.asarray(x0, dtype=float)]
        for b, e in zip(betas, eps):
            xs.append(step(xs[-1], b, e))
        return np.stack(xs)
    return chain


GOOD_STEP = lambda x, b, e: np.sqrt(1 - b) * x + np.sqrt(b) * e


def test_correct_answers_pass(capsys):
    checks.check_forward_step(GOOD_STEP)
    checks.check_forward_step(lambda x, b, e: (1 - b) ** 0.5 * np.asarray(x) + b**0.5 * np.asarray(e))
    checks.check_forward_chain(_chain_with(GOOD_STEP))
    checks.check_slip(0.3753, -0.4181)
    checks.check_slip(0.37530078505851744, -0.4181447117924608)
    checks.check_choice("b ", **checks.SHRINK_QUESTION)
    assert capsys.readouterr().out.count("✔") == 6


@pytest.mark.parametrize(
    "wrong_step, phrase",
    [
        (lambda x, b, e: np.sqrt(1 - b) * x + b * e, "scaled by beta instead of sqrt(beta)"),
        (lambda x, b, e: x + np.sqrt(b) * e, "shrink factor is missing"),
        (lambda x, b, e: (1 - b) * x + np.sqrt(b) * e, "(1 - beta) instead of sqrt(1 - beta)"),
        (lambda x, b, e: (1 - b) * x + b * e, "both factors are unsquared"),
        (lambda x, b, e: np.sqrt(b) * x + np.sqrt(1 - b) * e, "swapped"),
        (lambda x, b, e: np.sqrt(1 - b) * x - np.sqrt(b) * e, "noise is subtracted"),
    ],
)
def test_forward_step_misconceptions_are_named(wrong_step, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase.replace("(", "\\(").replace(")", "\\)")):
        checks.check_forward_step(wrong_step)
    # the same mistake inside a chain is named by the chain's check too
    with pytest.raises(CheckFailed, match="Likely mistake"):
        checks.check_forward_chain(_chain_with(wrong_step))


def test_forward_step_without_return_is_explained():
    with pytest.raises(CheckFailed, match="without a `return` statement"):
        checks.check_forward_step(lambda x, b, e: None)


def _reused_eps(x0, betas, eps):
    return _chain_with(GOOD_STEP)(x0, betas, [eps[0]] * len(betas))


def _from_x0(x0, betas, eps):
    return np.stack([np.asarray(x0, float)] + [GOOD_STEP(x0, b, e) for b, e in zip(betas, eps)])


def _off_by_one(x0, betas, eps):
    return _chain_with(GOOD_STEP)(x0, np.roll(betas, 1), eps)


@pytest.mark.parametrize(
    "wrong_chain, phrase",
    [
        (lambda x0, b, e: _chain_with(GOOD_STEP)(x0, b, e)[1:], "leaves out x0"),
        (lambda x0, b, e: _chain_with(GOOD_STEP)(x0, b, e)[-1], "only the last state"),
        (_reused_eps, "same eps is reused"),
        (_from_x0, "starts again from x0"),
        (_off_by_one, "off by one"),
    ],
)
def test_forward_chain_misconceptions_are_named(wrong_chain, phrase):
    with pytest.raises(CheckFailed, match=phrase):
        checks.check_forward_chain(wrong_chain)


@pytest.mark.parametrize(
    "x2, eps2, phrase",
    [
        (0.3730, -0.4181, "what the copied example \\*claims\\*"),
        (0.37302, -0.4181, "what the copied example \\*claims\\*"),
        (0.6261, -0.4181, "that is x1"),
        (0.7447, -0.4181, "wrong sign"),
        (0.4774, -0.4181, "beta instead of sqrt\\(beta\\)"),
        (0.3753, -0.4130, "that is the copied eps2"),
        (0.3753, 0.4181, "sign is flipped"),
        (0.3753, -0.935, "divided by beta"),
    ],
)
def test_slip_misconceptions_are_named(x2, eps2, phrase):
    with pytest.raises(CheckFailed, match=phrase):
        checks.check_slip(x2, eps2)
