"""course_lib.exact_reverse: the exact one-step reverse on a grid, its KL from the best Gaussian, the worst case.

The numbers are checked against an independent computation: for Gaussian-mixture data the exact reverse
q(x_{t-1} | x_t) is itself a Gaussian mixture (each component's prior times the step's Gaussian likelihood, in
closed form), and its entropy is integrated here by Gauss-Hermite quadrature, component by component, with no
grid at all.
"""

import numpy as np
import pytest

from course_lib import exact_reverse, schedules, score

LINEAR = schedules.linear_schedule(1000)
COURSE_DATA = score.GaussianMixture([0.5, 0.5], [-2.0, 2.0], [0.35**2, 0.35**2])  # data.bimodal's defaults
NB05_DATA = score.GaussianMixture([0.3, 0.7], [-2.0, 2.0], [0.35**2, 0.35**2])


def _posterior_mixture(mixture, alpha_bar_prev, beta, x_t):
    """The exact reverse as a mixture: (weights, means, variances), each [n, K], by Gaussian conjugacy."""
    alpha, x = 1.0 - beta, np.atleast_1d(x_t)[:, None]
    m = np.sqrt(alpha_bar_prev) * mixture.means
    v = alpha_bar_prev * mixture.covariances + 1.0 - alpha_bar_prev
    var = np.broadcast_to(1.0 / (1.0 / v + alpha / beta), (x.shape[0], m.size))
    mean = var * (m / v + np.sqrt(alpha) * x / beta)
    spread = alpha * v + beta
    log_w = np.log(mixture.weights) - 0.5 * np.log(spread) - 0.5 * (x - np.sqrt(alpha) * m) ** 2 / spread
    w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    return w / w.sum(axis=1, keepdims=True), mean, var


def _mixture_pdf(w, mean, var, x):
    """Density of the mixtures (one per row) at the points x [n, P]."""
    comps = np.exp(-0.5 * (x[..., None] - mean[:, None, :]) ** 2 / var[:, None, :]) / np.sqrt(2 * np.pi * var[:, None, :])
    return np.sum(w[:, None, :] * comps, axis=-1)


def _kl_by_quadrature(w, mean, var, nodes: int = 80):
    """KL(mixture || N(its mean, its variance)) = -H + log(2 pi e s^2) / 2, H by Gauss-Hermite per component."""
    z, zw = np.polynomial.hermite_e.hermegauss(nodes)
    zw = zw / zw.sum()
    m = np.sum(w * mean, axis=1)
    s2 = np.sum(w * (var + mean**2), axis=1) - m**2
    neg_entropy = 0.0
    for k in range(w.shape[1]):
        points = mean[:, k:k + 1] + np.sqrt(var[:, k:k + 1]) * z
        density = np.maximum(_mixture_pdf(w, mean, var, points), 1e-300)
        neg_entropy = neg_entropy + w[:, k] * np.sum(zw * np.log(density), axis=1)
    return neg_entropy + 0.5 * np.log(2 * np.pi * np.e * s2)


def _independent_kl(mixture, schedule, t, x_t):
    w, mean, var = _posterior_mixture(mixture, schedule.alphas_cumprod_prev[t - 1], schedule.betas[t - 1], x_t)
    return _kl_by_quadrature(w, mean, var)


def test_reverse_density_is_bayes_rule_normalised_on_the_grid():
    grid = np.linspace(-3.0, 4.0, 701)
    prior = COURSE_DATA.noised(0.6).pdf(grid)
    got = exact_reverse.reverse_density(grid, prior, 0.7, 0.3)
    expected = prior * np.exp(-(0.7 - np.sqrt(0.7) * grid) ** 2 / 0.6)
    assert np.sum(got) * 0.01 == pytest.approx(1.0, abs=1e-12)
    assert np.allclose(got, expected / (expected.sum() * 0.01), rtol=1e-12, atol=0)


def test_reverse_at_matches_the_closed_form_posterior():
    """The grid's density at its points equals the conjugate posterior mixture's density (to 1e-8, relative)."""
    x = np.array([-2.5, -0.3, 0.0, 0.4, 2.9])
    for t in (1, 60, 400, 1000):
        grid, density = exact_reverse.reverse_at(COURSE_DATA, LINEAR, t, x)
        w, mean, var = _posterior_mixture(COURSE_DATA, LINEAR.alphas_cumprod_prev[t - 1], LINEAR.betas[t - 1], x)
        exact = _mixture_pdf(w, mean, var, grid)
        assert np.allclose(density, exact, rtol=1e-8, atol=1e-10 * exact.max())


def test_kl_from_best_gaussian_on_known_densities():
    grid = np.linspace(-12.0, 14.0, 2601)
    gauss = np.exp(-0.5 * ((grid - 1.0) / 1.7) ** 2) / (1.7 * np.sqrt(2 * np.pi))
    assert exact_reverse.kl_from_best_gaussian(grid, gauss) == pytest.approx(0.0, abs=1e-12)
    # Laplace(0, 1): entropy 1 + log 2, variance 2, so KL = log(2 pi e 2) / 2 - 1 - log 2 = 0.0724
    wide = np.linspace(-40.0, 40.0, 80_001)
    laplace = 0.5 * np.exp(-np.abs(wide))
    assert exact_reverse.kl_from_best_gaussian(wide, laplace) == pytest.approx(
        0.5 * np.log(4 * np.pi * np.e) - 1 - np.log(2), abs=1e-6)
    # the course's data itself: two well-separated modes, entropy of one mode + log 2, variance 4.1225
    data = COURSE_DATA.pdf(grid)
    expected = 0.5 * np.log(2 * np.pi * np.e * 4.1225) - 0.5 * np.log(2 * np.pi * np.e * 0.1225) - np.log(2)
    assert exact_reverse.kl_from_best_gaussian(grid, data) == pytest.approx(expected, abs=1e-6)
    assert expected == pytest.approx(1.0649, abs=1e-4)


def test_kl_table_agrees_with_quadrature():
    """Grid Bayes + Riemann sums (61 points) against the closed-form mixture + Gauss-Hermite: 1e-6 relative."""
    x = np.linspace(-3.0, 3.0, 13)
    for schedule in (exact_reverse.respaced(LINEAR, 50), LINEAR):
        steps = [t for t in (1, 4, 13, 63, 500) if t <= schedule.num_timesteps] + [schedule.num_timesteps]
        table = exact_reverse.reverse_kl_table(COURSE_DATA, schedule, x, steps=steps)
        expected = np.stack([_independent_kl(COURSE_DATA, schedule, t, x) for t in steps])
        assert np.allclose(table, expected, rtol=1e-6, atol=1e-10)


def test_respaced_walks_the_same_noise_levels():
    chain = exact_reverse.respaced(LINEAR, 50)
    assert chain.num_timesteps == 50
    assert np.array_equal(chain.alphas_cumprod, LINEAR.alphas_cumprod[19::20])
    assert chain.alphas_cumprod[-1] == LINEAR.alphas_cumprod[-1]
    assert exact_reverse.respaced(LINEAR, 1000) == LINEAR
    jump = exact_reverse.respaced(LINEAR, 1)
    assert jump.betas[0] == pytest.approx(1 - 4.036e-05, abs=1e-8)
    with pytest.raises(ValueError, match="num_steps must divide"):
        exact_reverse.respaced(LINEAR, 300)


def test_reference_numbers_on_the_nb05_mixture_with_the_cosine_schedule():
    """An independent computation gave, for the NB05 mixture and the cosine schedule, a worst case over t and
    x_t of about 0.49 (T = 10), 0.054 (T = 50), 0.0024 (T = 200), below 1e-4 (T = 1000), 1.06 for one jump.
    Those are reproduced with x_t on a grid of step 0.25 (x_t = 0 is the worst point on that grid)."""
    x = np.linspace(-3.0, 3.0, 25)
    worst = {T: exact_reverse.reverse_kl_table(NB05_DATA, schedules.cosine_schedule(T), x).max()
             for T in (10, 50, 200, 1000)}
    assert worst[10] == pytest.approx(0.49, abs=0.01)
    assert worst[50] == pytest.approx(0.054, rel=0.03)
    assert worst[200] == pytest.approx(0.0024, rel=0.03)
    assert worst[1000] < 1e-4
    jump = exact_reverse.respaced(schedules.cosine_schedule(1000), 1)
    assert exact_reverse.reverse_kl_table(NB05_DATA, jump, x).max() == pytest.approx(1.06, abs=0.01)


# The notebook's numbers (course data, DDPM's linear schedule respaced to T steps), from the independent
# computation above run on x_t every 0.01 over [-3, 3] and every step: (KL, t).
INDEPENDENT_WORST = {1000: (2.7128e-4, 63), 200: (0.014395, 13), 50: (0.17531, 4), 10: (0.71897, 1),
                     1: (1.0649, 1)}


@pytest.mark.parametrize("T", sorted(INDEPENDENT_WORST))
def test_worst_case_of_each_chain(T):
    """The notebook's table, to 1 % (its search refines x_t to 0.01), at the same step; and the KL the search
    reports is the quadrature's KL at its (t, x_t), to 1e-6 relative."""
    chain = exact_reverse.respaced(LINEAR, T)
    case = exact_reverse.worst_case(COURSE_DATA, chain)
    kl, t = INDEPENDENT_WORST[T]
    assert case.kl == pytest.approx(kl, rel=0.01)
    assert case.t == t
    assert case.kl == pytest.approx(float(_independent_kl(COURSE_DATA, chain, case.t, case.x_t)[0]), rel=1e-6)
    assert case.profile.shape == (T,) and case.profile[case.t - 1] == pytest.approx(case.kl, rel=1e-12)
    assert case.profile.max() == pytest.approx(case.kl, rel=1e-12)


def test_bad_input_is_named():
    grid = np.linspace(-1.0, 1.0, 5)
    with pytest.raises(ValueError, match="beta"):
        exact_reverse.reverse_density(grid, np.ones(5), 0.0, 1.0)
    with pytest.raises(ValueError, match="prior"):
        exact_reverse.reverse_density(grid, np.ones(4), 0.0, 0.5)
    with pytest.raises(ValueError, match="grid"):
        exact_reverse.reverse_density(np.ones(1), np.ones(1), 0.0, 0.5)
    with pytest.raises(ValueError, match="t must be a whole step in 1..1000"):
        exact_reverse.reverse_at(COURSE_DATA, LINEAR, 0, 0.0)
    ring = score.GaussianMixture([0.5, 0.5], [[0.0, 1.0], [1.0, 0.0]], [0.1, 0.1])
    with pytest.raises(TypeError, match="1-D course_lib GaussianMixture"):
        exact_reverse.worst_case(ring, LINEAR)
