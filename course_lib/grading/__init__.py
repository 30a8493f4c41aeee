"""Autograding with nbgrader that is fair to correct answers and blind to cheap tricks.

- :mod:`.sandbox`  -- start a kernel with limits, in a scratch folder, hidden from the course's files
- :mod:`.execute`  -- nbgrader's Execute step run in that sandbox, surviving a dead kernel
- :mod:`.sanitize` -- a renamed test cell becomes an ordinary cell instead of breaking the submission
- :mod:`.verify`   -- compare hidden-test reports with the solution's, outside the student's kernel
- :mod:`.export`   -- ``nbgrader export`` with ``needs_manual_grade`` and ``flags`` columns
- :mod:`.workflow` -- ``make release`` and ``make grade`` (``python -m course_lib.grading``)

All of it is wired into nbgrader through ``nbgrader_config.py``; the README's "For instructors" section
says what it guarantees and what it does not.
"""
