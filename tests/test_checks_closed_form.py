"""Notebook 03's visible checks accept correct answers, refuse broken rules and name the misconception behind
wrong ones; their hard-coded numbers are what course_lib computes."""

import numpy as np
import pytest

from course_lib import forward
from course_lib.checks import CheckFailed
from course_lib.checks import closed_form as checks
from course_lib.checks._core import UsesReference
from course_lib.schedules import from_alphas_cumprod, from_betas, linear_schedule


def _cumprod_loop(betas):
    out, running = [], 1.0
    for beta in betas:
        running *= 1.0 - beta
        out.append(running)
    return np.array(out)


def _q_sample(x0, t, alphas_cumprod, eps):
    abar = alphas_cumprod[t - 1]
    return np.sqrt(abar) * x0 + np.sqrt(1 - abar) * eps, eps


def _q_sample_padded(x0, t, alphas_cumprod, eps):
    """Correct too: pad alpha_bar_0 = 1 in front and index with t directly."""
    padded = np.concatenate([[1.0], alphas_cumprod])
    return padded[t] ** 0.5 * np.asarray(x0) + (1 - padded[t]) ** 0.5 * np.asarray(eps), eps


def _extract(a, t, x_shape):
    return np.asarray(a)[np.asarray(t) - 1].reshape((-1,) + (1,) * (len(x_shape) - 1))


def _posterior(x0, x_t, t, alphas_cumprod):
    padded = np.concatenate([[1.0], alphas_cumprod])
    abar, prev = padded[t], padded[np.asarray(t) - 1]
    beta = 1 - abar / prev
    mean = (np.sqrt(prev) * beta * x0 + np.sqrt(1 - beta) * (1 - prev) * x_t) / (1 - abar)
    return mean, (1 - prev) * beta / (1 - abar)


def _posterior_where(x0, x_t, t, alphas_cumprod):
    """Correct too: alpha_bar_{t-1} from np.where, and float32 arithmetic."""
    t = np.asarray(t)
    ac = np.asarray(alphas_cumprod, dtype=np.float32)
    abar, prev = ac[t - 1], np.where(t > 1, ac[np.maximum(t - 2, 0)], np.float32(1))
    alpha = abar / prev
    mean = (np.sqrt(prev) * (1 - alpha) * x0 + np.sqrt(alpha) * (1 - prev) * x_t) / (1 - abar)
    return mean, (1 - prev) * (1 - alpha) / (1 - abar)


def test_correct_answers_pass(capsys):
    checks.check_alphas_cumprod_from_betas(lambda b: np.cumprod(1 - b))
    checks.check_alphas_cumprod_from_betas(_cumprod_loop)
    checks.check_alphas_cumprod_from_betas(lambda b: np.exp(np.cumsum(np.log1p(-b))))
    checks.check_q_sample(_q_sample)
    checks.check_q_sample(_q_sample_padded)
    checks.check_q_sample(lambda x0, t, ac, eps: [_q_sample(x0, t, ac, eps)[0], eps])
    checks.check_equivalent_eps(lambda x0, xt, ab: (xt - np.sqrt(ab) * x0) / np.sqrt(1 - ab))
    checks.check_equivalent_eps(lambda x0, xt, ab: (np.float32(xt) - ab**0.5 * np.float32(x0)) / (1 - ab) ** 0.5)
    checks.check_extract(_extract)
    checks.check_extract(lambda a, t, s: np.asarray(a)[np.asarray(t) - 1][(...,) + (None,) * (len(s) - 1)])
    checks.check_merge(1 / (1 + 2**2 - 0.35**2))
    checks.check_merge(np.float64(0.2051))
    checks.check_posterior_mean_var(_posterior)
    checks.check_posterior_mean_var(_posterior_where)
    checks.check_choice("B", "gaussian_answer")
    assert capsys.readouterr().out.count("✔") == 15


def test_literals_match_the_reference():
    """The numbers the checks hold (or print) are what course_lib computes, independently of the checks."""
    toy = from_betas([0.2] * 4)
    assert np.allclose(toy.alphas_cumprod, checks._TOY, atol=1e-15)
    assert np.allclose(from_betas([0.1, 0.3, 0.2, 0.05]).alphas_cumprod, checks._SHORT, atol=1e-15)
    assert float(forward.q_sample(0.80, 2, toy, eps=-0.4450)[0]) == pytest.approx(0.3730, abs=1e-15)
    x2 = forward.forward_chain(0.80, [0.2, 0.2], np.array([-0.20, -0.4181]))[-1]
    assert float(forward.equivalent_eps(0.80, x2, 0.64)) == pytest.approx(-0.4450, abs=5e-5)
    short = from_alphas_cumprod(checks._SHORT)
    assert forward.q_sample(checks._X0, 3, short, eps=checks._EPS)[0] == pytest.approx(checks._X_T, abs=1e-15)
    mean, var = forward.posterior_mean_var(0.80, 0.3730, 2, toy)
    assert (round(float(mean), 4), round(float(var), 4)) == (0.5829, 0.1111)  # the check's success line
    for case in checks._POST_CASES:  # the check's expected values are the reference's
        got, want = checks._posterior(*case), forward.posterior_mean_var(*case[:3], from_alphas_cumprod(case[3]))
        assert got[0] == pytest.approx(want[0], abs=1e-12)
        assert np.ravel(got[1]) == pytest.approx(np.ravel(want[1]), abs=1e-12)


def test_the_merge_values_are_where_the_exact_density_loses_its_dip():
    """alpha_bar = 1 / (1 + m^2 - s^2) = 0.2050, first reached at t = 394 on the linear schedule: the exact
    density of x_t has two modes at t = 393 and one at t = 394."""
    from course_lib.score import GaussianMixture

    linear = linear_schedule(1000)
    two_modes = GaussianMixture([0.5, 0.5], [-2.0, 2.0], [0.35**2, 0.35**2])
    grid = np.linspace(-3, 3, 60_001)
    peaks = []
    for t in (393, 394):
        p = two_modes.noised(linear.alpha_bar(t)).pdf(grid)
        peaks.append(int(np.sum((p[1:-1] > p[:-2]) & (p[1:-1] > p[2:]))))
    assert peaks == [2, 1]
    assert 1 / (1 + 2**2 - 0.35**2) == pytest.approx(0.20502, abs=1e-5)
    assert linear.alpha_bar(393) > 1 / (1 + 2**2 - 0.35**2) >= linear.alpha_bar(394)
    checks.check_merge(1 / (1 + 2**2 - 0.35**2))


# --- every rule of check_call, on this notebook's exercises ---------------------------------------------------

def test_an_answer_that_modifies_its_input_is_caught_in_every_exercise():
    def cumprod_in_place(betas):
        np.subtract(1.0, betas, out=betas)
        return np.cumprod(betas)

    def q_in_place(x0, t, ac, eps):
        x0 *= np.sqrt(ac[t - 1])
        x0 += np.sqrt(1 - ac[t - 1]) * eps
        return x0, eps

    def extract_in_place(a, t, x_shape):
        t -= 1
        return np.asarray(a)[t].reshape((len(t),) + (1,) * (len(x_shape) - 1))

    def posterior_in_place(x0, x_t, t, ac):
        mean, var = _posterior(x0, x_t, t, ac)
        x_t[...] = mean
        return x_t, var

    for check, answer, name in [(checks.check_alphas_cumprod_from_betas, cumprod_in_place, "betas"),
                                (checks.check_q_sample, q_in_place, "x0"),
                                (checks.check_extract, extract_in_place, "t"),
                                (checks.check_posterior_mean_var, posterior_in_place, "x_t")]:
        with pytest.raises(CheckFailed, match=f"modified its input {name}"):
            check(answer)


def test_scalar_only_answers_are_caught_with_the_reason():
    import math

    with pytest.raises(CheckFailed, match="NumPy's versions"):
        checks.check_alphas_cumprod_from_betas(lambda b: math.exp(np.cumsum(np.log(1 - b))))
    with pytest.raises(CheckFailed, match="NumPy's versions"):
        checks.check_q_sample(lambda x0, t, ac, eps: (math.sqrt(ac[t - 1]) * float(x0)
                                                      + math.sqrt(1 - ac[t - 1]) * float(eps), eps))
    with pytest.raises(CheckFailed, match="NumPy's versions"):
        checks.check_equivalent_eps(lambda x0, xt, ab: (float(xt) - math.sqrt(ab) * float(x0)) / math.sqrt(1 - ab))
    with pytest.raises(CheckFailed, match="NumPy's versions"):
        checks.check_extract(lambda a, t, s: np.full((s[0],) + (1,) * (len(s) - 1), a[int(t) - 1]))

    def if_t_is_one(x0, x_t, t, ac):
        if t == 1:
            return x0, 0.0
        return _posterior(x0, x_t, t, ac)
    with pytest.raises(CheckFailed, match="was used on an array"):
        checks.check_posterior_mean_var(if_t_is_one)


def test_answers_that_only_call_course_lib_get_no_tick():
    with pytest.raises(UsesReference, match="course_lib's own implementation"):
        checks.check_equivalent_eps(forward.equivalent_eps)
    with pytest.raises(UsesReference, match="course_lib's own implementation"):
        checks.check_posterior_mean_var(
            lambda x0, x_t, t, ac: forward.posterior_mean_var(x0, x_t, t, from_alphas_cumprod(ac)))
    with pytest.raises(UsesReference):
        checks.check_alphas_cumprod_from_betas(lambda b: from_betas(b).alphas_cumprod)
    with pytest.raises(UsesReference):
        checks.check_extract(lambda a, t, s: np.reshape(from_alphas_cumprod(a).alpha_bar(t),
                                                        (-1,) + (1,) * (len(s) - 1)))


def test_an_unanswered_exercise_is_waiting():
    def stub(*args):
        raise NotImplementedError()
    for check in (checks.check_alphas_cumprod_from_betas, checks.check_q_sample, checks.check_equivalent_eps,
                  checks.check_extract, checks.check_posterior_mean_var):
        with pytest.raises(CheckFailed, match="waiting for your answer"):
            check(stub)


def test_a_failure_names_the_hints():
    with pytest.raises(CheckFailed) as info:
        checks.check_posterior_mean_var(lambda x0, x_t, t, ac: (x0, 0.0))
    assert 'checks.hint("posterior_mean_var")' in "\n".join(info.value._render_traceback_())
    with pytest.raises(CheckFailed) as info:
        checks.check_merge(0.2)
    assert 'checks.hint("merge")' in "\n".join(info.value._render_traceback_())


@pytest.mark.parametrize("exercise", ["alphas_cumprod_from_betas", "q_sample", "equivalent_eps", "extract", "merge",
                                      "posterior_mean_var", "gaussian_answer"])
def test_every_exercise_has_two_or_three_hints(exercise):
    from course_lib.checks._hints import _HINTS

    assert 2 <= len(_HINTS[exercise]) <= 3


# --- the misconceptions each check names ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda b: np.cumsum(1 - b), "np.cumsum was used"),
        (lambda b: 1 - np.cumsum(b), "first-order approximation"),
        (lambda b: np.cumprod(b), "running product of the betas"),
        (lambda b: 1 - b, "that is alpha = 1 - beta, not alpha_bar"),
        (lambda b: np.prod(1 - b), "only the final product"),
        (lambda b: np.concatenate([[1.0], np.cumprod(1 - b)[:-1]]), "shifted by one"),
        (lambda b: np.concatenate([[1.0], np.cumprod(1 - b)]), "T \\+ 1 values"),
        (lambda b: np.sqrt(np.cumprod(1 - b)), "that is sqrt\\(alpha_bar\\)"),
        (lambda b: 1 - np.cumprod(1 - b), "that is 1 - alpha_bar"),
    ],
)
def test_alphas_cumprod_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_alphas_cumprod_from_betas(wrong)


def _q(signal, noise):
    """A q_sample built from wrong coefficient functions of alpha_bar."""
    def q_sample(x0, t, ac, eps):
        abar = ac[t - 1]
        return signal(abar) * x0 + noise(abar) * eps, eps
    return q_sample


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda x0, t, ac, eps: _q_sample(x0, t + 1, ac, eps), "0-indexed: alpha_bar_t is alphas_cumprod\\[t - 1\\]"),
        (_q(lambda a: a, lambda a: 1 - a), "the square roots are missing"),
        (_q(np.sqrt, lambda a: 1 - a), "scaled by 1 - alpha_bar instead of sqrt"),
        (_q(lambda a: a, lambda a: np.sqrt(1 - a)), "sqrt forgotten on alpha_bar"),
        (_q(np.sqrt, lambda a: 1 - np.sqrt(a)), "1 - sqrt\\(alpha_bar\\)"),
        (_q(lambda a: np.sqrt(1 - a), np.sqrt), "swapped"),
        (lambda x0, t, ac, eps: (np.sqrt(np.prod(ac[:t])) * x0 + np.sqrt(1 - np.prod(ac[:t])) * eps, eps),
         "already holds the running product"),
        (lambda x0, t, ac, eps: _q_sample(x0, t, ac, eps)[::-1], "wrong order"),
    ],
)
def test_q_sample_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_q_sample(wrong)


def test_q_sample_index_error_at_t_equals_T_names_the_off_by_one():
    def zero_based(x0, t, ac, eps):
        if t == len(ac):  # only the last step goes out of range
            return _q_sample(x0, t + 1, ac, eps)
        return _q_sample(x0, t, ac, eps)
    with pytest.raises(CheckFailed, match="raised IndexError(.|\n)*Likely mistake: t is the maths' step"):
        checks.check_q_sample(zero_based)


def test_q_sample_that_returns_only_x_t_is_told_to_return_the_pair():
    with pytest.raises(CheckFailed, match="it must return a tuple of 2 values"):
        checks.check_q_sample(lambda x0, t, ac, eps: _q_sample(x0, t, ac, eps)[0])


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda x0, xt, ab: (xt - ab * x0) / (1 - ab), "the square roots are missing"),
        (lambda x0, xt, ab: (xt - np.sqrt(ab) * x0) / (1 - ab), "divided by 1 - alpha_bar instead"),
        (lambda x0, xt, ab: (xt - ab * x0) / np.sqrt(1 - ab), "sqrt forgotten on alpha_bar"),
        (lambda x0, xt, ab: (xt - x0) / np.sqrt(1 - ab), "x0 was not scaled"),
        (lambda x0, xt, ab: (np.sqrt(ab) * x0 - xt) / np.sqrt(1 - ab), "sign is flipped"),
        (lambda x0, xt, ab: (xt - np.sqrt(ab) * x0) * np.sqrt(1 - ab), "multiplied by sqrt"),
        (lambda x0, xt, ab: xt - np.sqrt(ab) * x0, "division by sqrt\\(1 - alpha_bar\\) is missing"),
    ],
)
def test_equivalent_eps_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_equivalent_eps(wrong)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda a, t, s: _extract(a, np.asarray(t) + 1, s), "0-indexed"),
        (lambda a, t, s: np.asarray(a)[np.asarray(t) - 1], "not reshaped"),
        (lambda a, t, s: np.asarray(a)[np.asarray(t) - 1].reshape(-1, 1), "reshaped to \\[B, 1\\]"),
        (lambda a, t, s: np.asarray(a)[np.asarray(t) - 1].reshape((1,) * (len(s) - 1) + (-1,)), "batch is on the last"),
        (lambda a, t, s: np.asarray(a)[np.asarray(t) - 1].reshape(-1, 1, 1, 1), "always \\[B, 1, 1, 1\\]"),
    ],
)
def test_extract_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_extract(wrong)


def test_extract_index_error_names_the_off_by_one():
    with pytest.raises(CheckFailed, match="IndexError(.|\n)*Likely mistake: t is the maths' step"):
        checks.check_extract(lambda a, t, s: _extract(a, t + 1 if max(t) == len(a) else t, s))


@pytest.mark.parametrize(
    "alpha_bar, phrase",
    [
        (0.2, "the modes' own width was left out"),
        (1.1225 / 5, "the modes' own spread was not shrunk"),
        (1 / (1 + 16 - 0.1225), "the distance \\*between\\* the two modes"),
        (0.178, "with the variance sigma_t\\^2"),
        (0.4022, "scaled by alpha_bar instead of sqrt\\(alpha_bar\\)"),
        (0.5, "where SNR = 1"),
        (np.sqrt(1 / 4.8775), "that is sqrt\\(alpha_bar_merge\\)"),
        (1 - 1 / 4.8775, "the share of noise"),
    ],
)
def test_merge_misconceptions_are_named_without_revealing_the_answer(alpha_bar, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase) as info:
        checks.check_merge(alpha_bar)
    assert "0.2050" not in str(info.value) and "394" not in str(info.value)


def _post(mean=None, var=None, prev=None, now=None, order=(0, 1)):
    """A posterior_mean_var with pieces swapped for wrong ones (functions of abar, prev, beta, x0, x_t)."""
    def posterior_mean_var(x0, x_t, t, ac):
        padded = np.concatenate([[1.0], ac])
        t = np.asarray(t)
        abar = now(padded, t) if now else padded[t]
        p = prev(padded, t, ac) if prev else padded[t - 1]
        beta = 1 - abar / p
        m = mean(abar, p, beta, x0, x_t) if mean else \
            (np.sqrt(p) * beta * x0 + np.sqrt(1 - beta) * (1 - p) * x_t) / (1 - abar)
        v = var(abar, p, beta) if var else (1 - p) * beta / (1 - abar)
        return (m, v)[order[0]], (m, v)[order[1]]
    return posterior_mean_var


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (_post(prev=lambda p, t, ac: ac[t - 2]), "alphas_cumprod\\[-1\\]: Python counts negative indices"),
        (_post(prev=lambda p, t, ac: p[t], now=lambda p, t: p[t + 1]), "arrays are 0-indexed"),
        (_post(mean=lambda ab, p, b, x0, xt: (np.sqrt(p) * (1 - ab) * x0 + np.sqrt(ab) * (1 - p) * xt) / (1 - ab)),
         "beta_t was taken as 1 - alpha_bar_t"),
        (_post(mean=lambda ab, p, b, x0, xt: (np.sqrt(ab) * b * x0 + np.sqrt(1 - b) * (1 - p) * xt) / (1 - ab)),
         "x0's coefficient uses sqrt\\(alpha_bar_t\\)"),
        (_post(mean=lambda ab, p, b, x0, xt: (np.sqrt(p) * b * x0 + np.sqrt(ab) * (1 - p) * xt) / (1 - ab)),
         "x_t's coefficient uses sqrt\\(alpha_bar_t\\)"),
        (_post(mean=lambda ab, p, b, x0, xt: (p * b * x0 + (1 - b) * (1 - p) * xt) / (1 - ab)),
         "the square roots are missing"),
        (_post(mean=lambda ab, p, b, x0, xt: (np.sqrt(p) * b * xt + np.sqrt(1 - b) * (1 - p) * x0) / (1 - ab)),
         "x0 and x_t are swapped"),
        (_post(mean=lambda ab, p, b, x0, xt: np.sqrt(p) * x0 + 0 * xt), "the mean of q\\(x_\\{t-1\\} \\| x0\\)"),
        (_post(mean=lambda ab, p, b, x0, xt: xt / np.sqrt(1 - b) + 0 * x0), "the step undone"),
        (_post(order=(1, 0)), "return \\(mean, variance\\), the mean first"),
        (_post(var=lambda ab, p, b: b), "that is beta_t, the variance of the forward step"),
        (_post(var=lambda ab, p, b: np.sqrt((1 - p) * b / (1 - ab))), "that is a standard deviation"),
        (_post(var=lambda ab, p, b: (1 - ab) * b / (1 - p)), "alpha_bar_t and alpha_bar_\\{t-1\\} are swapped"),
        (_post(var=lambda ab, p, b: 1 - p),
         "that is 1 - alpha_bar_\\{t-1\\}, the variance of q\\(x_\\{t-1\\} \\| x0\\)"),
    ],
)
def test_posterior_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_posterior_mean_var(wrong)


def test_posterior_index_error_at_t_equals_T_names_the_off_by_one():
    def zero_based_at_T(x0, x_t, t, ac):
        if np.any(np.asarray(t) == len(ac)):
            return ac[len(ac)], 0.0  # what alpha_bar_t = alphas_cumprod[t] does at t = T
        return _posterior(x0, x_t, t, ac)
    with pytest.raises(CheckFailed, match="IndexError(.|\n)*Likely mistake: t is the maths' step"):
        checks.check_posterior_mean_var(zero_based_at_T)


def test_posterior_variance_broadcast_to_the_data_shape_is_refused_with_the_shapes():
    with pytest.raises(CheckFailed, match="returned shape \\(3,\\), expected shape \\(\\)"):
        checks.check_posterior_mean_var(lambda x0, x_t, t, ac: (_posterior(x0, x_t, t, ac)[0],
                                                                 np.full(np.shape(x0), _posterior(x0, x_t, t, ac)[1])))
