"""Visible self-checks: instant feedback that names the misconception behind a wrong answer.

One module per notebook; a notebook imports its own as ``checks``::

    from course_lib.checks import one_step as checks     # notebook 02

:mod:`course_lib.checks._core` holds what every check and every hidden test share (one call of the
learner's code under the same rules, the comparison, the short failure message);
:mod:`~course_lib.checks._questions` the sealed multiple-choice checks; :mod:`~course_lib.checks._hints`
the progressive hints (``checks.hint("forward_step")``). Importing the package inside a notebook makes an
unanswered exercise show one line saying it is waiting (:mod:`~course_lib.checks._notebook`).
"""

from . import _notebook
from ._core import CheckFailed, Waiting
from ._hints import hint
from ._questions import check_choice

__all__ = ["CheckFailed", "Waiting", "check_choice", "hint"]

_notebook.install()
