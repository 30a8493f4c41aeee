"""Multiple-choice concept checks whose answers are not readable in the course library.

The instructor writes each question's feedback in plain text in ``solutions/questions.json`` (the
instructor's source, never handed to a class): for every letter, whether it is right and why. ``make
release`` seals it into ``course_lib/checks/questions.json``, which learners receive: each letter's feedback
is encrypted with a key derived from the question's name and that letter, so the file does not say which
letter is right; only trying a letter opens its feedback. (Trying every letter in the visible check is
always possible; each try shows the explanation of that option, which is the point of the check.) The
grader does not rely on this: it compares the letter with the answer key computed from the solution.

Sealing: ``feedback XOR keystream(sha256("<name>|<letter>|<block>"))``, base64, with the plain text
prefixed by ``right:`` or ``wrong:``; :func:`seal_all` and :func:`open_feedback` are each other's inverse.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from ._core import CheckFailed

__all__ = ["check_choice", "seal_all", "open_feedback", "SEALED_PATH"]

SEALED_PATH = Path(__file__).with_name("questions.json")


def _keystream(name: str, letter: str, n: int) -> bytes:
    blocks = (hashlib.sha256(f"{name}|{letter}|{i}".encode()).digest() for i in range(n // 32 + 1))
    return b"".join(blocks)[:n]


def _xor(data: bytes, key: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, key))


def seal_all(plain: dict[str, dict]) -> dict[str, dict[str, str]]:
    """``{name: {"correct": letter, "feedback": {letter: text}}}`` -> ``{name: {letter: sealed}}``."""
    sealed = {}
    for name, question in sorted(plain.items()):
        letters = question["feedback"]
        if question["correct"] not in letters:
            raise ValueError(f"question {name!r}: the correct letter {question['correct']!r} has no feedback")
        sealed[name] = {}
        for letter, text in sorted(letters.items()):
            data = (("right:" if letter == question["correct"] else "wrong:") + text).encode()
            sealed[name][letter] = base64.b64encode(_xor(data, _keystream(name, letter, len(data)))).decode()
    return sealed


@lru_cache(maxsize=1)
def _sealed() -> dict[str, dict[str, str]]:
    return json.loads(SEALED_PATH.read_text(encoding="utf-8"))


def open_feedback(name: str, letter: str) -> tuple[bool, str]:
    """(is ``letter`` right, its feedback) for question ``name``; KeyError for an unknown question or letter."""
    blob = base64.b64decode(_sealed()[name][letter])
    text = _xor(blob, _keystream(name, letter, len(blob))).decode()
    verdict, _, feedback = text.partition(":")
    return verdict == "right", feedback


def check_choice(answer, name: str) -> None:
    """Check the multiple-choice answer ``answer`` (a letter, any case, spaces ignored) to question ``name``."""
    __tracebackhide__ = True
    letters = sorted(_sealed()[name])
    options = ", ".join(f'"{letter}"' for letter in letters)
    letter = answer.strip().upper() if isinstance(answer, str) else None
    if letter not in letters:
        failure = CheckFailed(f"{name} must be one of the letters {options}, as a string; got {answer!r}.")
        failure.exercise = name
        raise failure
    right, feedback = open_feedback(name, letter)
    if not right:
        failure = CheckFailed(f"{name} = {letter!r} is not right. {feedback}")
        failure.exercise = name
        raise failure
    print(f"{name}: {letter} is right. ✔ {feedback}".rstrip())
