"""What every figure shares: the colour-blind-safe palette, the N(0, 1) reference curve, the course's
notation for labels, and how the notebook's inline backend renders the figures."""

from __future__ import annotations

import matplotlib.pyplot as plt  # first, so that IPython's inline backend is set up before we adjust it
import numpy as np

__all__ = ["PALETTE", "ABAR", "standard_normal_pdf", "schedule_label", "render_inline_without_tight_bbox",
           "note_clipped"]

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: alpha_bar_t as every figure writes it (mathtext), one notation across the course.
ABAR = r"$\bar\alpha_t$"

_SCHEDULE_LABELS = {
    "scaled_linear": "scaled linear",
    "squaredcos_cap_v2": "cosine",
    "scaled_linear_zero_terminal_snr": "scaled linear, zero terminal SNR",
}


def schedule_label(name: str) -> str:
    """A schedule's name as a figure shows it: ``scaled_linear`` -> ``scaled linear`` (no raw underscores)."""
    return _SCHEDULE_LABELS.get(name, name.replace("_", " "))


def note_clipped(fig) -> None:
    """Say under a figure (or subfigure) of images that pixels outside [-1, 1] are shown clipped: a noisy x_t
    has values well beyond it (its noise has standard deviation up to 1), drawn as black or full colour."""
    fig.supxlabel("pixel values outside [-1, 1] are shown clipped (as black or full colour)", fontsize=8,
                  color=PALETTE["black"])


def standard_normal_pdf(x) -> np.ndarray:
    """Density of N(0, 1): exp(-x^2 / 2) / sqrt(2 pi)."""
    x = np.asarray(x, dtype=float)
    return np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)


def render_inline_without_tight_bbox() -> bool:
    """In a notebook with the inline backend, render figures as they are laid out (``bbox_inches=None``).

    The inline backend's default ``bbox_inches="tight"`` draws every figure twice, once only to measure
    it. Every course figure uses ``layout="constrained"``, which already keeps titles, labels and legends
    inside the figure, so the measuring pass is wasted time (0.3-1 s per notebook); a learner's own figure
    gets the same layout by default (``figure.constrained_layout.use``), so it is not cropped. This sets the
    backend's configuration (read by a later ``%matplotlib inline``) and re-registers the PNG formatter
    (``%matplotlib inline`` does not re-register it once the inline backend is active). Outside IPython,
    or with another backend, it does nothing. Returns whether it applied.
    """
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import InlineBackend, set_matplotlib_formats
    except ImportError:
        return False
    if get_ipython() is None or "inline" not in plt.get_backend():
        return False
    plt.rcParams["figure.constrained_layout.use"] = True
    config = InlineBackend.instance()
    config.print_figure_kwargs = {**config.print_figure_kwargs, "bbox_inches": None}
    set_matplotlib_formats(*config.figure_formats)
    return True
