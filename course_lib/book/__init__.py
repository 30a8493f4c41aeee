"""The course's web edition: the student notebooks, executed, as a static site (``make book``).

:mod:`.build` executes and prepares the notebooks and runs Sphinx with MyST-NB (``conf.py`` beside it);
``static/`` holds the page's own files: the host that runs the kernel-free widgets
(``widgets.js``) and the course's styles.
"""

from .build import build, main

__all__ = ["build", "main"]
