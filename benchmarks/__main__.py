"""``python -m benchmarks``: see :mod:`benchmarks.bench`."""

from .bench import main

raise SystemExit(main())
