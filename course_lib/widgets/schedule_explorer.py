"""Compare schedules interactively (notebook 04): pick schedules and T, move t, see curves and images.

The same image and the same noise draw are noised at the same step t under every chosen schedule, so
the only difference between the pictures is the schedule. Where no widget manager runs, the static
figure for the starting values shows instead (:func:`~course_lib.widgets.display_with_fallback`).
"""

from __future__ import annotations

import numpy as np

from .. import schedules as sch
from ..forward import q_sample
from ..plots.schedules import explorer_figure
from ._fallback import display_with_fallback, display_with_png_fallback, figure_png

__all__ = ["CHOICES", "build_schedules", "noised_images", "schedule_explorer", "show_schedule_explorer"]

#: The schedules the explorer offers: label -> a function of T that builds it.
CHOICES = {
    "linear": sch.linear_schedule,
    "cosine": sch.cosine_schedule,
    "sigmoid": sch.sigmoid_schedule,
    "quadratic": sch.quadratic_schedule,
    "scaled_linear": sch.scaled_linear_schedule,
    "scaled_linear_zero_terminal_snr": lambda T: sch.rescale_zero_terminal_snr(sch.scaled_linear_schedule(T)),
    "cosine shifted 64 -> 256": lambda T: sch.shifted_schedule(sch.cosine_schedule(T), 256, 64),
}
T_OPTIONS = (10, 50, 100, 250, 500, 1000, 2000)


def build_schedules(labels, T: int) -> dict:
    """label -> Schedule with T steps, for labels from :data:`CHOICES`."""
    unknown = [label for label in labels if label not in CHOICES]
    if unknown:
        raise ValueError(f"labels must be among {sorted(CHOICES)}; got {unknown}")
    return {label: CHOICES[label](T) for label in labels}


def noised_images(image, eps, schedules: dict, t: int) -> dict:
    """label -> q_sample(image, t, schedule, eps): one image, one noise draw, every schedule at step t."""
    return {label: q_sample(image, t, s, eps=eps)[0] for label, s in schedules.items()}


def _figure(image, eps, labels, T: int, t: int):
    schedules = build_schedules(labels, T)
    return explorer_figure(schedules, noised_images(image, eps, schedules, t), t, clean=image)


def schedule_explorer(image, eps, labels=("linear", "cosine", "scaled_linear"), T: int = 1000, t: int = 500):
    """The live explorer: a schedule picker, a T menu and a t slider above the figure (an ipywidgets VBox).

    ``image``: ``[C, H, W]`` in [-1, 1]; ``eps``: one noise draw of the same shape, reused for every
    schedule and every t so that only the schedule changes the picture.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    pick = widgets.SelectMultiple(options=list(CHOICES), value=tuple(labels), rows=len(CHOICES),
                                  description="schedules", style={"description_width": "initial"},
                                  layout=widgets.Layout(width="360px"))
    steps = widgets.Dropdown(options=T_OPTIONS, value=T, description="T")
    slider = widgets.IntSlider(value=t, min=1, max=T, description="step t", continuous_update=False,
                               layout=widgets.Layout(width="480px"))
    out = widgets.Output()

    updating = [False]  # True while rescale_t moves the slider: it redraws once when done

    def redraw(_=None):
        if updating[0]:
            return
        # set the Output's content directly (no print/display inside it): the picture lives in the widget's
        # state only, so tools that replay the cell's outputs (nbval) see just the one static fallback
        if not pick.value:
            out.outputs = ({"output_type": "stream", "name": "stdout",
                            "text": "Pick at least one schedule (ctrl/cmd-click to pick several).\n"},)
            return
        fig = _figure(image, eps, pick.value, steps.value, slider.value)
        out.outputs = ({"output_type": "display_data", "metadata": {},
                        "data": {"image/png": figure_png(fig), "text/plain": "schedule explorer figure"}},)
        plt.close(fig)

    def rescale_t(change):
        # keep t at the same fraction of the way through the process when T changes; draw once, at the end
        new_t = int(np.clip(round(slider.value / change["old"] * change["new"]), 1, change["new"]))
        updating[0] = True
        try:
            if change["new"] > slider.max:
                slider.max, slider.value = change["new"], new_t
            else:
                slider.value, slider.max = new_t, change["new"]
        finally:
            updating[0] = False
        redraw()

    pick.observe(redraw, names="value")
    steps.observe(rescale_t, names="value")
    slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([pick, widgets.VBox([steps, slider])]), out])


def show_schedule_explorer(image, eps, labels=("linear", "cosine", "scaled_linear"), T: int = 1000, t: int = 500):
    """Display the explorer, with the figure for the starting values as the static fallback."""
    widget = schedule_explorer(image, eps, labels, T, t)
    text = "Schedule explorer (run the notebook to use it; the picture shows the starting values)"
    (shown,) = widget.children[1].outputs  # what the live view just drew for the starting values
    if "image/png" in shown.get("data", {}):  # reuse it rather than draw the same figure again
        display_with_png_fallback(widget, shown["data"]["image/png"], text)
    else:  # no schedule picked: the live view shows a hint
        display_with_fallback(widget, _figure(image, eps, labels, T, t), text)
