"""``python -m course_lib.grading``: see :mod:`course_lib.grading.workflow`."""

from .workflow import main

raise SystemExit(main())
