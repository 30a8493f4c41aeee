"""Additions for notebooks 01 and 03: the two-mode data, the gift-box image, Phi, and Var(x_t) after t steps."""

import math

import numpy as np
import pytest

from course_lib import data
from course_lib.forward import forward_chain, variance_after_steps
from course_lib.stats import standard_normal_cdf


# --- data.bimodal ---------------------------------------------------------------------------------------

def test_bimodal_has_the_stated_moments():
    x = data.bimodal(400_000, np.random.default_rng(0))
    assert x.shape == (400_000,) and x.dtype == np.float64
    # variance s^2 + w (1 - w) (m1 - m2)^2 = 0.35^2 + 0.25 * 16 = 4.1225; standard errors ~0.003 and ~0.005
    assert abs(x.mean()) < 0.02
    assert x.var() == pytest.approx(4.1225, abs=0.03)
    assert np.mean(x < 0) == pytest.approx(0.5, abs=0.005)
    # each mode is N(m, 0.35^2): 68.3 % of the left mode within one std of -2
    left = x[x < 0]
    assert np.mean(np.abs(left + 2.0) < 0.35) == pytest.approx(0.6827, abs=0.005)


def test_bimodal_weights_means_and_seeds():
    x = data.bimodal(100_000, np.random.default_rng(1), means=(-1.0, 3.0), std=0.1, weight=0.2)
    assert np.mean(x < 1.0) == pytest.approx(0.2, abs=0.005)
    assert x.mean() == pytest.approx(0.2 * -1.0 + 0.8 * 3.0, abs=0.02)
    assert np.array_equal(data.bimodal(10, np.random.default_rng(7)), data.bimodal(10, np.random.default_rng(7)))


@pytest.mark.parametrize(
    "kwargs, error, phrase",
    [
        ({"n": 0}, ValueError, "n must be a positive integer"),
        ({"n": 2.5}, ValueError, "n must be a positive integer"),
        ({"rng": 3}, TypeError, "rng must be a numpy.random.Generator"),
        ({"std": 0.0}, ValueError, "std must be a positive number"),
        ({"weight": 1.0}, ValueError, "weight must lie strictly between 0 and 1"),
    ],
)
def test_bimodal_rejects_bad_arguments(kwargs, error, phrase):
    args = {"n": 10, "rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=phrase):
        data.bimodal(**args)


# --- data.gift_image --------------------------------------------------------------------------------------

def test_gift_image_is_a_bright_image_on_white():
    gift = data.gift_image(64)
    assert gift.shape == (3, 64, 64) and gift.dtype == np.float64
    assert gift.min() >= -1.0 and gift.max() <= 1.0
    assert np.all(gift[:, 0, 0] == 1.0)  # the transparent background is flattened onto white
    assert gift.mean() > 0.4 > data.sample_image(64).mean()  # as unlike the portrait as we could find
    assert data.gift_image(32, gray=True).shape == (1, 32, 32)
    with pytest.raises(ValueError, match="size must be an integer pixel count"):
        data.gift_image(4)


# --- stats.standard_normal_cdf -----------------------------------------------------------------------------

def test_standard_normal_cdf_reference_values():
    assert standard_normal_cdf(0.0) == 0.5
    assert standard_normal_cdf(1.959963984540054) == pytest.approx(0.975, abs=1e-15)
    assert standard_normal_cdf(-1.0) == pytest.approx(0.15865525393145707, abs=1e-15)
    x = np.linspace(-6, 6, 25).reshape(5, 5)
    phi = standard_normal_cdf(x)
    assert phi.shape == (5, 5)
    assert np.allclose(phi + standard_normal_cdf(-x), 1.0, atol=1e-15)
    assert np.all(np.diff(phi.ravel()) > 0)


# --- forward.variance_after_steps --------------------------------------------------------------------------

def _iterate(var0, beta, t, shrink):
    v = var0
    for _ in range(t):
        v = (1 - beta) * v + beta if shrink else v + beta
    return v


@pytest.mark.parametrize("shrink", [True, False])
@pytest.mark.parametrize("var0, beta, t", [(4.0, 0.02, 100), (0.0, 0.5, 3), (1.0, 0.3, 7), (9.0, 0.999, 1)])
def test_variance_after_steps_is_the_recursion_iterated(var0, beta, t, shrink):
    assert variance_after_steps(var0, beta, t, shrink=shrink) == pytest.approx(_iterate(var0, beta, t, shrink),
                                                                              rel=1e-12)


def test_variance_after_steps_limits_and_broadcasting():
    t = np.arange(0, 2001, 500)
    with_shrink = variance_after_steps(np.array([[0.0], [4.0]]), 0.02, t)
    assert with_shrink.shape == (2, 5)
    assert np.allclose(with_shrink[:, 0], [0.0, 4.0]) and np.allclose(with_shrink[:, -1], 1.0, atol=1e-15)
    assert np.allclose(variance_after_steps(1.0, 0.02, t), 1.0, atol=1e-15)  # variance 1 is a fixed point
    assert np.array_equal(variance_after_steps(2.0, 0.25, t, shrink=False), 2.0 + 0.25 * t)


def test_variance_after_steps_matches_simulated_chains():
    rng = np.random.default_rng(4)
    n, T, beta = 100_000, 60, 0.05
    x0 = 2.0 * rng.standard_normal(n)  # var0 = 4
    eps = rng.standard_normal((T, n))
    measured = forward_chain(x0, np.full(T, beta), eps)[-1].var()
    expected = variance_after_steps(4.0, beta, T)  # 0.95^60 * 4 + 1 - 0.95^60 = 1.1383
    assert expected == pytest.approx(0.95**60 * 3 + 1, rel=1e-12)
    # the sample variance of n Gaussian values has relative standard error sqrt(2 / n) = 0.45 %
    assert measured == pytest.approx(expected, rel=4 * math.sqrt(2 / n))


@pytest.mark.parametrize(
    "args, phrase",
    [
        ((-1.0, 0.1, 3), "var0 must be a variance"),
        ((1.0, 0.0, 3), "beta must lie strictly between 0 and 1"),
        ((1.0, 0.1, -1), "t must hold whole numbers of steps"),
        ((1.0, 0.1, 2.5), "t must hold whole numbers of steps"),
    ],
)
def test_variance_after_steps_rejects_bad_arguments(args, phrase):
    with pytest.raises(ValueError, match=phrase):
        variance_after_steps(*args)
