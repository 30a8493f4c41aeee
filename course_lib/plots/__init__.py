"""Every figure the notebooks draw; notebooks call these with arguments and hold no plotting code.

One module per topic (``trajectories`` for notebook 02, ...). Colours come from the Okabe-Ito
palette (:data:`PALETTE`), which stays distinguishable under the common forms of colour blindness.
Every figure has a title and labelled axes.
"""

from ._style import PALETTE, standard_normal_pdf

__all__ = ["PALETTE", "standard_normal_pdf"]
