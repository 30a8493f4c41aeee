"""course_lib.score's continuous-time limit (notebook 05, section 5): DDPM's chain against the VP SDE
dx = -1/2 beta(tau) x dtau + sqrt(beta(tau)) dW, with beta(tau) = 0.1 + 19.9 tau.

Every number here is computed independently of the notebook (a product of a million factors, closed forms,
simulation with fixed seeds); tolerances are stated at each assertion.
"""

import math

import numpy as np
import pytest

from course_lib.forward import forward_chain
from course_lib.schedules import cosine_schedule, from_alphas_cumprod, linear_schedule
from course_lib.score import (
    GaussianMixture,
    exact_score_fn,
    sample_reverse,
    variance_path,
    vp_alpha_bar,
    vp_beta,
    vp_euler_maruyama_steps,
    vp_schedule,
)

BIMODAL = GaussianMixture([0.3, 0.7], [-2.0, 2.0], [0.35**2, 0.35**2])  # notebook 05's data


def test_alpha_bar_is_the_limit_of_the_chains_product():
    """prod (1 - beta(u) du) over a million midpoint steps equals exp(-integral) to 1e-4 relative: the product
    falls short by a factor of about exp(-du / 2 * integral of beta^2), 7e-5 at tau = 1."""
    n = 1_000_000
    du = 1.0 / n
    for tau in (0.25, 0.5, 1.0):
        u = (np.arange(int(round(tau * n))) + 0.5) * du
        product = np.exp(np.sum(np.log1p(-vp_beta(u) * du)))
        assert vp_alpha_bar(tau) == pytest.approx(product, rel=1e-4)
        shortfall = 0.5 * du * np.sum(vp_beta(u) ** 2 * du)
        assert np.log(vp_alpha_bar(tau) / product) == pytest.approx(shortfall, rel=0.01)
    assert vp_alpha_bar(1.0) == pytest.approx(math.exp(-10.05), rel=1e-12)
    assert vp_alpha_bar(1.0) == pytest.approx(4.3186e-05, rel=1e-4)
    np.testing.assert_allclose(vp_alpha_bar(np.array([[0.0, 0.5], [1.0, 0.2]]), 1.0, 3.0),
                               np.exp(-np.array([[0.0, 0.75], [2.0, 0.24]])), rtol=1e-14)


def test_ddpm_linear_schedule_is_the_euler_discretisation_of_the_rate():
    """Its 1000 betas are beta(tau) / 1000 at tau = (t - 1) / 999, to 1e-15; its alpha_bar_T is 6.5 % below
    the SDE's, because prod (1 - beta) < exp(-sum beta)."""
    T = 1000
    linear = linear_schedule(T)
    np.testing.assert_allclose(linear.betas, vp_beta(np.arange(T) / (T - 1)) / T, rtol=0, atol=1e-15)
    assert np.sum(linear.betas) == pytest.approx(10.05, rel=1e-12)
    assert linear.alphas_cumprod[-1] == pytest.approx(4.0358e-05, rel=1e-4)
    assert linear.alphas_cumprod[-1] / vp_alpha_bar(1.0) == pytest.approx(0.9345, abs=1e-3)


@pytest.mark.parametrize("T, largest_beta, rate_gap", [(10, 0.8505, 0.5525), (100, 0.18045, 0.09322),
                                                        (1000, 0.019792, 0.009929)])
def test_chain_at_the_sdes_noise_levels(T, largest_beta, rate_gap):
    """Exact at its own times for any T; its noise per unit time T beta_t approaches beta(tau) at the step's
    midpoint, the largest relative gap falling tenfold per tenfold steps (values to 1e-3 relative)."""
    chain = vp_schedule(T)
    tau = np.arange(T + 1) / T
    np.testing.assert_allclose(chain.alphas_cumprod, vp_alpha_bar(tau[1:]), rtol=1e-14)
    assert np.all((chain.betas > 0) & (chain.betas < 1))
    assert chain.betas.max() == pytest.approx(largest_beta, rel=1e-3)
    gap = np.abs(T * chain.betas / vp_beta((tau[1:] + tau[:-1]) / 2) - 1).max()
    assert gap == pytest.approx(rate_gap, rel=1e-3)
    np.testing.assert_allclose(variance_path(np.sqrt(chain.alphas), chain.betas), 1 - vp_alpha_bar(tau),
                               rtol=0, atol=1e-13)


def test_euler_maruyama_converges_to_the_sde_at_first_order():
    """Variance of a fixed start at tau = 1: 1.8175, 1.0495, 1.0047 for T = 10, 100, 1000 (to 1e-4), against
    the SDE's 1 - 4.3e-5; the largest gap over the path shrinks by 8x to 12x per tenfold steps."""
    gaps, ends = [], []
    for T in (10, 100, 1000):
        a, b = vp_euler_maruyama_steps(T)
        tau = np.arange(T) / T
        np.testing.assert_allclose(b, vp_beta(tau) / T, rtol=1e-15)
        np.testing.assert_allclose(a, 1 - 0.5 * b, rtol=1e-15)
        path = variance_path(a, b)
        ends.append(path[-1])
        gaps.append(np.abs(path - (1 - vp_alpha_bar(np.arange(T + 1) / T))).max())
    np.testing.assert_allclose(ends, [1.8175, 1.0495, 1.0047], atol=1e-4)
    assert 8 < gaps[0] / gaps[1] < 20 and 8 < gaps[1] / gaps[2] < 12
    assert gaps[2] == pytest.approx(0.00476, abs=1e-4)


def test_variance_path_is_what_simulation_measures():
    """200 000 simulated paths from x0 = 1.5: the sample variance at every step is within 4 standard errors of
    variance_path (s.e. = var * sqrt(2 / n)), for the Euler-Maruyama scheme and for the chain (forward_chain)."""
    rng = np.random.default_rng(7)
    n, T = 200_000, 10
    a, b = vp_euler_maruyama_steps(T)
    x, simulated = np.full(n, 1.5), [0.0]
    for k in range(T):
        x = a[k] * x + np.sqrt(b[k]) * rng.standard_normal(n)
        simulated.append(x.var())
    exact = variance_path(a, b)
    assert np.all(np.abs(np.array(simulated) - exact) <= 4 * exact * np.sqrt(2 / n) + 1e-12)
    assert x.mean() == pytest.approx(1.5 * np.prod(a), abs=4 * np.sqrt(exact[-1] / n))
    chain = vp_schedule(T)
    states = forward_chain(np.full(n, 1.5), chain.betas, rng.standard_normal((T, n)))
    expected = 1 - vp_alpha_bar(np.arange(T + 1) / T)
    assert np.all(np.abs(states.var(axis=1) - expected) <= 4 * expected * np.sqrt(2 / n) + 1e-12)


def test_ddpm_reverse_step_is_the_reverse_sdes_euler_step_to_first_order():
    """(x + beta s) / sqrt(1 - beta) against x + beta x / 2 + beta s: the gap is O(beta^2) (x 100 when beta / 10)."""
    x, s = np.linspace(-3, 3, 13), -np.linspace(-3, 3, 13) / 0.5
    gaps = [np.abs((x + beta * s) / np.sqrt(1 - beta) - (x + 0.5 * beta * x + beta * s)).max() for beta in (1e-2, 1e-3)]
    assert gaps[0] / gaps[1] == pytest.approx(100, rel=0.02)


def test_ten_reverse_steps_are_too_few_for_the_exact_score():
    """Cosine, T = 200, and every 20th of its noise levels (10 steps), the exact score, 20 000 particles (seed 1):
    each mode of the 10-step sampler is 8 % or more too wide (0.35 is right); 200 steps get both within 3 %."""
    schedule = cosine_schedule(200)
    exact = exact_score_fn(BIMODAL)
    rng = np.random.default_rng(1)
    x_T = rng.standard_normal(20_000)

    def widths(s):
        x = sample_reverse(exact, s, x_T, rng=rng)[0]
        r = BIMODAL.responsibilities(x)
        means = (r * x[:, None]).sum(0) / r.sum(0)
        return np.sqrt((r * (x[:, None] - means) ** 2).sum(0) / r.sum(0))

    coarse = widths(from_alphas_cumprod(schedule.alphas_cumprod[19::20]))
    fine = widths(schedule)
    assert np.all(coarse > 1.08 * 0.35)
    assert np.all(np.abs(fine - 0.35) < 0.03 * 0.35)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="tau must lie in"):
        vp_alpha_bar(1.5)
    with pytest.raises(ValueError, match="beta_min <= beta_max"):
        vp_beta(0.5, 20.0, 0.1)
    with pytest.raises(ValueError, match="num_timesteps"):
        vp_schedule(0)
    with pytest.raises(ValueError, match="equal length"):
        variance_path(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="0 or more"):
        variance_path(np.ones(3), -np.ones(3))
