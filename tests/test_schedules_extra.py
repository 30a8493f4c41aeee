"""Notebook 04's additions to course_lib.schedules, against diffusers 0.42.1, the papers' formulas and measurements.

Formulas and their sources:
- SNR(t) = alpha_bar / (1 - alpha_bar):   VDM (Kingma et al. 2021), eq. 2, SNR = alpha_t^2 / sigma_t^2 with
                                           alpha_t^2 = alpha_bar_t, sigma_t^2 = 1 - alpha_bar_t (DDPM eq. 4).
- zero terminal SNR rescale:               Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps
                                           are Flawed", Algorithm 1 (diffusers' rescale_zero_terminal_snr).
- shifted schedule:                        Hoogeboom, Heek & Salimans 2023, "simple diffusion", section
                                           "Adjusting noise schedules", the shifted cosine schedule:
                                           log SNR_shift(t) = log SNR(t) + 2 log(64 / d), with the cosine's
                                           log SNR(t) = -2 log tan(pi t / 2).
- average pooling divides i.i.d. noise variance by k^2 (the variance of a mean of k^2 independent draws);
  this is simple diffusion's argument for the shift (same section).
- cosine f(t) = cos^2(((t/T + s) / (1 + s)) pi/2):  Nichol & Dhariwal 2021 (improved DDPM), eq. 17.
- Karras sigma = sqrt((1 - alpha_bar) / alpha_bar): EDM (Karras et al. 2022), sec. 2, x = x_0 + sigma eps,
                                           which is x_t / sqrt(alpha_bar_t); diffusers' EulerDiscreteScheduler.
- flow matching x = (1 - s) x_0 + s eps:   rectified flow (Liu et al. 2023) / diffusers' FlowMatchEulerDiscrete;
                                           Lipman et al. 2023 (optimal-transport path, sigma_min = 0) run t = 1 - s.
"""

import math

import numpy as np
import pytest

from course_lib import data
from course_lib.forward import q_sample
from course_lib.schedules import (
    Schedule,
    average_pool,
    cosine_schedule,
    flow_matching_sigmas,
    fraction_log_snr_below,
    from_alphas_cumprod,
    from_betas,
    get_schedule,
    log_snr,
    rescale_zero_terminal_snr,
    shifted_schedule,
    simple_cosine_alphas_cumprod,
    snr,
    t_at_snr,
    ve_sigmas,
)

NAMES = ["linear", "cosine", "sigmoid", "scaled_linear", "quadratic"]


# --- SNR and log SNR -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_snr_functions_agree_with_the_schedule_arrays(name):
    s = get_schedule(name, 1000)
    assert np.array_equal(snr(s.alphas_cumprod), s.snr)
    assert np.array_equal(log_snr(s.alphas_cumprod), s.log_snr)
    assert np.allclose(np.log(s.snr), s.log_snr, rtol=1e-12)


def test_snr_closed_values_and_edges():
    assert snr(0.5) == 1.0 and snr(0.75) == 3.0 and snr(0.0) == 0.0
    assert snr(1.0) == np.inf and log_snr(1.0) == np.inf and log_snr(0.0) == -np.inf
    # log1p keeps log SNR accurate where alpha_bar is tiny: log(1e-300 / (1 - 1e-300)) = log(1e-300)
    assert log_snr(1e-300) == pytest.approx(-300 * math.log(10), rel=1e-15)
    assert snr(np.array([[0.2, 0.8]])).shape == (1, 2)


# --- t_at_snr and wasted steps (COURSE_GUIDE "Schedules and SNR") ----------------------------------------

@pytest.mark.parametrize(
    "name, t_snr1, frac",
    [("linear", 260, 0.298), ("cosine", 497, 0.053), ("sigmoid", 440, 0.259),
     ("scaled_linear", 355, 0.031), ("quadratic", 460, 0.098)],
)
def test_t_at_snr_and_wasted_fraction_reference_numbers(name, t_snr1, frac):
    s = get_schedule(name, 1000)
    assert t_at_snr(s, 1.0) == t_snr1
    assert t_at_snr(s.alphas_cumprod, 1) == t_snr1  # an alphas_cumprod array works too
    assert s.snr[t_snr1 - 1] <= 1 < s.snr[t_snr1 - 2]  # the first such t, 1-based
    assert round(fraction_log_snr_below(s, -5.0), 3) == frac
    assert fraction_log_snr_below(s) == fraction_log_snr_below(s, -5.0)


def test_t_at_snr_includes_equality_and_returns_none_when_never():
    abar = np.array([0.9, 0.75, 0.5, 0.2])  # SNR 9, 3, 1 (exactly), 0.25
    assert t_at_snr(abar, 1.0) == 3
    assert t_at_snr(abar, 3.0) == 2
    assert t_at_snr(abar, 100.0) == 1
    assert t_at_snr(abar, 0.1) is None
    assert isinstance(t_at_snr(abar, 1.0), int)


@pytest.mark.parametrize("value", [-1.0, float("nan"), "1", None, True])
def test_t_at_snr_rejects_bad_values(value):
    with pytest.raises(ValueError, match="value \\(an SNR\\) must be a number >= 0"):
        t_at_snr(get_schedule("linear", 10), value)


def test_t_at_snr_rejects_bad_schedules():
    with pytest.raises(ValueError, match="must lie in \\[0, 1\\]; got 1.5"):
        t_at_snr(np.array([0.9, 1.5]), 1.0)
    with pytest.raises(ValueError, match="non-empty 1-D"):
        t_at_snr(np.zeros((2, 2)), 1.0)


# --- the teaching cosine ---------------------------------------------------------------------------------

def test_simple_cosine_is_a_plain_array_with_both_degenerate_ends():
    abar = simple_cosine_alphas_cumprod(1000)
    assert abar.shape == (1000,) and abar.dtype == np.float64
    assert abar[0] == 1.0  # t_norm = 0: the first step adds no noise, beta_1 = 0
    assert abar[-1] == pytest.approx(3.749399456654644e-33, rel=1e-12)  # cos^2(pi/2) in float64
    assert log_snr(abar)[0] == np.inf and log_snr(abar)[-1] == pytest.approx(-74.6637, abs=1e-4)
    assert t_at_snr(abar, 1.0) == 501  # cos^2 = 1/2 at t_norm = 1/2, i.e. between index 499 and 500
    assert round(fraction_log_snr_below(abar), 3) == 0.053
    # Schedule rejects it, which is why it stays an array: alpha_bar_1 = 1 means beta_1 = 0
    with pytest.raises(ValueError, match="alphas_cumprod must lie strictly between 0 and 1; got 1.0 at index 0"):
        from_alphas_cumprod(abar)
    with pytest.raises(ValueError, match="betas must lie strictly between 0 and 1; got 1.0"):
        from_alphas_cumprod(abar[1:])  # without t_norm = 0 the last beta is 1 to float precision


def test_simple_cosine_is_the_improved_cosine_without_offset_in_between():
    # with s = 0 the Nichol-Dhariwal f(t) is cos^2(t/T pi/2): the same curve, sampled at t/T instead of linspace
    T = 1000
    assert np.allclose(simple_cosine_alphas_cumprod(T + 1)[1:-1], cosine_schedule(T, s=0.0).alphas_cumprod[:-1],
                       rtol=1e-9)
    with pytest.raises(ValueError, match="at least 2"):
        simple_cosine_alphas_cumprod(1)


# --- zero terminal SNR (Lin et al. 2023, Algorithm 1) -----------------------------------------------------

def test_rescale_matches_diffusers(reference):
    ref = reference["schedules"]["scaled_linear_zero_terminal_snr"]
    idx = np.array(reference["timesteps"]) - 1
    z = rescale_zero_terminal_snr(get_schedule("scaled_linear", 1000, beta_start=0.00085, beta_end=0.012))
    ref_betas, ref_abar = np.array(ref["betas"]), np.array(ref["alphas_cumprod"])
    assert np.abs(z.betas[idx] / ref_betas - 1).max() < 1e-6
    assert np.abs(z.alphas_cumprod[idx][:-1] / ref_abar[:-1] - 1).max() < 1e-6
    assert z.alphas_cumprod[-1] == ref_abar[-1] == 0.0 and z.betas[-1] == ref_betas[-1] == 1.0


def test_rescale_properties():
    sd = get_schedule("scaled_linear", 1000)
    z = rescale_zero_terminal_snr(sd)
    assert z.name == "scaled_linear_zero_terminal_snr" and z.num_timesteps == 1000
    assert z.alphas_cumprod[0] == pytest.approx(sd.alphas_cumprod[0], rel=1e-14)  # first value kept
    assert z.snr[-1] == 0.0 and z.log_snr[-1] == -np.inf and z.alphas[-1] == 0.0
    assert np.all(np.diff(z.alphas_cumprod) < 0) and np.all(np.diff(z.log_snr) < 0)
    # sqrt(alpha_bar) is an affine function of the old one: shift then scale
    scale = sd.sqrt_alphas_cumprod[0] / (sd.sqrt_alphas_cumprod[0] - sd.sqrt_alphas_cumprod[-1])
    assert np.allclose(z.sqrt_alphas_cumprod, (sd.sqrt_alphas_cumprod - sd.sqrt_alphas_cumprod[-1]) * scale,
                       rtol=1e-12, atol=1e-15)
    # what the notebook prints
    assert sd.snr[-1] == pytest.approx(4.7e-3, rel=1e-2) and sd.sqrt_alphas_cumprod[-1] == pytest.approx(0.0683, abs=1e-4)
    assert t_at_snr(z, 1.0) == 338 and t_at_snr(z, 0.0) == 1000
    assert round(fraction_log_snr_below(z), 3) == 0.138


def test_zero_terminal_snr_makes_x_T_pure_noise():
    z = rescale_zero_terminal_snr(get_schedule("linear", 100))
    x0, eps = np.linspace(-1, 1, 12).reshape(1, 3, 2, 2), np.arange(12.0).reshape(1, 3, 2, 2)
    x_T, _ = q_sample(x0, 100, z, eps=eps)
    assert np.array_equal(x_T, eps)
    # the leak it removes: Stable Diffusion's x_T has mean 0.068 x_0
    sd = get_schedule("scaled_linear", 1000)
    assert np.allclose(q_sample(x0, 1000, sd, eps=np.zeros_like(x0))[0], sd.sqrt_alphas_cumprod[-1] * x0)


def test_schedule_accepts_zero_only_as_a_terminal_step_with_beta_one():
    s = Schedule(betas=np.array([0.5, 1.0]), alphas_cumprod=np.array([0.5, 0.0]))
    assert s.snr[-1] == 0 and s.log_snr[-1] == -np.inf and s.alpha_bar(2) == 0.0
    with pytest.raises(ValueError, match="alphas_cumprod must lie strictly between 0 and 1; got 0.0 at index 1"):
        Schedule(betas=np.array([0.5, 0.5]), alphas_cumprod=np.array([0.5, 0.0]))  # 0 without beta_T = 1
    with pytest.raises(ValueError, match="betas must lie strictly between 0 and 1; got 1.0 at index 0"):
        Schedule(betas=np.array([1.0, 1.0]), alphas_cumprod=np.array([0.0, 0.0]))  # only the last step
    with pytest.raises(ValueError, match="betas must lie strictly between 0 and 1; got 1.0"):
        from_betas([0.5, 1.0])  # the constructors stay strict
    with pytest.raises(ValueError, match="alphas_cumprod must lie strictly between 0 and 1; got 0.0"):
        from_alphas_cumprod([0.5, 0.0])


def test_rescale_rejects_bad_input():
    with pytest.raises(TypeError, match="schedule must be a course_lib Schedule"):
        rescale_zero_terminal_snr(np.array([0.9, 0.5]))
    with pytest.raises(ValueError, match="at least 2 steps"):
        rescale_zero_terminal_snr(from_betas([0.3]))


# --- resolution: pooling and the shifted schedule (simple diffusion) -------------------------------------

def test_average_pool_values_and_shapes():
    x = np.arange(16.0).reshape(4, 4)
    assert np.array_equal(average_pool(x, 2), [[2.5, 4.5], [10.5, 12.5]])
    assert np.array_equal(average_pool(x, 1), x)
    assert average_pool(np.zeros((2, 3, 8, 12)), 4).shape == (2, 3, 2, 3)
    ramp = np.add.outer(np.arange(8.0), np.arange(8.0))  # a linear image: pooling keeps it, block centre values
    assert np.allclose(average_pool(ramp, 2), np.add.outer(np.arange(0.5, 8, 2), np.arange(0.5, 8, 2)))


@pytest.mark.parametrize("k", [2, 4, 8])
def test_pooling_divides_noise_variance_by_k_squared(k):
    eps = np.random.default_rng(11).standard_normal((4, 256, 256))
    pooled = average_pool(eps, k)
    n = pooled.size
    # sample variance of n normal draws has relative standard deviation sqrt(2 / n); allow 5 of them
    assert pooled.var() * k**2 == pytest.approx(1.0, abs=5 * math.sqrt(2 / n))
    assert pooled.mean() == pytest.approx(eps.mean(), abs=1e-12)  # the mean (a smooth signal) is kept


def test_pooling_raises_the_snr_of_the_sample_image():
    """The numbers notebook 04 prints: the portrait keeps most of its variance while the noise loses k^2."""
    x0 = data.sample_image(256, gray=True)
    kept = [average_pool(x0, k).var() / x0.var() for k in (2, 4, 8, 16)]
    assert np.round(kept, 3).tolist() == [0.954, 0.873, 0.76, 0.589]
    cosine = get_schedule("cosine", 1000)
    t = t_at_snr(cosine, float(np.exp(-2.0)))
    assert t == 774 and cosine.log_snr[t - 1] == pytest.approx(-2.0, abs=0.01)
    eps = np.random.default_rng(5).standard_normal(x0.shape)
    x_t, _ = q_sample(x0, t, cosine, eps=eps)
    signal = np.sqrt(cosine.alpha_bar(t)) * x0
    for k, signal_kept in zip((2, 4, 8), kept):
        noise_kept = average_pool(x_t - signal, k).var() / (x_t - signal).var()
        assert noise_kept * k**2 == pytest.approx(1.0, abs=0.1)
        gain = average_pool(signal, k).var() / signal.var() / noise_kept
        assert gain == pytest.approx(signal_kept * k**2, rel=0.1)  # "a little less than k^2"


def test_shifted_schedule_moves_log_snr_by_twice_the_log_resolution_ratio():
    base = get_schedule("cosine", 1000)
    for res in (32, 64, 128, 512):
        shifted = shifted_schedule(base, res, base_resolution=64)
        assert np.allclose(shifted.log_snr, base.log_snr + 2 * np.log(64 / res), rtol=0, atol=1e-9)
        assert shifted.name == f"cosine_shifted_64_to_{res}"
    assert np.allclose(shifted_schedule(base, 64).alphas_cumprod, base.alphas_cumprod, rtol=1e-12)


def test_shifted_cosine_matches_simple_diffusion_closed_form():
    # simple diffusion: log SNR(t) = -2 log tan(pi t / 2) + 2 log(64 / d); our cosine with s = 0 at u = t/T
    T = 1000
    u = np.arange(1, T) / T  # the last step is clipped (beta <= 0.999), so compare t < T
    for d in (128, 256, 512):
        shifted = shifted_schedule(cosine_schedule(T, s=0.0), d, 64)
        expected = -2 * np.log(np.tan(np.pi * u / 2)) + 2 * np.log(64 / d)
        assert np.allclose(shifted.log_snr[:-1], expected, atol=1e-8)


def test_shifted_schedule_pooled_back_has_the_base_snr():
    base = get_schedule("cosine", 1000)
    table = {64: 497, 128: 290, 256: 150, 512: 73, 1024: 33}  # first t with SNR <= 1, printed in notebook 04
    for res, t1 in table.items():
        shifted = shifted_schedule(base, res, 64)
        assert t_at_snr(shifted, 1.0) == t1
        pooled_log_snr = shifted.log_snr + 2 * np.log(res / 64)  # k = res / 64: SNR times k^2
        assert np.allclose(pooled_log_snr, base.log_snr, atol=1e-9)
    assert 2 * math.log(64 / 1024) == pytest.approx(-5.545, abs=1e-3)


def test_shifting_a_zero_terminal_schedule_keeps_it_zero():
    z = rescale_zero_terminal_snr(get_schedule("scaled_linear", 100))
    shifted = shifted_schedule(z, 256, 64)
    assert shifted.alphas_cumprod[-1] == 0.0 and shifted.log_snr[-1] == -np.inf
    assert np.allclose(shifted.log_snr[:-1], z.log_snr[:-1] + 2 * np.log(64 / 256))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: shifted_schedule(get_schedule("linear", 10), 0), ValueError, "resolution must be a positive integer; got 0"),
        (lambda: shifted_schedule(get_schedule("linear", 10), 256, 64.0), ValueError, "base_resolution must be a positive"),
        (lambda: shifted_schedule(np.array([0.5]), 256), TypeError, "base must be a course_lib Schedule"),
        (lambda: average_pool(np.zeros((6, 6)), 4), ValueError, "k must divide the image size; got k = 4 for H x W = 6 x 6"),
        (lambda: average_pool(np.zeros((4, 4)), 0), ValueError, "k must be a positive integer; got 0"),
        (lambda: average_pool(np.zeros(4), 2), ValueError, "at least 2 axes"),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


# --- other notations: Karras' sigma, flow matching -------------------------------------------------------

def test_ve_sigmas():
    sd = get_schedule("scaled_linear", 1000)
    sigmas = ve_sigmas(sd)
    assert sigmas[-1] == pytest.approx(14.6146, abs=1e-4)  # Stable Diffusion's sigma_max in diffusers' Euler samplers
    assert sigmas[0] == pytest.approx(0.0292, abs=1e-4)
    assert np.allclose(sigmas, 1 / np.sqrt(sd.snr))
    x0, eps = np.array([0.3, -1.2]), np.array([1.5, 0.2])
    t = 500
    x_t, _ = q_sample(x0, t, sd, eps=eps)
    assert np.allclose(x_t / sd.sqrt_alphas_cumprod[t - 1], x0 + sigmas[t - 1] * eps)  # EDM's x = x_0 + sigma eps


def test_flow_matching_sigmas_have_the_same_snr():
    sd = get_schedule("scaled_linear", 1000)
    s = flow_matching_sigmas(sd)
    assert np.all((s > 0) & (s < 1)) and np.all(np.diff(s) > 0)
    assert np.allclose((1 - s) ** 2 / s**2, sd.snr, rtol=1e-10)
    assert s[499] == pytest.approx(0.617281, abs=1e-6)  # printed in notebook 04's notation table
    x0, eps, t = np.array([0.3, -1.2]), np.array([1.5, 0.2]), 500
    x_t, _ = q_sample(x0, t, sd, eps=eps)
    scale = sd.sqrt_alphas_cumprod[t - 1] + sd.sqrt_one_minus_alphas_cumprod[t - 1]
    assert np.allclose(x_t / scale, (1 - s[t - 1]) * x0 + s[t - 1] * eps)
    assert flow_matching_sigmas(rescale_zero_terminal_snr(sd))[-1] == 1.0  # pure noise at s = 1


# --- the notebook's figures run on every kind of input (the explorer: tests/test_widgets_explorer.py) ----------------------------------

def test_figures_draw(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.plots import schedules as plots

    curves = {name: get_schedule(name, 100) for name in NAMES}
    curves["simple cosine"] = simple_cosine_alphas_cumprod(100)
    sd = get_schedule("scaled_linear", 100)
    figs = [
        plots.curriculum_figure(curves),
        plots.wasted_steps_figure(curves),
        plots.zero_terminal_snr_figure(sd, rescale_zero_terminal_snr(sd), last=20),
        plots.image_row_figure([data.sample_image(16)] * 2, ["a", "b"], "row", stretch=[False, True]),
        plots.shifted_figure(get_schedule("cosine", 100), [64, 256]),
    ]
    for i, fig in enumerate(figs):
        assert fig.axes and all(ax.get_title() for ax in fig.axes)
        fig.savefig(tmp_path / f"{i}.png")
        plt.close(fig)
