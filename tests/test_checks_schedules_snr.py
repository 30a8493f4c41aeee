"""Notebook 04's visible checks accept correct answers and name the misconception behind typical wrong ones."""

import math

import numpy as np
import pytest

from course_lib.checks import CheckFailed
from course_lib.checks import schedules_snr as checks


def _f(t, T, s):
    return np.cos((np.asarray(t, dtype=float) / T + s) / (1 + s) * math.pi / 2) ** 2


def good_cosine(T, s):
    t = np.arange(1, T + 1)
    return _f(t, T, s) / _f(0, T, s)


def _first_t(below):
    """The first 1-based t where ``below`` is True, or None."""
    hits = np.flatnonzero(below)
    return int(hits[0]) + 1 if hits.size else None


def good_t_at_snr(alphas_cumprod, value):
    return _first_t(snr(np.asarray(alphas_cumprod)) <= value)


def snr(a):  # the name good_t_at_snr looks up: the check swaps in its own known-good snr meanwhile
    raise AssertionError("check_t_at_snr must substitute a known-good snr")


def good_pool(x, k):
    H, W = x.shape[-2:]
    return x.reshape(*x.shape[:-2], H // k, k, W // k, k).mean(axis=(-3, -1))


def test_correct_answers_pass(capsys):
    checks.check_linear_betas(lambda T, a, b: np.linspace(a, b, T))
    checks.check_linear_betas(lambda T, a, b: [a + (b - a) * i / (T - 1) for i in range(T)])  # a list, a loop
    checks.check_alphas_cumprod_from_betas(lambda betas: np.cumprod(1 - betas))
    checks.check_alphas_cumprod_from_betas(lambda betas: np.exp(np.cumsum(np.log1p(-betas))))  # sum of logs
    checks.check_cosine_alphas_cumprod(good_cosine)
    checks.check_snr(lambda a: a / (1 - a))
    checks.check_snr(lambda a: 1 / (1 / a - 1))
    checks.check_t_at_snr(good_t_at_snr)
    checks.check_t_at_snr(lambda a, v: next((t for t, x in enumerate(a, 1) if x / (1 - x) <= v), None))
    checks.check_average_pool(good_pool)
    checks.check_average_pool(lambda x, k: sum(x[..., i::k, j::k] for i in range(k) for j in range(k)) / k**2)
    checks.check_choice(" c", "waste_answer")
    assert capsys.readouterr().out.count("✔") == 12


def test_good_snr_is_the_formula():
    assert np.array_equal(checks.good_snr(np.array([0.5, 0.75, 0.0])), [1.0, 3.0, 0.0])


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda T, a, b: np.linspace(a, b, T + 1)[1:], "off-by-one in t: beta_1 must be beta_start"),
        (lambda T, a, b: np.linspace(a, b, T, endpoint=False), "off-by-one in t: the last beta must be beta_end"),
        (lambda T, a, b: np.linspace(b, a, T), "swapped"),
        (lambda T, a, b: np.linspace(a**0.5, b**0.5, T) ** 2, "scaled\\* linear schedule"),
        (lambda T, a, b: 1 - np.linspace(a, b, T), "that is alpha_t = 1 - beta_t"),
        (lambda T, a, b: np.cumprod(1 - np.linspace(a, b, T)), "that is alpha_bar_t"),
    ],
)
def test_linear_betas_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_linear_betas(wrong)


def test_linear_betas_off_by_one_only_at_large_T_is_named():
    # right on T = 5 but built with arange, which stops one step short of beta_end
    def arange_betas(T, a, b):
        return np.linspace(a, b, T) if T < 10 else np.arange(a, b, (b - a) / T)
    with pytest.raises(CheckFailed, match="at t = 1, 2, 500, 999, 1000.*\nLikely mistake: an off-by-one in t"):
        checks.check_linear_betas(arange_betas)
    with pytest.raises(CheckFailed, match="returned shape \\(1001,\\), expected \\(1000,\\)"):
        checks.check_linear_betas(lambda T, a, b: np.linspace(a, b, T) if T < 10 else np.linspace(a, b, T + 1))


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda b: np.cumsum(1 - b), "cumsum for cumprod"),
        (lambda b: 1 - np.cumsum(b), "1 - cumsum\\(beta\\) adds the variances up"),
        (lambda b: 1 - b, "alpha where alpha_bar belongs"),
        (lambda b: np.cumprod(b), "product of the betas"),
        (lambda b: np.concatenate([[1.0], np.cumprod(1 - b)[:-1]]), "off-by-one in t: entry t - 1 must be alpha_bar_t"),
        (lambda b: np.concatenate([[1.0], np.cumprod(1 - b)]), "off-by-one in t: the array starts with alpha_bar_0"),
    ],
)
def test_alphas_cumprod_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_alphas_cumprod_from_betas(wrong)


def test_alphas_cumprod_that_modifies_betas_in_place_still_gets_fresh_input():
    def in_place(betas):
        betas *= -1
        betas += 1
        return np.cumprod(betas)
    checks.check_alphas_cumprod_from_betas(in_place)  # each case hands over a copy, so the literals stay valid


def _clipped(T, s):
    abar = good_cosine(T, s)
    betas = np.minimum(1 - abar / np.concatenate([[1.0], abar[:-1]]), 0.999)
    return np.cumprod(1 - betas)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda T, s: np.cos(np.arange(1, T + 1) / T * math.pi / 2) ** 2, "the s offset is dropped"),
        (lambda T, s: _f(np.arange(1, T + 1), T, s), "must be normalised by f\\(0\\)"),
        (lambda T, s: _f(np.arange(1, T + 1), T, s) / _f(np.arange(T), T, s), "alpha where alpha_bar belongs"),
        (lambda T, s: _f(np.arange(T), T, s) / _f(0, T, s), "off-by-one in t: the first entry must be alpha_bar_1"),
        (lambda T, s: _f(np.arange(T + 1), T, s) / _f(0, T, s), "off-by-one in t: return T values"),
        (lambda T, s: np.sqrt(good_cosine(T, s)), "cos \\*squared\\*"),
        (lambda T, s: np.cos((np.arange(1, T + 1) / T + s) * math.pi / 2) ** 2 / np.cos(s * math.pi / 2) ** 2,
         "divided by 1 \\+ s"),
        (_clipped, "clipped at 0.999"),
    ],
)
def test_cosine_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_cosine_alphas_cumprod(wrong)


def test_cosine_without_return_is_explained():
    with pytest.raises(CheckFailed, match="no `return` statement"):
        checks.check_cosine_alphas_cumprod(lambda T, s: None)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda a: (1 - a) / a, "noise-to-signal ratio"),
        (lambda a: np.sqrt(a / (1 - a)), "ratio of standard deviations"),
        (lambda a: a, "the noise variance is missing"),
        (lambda a: np.log(a / (1 - a)), "that is log SNR"),
        (lambda a: np.sqrt(a) / (1 - a), "mixes a scale with a variance"),
    ],
)
def test_snr_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_snr(wrong)


def _zero_based(a, v):
    t = good_t_at_snr(a, v)
    return None if t is None else t - 1


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (_zero_based, "off-by-one in t: that is the 0-based array index"),
        (lambda a, v: _first_t(snr(np.asarray(a)) < v), "'drops to or below' includes equality"),
        (lambda a, v: _first_t(np.asarray(a) <= v), "alpha_bar where SNR belongs"),
        (lambda a, v: _first_t(np.log(snr(np.asarray(a))) <= v), "log SNR was compared with value"),
        (lambda a, v: int(np.argmax(snr(np.asarray(a)) <= v)) + 1, "np.argmax of an all-False array is 0"),
        (lambda a, v: float(good_t_at_snr(a, v) or 0), "expected the whole number"),
    ],
)
def test_t_at_snr_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match=phrase):
        checks.check_t_at_snr(wrong)


def test_t_at_snr_is_checked_with_a_good_snr_in_place():
    # a learner whose own snr is wrong (sqrt) still passes t_at_snr: the check swaps in good_snr meanwhile
    namespace = {"np": np, "snr": lambda a: np.sqrt(a / (1 - a))}
    exec("def t_at_snr(a, v):\n    hits = np.flatnonzero(snr(np.asarray(a)) <= v)\n"
         "    return int(hits[0]) + 1 if hits.size else None", namespace)
    checks.check_t_at_snr(namespace["t_at_snr"])
    assert namespace["snr"](0.5) == 1.0 and namespace["snr"](0.8) == pytest.approx(2.0)  # restored afterwards


def test_t_at_snr_wrong_on_the_real_schedule_only():
    def only_small(a, v):
        return good_t_at_snr(a, v) if len(a) < 10 else 259
    with pytest.raises(CheckFailed, match="DDPM's linear schedule .* got 259, expected 260"):
        checks.check_t_at_snr(only_small)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda x, k: x[..., ::k, ::k], "Subsampling keeps every bit of the noise"),
        (lambda x, k: good_pool(x, k) * k * k, "summed, not averaged"),
        (lambda x, k: good_pool(x, k) * k, "divided by k instead of k \\* k"),
        (lambda x, k: x.reshape(*x.shape[:-2], x.shape[-2] // k, k, x.shape[-1] // k, k).max(axis=(-3, -1)),
         "max pooling"),
        (lambda x, k: x.reshape(*x.shape[:-2], x.shape[-2] // k, x.shape[-1] // k, k, k).mean(axis=(-2, -1)),
         "blocks are cut in the wrong order"),
    ],
)
def test_average_pool_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_average_pool(wrong)


def test_average_pool_that_drops_the_batch_axis_is_explained():
    def batch_dropped(x, k):  # e.g. pooled x[0] only, or squeezed the batch away
        return good_pool(x, k) if x.ndim == 2 else good_pool(x, k)[0]
    with pytest.raises(CheckFailed, match="pool the last two axes \\(H, W\\) only, keep batch and channels"):
        checks.check_average_pool(batch_dropped)
