"""``python -m course_lib.book [--out DIR] [--jobs N]``: build the web edition (see :mod:`course_lib.book.build`)."""

import sys

from .build import main

sys.exit(main())
