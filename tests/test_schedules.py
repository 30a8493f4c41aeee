"""course_lib.schedules against diffusers 0.42.1's arrays and the guide's reference numbers.

Formulas and their sources:
- linear:        Ho et al. 2020 (DDPM), sec. 4: beta linear from 1e-4 to 0.02.
- cosine:        Nichol & Dhariwal 2021 (improved DDPM), eq. 17, betas clipped at 0.999 (diffusers squaredcos_cap_v2).
- sigmoid:       diffusers "sigmoid" (Xu et al. 2022, GeoDiff): sigmoid(linspace(-6, 6, T)) scaled into [1e-4, 0.02].
- scaled_linear: Rombach et al. 2022 (Stable Diffusion): sqrt(beta) linear from sqrt(0.00085) to sqrt(0.012).
- quadratic:     beta_t = beta_min + (beta_max - beta_min) (t/T)^2 (the t^2 teaching form).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib import schedules
from course_lib.schedules import Schedule, from_alphas_cumprod, from_betas, get_schedule

NAMES = ["linear", "cosine", "sigmoid", "scaled_linear", "quadratic"]


@pytest.mark.parametrize("name", ["linear", "cosine", "sigmoid", "scaled_linear"])
def test_matches_diffusers(reference, name):
    ref = reference["schedules"][name]
    s = get_schedule(name, 1000, **ref["kwargs"])
    idx = np.array(reference["timesteps"]) - 1  # the JSON uses the maths' 1-based t
    betas_rel = np.abs(s.betas[idx] / np.array(ref["betas"]) - 1)
    assert betas_rel.max() < 1e-6
    abar_rel = np.abs(s.alphas_cumprod[idx] / np.array(ref["alphas_cumprod"]) - 1)
    # diffusers accumulates the product in float32: 1e-6 except at the very end of the cosine schedule
    assert abar_rel[:-1].max() < 1e-6
    assert abar_rel[-1] < (1e-4 if name == "cosine" else 1e-6)
    assert int(np.argmax(s.snr <= 1)) + 1 == ref["first_t_with_snr_at_most_1"]
    assert round(float(np.mean(s.log_snr < -5)), 3) == ref["fraction_of_steps_with_log_snr_below_-5"]


@pytest.mark.parametrize(
    "name, abar_T, t_snr1, frac",
    [
        ("linear", 4.036e-05, 260, 0.298),
        ("cosine", 2.429e-09, 497, 0.053),
        ("sigmoid", 3.968e-05, 440, 0.259),
        ("scaled_linear", 4.66e-03, 355, 0.031),
        ("quadratic", 1.132e-03, 460, 0.098),
    ],
)
def test_guide_reference_numbers(name, abar_T, t_snr1, frac):
    s = get_schedule(name, 1000)
    assert s.alphas_cumprod[-1] == pytest.approx(abar_T, rel=1e-3)
    assert int(np.argmax(s.snr <= 1)) + 1 == t_snr1
    assert round(float(np.mean(s.log_snr < -5)), 3) == frac


def test_scaled_linear_terminal_snr_is_not_zero():
    s = get_schedule("scaled_linear", 1000)
    assert s.snr[-1] == pytest.approx(4.7e-3, rel=2e-2)


def test_ddpm_code_quad_is_scaled_linear_with_ddpm_betas():
    assert schedules.scaled_linear_schedule(1000, 1e-4, 0.02).alphas_cumprod[-1] == pytest.approx(7.33e-4, rel=1e-3)


def test_quadratic_is_the_t_squared_form():
    s = schedules.quadratic_schedule(4, 0.1, 0.5)
    assert s.betas == pytest.approx([0.1 + 0.4 / 16, 0.1 + 0.4 * 4 / 16, 0.1 + 0.4 * 9 / 16, 0.5])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("T", [1, 2, 10, 1000])
def test_every_schedule_is_monotone_and_in_range(name, T):
    s = get_schedule(name, T)
    assert s.num_timesteps == len(s) == T
    for arr in (s.betas, s.alphas, s.alphas_cumprod):
        assert arr.shape == (T,) and np.all((arr > 0) & (arr < 1))
    assert np.all(np.diff(s.alphas_cumprod) < 0)
    assert np.all(np.diff(s.log_snr) < 0)


def test_derived_arrays_follow_their_formulas():
    s = get_schedule("linear", 50)
    assert np.allclose(s.alphas, 1 - s.betas)
    assert np.allclose(s.alphas_cumprod, np.cumprod(1 - s.betas))
    assert s.alphas_cumprod_prev[0] == 1.0
    assert np.array_equal(s.alphas_cumprod_prev[1:], s.alphas_cumprod[:-1])
    assert np.allclose(s.sqrt_alphas_cumprod**2, s.alphas_cumprod)
    assert np.allclose(s.sqrt_one_minus_alphas_cumprod**2, 1 - s.alphas_cumprod)
    assert np.allclose(s.snr, s.alphas_cumprod / (1 - s.alphas_cumprod))
    assert np.allclose(s.log_snr, np.log(s.snr))


def test_alpha_bar_uses_the_maths_timestep():
    s = from_betas([0.2, 0.2])
    assert s.alpha_bar(0) == 1.0
    assert s.alpha_bar(1) == pytest.approx(0.8)
    assert s.alpha_bar(2) == pytest.approx(0.64)
    assert np.allclose(s.alpha_bar(np.array([0, 2, 1])), [1.0, 0.64, 0.8])
    assert s.alpha_bar(2) == s.alphas_cumprod[2 - 1]


def test_schedule_is_frozen_and_read_only():
    s = get_schedule("linear", 10)
    with pytest.raises(AttributeError):
        s.betas = np.ones(10)
    with pytest.raises(ValueError):
        s.betas[0] = 0.5
    assert s == get_schedule("linear", 10) and s != get_schedule("linear", 11)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(1e-6, 0.999), min_size=1, max_size=60))
def test_from_betas_and_from_alphas_cumprod_round_trip(betas):
    s = from_betas(betas)
    back = from_alphas_cumprod(s.alphas_cumprod)
    assert np.allclose(back.betas, s.betas, rtol=1e-6, atol=1e-9)
    assert np.all(np.diff(s.alphas_cumprod) < 0)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: from_betas([0.1, 0.0]), "betas must lie strictly between 0 and 1; got 0.0"),
        (lambda: from_betas([0.1, 1.0]), "betas must lie strictly between 0 and 1"),
        (lambda: from_betas([0.1, -0.2]), "betas must lie strictly between 0 and 1"),
        (lambda: from_betas([0.1, np.nan]), "betas must be finite"),
        (lambda: from_betas([]), "non-empty 1-D"),
        (lambda: from_betas([[0.1, 0.2]]), "non-empty 1-D"),
        (lambda: from_alphas_cumprod([0.9, 0.95]), "strictly decreasing"),
        (lambda: from_alphas_cumprod([1.0, 0.5]), "alphas_cumprod must lie strictly between 0 and 1"),
        (lambda: get_schedule("linear", 0), "T \\(num_timesteps\\) must be at least 1; got 0"),
        (lambda: get_schedule("linear", -5), "at least 1"),
        (lambda: get_schedule("cosine", 10, s=-0.1), "s \\(the cosine offset\\)"),
        (lambda: get_schedule("linear", 10, beta_end=1.5), "beta_end must lie strictly between 0 and 1"),
        (lambda: get_schedule("laplace", 10), "name must be one of"),
        (lambda: get_schedule("linear", 5).alpha_bar(6), "t must lie in 0..5"),
        (lambda: get_schedule("linear", 5).alpha_bar(-1), "t must lie in 0..5"),
        (lambda: get_schedule("linear", 5).alpha_bar(1.5), "whole timesteps"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_integer_T_is_a_type_error():
    with pytest.raises(TypeError, match="T \\(num_timesteps\\) must be an integer"):
        get_schedule("linear", 10.0)
    assert isinstance(get_schedule("linear", 3), Schedule)
