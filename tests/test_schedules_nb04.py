"""Notebook 04's claims, measured by course_lib independently of the notebook, with stated tolerances.

- betas from alpha_bar, beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}: the inverse of notebook 03's cumprod; against
  diffusers 0.42.1's arrays (float32: about 1e-6 relative, COURSE_GUIDE section 2).
- timestep spacing: diffusers 0.42.1 ``DDIMScheduler.set_timesteps`` ("leading": arange(n) * (T // n), reversed,
  plus steps_offset; "trailing": round(arange(T, 0, -T / n)) - 1), and Lin et al. 2023, sec. 3.3.
- the data's variance: the SNR of x_t for data of variance s^2 is s^2 * alpha_bar / (1 - alpha_bar).
- per-frequency SNR: SNR_t(f) = SNR(t) P(f) with P normalised so that unit white noise has P = 1.
- v-prediction: v = sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x0 (Salimans & Ho 2022), so
  x0 = sqrt(alpha_bar) x_t - sqrt(1 - alpha_bar) v.
Random measurements use fixed seeds; each tolerance is several standard errors of the quantity measured.
"""

import math

import numpy as np
import pytest

from course_lib import data, forward, score, spectrum, stats
from course_lib.schedules import (
    average_pool,
    betas_from_alphas_cumprod,
    get_schedule,
    rescale_zero_terminal_snr,
    sampling_timesteps,
    shifted_schedule,
    simple_cosine_alphas_cumprod,
    t_at_snr,
)

NAMES = ["linear", "cosine", "sigmoid", "scaled_linear", "quadratic"]
LINEAR, COSINE, SD = (get_schedule(n, 1000) for n in ("linear", "cosine", "scaled_linear"))
SD_ZERO = rescale_zero_terminal_snr(SD)


# --- betas from alpha_bar ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_betas_from_alphas_cumprod_inverts_the_running_product(name):
    s = get_schedule(name, 1000)
    betas = betas_from_alphas_cumprod(s.alphas_cumprod)
    assert np.allclose(betas, s.betas, rtol=1e-9, atol=1e-15)
    assert np.allclose(np.cumprod(1 - betas), s.alphas_cumprod, rtol=1e-12, atol=0)


def test_betas_from_alphas_cumprod_on_the_toy_and_at_zero_terminal_snr():
    assert np.allclose(betas_from_alphas_cumprod(np.array([0.8, 0.64])), [0.2, 0.2], atol=1e-15)
    z = betas_from_alphas_cumprod(SD_ZERO.alphas_cumprod)
    assert z[-1] == 1.0 and np.array_equal(z, SD_ZERO.betas)


@pytest.mark.parametrize("name", ["cosine", "scaled_linear_zero_terminal_snr"])
def test_betas_from_alphas_cumprod_match_diffusers(name, reference):
    ref = reference
    schedule = COSINE if name == "cosine" else SD_ZERO
    idx = np.array(ref["timesteps"]) - 1
    ours = betas_from_alphas_cumprod(schedule.alphas_cumprod)[idx]
    assert np.allclose(ours, ref["schedules"][name]["betas"], rtol=2e-5, atol=1e-7)  # diffusers is float32


def test_the_cosines_last_beta_is_one_until_clipped():
    """Notebook 04 section 2: unclipped, the cosine's last beta is 1 to float precision; diffusers clips at 0.999."""
    u = np.arange(1001) / 1000
    f = np.cos((u + 0.008) / 1.008 * np.pi / 2) ** 2
    betas = betas_from_alphas_cumprod(f[1:] / f[0])
    assert betas[-1] == pytest.approx(1.0, abs=1e-15) and betas[-2] == pytest.approx(0.75, abs=1e-3)
    assert COSINE.betas[-1] == 0.999
    simple = betas_from_alphas_cumprod(simple_cosine_alphas_cumprod(1000))
    assert simple[0] == 0.0 and simple[-1] == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("bad, match", [
    (np.array([0.9, 0.0, 0.0]), "only the last value may be 0"),
    (np.array([0.5, 0.6]), "must not increase"),
    (np.zeros((2, 2)), "non-empty 1-D"),
    (np.array([0.5, 1.5]), "must lie in \\[0, 1\\]"),
])
def test_betas_from_alphas_cumprod_rejects_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        betas_from_alphas_cumprod(bad)


# --- timestep spacing --------------------------------------------------------------------------------------

def test_sampling_timesteps_at_50_steps():
    leading, trailing = sampling_timesteps(1000, 50, "leading"), sampling_timesteps(1000, 50, "trailing")
    assert leading.dtype == np.int64 and leading.shape == trailing.shape == (50,)
    assert leading[:3].tolist() == [981, 961, 941] and leading[-1] == 1  # diffusers k = 980, ..., 0
    assert trailing[:3].tolist() == [1000, 980, 960] and trailing[-1] == 20  # k = 999, ..., 19
    assert sampling_timesteps(1000, 50, "leading", steps_offset=1)[[0, -1]].tolist() == [982, 2]  # Stable Diffusion
    assert np.all(np.diff(leading) == -20) and np.all(np.diff(trailing) == -20)


def test_sampling_timesteps_uneven_and_half_way_cases():
    assert sampling_timesteps(100, 7, "trailing").tolist() == [100, 86, 71, 57, 43, 29, 14]
    assert sampling_timesteps(100, 7, "leading").tolist() == [85, 71, 57, 43, 29, 15, 1]
    assert sampling_timesteps(30, 4, "trailing").tolist() == [30, 22, 15, 8]  # np.round: 22.5 -> 22, 7.5 -> 8
    assert sampling_timesteps(1000, 1, "leading").tolist() == [1] and sampling_timesteps(1000, 1, "trailing").tolist() == [1000]
    assert sampling_timesteps(10, 10, "trailing").tolist() == list(range(10, 0, -1))


def test_only_trailing_starts_where_the_zero_terminal_schedule_is_pure_noise():
    first_leading = sampling_timesteps(1000, 50, "leading")[0]
    assert SD_ZERO.alpha_bar(int(first_leading)) == pytest.approx(7.7076e-05, rel=1e-4)
    assert SD_ZERO.log_snr[first_leading - 1] == pytest.approx(-9.47, abs=0.01)
    assert SD_ZERO.alpha_bar(int(sampling_timesteps(1000, 50, "trailing")[0])) == 0.0
    assert SD.log_snr[first_leading - 1] == pytest.approx(-5.14, abs=0.01)


@pytest.mark.parametrize("args, match", [
    ((1000, 0, "leading"), "num_steps"), ((10, 11, "leading"), "at most T"), ((10, 5, "linspace"), "spacing"),
    ((10, 5, "leading", -1), "steps_offset"), ((10, 5, "leading", 2), "past T"),
])
def test_sampling_timesteps_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        sampling_timesteps(*args)


# --- the data's own variance and its range ------------------------------------------------------------------

PORTRAIT = data.sample_image(64)


def test_the_course_data_is_not_unit_variance():
    assert PORTRAIT.var() == pytest.approx(0.319, abs=0.001)
    assert data.bimodal(200_000, np.random.default_rng(0)).var() == pytest.approx(4.1225, abs=0.03)  # 0.35^2 + 4


@pytest.mark.parametrize("scale, expected", [(lambda x: x, 163), (lambda x: (x + 1) / 2, 84),
                                             (lambda x: (x + 1) / 2 * 255, 920)])
def test_where_the_portraits_own_snr_reaches_one(scale, expected):
    x = scale(PORTRAIT)
    assert t_at_snr(LINEAR, 1 / x.var()) == expected
    assert LINEAR.snr[expected - 1] * x.var() <= 1 < LINEAR.snr[expected - 2] * x.var()


def test_measured_variance_ratio_is_the_data_variance_times_snr():
    eps = np.random.default_rng(1).standard_normal(PORTRAIT.shape)
    x_t, _ = forward.q_sample(PORTRAIT, 260, LINEAR, eps=eps)
    signal = LINEAR.sqrt_alphas_cumprod[259] * PORTRAIT
    ratio = signal.var() / (x_t - signal).var()
    assert ratio == pytest.approx(PORTRAIT.var() * LINEAR.snr[259], rel=0.05)  # 12 288 noise values: ~1.3 % error
    assert 0.28 < ratio < 0.34


def test_pixels_in_0_255_leave_the_image_in_x_T():
    eps = np.random.default_rng(2).standard_normal(PORTRAIT.shape)
    big = (PORTRAIT + 1) / 2 * 255
    x_T, _ = forward.q_sample(big, 1000, LINEAR, eps=eps)
    corr = np.corrcoef(x_T.ravel(), big.ravel())[0, 1]
    s2_snr = big.var() * LINEAR.snr[-1]
    assert corr == pytest.approx(math.sqrt(s2_snr / (1 + s2_snr)), abs=0.03)  # 0.41 expected
    assert x_T.mean() == pytest.approx(LINEAR.sqrt_alphas_cumprod[-1] * big.mean(), abs=0.03)  # 0.55 expected
    assert LINEAR.log_snr[-1] + math.log(big.var()) == pytest.approx(-1.57, abs=0.01)
    unit, _ = forward.q_sample(PORTRAIT, 1000, LINEAR, eps=eps)
    assert abs(np.corrcoef(unit.ravel(), PORTRAIT.ravel())[0, 1]) < 0.03


# --- a schedule is a time-warp: same alpha_bar, same distribution ------------------------------------------

def test_chains_of_two_schedules_agree_at_the_same_alpha_bar():
    rng = np.random.default_rng(3)
    start = data.bimodal(10_000, rng)
    mixture = score.GaussianMixture(weights=[0.5, 0.5], means=[-2.0, 2.0], covariances=[0.35**2, 0.35**2])
    for level in (0.7, 0.3, 0.1):
        reached = []
        for s in (LINEAR, COSINE):
            t = t_at_snr(s, level / (1 - level))
            reached.append((s.alpha_bar(t), forward.forward_chain(start, s.betas[:t], rng.standard_normal((t, start.size)))[-1]))
        (a1, x1), (a2, x2) = reached
        assert a1 == pytest.approx(a2, abs=1e-3)  # the steps the notebook stops at
        assert stats.ks_2samp(x1, x2)[1] > 0.01
        var = a1 * mixture_variance(mixture) + 1 - a1
        for x in (x1, x2):
            assert x.var() == pytest.approx(var, rel=0.05) and abs(x.mean()) < 0.05


def mixture_variance(mixture):
    return float(np.sum(mixture.weights * (mixture.covariances.reshape(-1) + mixture.means.reshape(-1) ** 2)))


# --- frequency by frequency -----------------------------------------------------------------------------------

def test_white_noise_has_power_one_at_every_frequency():
    f, power = spectrum.radial_power_spectrum(np.random.default_rng(4).standard_normal((16, 128, 128)))
    assert f.tolist() == list(range(1, 65))
    assert power[4:].mean() == pytest.approx(1.0, abs=0.01) and np.all(np.abs(power[4:] - 1) < 0.25)


def test_a_single_wave_lands_in_its_ring():
    n, f0 = 64, 5
    x = np.cos(2 * np.pi * f0 * np.arange(n) / n)[None, :] * np.ones((n, 1))  # 5 cycles across the image
    f, power = spectrum.radial_power_spectrum(x)
    rings = np.rint(np.hypot(*np.meshgrid(np.fft.fftfreq(n, 1 / n), np.fft.fftfreq(n, 1 / n))))
    count = int(np.sum(rings == f0))
    assert power[f0 - 1] == pytest.approx(2 * (n / 2) ** 2 / count, rel=1e-12)  # two peaks of |F|^2/n^2 = n^2/4
    assert np.allclose(np.delete(power, f0 - 1), 0, atol=1e-20)
    fc, corr = spectrum.radial_correlation(x, 3 * x)
    assert corr[f0 - 1] == pytest.approx(1.0)


def test_the_portraits_power_grows_with_resolution_like_k_squared():
    (_, p64), (_, p512) = (spectrum.radial_power_spectrum(data.sample_image(n, gray=True)) for n in (64, 512))
    assert np.allclose(p512[:8] / p64[:8], 64, rtol=0.15)


def test_coarse_to_fine_along_the_cosine_schedule():
    f, power = spectrum.radial_power_spectrum(data.sample_image(256, gray=True))
    finest = [f[COSINE.snr[t - 1] * power >= 1].max() for t in (100, 300, 500, 700, 900)]
    assert finest == [74, 35, 18, 13, 6]


def test_stable_diffusions_last_step_leaks_low_frequencies():
    tops = {}
    for n in (64, 256, 512):
        f, power = spectrum.radial_power_spectrum(data.sample_image(n, gray=True))
        above = f[SD.snr[-1] * power >= 1]
        tops[n] = int(above.max()) if above.size else None
    assert tops == {64: None, 256: 1, 512: 5}
    x0 = data.sample_image(512, gray=True)
    draws = np.random.default_rng(5).standard_normal((8,) + x0.shape)
    measured = {}
    for s in (SD, SD_ZERO):
        x_T = s.sqrt_alphas_cumprod[-1] * x0 + s.sqrt_one_minus_alphas_cumprod[-1] * draws
        measured[s.name] = spectrum.radial_correlation(x_T, np.broadcast_to(x0, x_T.shape), octaves=True)
    f, corr = measured["scaled_linear"]
    assert f.tolist() == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert corr[0] > 0.85 and corr[2] > 0.5 and np.all(corr[6:] < 0.05)  # rings 1..7: 0.6-0.95; fine: nothing
    assert np.all(np.abs(measured["scaled_linear_zero_terminal_snr"][1]) < 0.25)  # 64+ coefficients per band
    # the mean brightness (frequency 0) is the clearest leak: sqrt(alpha_bar_T) times the image's
    assert (SD.sqrt_alphas_cumprod[-1] * x0 + draws[0]).mean() == pytest.approx(
        SD.sqrt_alphas_cumprod[-1] * x0.mean(), abs=5 / 512)


def test_one_pooled_x_T_of_stable_diffusion_still_correlates_with_the_image():
    x0 = data.sample_image(512, gray=True)
    eps = np.random.default_rng(6).standard_normal(x0.shape)
    pooled = average_pool(forward.q_sample(x0, 1000, SD, eps=eps)[0], 16)
    assert np.corrcoef(pooled.ravel(), average_pool(x0, 16).ravel())[0, 1] == pytest.approx(0.47, abs=0.08)


# --- resolution: pooling gains below k^2, the shift measured on pooled noisy images ---------------------------

def test_pooling_gains_are_below_k_squared():
    x0 = data.sample_image(256, gray=True)
    for k, gain in ((8, 48.6), (16, 150.8)):
        kept = average_pool(x0, k).var() / x0.var()
        assert kept * k**2 == pytest.approx(gain, abs=0.5) and gain < k**2


def test_shifted_schedule_pooled_to_the_base_resolution_matches_it_measured():
    rng = np.random.default_rng(7)
    t = 497

    def pooled_log_snr(image, schedule, k):
        signal = average_pool(schedule.sqrt_alphas_cumprod[t - 1] * image, k)
        noise = average_pool(schedule.sqrt_one_minus_alphas_cumprod[t - 1] * rng.standard_normal(image.shape), k)
        return np.log(signal.var() / noise.var())

    base = pooled_log_snr(data.sample_image(64, gray=True), COSINE, 1)
    for res in (128, 256, 512):
        image, k = data.sample_image(res, gray=True), res // 64
        shifted = pooled_log_snr(image, shifted_schedule(COSINE, res, 64), k)
        unshifted = pooled_log_snr(image, COSINE, k)
        assert shifted == pytest.approx(base, abs=0.15)  # 4096 pooled noise values: about 0.02 in log
        assert unshifted - base == pytest.approx(2 * math.log(k), abs=0.25)


# --- zero terminal SNR: v-prediction and the samplers' refusal -------------------------------------------------

def test_v_prediction_recovers_x0_without_dividing_and_is_minus_x0_at_snr_zero():
    rng = np.random.default_rng(8)
    x0, eps = rng.standard_normal(5), rng.standard_normal(5)
    for abar in (0.9, 0.3, 1e-4, 0.0):
        x_t = math.sqrt(abar) * x0 + math.sqrt(1 - abar) * eps
        v = math.sqrt(abar) * eps - math.sqrt(1 - abar) * x0
        assert np.allclose(math.sqrt(abar) * x_t - math.sqrt(1 - abar) * v, x0)
    assert np.array_equal(0.0 * eps - 1.0 * x0, -x0)


@pytest.mark.parametrize("step", ["ddpm", "ode"])
def test_course_lib_samplers_refuse_alpha_bar_zero(step):
    with pytest.raises(ValueError, match="alpha_bar = 0"):
        if step == "ddpm":
            score.ddpm_step(np.zeros(3), 1000, lambda x, a: -x, SD_ZERO, np.zeros(3))
        else:
            score.probability_flow_step(np.zeros(3), 1000, lambda x, a: -x, SD_ZERO)
    score.ddpm_step(np.zeros(3), 999, lambda x, a: -x, SD_ZERO, np.zeros(3))  # one step earlier is fine


def test_steps_per_log_snr_counts_every_step_once():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.plots.schedules import plot_steps_per_log_snr

    fig, ax = plt.subplots()
    try:
        plot_steps_per_log_snr(ax, {"linear": LINEAR, "zero": SD_ZERO.alphas_cumprod}, bin_width=0.5)
        for patch in ax.patches:
            assert patch.get_data().values.sum() * 0.5 == pytest.approx(1000)  # -inf counted in the first bin
        counts = ax.patches[0].get_data().values * 0.5
        edges = ax.patches[0].get_data().edges
        assert counts[edges[:-1] < -5].sum() == pytest.approx(298)  # the linear schedule's 29.8 % below -5
    finally:
        plt.close(fig)
