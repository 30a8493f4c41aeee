"""Every notebook's concept check explains each wrong letter and rejects answers that are not letters."""

import pytest

from course_lib.checks import CheckFailed, check_choice
from course_lib.checks import closed_form, one_step, schedules_snr, score_link, why_destroy

QUESTIONS = [one_step.SHRINK_QUESTION, why_destroy.GRADUAL_QUESTION, why_destroy.FIXED_QUESTION,
             why_destroy.ENDPOINT_QUESTION, closed_form.GAUSSIAN_QUESTION, schedules_snr.WASTE_QUESTION,
             score_link.NOISE_SCORE_QUESTION]


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["name"] for q in QUESTIONS])
def test_concept_checks_explain_each_wrong_letter(question):
    assert len(question["feedback"]) == 3 and question["correct"] not in question["feedback"]
    for letter, message in question["feedback"].items():
        with pytest.raises(CheckFailed, match=f"{question['name']} = '{letter}' is not right") as info:
            check_choice(letter, **question)
        assert message in str(info.value)


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["name"] for q in QUESTIONS])
@pytest.mark.parametrize("answer", [None, 2, 3, "E", ""])
def test_concept_checks_reject_non_letters(question, answer):
    with pytest.raises(CheckFailed, match="must be one of the letters"):
        check_choice(answer, **question)
