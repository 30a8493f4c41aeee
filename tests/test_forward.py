"""course_lib.forward: the toy's numbers, closed-form identities and distributional equalities."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.forward import add_noise, equivalent_eps, forward_chain, forward_step, q_sample
from course_lib.schedules import from_betas, get_schedule, linear_schedule
from course_lib.stats import ks_2samp

TOY = from_betas([0.20, 0.20])


# --- the toy (COURSE_GUIDE section 2) --------------------------------------------------------------

def test_toy_step_one():
    assert round(float(np.sqrt(0.80)), 4) == 0.8944 and round(float(np.sqrt(0.20)), 4) == 0.4472
    x1 = forward_step(0.80, 0.20, -0.20)
    assert round(float(np.sqrt(0.80) * 0.80), 4) == 0.7155
    assert round(float(np.sqrt(0.20) * -0.20), 4) == -0.0894
    assert round(float(x1), 4) == 0.6261


def test_toy_step_two_with_the_courses_eps():
    x1 = forward_step(0.80, 0.20, -0.20)
    assert round(float(np.sqrt(0.80) * x1), 4) == 0.5600
    assert round(float(np.sqrt(0.20) * -0.4181), 4) == -0.1870
    assert round(float(forward_step(x1, 0.20, -0.4181)), 4) == 0.3730


def test_toy_slip_with_the_copied_eps_gives_0_3753_not_0_3730():
    x1 = forward_step(0.80, 0.20, -0.20)
    x2 = forward_step(x1, 0.20, -0.4130)
    assert round(float(np.sqrt(0.20) * 0.4130), 4) == 0.1847
    assert round(float(x2), 4) == 0.3753
    assert round(float(equivalent_eps(0.80, x2, 0.64)), 4) == -0.4412


def test_toy_closed_form():
    assert TOY.alpha_bar(2) == pytest.approx(0.64, abs=1e-15)
    assert np.sqrt(TOY.alpha_bar(2)) == pytest.approx(0.80) and np.sqrt(1 - TOY.alpha_bar(2)) == pytest.approx(0.60)
    x2 = forward_chain(0.80, TOY.betas, np.array([-0.20, -0.4181]))[-1]
    eps = equivalent_eps(0.80, x2, 0.64)
    assert round(float(eps), 4) == -0.4450
    x2_closed, _ = q_sample(0.80, 2, TOY, eps=eps)
    assert x2_closed == pytest.approx(x2, abs=1e-12)


# --- closed form == composition of steps, exactly ---------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(
    st.floats(1e-4, 0.99), st.floats(1e-4, 0.99), st.floats(-3, 3), st.floats(-3, 3), st.floats(-3, 3)
)
def test_two_steps_compose_into_the_closed_form(beta1, beta2, x0, eps1, eps2):
    alpha1, alpha2 = 1 - beta1, 1 - beta2
    two_steps = forward_step(forward_step(x0, beta1, eps1), beta2, eps2)
    # the two noise terms combine into one with variance alpha2 * beta1 + beta2 = 1 - alpha1 * alpha2
    noise = np.sqrt(alpha2 * beta1) * eps1 + np.sqrt(beta2) * eps2
    assert alpha2 * beta1 + beta2 == pytest.approx(1 - alpha1 * alpha2, abs=1e-14)
    assert two_steps == pytest.approx(np.sqrt(alpha1 * alpha2) * x0 + noise, abs=1e-12)
    eps = equivalent_eps(x0, two_steps, alpha1 * alpha2)
    assert q_sample(x0, 2, from_betas([beta1, beta2]), eps=eps)[0] == pytest.approx(two_steps, abs=1e-9)


def test_toy_composed_noise_variance_is_0_36():
    assert 0.80 * 0.20 + 0.20 == pytest.approx(0.36) == 1 - 0.80 * 0.80


def test_chain_and_closed_form_agree_in_distribution():
    """Fixed seed; n = 20 000 per side. Tolerances: 4 standard errors on mean and variance, KS p > 0.01."""
    rng = np.random.default_rng(1234)
    n, T = 20_000, 100
    sched = linear_schedule(T, 1e-4, 0.05)
    x0 = np.full(n, 0.8)
    chain = forward_chain(x0, sched.betas, rng.standard_normal((T, n)))
    for t in (1, 10, 100):
        closed, _ = q_sample(x0, t, sched, rng=rng)
        mean, var = np.sqrt(sched.alpha_bar(t)) * 0.8, 1 - sched.alpha_bar(t)
        se_mean, se_var = np.sqrt(var / n), var * np.sqrt(2 / n)
        for sample in (chain[t], closed):
            assert abs(sample.mean() - mean) < 4 * se_mean
            assert abs(sample.var() - var) < 4 * se_var
        d, p = ks_2samp(chain[t], closed)
        assert p > 0.01, f"t = {t}: KS D = {d:.4f}, p = {p:.3g}"


def test_ks_detects_a_wrong_noise_scale():
    """The distribution test can fail: beta instead of sqrt(beta) in the chain is rejected."""
    rng = np.random.default_rng(99)
    n, T = 20_000, 50
    sched = linear_schedule(T, 1e-3, 0.05)
    x = np.full(n, 0.8)
    for beta in sched.betas:
        x = np.sqrt(1 - beta) * x + beta * rng.standard_normal(n)
    closed, _ = q_sample(np.full(n, 0.8), T, sched, rng=rng)
    assert ks_2samp(x, closed)[1] < 1e-6


def test_chain_variance_settles_at_one_whatever_the_start():
    rng = np.random.default_rng(5)
    traj = forward_chain(rng.standard_normal(40_000) * 3 + 2, np.full(400, 0.02), rng.standard_normal((400, 40_000)))
    decay = 0.98**400
    assert traj[-1].var() == pytest.approx(decay * 9 + 1 - decay, rel=0.03)
    assert abs(traj[-1].mean() - 2 * np.sqrt(decay)) < 0.03


# --- shapes and broadcasting ------------------------------------------------------------------------

def test_q_sample_broadcasts_per_sample_t_over_images():
    sched = get_schedule("linear", 1000)
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((4, 3, 8, 8))
    t = np.array([0, 1, 500, 1000])
    x_t, eps = q_sample(x0, t, sched, rng=rng)
    assert x_t.shape == eps.shape == x0.shape
    assert np.array_equal(x_t[0], x0[0])  # t = 0 is the clean image
    for i, ti in enumerate(t[1:], start=1):
        expected = sched.sqrt_alphas_cumprod[ti - 1] * x0[i] + sched.sqrt_one_minus_alphas_cumprod[ti - 1] * eps[i]
        assert np.allclose(x_t[i], expected, rtol=0, atol=1e-15)


def test_q_sample_scalar_t_and_1d_batch():
    sched = get_schedule("cosine", 10)
    x_t, eps = q_sample(np.array([1.0, -1.0, 0.5]), 3, sched, eps=np.array([0.1, 0.2, 0.3]))
    a = sched.alpha_bar(3)
    assert np.allclose(x_t, np.sqrt(a) * np.array([1.0, -1.0, 0.5]) + np.sqrt(1 - a) * np.array([0.1, 0.2, 0.3]))
    x_t, _ = q_sample(np.array([1.0, -1.0, 0.5]), np.array([1, 2, 3]), sched, eps=np.zeros(3))
    assert np.allclose(x_t, sched.sqrt_alphas_cumprod[:3] * np.array([1.0, -1.0, 0.5]))


def test_q_sample_keeps_float32_and_defaults_to_float64():
    sched = get_schedule("linear", 100)
    rng = np.random.default_rng(0)
    x_t, eps = q_sample(np.ones((2, 3), dtype=np.float32), np.array([5, 50]), sched, rng=rng)
    assert x_t.dtype == eps.dtype == np.float32
    x_t, eps = q_sample([[1, 2, 3]], 5, sched, rng=rng)
    assert x_t.dtype == eps.dtype == np.float64


def test_q_sample_is_reproducible_with_the_same_seed():
    sched = get_schedule("linear", 100)
    a = q_sample(np.zeros(5), 50, sched, rng=np.random.default_rng(7))[0]
    b = q_sample(np.zeros(5), 50, sched, rng=np.random.default_rng(7))[0]
    assert np.array_equal(a, b)


def _with_nan(shape, where) -> np.ndarray:
    arr = np.zeros(shape)
    arr[where] = np.nan
    return arr


@pytest.mark.parametrize(
    "shape, x_dtype, eps_dtype, per_sample_t",
    [
        ((), np.float64, np.float64, False),
        ((7,), np.float64, np.float64, True),
        ((0, 3), np.float64, np.float64, False),
        ((5, 3, 4, 4), np.float32, np.float32, True),
        ((5, 3, 4, 4), np.float32, np.float64, True),
        ((300, 3, 32, 32), np.float64, np.float64, True),  # several blocks of BLOCK_BYTES, last one short
        ((300, 3, 32, 32), np.float32, np.float32, False),
        ((2, 600, 600), np.float64, np.float64, True),  # one sample is larger than a block
    ],
)
def test_q_sample_equals_the_plain_expression_bit_for_bit(shape, x_dtype, eps_dtype, per_sample_t):
    sched = get_schedule("linear", 1000)
    rng = np.random.default_rng(3)
    x0, eps = rng.standard_normal(shape).astype(x_dtype), rng.standard_normal(shape).astype(eps_dtype)
    t = rng.integers(0, 1001, size=shape[:1]) if per_sample_t and shape else np.int64(400)
    x_t, _ = q_sample(x0, t, sched, eps=eps)
    a = np.concatenate([[1.0], sched.sqrt_alphas_cumprod]).astype(x_dtype)[t]
    b = np.concatenate([[0.0], sched.sqrt_one_minus_alphas_cumprod]).astype(x_dtype)[t]
    if np.ndim(a):
        a, b = a.reshape(a.shape + (1,) * (len(shape) - 1)), b.reshape(b.shape + (1,) * (len(shape) - 1))
    plain = a * x0 + b * eps
    assert x_t.dtype == plain.dtype and x_t.shape == plain.shape
    assert np.array_equal(x_t, plain)


def test_add_noise_uses_diffusers_zero_based_timesteps():
    sched = get_schedule("linear", 1000)
    x0, noise = np.full((2, 1, 2, 2), 0.5), np.full((2, 1, 2, 2), -1.0)
    got = add_noise(x0, noise, np.array([0, 999]), sched)
    expected = q_sample(x0, np.array([1, 1000]), sched, eps=noise)[0]
    assert np.array_equal(got, expected)
    assert got[0, 0, 0, 0] == pytest.approx(np.sqrt(0.9999) * 0.5 - np.sqrt(0.0001))
    with pytest.raises(ValueError, match="0..999"):
        add_noise(x0, noise, np.array([0, 1000]), sched)


def test_forward_step_per_sample_beta_broadcasts():
    x = np.ones((2, 3, 2, 2))
    out = forward_step(x, np.array([0.19, 0.36]), np.zeros_like(x))
    assert np.allclose(out[0], 0.9) and np.allclose(out[1], 0.8)


def test_forward_chain_shapes_and_fresh_noise():
    traj = forward_chain(np.zeros((2, 3)), np.full(4, 0.5), np.arange(24.0).reshape(4, 2, 3))
    assert traj.shape == (5, 2, 3)
    assert np.array_equal(traj[0], np.zeros((2, 3)))
    assert traj[1] == pytest.approx(np.sqrt(0.5) * np.arange(6.0).reshape(2, 3))


def test_inputs_are_not_modified():
    x, eps = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    forward_step(x, 0.1, eps)
    forward_chain(x, np.array([0.1, 0.2]), np.ones((2, 2)))
    q_sample(x, 1, TOY, eps=eps)
    assert np.array_equal(x, [1.0, 2.0]) and np.array_equal(eps, [0.5, 0.5])


# --- every error path ---------------------------------------------------------------------------------

SCHED = get_schedule("linear", 10)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: forward_step(1.0, 0.0, 0.1), "beta must lie strictly between 0 and 1; got 0.0"),
        (lambda: forward_step(1.0, 1.0, 0.1), "beta must lie strictly between 0 and 1"),
        (lambda: forward_step(1.0, -0.1, 0.1), "beta must lie strictly between 0 and 1"),
        (lambda: forward_step(np.nan, 0.1, 0.1), "x_prev must be finite"),
        (lambda: forward_step(1.0, 0.1, np.inf), "eps must be finite"),
        (lambda: forward_step(np.ones(3), 0.1, np.ones(4)), "eps must have shape \\(3,\\)"),
        (lambda: forward_step(np.ones((2, 3)), np.full(3, 0.1), np.ones((2, 3))), "beta has 3 entries but the data has 2"),
        (lambda: forward_chain(0.0, np.array([0.1, 1.2]), np.ones(2)), "betas must lie strictly between 0 and 1; got 1.2 at index 1"),
        (lambda: forward_chain(0.0, np.array([[0.1]]), np.ones(1)), "betas must be a non-empty 1-D"),
        (lambda: forward_chain(np.zeros(3), np.full(2, 0.1), np.ones((2, 4))), "eps must have shape \\(2, 3\\)"),
        (lambda: forward_chain(np.zeros(3), np.full(2, 0.1), np.ones(3)), "one draw per step"),
        (lambda: q_sample(np.ones(3), 11, SCHED, eps=np.ones(3)), "t must lie in 0..10"),
        (lambda: q_sample(np.ones(3), -1, SCHED, eps=np.ones(3)), "t must lie in 0..10"),
        (lambda: q_sample(np.ones(3), np.array([1, 2]), SCHED, eps=np.ones(3)), "t has 2 entries but the data has 3"),
        (lambda: q_sample(np.ones(3), 2.5, SCHED, eps=np.ones(3)), "whole timesteps"),
        (lambda: q_sample(np.ones(3), 2, SCHED, eps=np.ones(2)), "eps must have shape \\(3,\\)"),
        (lambda: q_sample(np.ones(3), 2, SCHED), "needs eps, or rng"),
        (lambda: q_sample(np.full(3, np.nan), 2, SCHED, eps=np.ones(3)), "x0 must be finite"),
        (lambda: q_sample(np.ones(3), 2, SCHED, eps=np.array([0.0, np.inf, 0.0])), "eps must be finite"),
        (lambda: q_sample(np.ones(3), 0, SCHED, eps=np.array([0.0, np.inf, 0.0])), "eps must be finite"),
        (lambda: q_sample(np.inf, 2, SCHED, eps=0.0), "x0 must be finite"),
        (lambda: q_sample(np.ones((300, 3, 32, 32)), 5, SCHED, eps=_with_nan((300, 3, 32, 32), (299, 2, 31, 31))),
         "eps must be finite"),
        (lambda: equivalent_eps(1.0, 0.5, 1.0), "alpha_bar must lie strictly between 0 and 1"),
        (lambda: equivalent_eps(1.0, 0.5, 0.0), "alpha_bar must lie strictly between 0 and 1"),
        (lambda: equivalent_eps(np.ones(2), np.ones(3), 0.5), "x_t must have shape \\(2,\\)"),
    ],
)
def test_bad_input_gets_a_clear_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_type_errors_name_the_argument():
    with pytest.raises(TypeError, match="schedule must be a course_lib Schedule"):
        q_sample(1.0, 1, np.ones(10), eps=1.0)
    with pytest.raises(TypeError, match="x_prev must be a real number"):
        forward_step("a", 0.1, 0.1)
    with pytest.raises(TypeError, match="t must be an integer timestep"):
        q_sample(1.0, "3", SCHED, eps=1.0)
