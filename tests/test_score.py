"""course_lib.score: exact scores against finite differences, Tweedie against Monte Carlo, and the
exact-score sampler regenerating the data (a wrong score does not). Seeds are fixed; tolerances stated."""

import numpy as np
import pytest

from course_lib.schedules import Schedule, cosine_schedule, from_betas, linear_schedule
from course_lib.score import (
    GaussianMixture,
    conditional_mean_by_bins,
    ddpm_step,
    eps_from_score,
    exact_score_fn,
    fit_score_from_samples,
    gaussian_score,
    probability_flow_step,
    sample_reverse,
    score_from_eps,
    tweedie_denoise,
)
from course_lib.stats import ks_2samp

BIMODAL = GaussianMixture([0.3, 0.7], [-2.0, 2.0], [0.35**2, 0.35**2])  # notebook 05's data
PLANE = GaussianMixture([0.2, 0.5, 0.3], [[-1.0, 0.5], [1.5, -1.0], [0.0, 2.0]],
                        [[[0.5, 0.2], [0.2, 0.3]], [[0.2, -0.1], [-0.1, 0.4]], [[1.0, 0.0], [0.0, 0.1]]])
_ANGLES = np.arange(8) * np.pi / 4
RING = GaussianMixture(np.full(8, 1 / 8), 2.0 * np.stack([np.cos(_ANGLES), np.sin(_ANGLES)], axis=1),
                       np.full(8, 0.15**2))
SCHEDULE = cosine_schedule(200)


def _fitted(mixture, x):
    """Weights and means of 1-D samples ``x``, by soft assignment to the mixture's components."""
    r = mixture.responsibilities(x)
    return r.mean(axis=0), (r * x[:, None]).sum(axis=0) / r.sum(axis=0)


# --- densities and scores -----------------------------------------------------------------------------

def test_pdf_integrates_to_one_and_matches_the_formula():
    grid = np.linspace(-8, 8, 16001)
    assert np.sum(BIMODAL.pdf(grid)) * (grid[1] - grid[0]) == pytest.approx(1.0, abs=1e-9)
    x = 1.7
    by_hand = sum(w * np.exp(-(x - m) ** 2 / (2 * v)) / np.sqrt(2 * np.pi * v)
                  for w, m, v in ((0.3, -2.0, 0.1225), (0.7, 2.0, 0.1225)))
    assert BIMODAL.pdf(x) == pytest.approx(by_hand, rel=1e-13)


def test_2d_pdf_integrates_to_one():
    ticks = np.linspace(-6, 6, 601)
    gx, gy = np.meshgrid(ticks, ticks)
    mass = PLANE.pdf(np.stack([gx, gy], axis=-1)).sum() * (ticks[1] - ticks[0]) ** 2
    assert mass == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("alpha_bar", [1.0, 0.8, 0.3, 0.01])
def test_1d_score_matches_finite_differences_of_log_pdf(alpha_bar):
    q = BIMODAL.noised(alpha_bar)
    x, h = np.linspace(-4.5, 4.5, 181), 1e-5
    numeric = (q.log_pdf(x + h) - q.log_pdf(x - h)) / (2 * h)
    assert np.max(np.abs(q.score(x) - numeric)) < 1e-5 * (1 + np.max(np.abs(numeric)))


@pytest.mark.parametrize("alpha_bar", [1.0, 0.5, 0.05])
def test_2d_score_matches_finite_differences_of_log_pdf(alpha_bar):
    q = PLANE.noised(alpha_bar)
    x = np.random.default_rng(0).normal(scale=2.0, size=(50, 2))
    h = 1e-5
    numeric = np.stack([(q.log_pdf(x + h * e) - q.log_pdf(x - h * e)) / (2 * h) for e in np.eye(2)], axis=-1)
    assert q.score(x).shape == (50, 2)
    np.testing.assert_allclose(q.score(x), numeric, atol=1e-6, rtol=1e-6)


def test_score_is_stable_far_away_and_for_tiny_variances():
    x = np.array([-50.0, 50.0])
    # far from the data the nearest component wins: score = -(x - mu) / var, exactly
    np.testing.assert_allclose(BIMODAL.score(x), [-(-50 + 2) / 0.1225, -(50 - 2) / 0.1225], rtol=1e-12)
    assert np.all(np.isfinite(BIMODAL.log_pdf(x)))
    sharp = GaussianMixture([0.4, 0.6], [-1.0, 1.0], [1e-6, 1e-6])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # exp may underflow to 0: that is fine
        got = sharp.score(np.array([-50.0, -1.0, 0.5, 50.0]))
        logs = sharp.log_pdf(np.array([-50.0, 50.0]))
    np.testing.assert_allclose(got, [-(-50 + 1) / 1e-6, 0.0, -(0.5 - 1) / 1e-6, -(50 - 1) / 1e-6], rtol=1e-12)
    assert logs[1] == pytest.approx(np.log(0.6) - 0.5 * np.log(2 * np.pi * 1e-6) - 49**2 / 2e-6, rel=1e-12)
    ring_far = RING.score(np.array([[50.0, -50.0]]))
    assert np.all(np.isfinite(ring_far)) and np.all(np.sign(ring_far) == [[-1, 1]])


def test_gaussian_score_and_a_one_component_mixture_agree():
    x = np.linspace(-3, 3, 7)
    single = GaussianMixture([1.0], [0.5], [0.64])
    np.testing.assert_allclose(single.score(x), gaussian_score(x, 0.5, 0.64), rtol=1e-14)
    np.testing.assert_allclose(gaussian_score(x, 0.5, 0.64), -(x - 0.5) / 0.64, rtol=1e-14)


def test_noised_marginal_is_the_closed_form_and_matches_the_forward_process():
    q = BIMODAL.noised(0.64)
    np.testing.assert_allclose(q.means, [-1.6, 1.6], rtol=1e-15)
    np.testing.assert_allclose(q.covariances, [0.64 * 0.1225 + 0.36] * 2, rtol=1e-15)
    assert BIMODAL.noised(1.0).covariances.tolist() == BIMODAL.covariances.tolist()
    pure = BIMODAL.noised(0.0)  # pure noise: N(0, 1) whatever the data, whose score is -x
    np.testing.assert_allclose(pure.score(np.linspace(-3, 3, 7)), -np.linspace(-3, 3, 7), atol=1e-15)
    q2 = PLANE.noised(0.3)
    np.testing.assert_allclose(q2.covariances, 0.3 * PLANE.covariances + 0.7 * np.eye(2), rtol=1e-15)
    # forward samples sqrt(ab) x0 + sqrt(1 - ab) eps against draws of the noised mixture: KS does not reject
    rng = np.random.default_rng(11)
    x0 = BIMODAL.sample(20_000, rng)
    forward = 0.8 * x0 + 0.6 * rng.standard_normal(x0.shape)
    _, p = ks_2samp(forward, q.sample(20_000, rng))
    assert p > 0.01


def test_sample_has_the_mixture_moments():
    """n = 100 000; tolerances about 5 standard errors."""
    rng = np.random.default_rng(3)
    x = BIMODAL.sample(100_000, rng)
    assert x.shape == (100_000,)
    assert np.mean(x < 0) == pytest.approx(0.3, abs=0.008)
    assert x.mean() == pytest.approx(0.3 * -2 + 0.7 * 2, abs=0.03)
    y = PLANE.sample(100_000, rng)
    mean = PLANE.weights @ PLANE.means
    cov = sum(w * (c + np.outer(m - mean, m - mean)) for w, m, c in zip(PLANE.weights, PLANE.means, PLANE.covariances))
    np.testing.assert_allclose(y.mean(axis=0), mean, atol=0.02)
    np.testing.assert_allclose(np.cov(y.T), cov, atol=0.03)


# --- noise, score and Tweedie -----------------------------------------------------------------------

def test_one_data_point_score_is_minus_eps_over_sqrt_one_minus_alpha_bar():
    """The toy: x0 = 0.80, alpha_bar = 0.64, x2 = 0.3730, equivalent eps = -0.4450."""
    eps = (0.3730 - 0.8 * 0.8) / 0.6
    assert round(eps, 4) == -0.4450
    assert gaussian_score(0.3730, 0.64, 0.36) == pytest.approx(score_from_eps(eps, 0.64), rel=1e-14)
    assert round(float(score_from_eps(eps, 0.64)), 4) == 0.7417
    rng = np.random.default_rng(0)
    x0, eps, ab = rng.normal(size=50), rng.normal(size=50), 0.37
    x_t = np.sqrt(ab) * x0 + np.sqrt(1 - ab) * eps
    np.testing.assert_allclose(gaussian_score(x_t, np.sqrt(ab) * x0, 1 - ab), -eps / np.sqrt(1 - ab), rtol=1e-10)


def test_score_and_eps_convert_both_ways_with_per_sample_alpha_bar():
    rng = np.random.default_rng(1)
    eps = rng.normal(size=(4, 2))
    ab = np.array([0.0, 0.3, 0.9, 0.999])
    s = score_from_eps(eps, ab)
    np.testing.assert_allclose(s, -eps / np.sqrt(1 - ab)[:, None], rtol=1e-15)
    np.testing.assert_allclose(eps_from_score(s, ab), eps, rtol=1e-12)


def test_tweedie_for_gaussian_data_is_the_posterior_mean_in_closed_form():
    """Data N(mu, v): E[x0 | x_t] = mu + sqrt(ab) v / (ab v + 1 - ab) * (x_t - sqrt(ab) mu)."""
    mu, v, ab = 0.7, 0.5, 0.3
    data = GaussianMixture([1.0], [mu], [v])
    x_t = np.linspace(-3, 3, 13)
    posterior_mean = mu + np.sqrt(ab) * v / (ab * v + 1 - ab) * (x_t - np.sqrt(ab) * mu)
    got = tweedie_denoise(x_t, data.noised(ab).score(x_t), ab)
    np.testing.assert_allclose(got, posterior_mean, rtol=1e-12)
    assert tweedie_denoise(np.array([1.5]), np.array([9.0]), 1.0).tolist() == [1.5]


@pytest.mark.parametrize("t", [20, 80, 140])
def test_tweedie_matches_monte_carlo_of_the_forward_process(t):
    """E[eps | x_t] estimated by binning 400 000 forward samples (bins 0.2 wide) equals
    -sqrt(1 - ab) * score averaged over the same bins. Tolerance: every bin with >= 500 samples within
    4.5 standard errors, and the squared gaps average below 2 (a chi-square per bin has mean 1)."""
    rng = np.random.default_rng(100 + t)
    ab = SCHEDULE.alpha_bar(t)
    x0 = BIMODAL.sample(400_000, rng)
    eps = rng.standard_normal(x0.shape)
    x_t = np.sqrt(ab) * x0 + np.sqrt(1 - ab) * eps
    edges = np.linspace(-4, 4, 41)
    _, eps_mean, eps_err, counts = conditional_mean_by_bins(x_t, eps, edges)
    _, predicted, _, _ = conditional_mean_by_bins(x_t, eps_from_score(BIMODAL.noised(ab).score(x_t), ab), edges)
    ok = counts >= 500
    z = (eps_mean[ok] - predicted[ok]) / eps_err[ok]
    assert ok.sum() >= 20
    assert np.max(np.abs(z)) < 4.5 and np.mean(z**2) < 2.0
    # and E[x0 | x_t] is Tweedie's denoiser, binned the same way
    _, x0_mean, x0_err, _ = conditional_mean_by_bins(x_t, x0, edges)
    _, tweedie, _, _ = conditional_mean_by_bins(x_t, tweedie_denoise(x_t, BIMODAL.noised(ab).score(x_t), ab), edges)
    assert np.max(np.abs(x0_mean[ok] - tweedie[ok]) / x0_err[ok]) < 4.5


def test_conditional_mean_by_bins_on_known_data():
    x = np.array([0.1, 0.2, 0.6, 0.7, 0.9, 1.0, 5.0])
    centres, means, errors, counts = conditional_mean_by_bins(x, 2 * x, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(centres, [0.25, 0.75])
    np.testing.assert_allclose(means, [0.3, 2 * (0.6 + 0.7 + 0.9 + 1.0) / 4])
    assert counts.tolist() == [2, 4]  # 1.0 is on the last edge and counts; 5.0 is outside
    assert errors[0] == pytest.approx(np.std([0.2, 0.4], ddof=1) / np.sqrt(2))


# --- the reverse process ------------------------------------------------------------------------------

def test_ddpm_step_is_the_formula():
    sched = from_betas([0.1, 0.2, 0.3])
    score_fn = exact_score_fn(BIMODAL)
    x, z = np.array([-1.0, 0.5, 2.0]), np.array([0.3, -0.2, 1.0])
    ab3 = 0.9 * 0.8 * 0.7
    expected = (x + 0.3 * BIMODAL.noised(ab3).score(x)) / np.sqrt(0.7) + np.sqrt(0.3) * z
    np.testing.assert_allclose(ddpm_step(x, 3, score_fn, sched, z), expected, rtol=1e-13)


def test_probability_flow_step_is_ddim_and_exact_for_one_data_point():
    """With data a single point x0 (a tiny variance), the deterministic step keeps eps fixed: the noise
    behind x_t, rescaled to the previous level."""
    sched = linear_schedule(50, 1e-3, 0.1)
    point = GaussianMixture([1.0], [1.3], [1e-12])
    x0, eps, t = 1.3, np.array([-0.7, 0.2, 1.5]), 30
    x_t = np.sqrt(sched.alpha_bar(t)) * x0 + np.sqrt(1 - sched.alpha_bar(t)) * eps
    got = probability_flow_step(x_t, t, exact_score_fn(point), sched)
    np.testing.assert_allclose(got, np.sqrt(sched.alpha_bar(t - 1)) * x0 + np.sqrt(1 - sched.alpha_bar(t - 1)) * eps,
                               rtol=1e-9)


@pytest.mark.parametrize("method", ["ddpm", "ode"])
def test_exact_score_sampler_recovers_the_mixture(method):
    """Seed 2024, 20 000 particles, cosine schedule with T = 200. Tolerances: weights within 0.015
    (about 4.5 standard errors), means within 0.03 and each mode's spread within 0.02 of 0.35."""
    rng = np.random.default_rng(2024)
    traj = sample_reverse(exact_score_fn(BIMODAL), SCHEDULE, rng.standard_normal(20_000), method=method, rng=rng)
    assert traj.shape == (201, 20_000)
    x = traj[0]
    weights, means = _fitted(BIMODAL, x)
    np.testing.assert_allclose(weights, [0.3, 0.7], atol=0.015)
    np.testing.assert_allclose(means, [-2.0, 2.0], atol=0.03)
    assert x[x < 0].std() == pytest.approx(0.35, abs=0.02) and x[x > 0].std() == pytest.approx(0.35, abs=0.02)
    _, p = ks_2samp(x, BIMODAL.sample(20_000, rng))
    assert p > 0.001


def test_a_wrong_score_does_not_recover_the_mixture():
    """The score of N(0, 1), -x, from the same start: the samples stay N(0, 1)."""
    rng = np.random.default_rng(2024)
    x = sample_reverse(lambda x, ab: -x, SCHEDULE, rng.standard_normal(20_000), rng=rng)[0]
    weights, means = _fitted(BIMODAL, x)
    assert abs(weights[0] - 0.3) > 0.1 and np.all(np.abs(means - [-2.0, 2.0]) > 0.8)
    assert x.std() == pytest.approx(1.0, abs=0.03)
    _, p = ks_2samp(x, BIMODAL.sample(20_000, rng))
    assert p < 1e-10


def test_2d_exact_score_sampler_recovers_the_ring():
    """Seed 7, 4 000 particles: each of the 8 blobs gets 1/8 within 0.025 (about 4.5 s.e.), radius 2 within 0.03."""
    rng = np.random.default_rng(7)
    x = sample_reverse(exact_score_fn(RING), SCHEDULE, rng.standard_normal((4_000, 2)), rng=rng)[0]
    np.testing.assert_allclose(RING.responsibilities(x).mean(axis=0), 1 / 8, atol=0.025)
    assert np.linalg.norm(x, axis=1).mean() == pytest.approx(2.0, abs=0.03)


def test_sampler_with_given_noise_is_deterministic_and_uses_no_noise_at_t_1():
    sched = from_betas([0.1, 0.2, 0.3])
    noise = np.ones((3, 4))
    x_T = np.linspace(-1, 1, 4)
    a = sample_reverse(exact_score_fn(BIMODAL), sched, x_T, noise=noise)
    assert np.array_equal(a, sample_reverse(exact_score_fn(BIMODAL), sched, x_T, noise=noise.copy()))
    # noise[0] (step t = 1) is ignored: changing it changes nothing
    c = sample_reverse(exact_score_fn(BIMODAL), sched, x_T, noise=np.concatenate([np.full((1, 4), 9.0), noise[1:]]))
    np.testing.assert_array_equal(a, c)
    assert np.array_equal(a[3], x_T)


def test_learned_score_from_samples_approaches_the_exact_one_and_generates():
    """A least-squares eps model per step (DDPM's loss) learns the score where there is data, and sampling
    with it recovers the weights within 0.02 and the means within 0.05 (seed 8)."""
    rng = np.random.default_rng(8)
    learned = fit_score_from_samples(BIMODAL.sample(20_000, rng), SCHEDULE, rng)
    ab = SCHEDULE.alpha_bar(120)
    grid = np.linspace(-2.5, 2.5, 51)
    assert np.max(np.abs(learned(grid, ab) - BIMODAL.noised(ab).score(grid))) < 0.15
    x = sample_reverse(learned, SCHEDULE, rng.standard_normal(10_000), rng=rng)[0]
    weights, means = _fitted(BIMODAL, x)
    np.testing.assert_allclose(weights, [0.3, 0.7], atol=0.02)
    np.testing.assert_allclose(means, [-2.0, 2.0], atol=0.05)


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "weights, means, covariances, match",
    [
        ([0.5, 0.6], [-1, 1], [1, 1], "weights must sum to 1"),
        ([1.2, -0.2], [-1, 1], [1, 1], "weights must all be positive"),
        ([[0.5, 0.5]], [-1, 1], [1, 1], "weights must be a non-empty 1-D"),
        ([0.5, 0.5], [-1, 1], [1, -0.5], "covariances .*must all be positive"),
        ([0.5, 0.5], [-1, 1, 2], [1, 1], "means must have shape \\[K\\]"),
        ([0.5, 0.5], [-1, 1], [1, 1, 1], "covariances must have shape \\[2\\]"),
        ([0.5, 0.5], [[0, 0], [1, 1]], np.ones((2, 3, 3)), "covariances must have shape \\[2\\] .* or \\[2, 2, 2\\]"),
        ([1.0], [[0, 0]], [[[1, 2], [2, 1]]], "positive definite"),
        ([1.0], [[0, 0]], [[[1, 0.5], [0.2, 1]]], "symmetric"),
        ([0.5, 0.5], [-1, np.nan], [1, 1], "means must be finite"),
    ],
)
def test_bad_mixtures_are_rejected_with_the_argument_named(weights, means, covariances, match):
    with pytest.raises(ValueError, match=match):
        GaussianMixture(weights, means, covariances)


def test_bad_points_levels_and_sampler_arguments_are_named():
    with pytest.raises(ValueError, match="x must have shape \\[..., 2\\]"):
        PLANE.score(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="alpha_bar must lie in \\[0, 1\\]; got 1.5"):
        BIMODAL.noised(1.5)
    with pytest.raises(ValueError, match="alpha_bar must lie in \\[0, 1\\)"):
        score_from_eps(0.3, 1.0)
    with pytest.raises(ValueError, match="alpha_bar must lie in \\(0, 1\\]"):
        tweedie_denoise(0.3, 0.1, 0.0)
    with pytest.raises(ValueError, match="score must have shape \\(3,\\)"):
        tweedie_denoise(np.zeros(3), np.zeros(2), 0.5)
    with pytest.raises(ValueError, match="var .* must be positive"):
        gaussian_score(0.0, 0.0, -1.0)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        BIMODAL.sample(0, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        BIMODAL.sample(5, 42)
    with pytest.raises(ValueError, match="method must be 'ddpm' or 'ode'"):
        sample_reverse(exact_score_fn(BIMODAL), SCHEDULE, np.zeros(3), method="euler")
    with pytest.raises(ValueError, match="needs noise, or rng"):
        sample_reverse(exact_score_fn(BIMODAL), SCHEDULE, np.zeros(3))
    with pytest.raises(ValueError, match="noise must have shape \\(200, 3\\)"):
        sample_reverse(exact_score_fn(BIMODAL), SCHEDULE, np.zeros(3), noise=np.zeros((200, 2)))
    with pytest.raises(ValueError, match="t must be an integer step in 1..200; got 0"):
        ddpm_step(np.zeros(3), 0, exact_score_fn(BIMODAL), SCHEDULE, np.zeros(3))
    zero_snr = Schedule(betas=[0.1, 0.2, 1.0], alphas_cumprod=[0.9, 0.72, 0.0])  # zero terminal SNR (Lin et al. 2023)
    with pytest.raises(ValueError, match="t = 3 has alpha_bar = 0"):
        sample_reverse(exact_score_fn(BIMODAL), zero_snr, np.zeros(3), method="ode")
    with pytest.raises(TypeError, match="schedule must be a course_lib Schedule"):
        ddpm_step(np.zeros(3), 1, exact_score_fn(BIMODAL), np.linspace(0.1, 0.2, 5), np.zeros(3))
    with pytest.raises(AttributeError, match="read-only"):
        BIMODAL.weights = np.array([0.5, 0.5])
    with pytest.raises(ValueError, match="read-only"):
        BIMODAL.means[0] = 3.0
