"""One display output that is a live widget where a widget manager runs, and a PNG everywhere else."""

from __future__ import annotations

import base64
import io

__all__ = ["display_with_fallback", "figure_png"]

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def figure_png(fig, dpi: int = 80) -> str:
    """A matplotlib figure as base64 PNG text (what notebook outputs store).

    Drawn once, as laid out (no ``bbox_inches="tight"``, which draws twice): the course's figures use
    ``layout="constrained"``, which keeps everything inside the figure.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def display_with_fallback(widget, static_fig, text: str = "Interactive figure (run the notebook to use it)") -> None:
    """Display ``widget`` with ``static_fig`` (a matplotlib figure) as its fallback, in one output.

    Front ends pick the richest MIME type they can render: one with a widget manager renders the widget
    view; static renderers, which cannot, show the PNG, whose ``alt`` metadata is written from the figure's
    titles (:func:`course_lib.plots.describe_figure`). The static figure is closed afterwards.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    from ..plots import describe_figure

    png, alt = figure_png(static_fig), describe_figure(static_fig)
    plt.close(static_fig)
    bundle = {
        WIDGET_MIME: {"version_major": 2, "version_minor": 0, "model_id": widget.model_id},
        "image/png": png,
        "text/plain": text,
    }
    display(bundle, raw=True, metadata={"image/png": {"alt": alt}})
