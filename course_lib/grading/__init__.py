"""Autograding with nbgrader that is fair to correct answers and that no submission can subvert.

- :mod:`.sandbox`    -- sandboxes for student code (bubblewrap: whitelist filesystem, own PID namespace and
  uid, no network, limits on the whole sandbox), and the isolation mode this machine allows
- :mod:`.execute`    -- nbgrader's Execute step in a sandboxed kernel, with time and output limits
- :mod:`.runtime`    -- the grading runtime: the student's answers re-run where course_lib's answers do not
  exist, and the hidden tests run there (inside its own sandbox)
- :mod:`.scoring`    -- the grader's side of the runtime: what to run, step by step, and what comes back, checked
- :mod:`.verify`     -- the answer key, and each test cell's points from the kernel's run and the runtime's
- :mod:`.submission` -- a submission is data: regular files only, size limits
- :mod:`.sanitize`   -- notebooks cleaned on their way through nbgrader (release and autograde)
- :mod:`.export`     -- ``nbgrader export`` with ``needs_manual_grade`` and ``flags`` columns
- :mod:`.workflow`   -- ``make release`` and ``make grade`` (``python -m course_lib.grading``)

All of it is wired into nbgrader through ``nbgrader_config.py``; the README's "What the grader guarantees,
and what it does not" says what it guarantees in each isolation mode.
"""
