"""Notebook 02's visible checks accept correct answers, name the misconception behind typical wrong ones,
and enforce the rules every check shares (course_lib.checks._core): inputs unchanged, arrays work, the
learner's own code, one short message."""

import math

import numpy as np
import pytest

from course_lib.checks import one_step as checks
from course_lib.checks import CheckFailed, Waiting


def _chain_with(step):
    def chain(x0, betas, eps):
        xs = [np.asarray(x0, dtype=float)]
        for b, e in zip(betas, eps):
            xs.append(step(xs[-1], b, e))
        return np.stack(xs)
    return chain


GOOD_STEP = lambda x, b, e: np.sqrt(1 - b) * x + np.sqrt(b) * e


def test_correct_answers_pass(capsys):
    checks.check_forward_step(GOOD_STEP)
    checks.check_forward_step(lambda x, b, e: (1 - b) ** 0.5 * np.asarray(x) + b**0.5 * np.asarray(e))
    checks.check_forward_chain(_chain_with(GOOD_STEP))
    checks.check_slip(0.3753, -0.4181)
    checks.check_slip(0.37530078505851744, -0.4181447117924608)
    checks.check_choice("c ", "beta_size_answer")
    assert capsys.readouterr().out.count("✔") == 6


@pytest.mark.parametrize(
    "wrong_step, phrase",
    [
        (lambda x, b, e: np.sqrt(1 - b) * x + b * e, "scaled by beta instead of sqrt(beta)"),
        (lambda x, b, e: x + np.sqrt(b) * e, "shrink factor is missing"),
        (lambda x, b, e: (1 - b) * x + np.sqrt(b) * e, "(1 - beta) instead of sqrt(1 - beta)"),
        (lambda x, b, e: (1 - b) * x + b * e, "both factors are unsquared"),
        (lambda x, b, e: np.sqrt(b) * x + np.sqrt(1 - b) * e, "swapped"),
        (lambda x, b, e: np.sqrt(1 - b) * x - np.sqrt(b) * e, "noise is subtracted"),
    ],
)
def test_forward_step_misconceptions_are_named(wrong_step, phrase):
    with pytest.raises(CheckFailed, match="Likely mistake: .*" + phrase.replace("(", "\\(").replace(")", "\\)")):
        checks.check_forward_step(wrong_step)
    # the same mistake inside a chain is named by the chain's check too
    with pytest.raises(CheckFailed, match="Likely mistake"):
        checks.check_forward_chain(_chain_with(wrong_step))


def test_forward_step_without_return_is_explained():
    with pytest.raises(CheckFailed, match="no `return` statement"):
        checks.check_forward_step(lambda x, b, e: None)


def _reused_eps(x0, betas, eps):
    return _chain_with(GOOD_STEP)(x0, betas, [eps[0]] * len(betas))


def _from_x0(x0, betas, eps):
    return np.stack([np.asarray(x0, float)] + [GOOD_STEP(x0, b, e) for b, e in zip(betas, eps)])


def _off_by_one(x0, betas, eps):
    return _chain_with(GOOD_STEP)(x0, np.roll(betas, 1), eps)


@pytest.mark.parametrize(
    "wrong_chain, phrase",
    [
        (lambda x0, b, e: _chain_with(GOOD_STEP)(x0, b, e)[1:], "leaves out x0"),
        (lambda x0, b, e: _chain_with(GOOD_STEP)(x0, b, e)[-1], "only the last state"),
        (_reused_eps, "same eps is reused"),
        (_from_x0, "starts again from x0"),
        (_off_by_one, "off by one"),
    ],
)
def test_forward_chain_misconceptions_are_named(wrong_chain, phrase):
    with pytest.raises(CheckFailed, match=phrase):
        checks.check_forward_chain(wrong_chain)


@pytest.mark.parametrize(
    "x2, eps2, phrase",
    [
        (0.3730, -0.4181, "what the copied example \\*claims\\*"),
        (0.37302, -0.4181, "what the copied example \\*claims\\*"),
        (0.6261, -0.4181, "that is x1"),
        (0.7447, -0.4181, "wrong sign"),
        (0.4774, -0.4181, "beta instead of sqrt\\(beta\\)"),
        (0.3753, -0.4130, "that is the copied eps2"),
        (0.3753, 0.4181, "sign is flipped"),
        (0.3753, -0.935, "divided by beta"),
        (0.3753, -0.4450, "single-jump eps of notebook 03"),
    ],
)
def test_slip_misconceptions_are_named(x2, eps2, phrase):
    with pytest.raises(CheckFailed, match=phrase):
        checks.check_slip(x2, eps2)


def test_slip_never_prints_the_right_values():
    for x2, eps2 in ((0.3730, -0.4181), (0.3753, -0.4450), (0.1, 0.2)):
        with pytest.raises(CheckFailed) as info:
            checks.check_slip(x2, eps2)
        assert "0.3753" not in str(info.value).replace(f"{x2:.4f}", "") and "-0.4181" not in str(info.value)


def _in_place(x, b, e):
    x *= np.sqrt(1 - b)
    x += np.sqrt(b) * e
    return x


def _math_sqrt(x, b, e):
    return math.sqrt(1 - b) * x + math.sqrt(b) * e


def _reference(x, b, e):
    from course_lib import forward
    return forward.forward_step(x, b, e)


def _good_step_from_the_checks(x, b, e):
    return checks.good_step(x, b, e)


def _waiting(x, b, e):
    raise NotImplementedError()


@pytest.mark.parametrize("step, phrase", [
    (_in_place, "modified its input x"),
    (_math_sqrt, "Use NumPy's versions"),
    (_reference, "ran course_lib's own implementation \\(forward_step\\)"),
    (_good_step_from_the_checks, "ran course_lib's own implementation \\(good_step\\)"),
])
def test_the_shared_rules_reject_what_the_grader_rejects(step, phrase):
    with pytest.raises(CheckFailed, match=phrase):
        checks.check_forward_step(step)


def test_an_unanswered_exercise_is_waiting_not_wrong():
    with pytest.raises(Waiting, match="_waiting is waiting for your answer") as info:
        checks.check_forward_step(_waiting)
    assert info.value._render_traceback_()[0].startswith("⏳")


def test_a_failure_renders_as_one_short_message_with_the_mistake_and_the_hint():
    with pytest.raises(CheckFailed) as info:
        checks.check_forward_step(lambda x_prev, beta, eps: np.sqrt(1 - beta) * x_prev + beta * eps)
    lines = info.value._render_traceback_()
    assert lines[0].startswith("✘ <lambda>(0.8, 0.2, -0.2) gave 0.6755, expected 0.6261.")
    assert lines[1].startswith("  Likely mistake: the noise is scaled by beta instead of sqrt(beta)")
    assert lines[-1] == '  Stuck? checks.hint("<lambda>") shows hint 1 of 3.' or "hint" not in lines[-1]
    assert len(lines) <= 4 and not any("_core.py" in line or "Traceback" in line for line in lines)


def test_hints_come_one_at_a_time_and_stop_before_the_answer(capsys):
    from course_lib.checks import _hints

    _hints._SHOWN.pop("forward_step", None)
    assert _hints.hint_line("forward_step") == 'Stuck? checks.hint("forward_step") shows hint 1 of 3.'
    for number in (1, 2, 3, 3):
        checks.hint("forward_step")
        assert f"Hint {number} of 3" in capsys.readouterr().out
    assert "np.sqrt(1" not in " ".join(_hints._HINTS["forward_step"])  # the last hint is not the answer
    with pytest.raises(ValueError, match="no hints for 'nope'"):
        checks.hint("nope")


# --- what graded code cannot use: course_lib's functions and objects, read from the notebook -------------------

def test_the_grading_runtime_and_the_checks_agree_on_what_exists():
    from course_lib.checks._core import GRADED_AVAILABLE
    from course_lib.grading.runtime import AVAILABLE

    assert GRADED_AVAILABLE == AVAILABLE


def test_a_function_that_reads_a_notebook_schedule_is_told_it_would_earn_nothing():
    from course_lib import schedules
    from course_lib.checks import schedules_snr

    namespace = {"np": np, "linear": schedules.linear_schedule(1000), "schedules": schedules}
    exec("def snr(alphas_cumprod):\n    return linear.alphas_cumprod / (1 - linear.alphas_cumprod)\n", namespace)
    with pytest.raises(CheckFailed, match=r"snr uses `linear` \(a course_lib Schedule\) from the notebook"):
        schedules_snr.check_snr(namespace["snr"])
    # read through a helper of the learner's, it counts too; an attribute of the same name does not
    exec("def _helper(a):\n    return a / (1 - a) + 0 * linear.betas[0]\n"
         "def snr2(alphas_cumprod):\n    return _helper(alphas_cumprod)\n"
         "def snr3(alphas_cumprod):\n    class _A: schedules = 1.0\n"
         "    return _A.schedules * alphas_cumprod / (1 - alphas_cumprod)\n", namespace)
    with pytest.raises(CheckFailed, match="snr2 uses `linear` \\(a course_lib Schedule\\)"):
        schedules_snr.check_snr(namespace["snr2"])
    schedules_snr.check_snr(namespace["snr3"])


def test_a_value_computed_with_course_lib_is_told_it_would_earn_nothing():
    from grading_corpus import scratch_shell

    from course_lib.checks import _core, _notebook

    with scratch_shell() as shell:
        _notebook.install(shell)
        setup = "import numpy as np\nfrom course_lib import forward\nfrom course_lib.checks import one_step as checks"
        assert shell.run_cell(setup).success
        shell.run_cell("x1_toy = np.sqrt(0.8) * 0.8 + np.sqrt(0.2) * -0.2\n"
                       "x2_slip = forward.forward_step(x1_toy, 0.2, -0.4130)\n"
                       "eps2_needed = (0.3730 - np.sqrt(0.8) * x1_toy) / np.sqrt(0.2)")
        assert _core.VALUE_SOURCES["x2_slip"] == ["`forward` (course_lib's module course_lib.forward)"]
        result = shell.run_cell("checks.check_slip(x2_slip, eps2_needed)")
        assert isinstance(result.error_in_exec, CheckFailed)
        assert "x2_slip was computed with `forward`" in str(result.error_in_exec)
        assert _core.VALUE_SOURCES["eps2_needed"] == _core.VALUE_SOURCES["x2_slip"]  # the cell fails as a whole
        # written out with NumPy, all is well again
        shell.run_cell("x1_toy = np.sqrt(0.8) * 0.8 + np.sqrt(0.2) * -0.2\n"
                       "x2_slip = np.sqrt(0.8) * x1_toy + np.sqrt(0.2) * -0.4130\n"
                       "eps2_needed = (0.3730 - np.sqrt(0.8) * x1_toy) / np.sqrt(0.2)")
        assert "x2_slip" not in _core.VALUE_SOURCES and "eps2_needed" not in _core.VALUE_SOURCES
        assert shell.run_cell("checks.check_slip(x2_slip, eps2_needed)").success


def test_a_substituted_function_is_not_held_against_the_function_that_calls_it():
    """forward_chain may call the learner's forward_step: the check puts a known-good one in its place, so what
    the learner's forward_step reads does not count against forward_chain."""
    from course_lib import forward

    namespace = {"np": np, "forward": forward}
    exec("def forward_step(x, b, e):\n    return forward.forward_step(x, b, e)\n"
         "def forward_chain(x0, betas, eps):\n    states = [np.asarray(x0, dtype=float)]\n"
         "    for b, e in zip(betas, eps):\n        states.append(forward_step(states[-1], b, e))\n"
         "    return np.stack(states)\n", namespace)
    checks.check_forward_chain(namespace["forward_chain"])


def test_numbers_too_small_for_four_decimals_keep_their_digits():
    from course_lib.checks._core import fmt

    assert (fmt(7.707612735854734e-05), fmt(0.6261), fmt(0.0), fmt(2.5e7)) == ("7.708e-05", "0.6261", "0.0000", "2.5e+07")
