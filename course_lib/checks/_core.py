"""The machinery every visible check shares: compare a value, name the mistake it matches.

A check raises :class:`CheckFailed` (an ``AssertionError``, so a failing check fails its cell) with a
message that says what was expected and, when the wrong value matches a known mistake, which mistake.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

import numpy as np

__all__ = ["CheckFailed", "fmt", "as_array", "close", "compare", "check_choice", "substituted"]


class CheckFailed(AssertionError):
    """A visible check found a wrong answer; the message says which and, where it can, why."""


def fmt(value) -> str:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr):.4f}"
    return np.array2string(arr, precision=4, separator=", ", threshold=8)


def as_array(value, what: str) -> np.ndarray:
    __tracebackhide__ = True
    if value is None:
        raise CheckFailed(f"{what}: got None (a function without a `return` statement gives None).")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what}: got a {type(value).__name__}, not a number or an array of numbers.") from None


def close(got: np.ndarray, expected: np.ndarray, tol: float) -> bool:
    return got.shape == expected.shape and bool(np.all(np.abs(got - expected) <= tol))


def compare(got, expected, what: str, mistakes: Iterable[tuple[str, object]], tol: float = 1e-6) -> None:
    """Raise CheckFailed unless ``got`` matches ``expected``; name the first mistake ``got`` matches."""
    __tracebackhide__ = True
    got = as_array(got, what)
    expected = np.asarray(expected, dtype=float)
    if close(got, expected, tol):
        return
    for message, wrong in mistakes:
        if close(got, np.asarray(wrong, dtype=float), tol):
            raise CheckFailed(f"{what}: got {fmt(got)}, expected {fmt(expected)}.\nLikely mistake: {message}")
    if got.shape != expected.shape:
        raise CheckFailed(f"{what}: got shape {got.shape}, expected shape {expected.shape}.")
    raise CheckFailed(f"{what}: got {fmt(got)}, expected {fmt(expected)}.")


def check_choice(answer, correct: str, feedback: dict[str, str], name: str = "answer") -> None:
    """Check a multiple-choice answer (a letter); ``feedback`` names the misconception of each wrong letter."""
    __tracebackhide__ = True
    letter = str(answer).strip().upper() if isinstance(answer, str) else None
    if letter is None or letter not in feedback and letter != correct:
        options = ", ".join(repr(k) for k in sorted([*feedback, correct]))
        raise CheckFailed(f"{name} must be one of the letters {options}; got {answer!r}")
    if letter != correct:
        raise CheckFailed(f"{name} = {letter!r} is not right. {feedback[letter]}")
    print(f"{name}: {correct} is right. ✔")


@contextmanager
def substituted(fn: Callable, replacements: dict[str, Callable]) -> Iterator[None]:
    """Temporarily rebind names in ``fn``'s globals (the notebook's namespace), restoring them after.

    Checking ``forward_chain`` with a known-good ``forward_step`` in place of the learner's keeps the
    exercises independent: a mistake in one exercise costs that exercise's points and no others.
    """
    namespace = getattr(fn, "__globals__", None)
    if namespace is None:
        yield
        return
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    namespace.update(replacements)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value
