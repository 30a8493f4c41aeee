"""The forward posterior q(x_{t-1} | x_t, x_0): the toy's numbers, Gaussian conditioning done independently,
a simulation of the chain, the t = 1 edge, per-sample t and bad input."""

import numpy as np
import pytest

from course_lib.forward import forward_chain, forward_step, posterior_mean_var, q_sample
from course_lib.schedules import from_betas, get_schedule, linear_schedule, rescale_zero_terminal_snr

TOY = from_betas([0.2, 0.2])
LINEAR = linear_schedule(1000)


def _conditioned(x0, x_t, t, schedule):
    """Mean and variance of x_{t-1} given x_t and x0, by conditioning the 2 x 2 joint Gaussian numerically.

    Independent of the closed formulas: the joint of (x_{t-1}, x_t) given x0 is built from its definition
    (x_{t-1} ~ N(sqrt(abar_{t-1}) x0, 1 - abar_{t-1}), then x_t = sqrt(alpha_t) x_{t-1} + sqrt(beta_t) eps)
    and conditioned with the general rule mu_1 + S_12 S_22^-1 (x_t - mu_2), S_11 - S_12 S_22^-1 S_21.
    """
    abar_prev = schedule.alpha_bar(t - 1)
    alpha = 1.0 - schedule.betas[t - 1]
    mean = np.array([np.sqrt(abar_prev) * x0, np.sqrt(alpha * abar_prev) * x0])
    v = 1.0 - abar_prev
    cov = np.array([[v, np.sqrt(alpha) * v], [np.sqrt(alpha) * v, alpha * v + schedule.betas[t - 1]]])
    gain = cov[0, 1] / cov[1, 1]
    return mean[0] + gain * (x_t - mean[1]), cov[0, 0] - gain * cov[1, 0]


def test_the_toy_x1_given_x0_and_x2():
    """x0 = 0.80, two steps of beta = 0.20 ending at x2 = 0.3730: x1 was most likely 0.5829, variance 1/9."""
    x2 = float(forward_chain(0.80, [0.2, 0.2], np.array([-0.20, -0.4181]))[-1])
    assert x2 == pytest.approx(0.3730, abs=5e-5)
    mean, var = posterior_mean_var(0.80, x2, 2, TOY)
    # by hand: (sqrt(0.8) * 0.2 * 0.8 + sqrt(0.8) * 0.2 * x2) / 0.36 and 0.2 * 0.2 / 0.36
    assert float(mean) == pytest.approx(np.sqrt(0.8) * 0.2 * (0.80 + x2) / 0.36, abs=1e-14)
    assert float(mean) == pytest.approx(0.58288, abs=1e-5)
    assert float(var) == pytest.approx(1 / 9, abs=1e-15)
    # the x1 the chain really took (0.6261) lies 0.13 posterior standard deviations above the mean
    x1 = float(forward_step(0.80, 0.2, -0.20))
    assert (x1 - float(mean)) / np.sqrt(float(var)) == pytest.approx(0.13, abs=0.005)
    # and the posterior is narrower than what x0 alone says about x1 (variance beta_1 = 0.2)
    assert float(var) < 0.2


def test_toy_posterior_matches_a_simulation_of_the_two_steps():
    """Among simulated chains from x0 = 0.80 that end near x2 = 0.3730, x1 has mean 0.5829 and variance 0.111."""
    rng = np.random.default_rng(0)
    n = 2_000_000
    x1 = forward_step(np.full(n, 0.80), 0.2, rng.standard_normal(n))
    x2 = forward_step(x1, 0.2, rng.standard_normal(n))
    near = np.abs(x2 - 0.3730) < 0.005  # about 12 000 chains
    mean, var = posterior_mean_var(0.80, 0.3730, 2, TOY)
    assert near.sum() > 10_000
    assert x1[near].mean() == pytest.approx(float(mean), abs=0.012)  # 4 standard errors (0.33 / sqrt(12 000))
    assert x1[near].var() == pytest.approx(float(var), rel=0.05)


@pytest.mark.parametrize("name", ["linear", "cosine", "scaled_linear"])
@pytest.mark.parametrize("t", [1, 2, 10, 260, 500, 999, 1000])
def test_formula_equals_gaussian_conditioning_of_the_joint(name, t):
    schedule = get_schedule(name, 1000)
    x0, x_t = np.array([0.8, -1.5, 0.0]), np.array([0.3, 0.9, -2.0])
    mean, var = posterior_mean_var(x0, x_t, t, schedule)
    want_mean, want_var = _conditioned(x0, x_t, t, schedule)
    assert mean == pytest.approx(want_mean, abs=1e-12)
    assert float(var) == pytest.approx(float(want_var), abs=1e-12)


@pytest.mark.parametrize("t", [2, 100, 400, 900])
def test_formula_matches_a_regression_on_simulated_chains(t):
    """For one x0, x_{t-1} drawn by the closed form and x_t by one more step: the least-squares line of
    x_{t-1} on x_t is the posterior mean (exact for jointly Gaussian variables), its residual variance beta~_t."""
    rng = np.random.default_rng(t)
    n, x0 = 400_000, 0.8
    prev, _ = q_sample(np.full(n, x0), t - 1, LINEAR, rng=rng)
    x_t = forward_step(prev, LINEAR.betas[t - 1], rng.standard_normal(n))
    slope, intercept = np.polyfit(x_t, prev, 1)
    residual = prev - (slope * x_t + intercept)
    abar = LINEAR.alpha_bar(t)
    grid = np.sqrt(abar) * x0 + np.sqrt(1 - abar) * np.array([-1.0, 0.0, 1.0])  # where the x_t values lie
    mean, var = posterior_mean_var(np.full(3, x0), grid, t, LINEAR)
    # the fitted line's error there is about sqrt(2 / n) = 0.0022 posterior standard deviations: allow 4.5 of those
    assert slope * grid + intercept == pytest.approx(mean, abs=0.01 * np.sqrt(float(var)))
    assert residual.var() == pytest.approx(float(var), rel=0.01)


def test_t_equals_one_gives_x0_exactly_and_no_variance():
    for schedule in (TOY, LINEAR, get_schedule("cosine", 50)):
        mean, var = posterior_mean_var(np.array([0.3, -0.7, 1.9]), np.array([5.0, 0.0, -3.0]), 1, schedule)
        assert np.array_equal(mean, [0.3, -0.7, 1.9]) and float(var) == 0.0


def test_posterior_is_narrower_than_the_step_and_tends_to_it():
    """beta~_t < beta_t for t >= 2 (knowing x0 helps), and beta~_t / beta_t -> 1 once alpha_bar is small."""
    ratios = np.array([float(posterior_mean_var(0.0, 0.0, t, LINEAR)[1]) / LINEAR.betas[t - 1]
                       for t in (2, 10, 100, 500, 1000)])
    assert np.all(ratios < 1)
    assert ratios[0] == pytest.approx(LINEAR.betas[0] / (1 - LINEAR.alphas_cumprod[1]), rel=1e-12)  # about 1/2
    assert ratios[-1] == pytest.approx(1.0, abs=1e-4)


def test_per_sample_t_broadcasts_like_q_sample():
    rng = np.random.default_rng(5)
    x0, x_t = rng.standard_normal((4, 3, 2, 2)), rng.standard_normal((4, 3, 2, 2))
    t = np.array([1, 250, 500, 1000])
    mean, var = posterior_mean_var(x0, x_t, t, LINEAR)
    assert mean.shape == x0.shape and var.shape == (4, 1, 1, 1)
    for b, step in enumerate(t):
        m_b, v_b = posterior_mean_var(x0[b], x_t[b], int(step), LINEAR)
        assert mean[b] == pytest.approx(m_b, abs=1e-15) and var[b, 0, 0, 0] == pytest.approx(float(v_b), abs=1e-15)
    m1, v1 = posterior_mean_var(x0[:, 0, 0, 0], x_t[:, 0, 0, 0], t, LINEAR)  # 1-D data: variance [B]
    assert m1 == pytest.approx(mean[:, 0, 0, 0], abs=1e-15) and v1.shape == (4,)


def test_zero_terminal_snr_schedule_stays_finite_at_T():
    zero = rescale_zero_terminal_snr(get_schedule("scaled_linear", 1000))
    mean, var = posterior_mean_var(0.5, 1.2, 1000, zero)
    # alpha_T = 0: x_T says nothing, so the posterior is q(x_{T-1} | x0) itself
    assert float(mean) == pytest.approx(np.sqrt(zero.alphas_cumprod[-2]) * 0.5, abs=1e-12)
    assert float(var) == pytest.approx(1 - zero.alphas_cumprod[-2], abs=1e-12)


def test_inputs_are_not_modified():
    x0, x_t, t = np.array([1.0, 2.0]), np.array([0.5, -0.5]), np.array([3, 7])
    posterior_mean_var(x0, x_t, t, LINEAR)
    assert np.array_equal(x0, [1.0, 2.0]) and np.array_equal(x_t, [0.5, -0.5]) and np.array_equal(t, [3, 7])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: posterior_mean_var(1.0, 0.5, 0, TOY), ValueError, "t must lie in 1..2"),
        (lambda: posterior_mean_var(1.0, 0.5, 3, TOY), ValueError, "t must lie in 0..2"),
        (lambda: posterior_mean_var(np.ones(2), np.ones(2), np.array([0, 1]), TOY), ValueError, "t must lie in 1..2"),
        (lambda: posterior_mean_var(np.ones(3), np.ones(3), np.array([1, 2]), TOY), ValueError, "t has 2 entries"),
        (lambda: posterior_mean_var(np.ones(2), np.ones(3), 1, TOY), ValueError, "x_t must have shape \\(2,\\)"),
        (lambda: posterior_mean_var(np.nan, 0.5, 1, TOY), ValueError, "x0 must be finite"),
        (lambda: posterior_mean_var(1.0, 0.5, 1.5, TOY), ValueError, "whole timesteps"),
        (lambda: posterior_mean_var(1.0, 0.5, 1, np.array([0.8, 0.64])), TypeError, "schedule must be a course_lib"),
        (lambda: posterior_mean_var("a", 0.5, 1, TOY), TypeError, "x0 must be a real number"),
    ],
)
def test_bad_input_is_refused_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()
