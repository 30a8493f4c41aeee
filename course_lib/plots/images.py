r"""Figures of images being noised (notebooks 01 and 03): strips of frames and the forgotten start.

Images are ``[C, H, W]`` in [-1, 1] (see :mod:`course_lib.data`). A frame at the maths' step t is the
closed form :math:`x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\, \epsilon` with one noise draw
``eps`` shared by every frame, so a strip shows one image dissolving, not a new noise per frame.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ..data import to_display
from ..forward import q_sample
from ..schedules import Schedule
from ..stats import ks_2samp
from ._style import PALETTE, note_clipped, schedule_label, standard_normal_pdf

__all__ = ["image_strip", "noising_frames", "noising_strip", "same_endpoint_figure", "path_comparison_figure"]


def _show(ax, image, label: str) -> None:
    ax.imshow(to_display(image), cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(label, fontsize=9)


def image_strip(images: Sequence, labels: Sequence[str], title: str, panel_inches: float = 1.7):
    """One row of images (each ``[C, H, W]`` in [-1, 1], clipped for display), a label under each."""
    if len(images) != len(labels) or not images:
        raise ValueError(f"give one label per image; got {len(images)} images and {len(labels)} labels")
    fig, axes = plt.subplots(1, len(images), figsize=(panel_inches * len(images), panel_inches + 0.7),
                             layout="constrained", squeeze=False)
    for ax, image, label in zip(axes[0], images, labels):
        _show(ax, image, label)
    fig.suptitle(title)
    note_clipped(fig)
    return fig


def noising_frames(x0, schedule: Schedule, ts: Sequence[int], eps) -> list[np.ndarray]:
    r"""The frames :math:`x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\, \epsilon` for each t in ``ts``.

    ``x0`` and ``eps``: ``[C, H, W]``; ``ts``: the maths' steps 0..T (0 is the clean image).
    """
    return [q_sample(x0, int(t), schedule, eps=eps)[0] for t in ts]


def _step_label(t: int, schedule: Schedule) -> str:
    return f"t = {t}\n" + r"$\sqrt{\bar\alpha_t}$" + f" = {np.sqrt(schedule.alpha_bar(int(t))):.2f}"


def noising_strip(x0, schedule: Schedule, ts: Sequence[int], eps, title: str | None = None):
    """A strip of ``x0`` noised to each step in ``ts`` (one shared ``eps``), labelled with t and the signal kept."""
    frames = noising_frames(x0, schedule, ts, eps)
    title = title or f"One image dissolving ({schedule_label(schedule.name)} schedule, T = {schedule.num_timesteps})"
    return image_strip(frames, [_step_label(t, schedule) for t in ts], title)


def same_endpoint_figure(x0_a, x0_b, schedule: Schedule, ts: Sequence[int], eps_a, eps_b,
                         names: tuple[str, str] = ("portrait", "gift box")):
    """Two different images noised side by side, and their pixel histograms at t = 0 and at t = T.

    Top: each image (``[C, H, W]``) as a strip over ``ts``. Bottom left: the two pixel-value histograms
    at t = 0 (different); bottom right: at the last step of ``ts`` (the same, and close to N(0, 1)),
    with the two-sample KS statistic between them.
    """
    fig = plt.figure(figsize=(1.45 * len(ts) + 0.4, 6.4), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.25, 1.0])
    axes = top.subplots(2, len(ts), squeeze=False)
    finals = []
    for row, (x0, eps, name) in enumerate(((x0_a, eps_a, names[0]), (x0_b, eps_b, names[1]))):
        frames = noising_frames(x0, schedule, ts, eps)
        finals.append(frames[-1].ravel())
        for col, (ax, frame, t) in enumerate(zip(axes[row], frames, ts)):
            _show(ax, frame, f"t = {t}" if row == 1 else "")
            if col == 0:
                ax.set_ylabel(name)
    top.suptitle("Two very different images, noised step by step")
    note_clipped(top)
    ax_start, ax_end = bottom.subplots(1, 2)
    bins = np.linspace(-4, 4, 81)
    colors = (PALETTE["blue"], PALETTE["orange"])
    for x0, name, color in zip((x0_a, x0_b), names, colors):
        pixels = np.asarray(x0, dtype=float).ravel()
        ax_start.hist(pixels, bins=np.linspace(-1.05, 1.05, 43), density=True, histtype="step", lw=2,
                      color=color, label=f"{name}: mean {pixels.mean():+.2f}, std {pixels.std():.2f}")
    ax_start.set_title("pixel values at t = 0: different\n ")
    grid = np.linspace(-4, 4, 200)
    for pixels, name, color in zip(finals, names, colors):
        ax_end.hist(pixels, bins=bins, density=True, histtype="step", lw=2, color=color,
                    label=f"{name}: mean {pixels.mean():+.2f}, std {pixels.std():.2f}")
    ax_end.plot(grid, standard_normal_pdf(grid), color=PALETTE["black"], ls="--", lw=1.2, label="N(0, 1)")
    d, p = ks_2samp(finals[0], finals[1])
    ax_end.set_title(f"pixel values at t = {ts[-1]}: the same\n(two-sample KS: D = {d:.3f}, p = {p:.2f})")
    for ax in (ax_start, ax_end):
        ax.set_xlabel("pixel value")
        ax.set_ylabel("density")
        ax.legend(frameon=False, fontsize=8, loc="upper left")
    ax_start.set_ylim(top=ax_start.get_ylim()[1] * 1.35)
    ax_end.set_ylim(top=ax_end.get_ylim()[1] * 1.45)
    return fig


def path_comparison_figure(x0, paths: dict, ts: Sequence[int], eps, title: str):
    """One row per forward path: ``x0`` (``[C, H, W]``) noised by each schedule of ``paths`` (``{row label:
    Schedule}``) to the steps ``ts``, with one shared ``eps``, so the rows differ only in how the noise is spent."""
    fig, axes = plt.subplots(len(paths), len(ts), figsize=(1.55 * len(ts) + 0.6, 2.05 * len(paths) + 0.5),
                             layout="constrained", squeeze=False)
    for row, (label, schedule) in zip(axes, paths.items()):
        for col, (ax, frame, t) in enumerate(zip(row, noising_frames(x0, schedule, ts, eps), ts)):
            _show(ax, frame, _step_label(t, schedule))
            if col == 0:
                ax.set_ylabel(label, fontsize=9)
    fig.suptitle(title)
    note_clipped(fig)
    return fig
