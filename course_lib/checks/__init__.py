"""Visible self-checks: instant feedback that names the misconception behind a wrong answer.

One module per notebook; a notebook imports its own as ``checks``::

    from course_lib.checks import one_step as checks     # notebook 02

:mod:`course_lib.checks._core` holds what they share (comparison, multiple choice, substitution).
"""

from ._core import CheckFailed, check_choice

__all__ = ["CheckFailed", "check_choice"]
