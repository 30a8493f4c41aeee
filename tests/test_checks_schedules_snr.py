"""Notebook 04's visible checks accept correct answers, enforce the shared rules and name typical mistakes."""

import math
import re

import nbformat
import numpy as np
import pytest

from conftest import ROOT
from course_lib import data, schedules
from course_lib.checks import CheckFailed
from course_lib.checks import schedules_snr as checks
from course_lib.checks._core import UsesReference, Waiting
from course_lib.checks._hints import _HINTS


def _f(t, T, s):
    return np.cos((np.asarray(t, dtype=float) / T + s) / (1 + s) * math.pi / 2) ** 2


def good_cosine(T, s):
    t = np.arange(1, T + 1)
    return _f(t, T, s) / _f(0, T, s)


def good_betas(a):
    return 1 - a / np.concatenate([[1.0], a[:-1]])


def _first_t(below):
    """The first 1-based t where ``below`` is True, or None."""
    hits = np.flatnonzero(below)
    return int(hits[0]) + 1 if hits.size else None


def good_t_at_snr(alphas_cumprod, value):
    return _first_t(snr(np.asarray(alphas_cumprod)) <= value)


def snr(a):  # the name good_t_at_snr looks up: the check swaps in its own known-good snr meanwhile
    raise AssertionError("check_t_at_snr must substitute a known-good snr")


def t_at_snr(a, v):  # the name good_t_at_data_snr looks up: the check swaps in its own known-good t_at_snr
    raise AssertionError("check_t_at_data_snr must substitute a known-good t_at_snr")


def good_t_at_data_snr(alphas_cumprod, x0):
    return t_at_snr(alphas_cumprod, 1 / x0.var())


def own_t_at_data_snr(alphas_cumprod, x0):
    """Right, without t_at_snr: the variance by hand and a loop over the steps."""
    s2 = np.mean((x0 - np.mean(x0)) ** 2)
    for t, a in enumerate(alphas_cumprod, start=1):
        if s2 * a / (1 - a) <= 1:
            return t
    return None


def good_timesteps(T, num_steps, spacing):
    i = np.arange(num_steps)
    k = (num_steps - 1 - i) * (T // num_steps) if spacing == "leading" else np.round(T - i * T / num_steps) - 1
    return (k + 1).astype(int)


def good_first_alpha_bar(alphas_cumprod, num_steps, spacing):
    return alphas_cumprod[good_timesteps(len(alphas_cumprod), num_steps, spacing)[0] - 1]


def good_pool(x, k):
    H, W = x.shape[-2:]
    return x.reshape(*x.shape[:-2], H // k, k, W // k, k).mean(axis=(-3, -1))


ABAR_LEADING, ABAR_TRAILING = 7.707612735854734e-05, 0.0
PORTRAIT = data.sample_image(64)
LINEAR = np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))


def test_correct_answers_pass(capsys):
    checks.check_cosine_alphas_cumprod(good_cosine)
    checks.check_cosine_alphas_cumprod(
        lambda T, s: np.array([math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2 for t in range(1, T + 1)])
        / math.cos(s / (1 + s) * math.pi / 2) ** 2)  # math.cos in a loop over Python numbers is fine
    checks.check_betas_from_alphas_cumprod(good_betas)
    checks.check_betas_from_alphas_cumprod(lambda a: np.array([1 - a[0]] + [1 - a[t] / a[t - 1] for t in range(1, len(a))]))
    checks.check_snr(lambda a: a / (1 - a))
    checks.check_snr(lambda a: 1 / (1 / np.asarray(a) - 1))
    checks.check_t_snr1_estimate(259.0)
    checks.check_t_snr1_estimate(260)  # the exact answer is within the estimate's tolerance
    checks.check_t_at_snr(good_t_at_snr)
    checks.check_t_at_snr(lambda a, v: next((t for t, x in enumerate(a, 1) if x / (1 - x) <= v), None))
    checks.check_t_at_data_snr(good_t_at_data_snr)
    checks.check_t_at_data_snr(own_t_at_data_snr)
    checks.check_sampling_timesteps(good_timesteps, good_first_alpha_bar)
    checks.check_sampling_timesteps(lambda T, n, sp: [int(t) for t in good_timesteps(T, n, sp)],
                                    lambda a, n, sp: float(a[-1] if sp == "trailing" else a[(n - 1) * (len(a) // n)]))
    checks.check_average_pool(good_pool)
    checks.check_average_pool(lambda x, k: sum(x[..., i::k, j::k] for i in range(k) for j in range(k)) / k**2)
    checks.check_choice(" c", "waste_answer")
    assert capsys.readouterr().out.count("✔") == 17


def test_the_expected_values_are_the_reference_library_values():
    """The checks' literals agree with course_lib computed independently of them."""
    linear = schedules.get_schedule("linear", 1000)
    np.testing.assert_allclose(LINEAR, linear.alphas_cumprod, rtol=1e-12)
    for x, expected in ((PORTRAIT, 163), ((PORTRAIT + 1) / 2, 84), ((PORTRAIT + 1) / 2 * 255, 920)):
        assert schedules.t_at_snr(linear, 1 / x.var()) == expected == checks._good_t_at_data_snr(LINEAR, x)
    sd_zero = schedules.rescale_zero_terminal_snr(schedules.get_schedule("scaled_linear", 1000))
    assert sd_zero.alpha_bar(981) == pytest.approx(ABAR_LEADING, rel=1e-12) and sd_zero.alpha_bar(1000) == 0.0
    assert checks.T_SNR1_ESTIMATE == pytest.approx(259.32, abs=0.01)
    assert abs(checks.T_SNR1_ESTIMATE - schedules.t_at_snr(linear, 1.0)) < checks.T_SNR1_TOLERANCE


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda T, s: np.cos(np.linspace(0, 1, T) * math.pi / 2) ** 2, "the teaching cosine"),
        (lambda T, s: np.cos(np.arange(1, T + 1) / T * math.pi / 2) ** 2, "the s offset is dropped"),
        (lambda T, s: _f(np.arange(1, T + 1), T, s), "must be normalised by f\\(0\\)"),
        (lambda T, s: _f(np.arange(1, T + 1), T, s) / _f(np.arange(T), T, s), "alpha where alpha_bar belongs"),
        (lambda T, s: _f(np.arange(T), T, s) / _f(0, T, s), "off-by-one in t: the first entry must be alpha_bar_1"),
        (lambda T, s: _f(np.arange(T + 1), T, s) / _f(0, T, s), "off-by-one in t: return T values"),
        (lambda T, s: np.sqrt(good_cosine(T, s)), "cos \\*squared\\*"),
        (lambda T, s: np.cos((np.arange(1, T + 1) / T + s) * math.pi / 2) ** 2 / np.cos(s * math.pi / 2) ** 2,
         "divided by 1 \\+ s"),
        (lambda T, s: np.cumprod(1 - np.minimum(good_betas(good_cosine(T, s)), 0.999)), "clipped at 0.999"),
    ],
)
def test_cosine_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_cosine_alphas_cumprod(wrong)


def test_cosine_with_math_cos_on_an_array_is_explained():
    def scalar_only(T, s):
        t = np.arange(1, T + 1)
        return math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2 / math.cos(s / (1 + s) * math.pi / 2) ** 2
    with pytest.raises(CheckFailed, match="NumPy's versions"):
        checks.check_cosine_alphas_cumprod(scalar_only)


def test_cosine_without_return_is_explained():
    with pytest.raises(CheckFailed, match="no `return` statement"):
        checks.check_cosine_alphas_cumprod(lambda T, s: None)


def _shifted(a):
    return np.concatenate([[1.0], a[:-1]])


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda a: 1 - a, "that is 1 - alpha_bar_t, the variance of \\*all\\* the noise"),
        (lambda a: a / _shifted(a), "that is alpha_t"),
        (lambda a: 1 - _shifted(a) / a, "the ratio is upside down"),
        (lambda a: _shifted(a) - a, "a difference where a ratio belongs"),
        (lambda a: 1 - a / np.roll(a, 1), "np.roll wraps around"),
        (lambda a: 1 - a[1:] / a[:-1], "beta_1 is missing"),
        (lambda a: np.minimum(good_betas(a), 0.999), "the betas were clipped at 0.999"),
    ],
)
def test_betas_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        with np.errstate(divide="ignore", invalid="ignore"):
            checks.check_betas_from_alphas_cumprod(wrong)


def test_betas_that_modify_their_input_fail_even_when_the_values_are_right():
    def in_place(alphas_cumprod):
        alphas_cumprod[1:] = alphas_cumprod[1:] / alphas_cumprod[:-1]
        return 1 - alphas_cumprod
    with pytest.raises(CheckFailed, match="modified its input alphas_cumprod"):
        checks.check_betas_from_alphas_cumprod(in_place)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda a: (1 - a) / a, "noise-to-signal ratio"),
        (lambda a: np.sqrt(a / (1 - a)), "the ratio of the coefficients themselves"),
        (lambda a: a, "the noise's squared coefficient is missing"),
        (lambda a: np.log(a / (1 - a)), "that is log SNR"),
        (lambda a: np.sqrt(a) / (1 - a), "squares only the noise's coefficient"),
    ],
)
def test_snr_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_snr(wrong)


def test_snr_for_single_numbers_only_fails_visibly():
    def scalar_only(alphas_cumprod):
        a = float(alphas_cumprod)
        return a / (1 - a)
    with pytest.raises(CheckFailed, match="NumPy's versions"):
        checks.check_snr(scalar_only)


def test_snr_in_place_and_reference_only_fail_visibly():
    def in_place(alphas_cumprod):
        alphas_cumprod /= 1 - alphas_cumprod
        return alphas_cumprod
    with pytest.raises(CheckFailed, match="modified its input"):
        checks.check_snr(in_place)
    with pytest.raises(UsesReference, match="course_lib's own implementation"):
        checks.check_snr(lambda a: schedules.snr(a))


@pytest.mark.parametrize(
    "value, phrase",
    [(219.6, "only the first-order product"), (6931.5, "every beta is beta_1"), (34.7, "as large as beta_T"),
     (500, "the middle of the schedule is a guess"), (300, "is 300.0000, which is not right")],
)
def test_estimate_mistakes_are_named_without_revealing_the_answer(value, phrase):
    with pytest.raises(CheckFailed, match=phrase) as info:
        checks.check_t_snr1_estimate(value)
    assert "259" not in str(info.value) and info.value.exercise == "t_snr1_estimate"


def _zero_based(a, v):
    t = good_t_at_snr(a, v)
    return None if t is None else t - 1


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (_zero_based, "off-by-one in t: that is the 0-based array index"),
        (lambda a, v: _first_t(snr(np.asarray(a)) < v), "'drops to or below' includes equality"),
        (lambda a, v: _first_t(np.asarray(a) <= v), "alpha_bar where SNR belongs"),
        (lambda a, v: _first_t(np.log(snr(np.asarray(a))) <= v), "log SNR was compared with value"),
        (lambda a, v: int(np.argmax(snr(np.asarray(a)) <= v)) + 1, "np.argmax of an all-False array is 0"),
    ],
)
def test_t_at_snr_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match=phrase):
        checks.check_t_at_snr(wrong)


def test_t_at_snr_returning_none_always_fails():
    with pytest.raises(CheckFailed, match="returned None"):
        checks.check_t_at_snr(lambda a, v: None)


def test_t_at_snr_unanswered_is_waiting_not_a_pass():
    def waiting(a, v):
        raise NotImplementedError()
    with pytest.raises(Waiting):
        checks.check_t_at_snr(waiting)


def test_t_at_snr_is_checked_with_a_good_snr_in_place():
    # a learner whose own snr is wrong (sqrt) still passes t_at_snr: the check swaps in good_snr meanwhile
    namespace = {"np": np, "snr": lambda a: np.sqrt(a / (1 - a))}
    exec("def t_at_snr(a, v):\n    hits = np.flatnonzero(snr(np.asarray(a)) <= v)\n"
         "    return int(hits[0]) + 1 if hits.size else None", namespace)
    checks.check_t_at_snr(namespace["t_at_snr"])
    assert namespace["snr"](0.5) == 1.0 and namespace["snr"](0.8) == pytest.approx(2.0)  # restored afterwards


def test_t_at_snr_wrong_on_the_real_schedule_only():
    def only_small(a, v):
        return good_t_at_snr(a, v) if len(a) < 10 else 259
    with pytest.raises(CheckFailed, match="gave 259.0000, expected 260.0000"):
        checks.check_t_at_snr(only_small)


#: the portrait in three pixel ranges on the linear schedule: the right step, then each named mistake's step
DATA_SCALE = {
    "[-1, 1]": (lambda x: x, 163, {"the unit": 260, "std": 208, "s2": 373, "mean square": 186}),
    "[0, 1]": (lambda x: (x + 1) / 2, 84, {"the unit": 260, "std": 154, "s2": 507, "mean square": 128}),
    "[0, 255]": (lambda x: (x + 1) / 2 * 255, 920, {"the unit": 260, "std": 651, "s2": 2, "mean square": 965}),
}


@pytest.mark.parametrize("pixels", DATA_SCALE)
def test_the_data_scale_mistakes_land_where_the_notebook_says(pixels):
    scale, expected, wrong = DATA_SCALE[pixels]
    x = scale(PORTRAIT)
    mistakes = dict((message, t) for message, t in checks._data_scale_mistakes(LINEAR, x, expected))
    for name, t in wrong.items():
        assert mistakes[checks._DATA_SCALE_MESSAGES[name]] == t, name
        threshold = checks._data_scale_thresholds(x)[name]
        assert schedules.t_at_snr(schedules.get_schedule("linear", 1000), threshold) == t, name


def _first(alphas_cumprod, threshold):
    hits = np.flatnonzero(alphas_cumprod / (1 - alphas_cumprod) <= threshold)
    return int(hits[0]) + 1 if hits.size else None


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda a, x: _first(a, 1.0), "the SNR of unit-variance data"),
        (lambda a, x: _first(a, 1 / x.std()), "the standard deviation s was used"),
        (lambda a, x: _first(a, x.var()), "the threshold is upside down"),
        (lambda a, x: _first(a, 1 / np.mean(x ** 2)), "uses the mean of x\\^2"),
        (lambda a, x: _first(a, 1 / x.var()) - 1, "off-by-one in t: that is the 0-based array index"),
        (lambda a, x: _first(a, 1 / x.var()) + 1, "gave 164.0000, which is not right"),
        (lambda a, x: int(np.argmax(x.var() * a / (1 - a) <= 1)) + 1, "np.argmax of an all-False array is 0"),
    ],
)
def test_t_at_data_snr_mistakes_are_named_without_revealing_the_answer(wrong, phrase):
    with pytest.raises(CheckFailed, match=phrase) as info:
        checks.check_t_at_data_snr(wrong)
    message = str(info.value)
    assert info.value.exercise == "t_at_data_snr" and "expected" not in message
    assert not any(re.search(rf"\b{t}\.0000", message) for t in (163, 84, 920, 287, 992, 169, 3))


def test_t_at_data_snr_is_checked_with_a_good_t_at_snr_in_place():
    # a learner whose own t_at_snr is off by one still passes: the check swaps in good_t_at_snr meanwhile
    namespace = {"np": np, "t_at_snr": lambda a, v: _first(a, v) - 1}
    exec("def t_at_data_snr(alphas_cumprod, x0):\n    return t_at_snr(alphas_cumprod, 1 / x0.var())", namespace)
    checks.check_t_at_data_snr(namespace["t_at_data_snr"])
    assert namespace["t_at_snr"](LINEAR, 1.0) == 259  # restored afterwards


def test_t_at_data_snr_in_place_reference_only_and_unanswered_fail_visibly():
    def in_place(alphas_cumprod, x0):
        x0 -= x0.mean()
        return _first(alphas_cumprod, 1 / np.mean(x0 ** 2))
    with pytest.raises(CheckFailed, match="modified its input x0"):
        checks.check_t_at_data_snr(in_place)
    with pytest.raises(UsesReference, match="course_lib's own implementation"):
        checks.check_t_at_data_snr(lambda a, x: schedules.t_at_snr(a, 1 / x.var()))

    def waiting(alphas_cumprod, x0):
        raise NotImplementedError()
    with pytest.raises(Waiting):
        checks.check_t_at_data_snr(waiting)


def test_t_at_data_snr_for_2d_images_only_fails_on_a_batch():
    def two_d_only(alphas_cumprod, x0):
        H, W = x0.shape
        return _first(alphas_cumprod, 1 / x0.var())
    with pytest.raises(CheckFailed, match="too many values to unpack"):
        checks.check_t_at_data_snr(two_d_only)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda T, n, sp: good_timesteps(T, n, sp) - 1, "those are diffusers' 0-based timesteps k"),
        (lambda T, n, sp: good_timesteps(T, n, sp)[::-1], "the steps run upwards"),
        (lambda T, n, sp: good_timesteps(T, n, "trailing" if sp == "leading" else "leading"), "that is the trailing"),
        (lambda T, n, sp: good_timesteps(T, n, sp) if sp == "leading" else T - np.arange(n) * (T // n),
         "not the whole-number"),
        (lambda T, n, sp: good_timesteps(T, n, sp) if sp == "trailing"
         else np.round((n - 1 - np.arange(n)) * (T / n)).astype(int) + 1, "leading uses the whole-number step"),
        (lambda T, n, sp: good_timesteps(T, n, sp) if sp == "leading"
         else np.floor(T - np.arange(n) * (T / n) + 0.5).astype(int), "halves to the even neighbour"),
    ],
)
def test_timestep_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_sampling_timesteps(wrong, good_first_alpha_bar)


def test_python_round_on_an_array_is_explained():
    def rounded(T, num_steps, spacing):
        i = np.arange(num_steps)
        return (num_steps - 1 - i) * (T // num_steps) + 1 if spacing == "leading" else int(round(T - i * T / num_steps))
    with pytest.raises(CheckFailed, match="use np.round"):
        checks.check_sampling_timesteps(rounded, good_first_alpha_bar)


def _start(a, n, sp):
    return good_timesteps(len(a), n, sp)[0]


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda a, n, sp: a[_start(a, n, sp) - 2], "that is alpha_bar_\\{t-1\\}, one step before"),
        (lambda a, n, sp: a[_start(a, n, sp)] if _start(a, n, sp) < len(a) else a[-1],
         "that is alpha_bar_\\{t\\+1\\}, one step after"),
        (lambda a, n, sp: a[_start(a, n, sp)] if sp == "trailing" else good_first_alpha_bar(a, n, sp),
         "at t = T it is past the end of the array"),
        (lambda a, n, sp: a[good_timesteps(len(a), n, sp)[-1] - 1], "the sampler's \\*last\\* step"),
        (lambda a, n, sp: a[-1], "that is alpha_bar_T, the last value of alphas_cumprod"),
        (lambda a, n, sp: good_first_alpha_bar(a, n, "leading"), "that is where leading spacing starts"),
    ],
)
def test_first_alpha_bar_mistakes_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase) as info:
        checks.check_sampling_timesteps(good_timesteps, wrong)
    assert info.value.exercise == "first_alpha_bar"


def test_first_alpha_bar_wrong_on_the_real_schedule_only():
    def only_short(a, n, sp):
        return good_first_alpha_bar(a, n, sp) if len(a) < 10 else a[970]
    with pytest.raises(CheckFailed, match="\\(array\\(1000,\\), 50, 'leading'\\) gave .*, expected") as info:
        checks.check_sampling_timesteps(good_timesteps, only_short)
    assert "Likely mistake" not in str(info.value)


def test_first_alpha_bar_on_the_zero_terminal_schedule():
    """The values the notebook quotes: 50 leading steps assume alpha_bar_981 = 7.7e-5, trailing ones 0; the
    named off-by-ones there are alpha_bar_980 and alpha_bar_982."""
    sd_zero = schedules.rescale_zero_terminal_snr(schedules.get_schedule("scaled_linear", 1000)).alphas_cumprod
    assert checks._good_first_alpha_bar(sd_zero, 50, "leading") == pytest.approx(ABAR_LEADING, rel=1e-12)
    assert checks._good_first_alpha_bar(sd_zero, 50, "trailing") == ABAR_TRAILING
    wrong = [w for _, w in checks._first_abar_mistakes(sd_zero, 50, "leading")]
    assert wrong[:2] == pytest.approx([8.578784340054866e-05, 6.886571612302134e-05], rel=1e-12)
    assert [w for _, w in checks._first_abar_mistakes(sd_zero, 50, "trailing")][0] == \
        pytest.approx(1.9678884604076756e-07, rel=1e-12)


def _hidden_arrays(test_id: str) -> dict:
    """The arrays a test cell's hidden part builds (its lines that assign names starting with _), evaluated."""
    nb = nbformat.read(ROOT / "solutions" / "04-schedules-and-snr" / "04-schedules-and-snr.ipynb", as_version=4)
    source = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == test_id)
    hidden = source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
    namespace = {"np": np}
    exec("\n".join(line for line in hidden.splitlines() if line.startswith("_")), namespace)
    return namespace


def test_the_hidden_tests_schedules_are_course_libs():
    """The hidden parts write the schedules out with NumPy (no course_lib there): they must be course_lib's."""
    arrays = _hidden_arrays("test_sampling_timesteps")
    sd = schedules.get_schedule("scaled_linear", 1000)
    np.testing.assert_allclose(arrays["_sd"], sd.alphas_cumprod, rtol=1e-12)
    np.testing.assert_allclose(arrays["_sd_zero"], schedules.rescale_zero_terminal_snr(sd).alphas_cumprod,
                               rtol=1e-12, atol=1e-20)
    assert arrays["_sd_zero"][-1] == 0.0
    np.testing.assert_allclose(arrays["_linear"], schedules.get_schedule("linear", 1000).alphas_cumprod, rtol=1e-12)
    arrays = _hidden_arrays("test_data_scale")
    np.testing.assert_allclose(arrays["_linear"], schedules.get_schedule("linear", 1000).alphas_cumprod, rtol=1e-12)
    cosine = schedules.get_schedule("cosine", 1000).alphas_cumprod  # clipped at 0.999: only the last step differs
    np.testing.assert_allclose(arrays["_cosine"][:-1], cosine[:-1], rtol=1e-9)


@pytest.mark.parametrize(
    "wrong, phrase",
    [
        (lambda x, k: x[..., ::k, ::k], "Subsampling keeps every bit of the noise"),
        (lambda x, k: good_pool(x, k) * k * k, "summed, not averaged"),
        (lambda x, k: good_pool(x, k) * k, "divided by k instead of k \\* k"),
        (lambda x, k: x.reshape(*x.shape[:-2], x.shape[-2] // k, k, x.shape[-1] // k, k).max(axis=(-3, -1)),
         "max pooling"),
        (lambda x, k: x.reshape(*x.shape[:-2], x.shape[-2] // k, x.shape[-1] // k, k, k).mean(axis=(-2, -1)),
         "blocks are cut in the wrong order"),
    ],
)
def test_average_pool_misconceptions_are_named(wrong, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase):
        checks.check_average_pool(wrong)


def _pool_unpacking_2d(x, k):
    H, W = x.shape
    return x.reshape(H // k, k, W // k, k).mean(axis=(1, 3))


def _pool_reshaping_2d(x, k):
    H, W = x.shape[-2:]
    return x.reshape(H // k, k, W // k, k).mean(axis=(1, 3))


@pytest.mark.parametrize("two_d_only", [_pool_unpacking_2d, _pool_reshaping_2d])
def test_a_2d_only_average_pool_is_named(two_d_only):
    with pytest.raises(CheckFailed, match="only handles a 2-D array"):
        checks.check_average_pool(two_d_only)


def test_every_exercise_has_two_or_three_progressive_hints():
    for name in ("cosine_alphas_cumprod", "betas_from_alphas_cumprod", "snr", "t_snr1_estimate", "t_at_snr",
                 "t_at_data_snr", "sampling_timesteps", "first_alpha_bar", "average_pool", "waste_answer"):
        assert 2 <= len(_HINTS[name]) <= 3, name
