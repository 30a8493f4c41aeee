"""The grading corpus: submissions whose exact score is known, graded by real nbgrader in the tests.

Each notebook adds ``tests/corpus/nbNN.py`` with ``ASSIGNMENT = "NN-name"`` and a list ``SUBMISSIONS``
of :class:`Submission` entries: answers that are correct but different (full marks) and the typical
misconceptions (lose the named test cells, and only those). Cheap tricks and fault cases live in
``tests/corpus/generic.py`` and apply to every notebook automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Submission:
    """One submission, built from the student release with the solution's answers, then edited.

    ``answers``  solution-cell grade_id -> the cell's new source (other solution cells keep the solution);
    ``loses``    test-cell grade_ids that must score 0 (every other autograded cell scores full marks);
    ``says``     text the failing visible check must print (the misconception it names), if any;
    ``extra``    (grade_id, source) pairs: a new unlocked code cell inserted after that cell.
    """

    name: str
    answers: dict[str, str] = field(default_factory=dict)
    loses: frozenset[str] = frozenset()
    says: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "loses", frozenset(self.loses))
