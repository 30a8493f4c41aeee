"""Figures of noise schedules and SNR (notebook 04): the curriculum, wasted steps, terminal SNR, resolution.

Functions that draw curves take ``curves``: a dict ``label -> Schedule or alphas_cumprod array`` (an
array for the teaching cosine, which is not a valid Schedule). Each schedule keeps one colour and one
line style in every figure (:func:`style`), so the figures can be read without colour too.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .. import schedules as sch
from ..data import to_display
from ._style import PALETTE, schedule_label

__all__ = [
    "style",
    "curriculum_figure",
    "wasted_steps_figure",
    "zero_terminal_snr_figure",
    "image_row_figure",
    "shifted_figure",
    "explorer_figure",
]

_STYLES = {
    "linear": (PALETTE["blue"], "-"),
    "cosine": (PALETTE["orange"], "-"),
    "sigmoid": (PALETTE["green"], "--"),
    "quadratic": (PALETTE["vermillion"], "-."),
    "scaled_linear": (PALETTE["purple"], ":"),
    "simple cosine": (PALETTE["black"], (0, (6, 2, 1, 2))),
    "scaled_linear_zero_terminal_snr": (PALETTE["sky"], "--"),
}
_CYCLE = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]

#: Figures are drawn at 80 dpi: as sharp as a notebook shows them, and light to store (noise images compress badly).
DPI = 80

#: log SNR below this: under 0.7 % of x_t's variance is signal, "nothing left to learn".
WASTE_LEVEL = -5.0


def style(label: str, index: int = 0) -> dict:
    """Line colour and style for a schedule: fixed for the course's schedules, cycled for others."""
    color, ls = _STYLES.get(label, (_CYCLE[index % len(_CYCLE)], ["-", "--", "-.", ":"][index // len(_CYCLE) % 4]))
    return {"color": color, "ls": ls, "lw": 2.0}


def _finite(values: np.ndarray) -> np.ndarray:
    """+-inf (log SNR of alpha_bar = 1 or 0) as NaN, so matplotlib leaves a gap instead of a spike."""
    values = np.array(values, dtype=float)
    values[~np.isfinite(values)] = np.nan
    return values


def curriculum_figure(curves: dict, title: str = "Six schedules, one budget of T steps"):
    """Three panels side by side: alpha_bar(t), log SNR(t) and beta_t (log scale) for every curve."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.9), layout="constrained", dpi=DPI)
    for i, (label, curve) in enumerate(curves.items()):
        abar = sch._alphas_cumprod_of(curve, label)
        t = np.arange(1, abar.size + 1)
        kw = style(label, i)
        axes[0].plot(t, abar, label=schedule_label(label), **kw)
        axes[1].plot(t, _finite(sch.log_snr(abar)), **kw)
        with np.errstate(divide="ignore", invalid="ignore"):  # any alpha_bar curve, zeros included
            betas = sch._betas_from_alphas_cumprod(abar)
        axes[2].plot(t, np.where(betas > 0, betas, np.nan), **kw)
    axes[0].set(title=r"$\bar\alpha_t$: signal variance left", xlabel="step t", ylabel=r"$\bar\alpha_t$")
    axes[1].axhspan(-80, WASTE_LEVEL, color=PALETTE["black"], alpha=0.08, lw=0)
    axes[1].axhline(0, color=PALETTE["black"], lw=0.8)
    axes[1].text(0.02, 0.05, "log SNR < -5: nothing left to learn", transform=axes[1].transAxes, fontsize=8)
    axes[1].set(title="log SNR(t): the curriculum", xlabel="step t", ylabel="log SNR (natural log)", ylim=(-25, 12))
    axes[2].set(title=r"$\beta_t$: noise added per step", xlabel="step t", ylabel=r"$\beta_t$ (log scale)",
                yscale="log", ylim=(1e-5, 1.5))
    axes[0].legend(frameon=False, fontsize=8)
    fig.suptitle(title)
    return fig


def wasted_steps_figure(curves: dict, title: str = "Where the steps go"):
    """Left: log SNR(t) with the SNR = 1 crossing marked. Right: the fraction of steps with log SNR < -5."""
    fig, (ax, bar) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained",
                                  gridspec_kw={"width_ratios": [1.6, 1]}, dpi=DPI)
    labels, fractions, colors = [], [], []
    for i, (label, curve) in enumerate(curves.items()):
        abar = sch._alphas_cumprod_of(curve, label)
        kw = style(label, i)
        ax.plot(np.arange(1, abar.size + 1), _finite(sch.log_snr(abar)), label=schedule_label(label), **kw)
        t1 = sch.t_at_snr(abar, 1.0)
        if t1 is not None:
            ax.plot([t1], [0.0], "o", color=kw["color"], ms=6, mec="white")
        labels.append(schedule_label(label))
        fractions.append(sch.fraction_log_snr_below(abar, WASTE_LEVEL))
        colors.append(kw["color"])
    ax.axhspan(-80, WASTE_LEVEL, color=PALETTE["black"], alpha=0.08, lw=0)
    ax.axhline(0, color=PALETTE["black"], lw=0.8)
    ax.set(title="log SNR(t); dots: the first t with SNR ≤ 1", xlabel="step t", ylabel="log SNR", ylim=(-25, 12))
    ax.legend(frameon=False, fontsize=8, ncol=2)
    y = np.arange(len(labels))
    bar.barh(y, fractions, color=colors)
    for yi, f in zip(y, fractions):
        bar.text(f + 0.005, yi, f"{f:.3f}", va="center", fontsize=9)
    bar.set(yticks=y, yticklabels=labels, xlabel="fraction of the T steps", xlim=(0, max(fractions) * 1.25 + 1e-3),
            title="steps with log SNR < -5 (wasted)")
    bar.invert_yaxis()
    fig.suptitle(title)
    return fig


def zero_terminal_snr_figure(before, after, last: int = 100):
    """Stable Diffusion's schedule and its zero-terminal-SNR rescale: sqrt(alpha_bar) and log SNR near t = T."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5), layout="constrained", dpi=DPI)
    for curve, label in ((before, "scaled linear (Stable Diffusion)"), (after, "rescaled: zero terminal SNR")):
        kw = style(curve.name)
        t = np.arange(1, curve.num_timesteps + 1)
        axes[0].plot(t, curve.sqrt_alphas_cumprod, label=label, **kw)
        axes[1].plot(t[-last:], _finite(curve.log_snr[-last:]), label=label, **kw)
    axes[0].set(title=r"$\sqrt{\bar\alpha_t}$: the image's weight in $x_t$", xlabel="step t",
                ylabel=r"$\sqrt{\bar\alpha_t}$")
    T, end = before.num_timesteps, before.sqrt_alphas_cumprod[-1]
    # the label sits above the curves (which are below 0.35 after 0.7 T) and its arrow drops onto the end point
    axes[0].annotate(rf"$\sqrt{{\bar\alpha_T}}$ = {end:.3f} at t = T, not 0", (T, end), xytext=(0.72 * T, 0.5),
                     ha="center", va="bottom", arrowprops={"arrowstyle": "->", "color": PALETTE["black"]},
                     fontsize=9)
    axes[1].set(title=f"log SNR over the last {last} steps (the rescale ends at $-\\infty$)", xlabel="step t",
                ylabel="log SNR")
    axes[0].legend(frameon=False, fontsize=9)
    fig.suptitle("Terminal SNR: Stable Diffusion's $x_T$ still holds the image; the rescale removes it")
    return fig


def image_row_figure(images, titles, suptitle: str, stretch=False, size: float = 1.9):
    """A row of images ``[C, H, W]`` in [-1, 1] with titles.

    ``stretch``: a bool or one bool per image; a stretched image is standardised (mean 0, and 2.5 standard
    deviations mapped to the ends of the grey scale) to show faint structure, such as the mean of x_T;
    its title says so.
    """
    images = list(images)
    stretches = [stretch] * len(images) if isinstance(stretch, bool) else list(stretch)
    titles = [title + ("\n(contrast stretched)" if st else "") for title, st in zip(titles, stretches)]
    title_lines = max(title.count("\n") + 1 for title in titles)
    # room for the square images, the panel titles (about 0.17 inch a line) and the suptitle
    height = size + 0.17 * title_lines + 0.5
    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images), height), layout="constrained", dpi=DPI)
    for ax, img, title, st in zip(np.atleast_1d(axes), images, titles, stretches):
        img = np.asarray(img, dtype=float)
        if st:
            img = (img - img.mean()) / max(2.5 * img.std(), 1e-12)
        ax.imshow(to_display(img), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(suptitle)
    return fig


def shifted_figure(base, resolutions, base_resolution: int = 64):
    """log SNR(t) and alpha_bar(t) of ``base`` shifted to each resolution (simple diffusion's shift)."""
    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained", dpi=DPI)
    for i, res in enumerate(resolutions):
        shifted = sch.shifted_schedule(base, res, base_resolution)
        t = np.arange(1, shifted.num_timesteps + 1)
        shift = 2 * np.log(base_resolution / res)
        label = f"{res} x {res} (shift {shift:+.2f})" if res != base_resolution else f"{res} x {res} (base)"
        kw = {"color": _CYCLE[i % len(_CYCLE)], "ls": ["-", "--", "-.", ":"][i % 4], "lw": 2.0}
        axes[0].plot(t, shifted.log_snr, label=label, **kw)
        axes[1].plot(t, shifted.alphas_cumprod, label=label, **kw)
    axes[0].axhline(0, color=PALETTE["black"], lw=0.8)
    axes[0].set(title=rf"log SNR$_{{res}}$(t) = log SNR$_{{{base_resolution}}}$(t) + 2 log({base_resolution} / res)",
                xlabel="step t", ylabel="log SNR",
                ylim=(-30, 14))
    axes[1].set(title=r"$\bar\alpha_t$: higher resolution, noisier sooner", xlabel="step t", ylabel=r"$\bar\alpha_t$")
    axes[1].legend(frameon=False, fontsize=9)
    fig.suptitle(f"The {base.name} schedule shifted for resolution (base {base_resolution} x {base_resolution})")
    return fig


def explorer_figure(curves: dict, noised: dict, t: int, clean=None):
    """The schedule explorer's picture: alpha_bar and log SNR with step t marked, and the image noised at t.

    ``curves``: label -> Schedule; ``noised``: label -> the same image noised at t under that schedule
    (``[C, H, W]``); ``clean``: the clean image, shown first if given.
    """
    labels = list(curves)
    n_img = len(labels) + (clean is not None)
    fig = plt.figure(figsize=(max(10, 1.9 * n_img), 5.6), layout="constrained", dpi=DPI)
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.25, 1])
    ax_abar, ax_snr = top.subplots(1, 2)
    for i, label in enumerate(labels):
        sched = curves[label]
        t_all = np.arange(1, sched.num_timesteps + 1)
        kw = style(label, i)
        ax_abar.plot(t_all, sched.alphas_cumprod, label=schedule_label(label), **kw)
        ax_snr.plot(t_all, _finite(sched.log_snr), **kw)
    for ax in (ax_abar, ax_snr):
        ax.axvline(t, color=PALETTE["black"], lw=1, ls="--")
        ax.set_xlabel("step t")
    ax_abar.set(title=rf"$\bar\alpha_t$ (dashed line: t = {t})", ylabel=r"$\bar\alpha_t$")
    ax_snr.set(title="log SNR(t)", ylabel="log SNR", ylim=(-25, 12))
    ax_abar.legend(frameon=False, fontsize=8)
    axes = np.atleast_1d(bottom.subplots(1, n_img))
    shown = ([("clean $x_0$", clean, None)] if clean is not None else []) + [
        (label, noised[label], curves[label]) for label in labels]
    for ax, (label, img, sched) in zip(axes, shown):
        ax.imshow(to_display(img), interpolation="nearest")
        if sched is not None:
            label = f"{schedule_label(label)}\nlog SNR {sched.log_snr[t - 1]:.2f}"
        ax.set_title(label, fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    bottom.suptitle(f"the same image and the same noise, at step t = {t} of each schedule", fontsize=10)
    return fig
