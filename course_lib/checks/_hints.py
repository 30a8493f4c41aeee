"""Progressive hints: each ``checks.hint("forward_step")`` shows the next one, never the answer itself.

Each notebook's check module registers its hints with :func:`register` (two or three per exercise, each a
step closer: what to look at, the idea in words, the shape of the code). A failing check says that hints
exist (:func:`hint_line`).
"""

from __future__ import annotations

__all__ = ["hint", "register", "hint_line"]

_HINTS: dict[str, list[str]] = {}
_SHOWN: dict[str, int] = {}


def register(hints: dict[str, list[str]]) -> None:
    """Add hints, ``{exercise name: [first hint, second hint, ...]}``."""
    for name, steps in hints.items():
        if not steps:
            raise ValueError(f"no hints given for {name!r}")
        _HINTS[name] = list(steps)


def hint_line(exercise: str | None) -> str:
    """One line for a failing check: how to ask for the next hint, or "" if the exercise has none."""
    steps = _HINTS.get(exercise or "")
    if not steps:
        return ""
    shown = _SHOWN.get(exercise, 0)
    if shown >= len(steps):
        return f'All {len(steps)} hints for {exercise} are shown: checks.hint("{exercise}", 1) shows the first again.'
    return f'Stuck? checks.hint("{exercise}") shows hint {shown + 1} of {len(steps)}.'


def hint(exercise: str, number: int | None = None) -> None:
    """Show the next hint for ``exercise`` (or hint ``number``, counting from 1)."""
    steps = _HINTS.get(exercise)
    if steps is None:
        known = ", ".join(sorted(_HINTS)) or "none yet (import the notebook's checks first)"
        raise ValueError(f"no hints for {exercise!r}; exercises with hints: {known}")
    if number is None:
        number = min(_SHOWN.get(exercise, 0) + 1, len(steps))
    if not 1 <= number <= len(steps):
        raise ValueError(f"{exercise} has hints 1 to {len(steps)}; got {number}")
    _SHOWN[exercise] = max(_SHOWN.get(exercise, 0), number)
    more = (f' (`checks.hint("{exercise}")` again for hint {number + 1})' if number < len(steps)
            else " (the last hint)")
    text = f"**Hint {number} of {len(steps)} for `{exercise}`**{more}\n\n{steps[number - 1]}"
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Markdown(text))
    else:  # plain Python
        print(text)
