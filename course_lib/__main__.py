"""``python -m course_lib``: see :mod:`course_lib.cli`."""

from .cli import main

raise SystemExit(main())
