"""Interactive figures (ipywidgets) that degrade to a static picture where no live kernel runs.

Every widget is displayed with :func:`display_with_fallback`: one output whose richest form is the live
widget and whose fallback is a PNG of the same figure, so JupyterLab with a kernel shows the slider,
and a rendered page (nbviewer, GitHub, CI's executed copy) shows the static strip, never a broken widget.
"""

from ._fallback import display_with_fallback, figure_png

__all__ = ["display_with_fallback", "figure_png"]
