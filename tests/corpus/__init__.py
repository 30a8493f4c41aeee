"""The grading corpus: submissions whose exact score is known, graded by real nbgrader in the tests.

Each notebook adds ``tests/corpus/nbNN.py`` with ``ASSIGNMENT = "NN-name"`` and a list ``SUBMISSIONS``
of :class:`Submission` entries: answers that are correct but different (full marks) and the typical
misconceptions (lose the named test cells, and only those). Cheap tricks and fault cases are generated
for every notebook by ``tests/corpus/generic.py``. ``tests/grading_corpus.py`` builds and grades them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field


#: Kinds of plausible answers every exercise's corpus covers (``NOT_APPLICABLE`` in a notebook's corpus
#: module lists the ones an exercise cannot have, such as in-place for an exercise without array inputs).
KINDS = ("right", "wrong", "in-place", "scalar-only", "reference-only")


@dataclass(frozen=True)
class Submission:
    """One submission, built from the student release with the solution's answers, then edited.

    ``answers``  solution-cell grade_id -> the cell's new source (other solution cells keep the solution);
    ``loses``    test-cell grade_ids that must score 0 (every other autograded cell scores full marks);
    ``says``     text the failing visible check must print (the misconception it names), if any;
    ``extra``    (grade_id, source) pairs: a new unlocked code cell inserted after that cell
                 ("" inserts at the top); ``{course}`` in the source is replaced by the course folder;
    ``flags``    flags the grader must raise for this submission (see course_lib.grading.verify);
    ``tests``    test-cell grade_id -> what the student did to it: ``"delete"``, ``"markdown"`` (re-typed),
                 ``"rename"`` (grade_id changed) or any other text (the cell's new source);
    ``files``    extra files put beside the submitted notebook (name -> content);
    ``kind``     for a plausible answer (answers only, no other edit): what kind of answer it is, one of
                 :data:`KINDS`. The agreement test runs these through the visible checks as well and requires
                 the same verdict, cell by cell, as the grader's.
    """

    name: str
    answers: dict[str, str] = field(default_factory=dict)
    loses: frozenset[str] = frozenset()
    says: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    flags: frozenset[str] = frozenset()
    tests: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    kind: str = ""

    def __post_init__(self) -> None:
        if self.kind and self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind and (self.extra or self.tests or self.files):
            raise ValueError(f"{self.name}: a plausible answer ({self.kind}) changes answers only")
        object.__setattr__(self, "loses", frozenset(self.loses))
        object.__setattr__(self, "flags", frozenset(self.flags))
