"""Known-good versions of exercise functions, put in place of the learner's while another exercise is graded.

Checking ``forward_chain`` with a known-good ``forward_step`` keeps exercises independent: a mistake in one
costs that exercise's points only. Each notebook's check module registers its helpers by name
(:func:`register`); visible checks and hidden tests (``hidden.call(..., substitute=("forward_step",))``)
look them up with :func:`known_good`. Graded code may not call them (the reference watch counts them as
reference code); they are exempt only while substituted.
"""

from __future__ import annotations

from typing import Callable, Iterable

__all__ = ["register", "known_good"]

_GOOD: dict[str, Callable] = {}


def register(helpers: dict[str, Callable]) -> None:
    """Add known-good helpers, ``{name in the notebook: function}``."""
    _GOOD.update(helpers)


def known_good(names: Iterable[str]) -> dict[str, Callable]:
    """``{name: known-good function}`` for ``names``; ValueError naming any that has no known-good version."""
    missing = [name for name in names if name not in _GOOD]
    if missing:
        raise ValueError(f"no known-good version of {', '.join(missing)} is registered "
                         f"(registered: {', '.join(sorted(_GOOD)) or 'none'})")
    return {name: _GOOD[name] for name in names}
