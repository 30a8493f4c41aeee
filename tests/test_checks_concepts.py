"""Concept checks: sealed in course_lib (no answer in plain text), each letter explained, non-letters refused."""

import json
from pathlib import Path

import pytest

from conftest import ROOT
from course_lib.checks import CheckFailed, check_choice
from course_lib.checks._questions import SEALED_PATH, open_feedback
from course_lib.grading.workflow import seal_questions

PLAIN = {name: q for path in sorted((ROOT / "solutions").glob("*/questions.json"))
         for name, q in json.loads(path.read_text(encoding="utf-8")).items()}


def test_sealed_questions_are_current():
    committed = json.loads(SEALED_PATH.read_text(encoding="utf-8"))
    assert committed == seal_questions(ROOT), "course_lib/checks/questions.json is stale: run `make release`"


def test_what_learners_receive_holds_no_answer_in_plain_text():
    shipped = "".join(p.read_text(encoding="utf-8") for p in Path(SEALED_PATH).parent.parent.rglob("*")
                      if p.suffix in (".py", ".json"))
    for name, question in PLAIN.items():
        for letter, text in question["feedback"].items():
            if len(text) > 20:
                assert text[:40] not in shipped, f"{name} {letter}: feedback in plain text in course_lib"
        assert f'"correct": "{question["correct"]}"' not in shipped


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_each_letter_opens_its_own_feedback(name):
    question = PLAIN[name]
    assert len(question["feedback"]) == 4 and question["correct"] in question["feedback"]
    for letter, message in question["feedback"].items():
        assert open_feedback(name, letter) == (letter == question["correct"], message)
        if letter == question["correct"]:
            check_choice(f" {letter.lower()} ", name)
            continue
        with pytest.raises(CheckFailed, match=f"{name} = '{letter}' is not right") as info:
            check_choice(letter, name)
        assert message in str(info.value)


@pytest.mark.parametrize("name", sorted(PLAIN))
@pytest.mark.parametrize("answer", [None, 2, 3, "E", "", "AB"])
def test_concept_checks_reject_non_letters(name, answer):
    with pytest.raises(CheckFailed, match="must be one of the letters"):
        check_choice(answer, name)
