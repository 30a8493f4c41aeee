"""Compare schedules interactively (notebook 04): pick schedules and T, slide on the step t or on log SNR.

The same image and the same noise draw are noised under every chosen schedule, so the only difference
between the pictures is the schedule. Slide on t and every schedule sits at the same step; slide on log SNR
and each sits at the step where it reaches that noise level: the pictures are then the same, because x_t
depends on the schedule only through alpha_bar_t (a schedule is a time-warp of log SNR). A second panel
shows each schedule's density of steps along the log-SNR axis (:func:`course_lib.schedules.steps_per_log_snr`).

The browser draws everything (``static/explorer.js``, an anywidget module) from numbers the kernel sends
once: for every schedule on offer and every T on the menu, log SNR and alpha_bar at each step and the
density of steps. So it needs no kernel: it works live, from the notebook's saved widget state, and on the
course's web edition. Where no widget renders, the static figure for the starting values shows instead
(:func:`~course_lib.widgets.display_with_fallback`).
"""

from __future__ import annotations

import base64

import numpy as np

from .. import schedules as sch
from .._validate import as_timesteps
from ..forward import q_sample
from ..plots.schedules import explorer_figure, schedule_label, style
from ._browser import EPS_SCALE, esm, image_base64, image_pixels, noise_pixels
from ._fallback import display_with_fallback

__all__ = ["CHOICES", "T_OPTIONS", "DENSITY_EDGES", "build_schedules", "noised_images", "explorer_data",
           "schedule_explorer", "show_schedule_explorer"]

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
#: Bins of the density of steps along log SNR: width 0.5 over the figures' log-SNR range [-25, 12].
DENSITY_EDGES = np.linspace(-25.0, 12.0, 75)
_MODES = ("t", "log_snr")


def build_schedules(labels, T: int) -> dict:
    """label -> Schedule with T steps, for labels from :data:`CHOICES`."""
    _check_labels(labels)
    return {label: CHOICES[label](T) for label in labels}


def _check_labels(labels) -> None:
    unknown = [label for label in labels if label not in CHOICES]
    if unknown:
        raise ValueError(f"labels must be among {sorted(CHOICES)}; got {unknown}")


def noised_images(image, eps, schedules: dict, t: int) -> dict:
    """label -> q_sample(image, t, schedule, eps): one image, one noise draw, every schedule at step t."""
    return {label: q_sample(image, t, s, eps=eps)[0] for label, s in schedules.items()}


def _figure(image, eps, labels, T: int, t: int):
    schedules = build_schedules(labels, T)
    return explorer_figure(schedules, noised_images(image, eps, schedules, t), t, clean=image)


def _float32_base64(values) -> str:
    return base64.b64encode(np.asarray(values, dtype="<f4").tobytes()).decode("ascii")


def explorer_data(T_options=T_OPTIONS) -> dict:
    """label -> str(T) -> the arrays the front end draws, as base64 little-endian float32.

    ``log_snr`` and ``alphas_cumprod`` at t = 1..T, and ``density``: steps per unit of log SNR in the bins
    :data:`DENSITY_EDGES`.
    """
    curves = {}
    for label, make in CHOICES.items():
        curves[label] = {}
        for T in T_options:
            s = make(T)
            curves[label][str(T)] = {
                "log_snr": _float32_base64(s.log_snr), "alphas_cumprod": _float32_base64(s.alphas_cumprod),
                "density": _float32_base64(sch.steps_per_log_snr(s, DENSITY_EDGES))}
    return curves


def _widget_class():
    """The anywidget model class (built on first use: importing this module does not import anywidget)."""
    global _ExplorerWidget
    if _ExplorerWidget is None:
        import anywidget
        import traitlets as tl

        class ExplorerWidget(anywidget.AnyWidget):
            """State of one explorer; ``static/explorer.js`` draws it."""

            _esm = esm("explorer.js")
            _css = esm("widgets.css")
            choices = tl.List(tl.Dict()).tag(sync=True)  # [{label, name, color, ls}], in CHOICES order
            curves = tl.Dict().tag(sync=True)  # see explorer_data
            density_edges = tl.List(tl.Float()).tag(sync=True)
            T_options = tl.List(tl.Int()).tag(sync=True)
            selected = tl.List(tl.Unicode()).tag(sync=True)
            T = tl.Int(1000).tag(sync=True)
            t = tl.Int(1).tag(sync=True)
            mode = tl.Unicode("t").tag(sync=True)  # "t" or "log_snr": what the slider moves
            log_snr = tl.Float(0.0).tag(sync=True)
            x0 = tl.Unicode().tag(sync=True)  # base64 PNG, pixels round(127.5 x0 + 127.5)
            eps = tl.Unicode().tag(sync=True)  # base64 PNG, pixels round(EPS_SCALE eps) + 128
            eps_scale = tl.Float(EPS_SCALE).tag(sync=True)

        _ExplorerWidget = ExplorerWidget
    return _ExplorerWidget


_ExplorerWidget = None


def schedule_explorer(image, eps, labels=("linear", "cosine", "scaled_linear"), T: int = 1000, t: int = 500,
                      mode: str = "t", log_snr: float = 0.0):
    """The explorer widget: schedule checkboxes, a T menu, a choice of slider (step t or log SNR), the slider.

    ``image``: ``[C, H, W]`` (C = 1 or 3) in [-1, 1]; ``eps``: one noise draw of the same shape, reused for
    every schedule and every t so that only the schedule changes the picture; ``labels``: the schedules
    picked first; ``T`` (from :data:`T_OPTIONS`) and ``t`` (1..T): the starting step; ``mode``: ``"t"`` or
    ``"log_snr"``, what the slider moves first; ``log_snr``: its starting value on the log-SNR slider.
    """
    _check_labels(labels)
    if T not in T_OPTIONS:
        raise ValueError(f"T must be one of {T_OPTIONS}; got {T!r}")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}; got {mode!r}")
    t = int(as_timesteps(t, T, "t"))
    if t < 1:
        raise ValueError(f"t must lie in 1..{T}; got {t}")
    image = np.asarray(image, dtype=float)
    eps = np.asarray(eps, dtype=float)
    if image.ndim != 3 or image.shape[0] not in (1, 3) or eps.shape != image.shape:
        raise ValueError(f"image must be [C, H, W] with C = 1 or 3 and eps the same shape; got {image.shape} "
                         f"and {eps.shape}")
    if image.shape[0] == 1:  # the front end draws RGB
        image, eps = np.repeat(image, 3, axis=0), np.repeat(eps, 3, axis=0)
    choices = []
    for i, label in enumerate(CHOICES):
        look = style(label, i)
        choices.append({"label": label, "name": schedule_label(label), "color": look["color"],
                        "ls": look["ls"] if isinstance(look["ls"], str) else "--"})
    return _widget_class()(
        choices=choices, curves=explorer_data(), density_edges=[float(e) for e in DENSITY_EDGES],
        T_options=list(T_OPTIONS), selected=list(labels), T=T, t=t, mode=mode, log_snr=float(log_snr),
        x0=image_base64(image_pixels(image)), eps=image_base64(noise_pixels(eps)))


def show_schedule_explorer(image, eps, labels=("linear", "cosine", "scaled_linear"), T: int = 1000, t: int = 500,
                           mode: str = "t", log_snr: float = 0.0) -> None:
    """Display the explorer (:func:`schedule_explorer`), with the figure for the starting values as the static fallback."""
    widget = schedule_explorer(image, eps, labels, T, t, mode, log_snr)
    display_with_fallback(widget, _figure(image, eps, labels, T, t),
                          "Schedule explorer (run the notebook to use it; the picture shows the starting values)")
