"""Autograding with nbgrader that is fair to correct answers and that no submission can subvert, and the
instructor's commands around it.

- :mod:`.sandbox`          -- sandboxes for student code (bubblewrap: whitelist filesystem, own PID namespace and
  uid, no network, limits on the whole sandbox), and the isolation mode this machine allows
- :mod:`.execute`          -- nbgrader's Execute step in a sandboxed kernel, with time and output limits
- :mod:`.runtime`          -- the grading runtime: the student's answers re-run where course_lib's answers do not
  exist, and the hidden tests run there (inside its own sandbox)
- :mod:`.scoring`          -- the grader's side of the runtime: what to run, step by step, and what comes back,
  checked
- :mod:`.verify`           -- the answer key, and each test cell's points from the kernel's run and the runtime's
- :mod:`.submission`       -- a submission is data: regular files only, size limits
- :mod:`.sanitize`         -- notebooks cleaned on their way through nbgrader (release and autograde)
- :mod:`.course`           -- the course folder: nbgrader's configuration, API, gradebook, the submissions to grade
- :mod:`.per_submission`   -- one submission through ``make grade``: autograde it if needed, keep its hand
  grades, refresh its feedback
- :mod:`.manual`           -- hand grades that stay "graded" when nbgrader regrades unchanged work
- :mod:`.feedback`         -- feedback written once nothing is left to grade by hand, again whenever grades
  change
- :mod:`.parallel`         -- several submissions at once, in worker processes sharing the gradebook
- :mod:`.export`           -- ``nbgrader export`` with ``needs_manual_grade`` and ``flags`` columns, safe to open
- :mod:`.views`            -- what the formgrader and the feedback show: sanitised, with the rubric, without
  hidden tests
- :mod:`.escape`           -- text from submissions made safe for the terminal, spreadsheets and UTF-8 files
- :mod:`.handout`          -- what to hand out to a class (``make handout``)
- :mod:`.workflow`         -- ``make release`` and ``make grade``; :mod:`.__main__` is the command line

All of it is wired into nbgrader through ``nbgrader_config.py``; the README's "What the grader guarantees,
and what it does not" says what it guarantees in each isolation mode.
"""

import sys

# nbgrader's package imports Jupyter Server, whose event schemas make jsonschema import its optional IRI
# checker, rfc3987_syntax, which compiles a grammar at import: 3 s to 11 s per process (measured), most of
# `make grade`'s time when there is nothing to do, paid again by every worker. Grading validates no IRI, so
# unless it is already loaded, grading processes go without that checker (jsonschema then skips that format).
sys.modules.setdefault("rfc3987_syntax", None)
