"""Interactive figures that need no kernel, with a static picture where widgets do not render.

The timestep scrubber (:mod:`.scrubber`) and the schedule explorer (:mod:`.schedule_explorer`) are
anywidget models: the kernel sends their data once and their front end (an ES module in ``static/``) draws
every frame in the browser, so a slider step needs no round trip to a kernel. They work in JupyterLab, from
a notebook's saved widget state with no kernel, and on the course's web edition (``course_lib/book``).
Each is displayed with :func:`display_with_fallback`: one output whose richest form is the widget and whose
fallback is a PNG (with alt text) for renderers without widgets (GitHub's notebook view, a PDF).
"""

from ._fallback import display_with_fallback, figure_png

__all__ = ["display_with_fallback", "figure_png"]
