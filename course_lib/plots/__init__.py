"""Every figure the notebooks draw; notebooks call these with arguments and hold no plotting code.

One module per topic (``trajectories`` for notebook 02, ...). Colours come from the Okabe-Ito
palette (:data:`PALETTE`), which stays distinguishable under the common forms of colour blindness.
Every figure has a title and labelled axes, and uses ``layout="constrained"``; so importing any plot
module in a notebook turns off the inline backend's second, measuring draw
(:func:`render_inline_without_tight_bbox`) and gives every displayed figure alt text written from its
titles and labels (:func:`install_alt_text`).
"""

from ._alt import describe_figure, install_alt_text
from ._style import PALETTE, render_inline_without_tight_bbox, schedule_label, standard_normal_pdf

__all__ = ["PALETTE", "describe_figure", "install_alt_text", "render_inline_without_tight_bbox", "schedule_label",
           "standard_normal_pdf"]

render_inline_without_tight_bbox()
install_alt_text()
