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
from ._style import PALETTE, note_clipped, schedule_label

__all__ = [
    "style",
    "curriculum_figure",
    "wasted_steps_figure",
    "plot_steps_per_log_snr",
    "zero_terminal_snr_figure",
    "image_row_figure",
    "shifted_figure",
    "explorer_figure",
    "time_warp_figure",
    "data_scale_figure",
    "spacing_figure",
    "frequency_figure",
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

#: log SNR below this (SNR < 0.0067): one pixel of x_t says little about the same pixel of unit-variance data,
#: at that resolution; coarse structure survives far lower (see ``frequency_figure``).
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


def _mark_snr_one(ax, abar: np.ndarray, color: str, row: int) -> None:
    """A large dot where the SNR first drops to 1 (log SNR = 0), and its t written in the panel's top right."""
    t1 = sch.t_at_snr(abar, 1.0)
    if t1 is None:
        return
    ax.plot([t1], [0.0], "o", color=color, ms=11, mec="white", mew=1.5, zorder=5)
    ax.text(0.97, 0.95 - 0.08 * row, f"SNR = 1 at t = {t1}", transform=ax.transAxes, ha="right", va="top",
            color=color, fontsize=9, fontweight="bold")


def curriculum_figure(curves: dict, title: str = "Three schedules, one budget of T steps"):
    """Three panels side by side: alpha_bar(t), log SNR(t) (large dots: SNR = 1) and beta_t (log scale)."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.9), layout="constrained", dpi=DPI)
    for i, (label, curve) in enumerate(curves.items()):
        abar = sch._alphas_cumprod_of(curve, label)
        t = np.arange(1, abar.size + 1)
        kw = style(label, i)
        axes[0].plot(t, abar, label=schedule_label(label), **kw)
        axes[1].plot(t, _finite(sch.log_snr(abar)), **kw)
        _mark_snr_one(axes[1], abar, kw["color"], i)
        with np.errstate(divide="ignore", invalid="ignore"):  # any alpha_bar curve, zeros included
            betas = sch._betas_from_alphas_cumprod(abar)
        axes[2].plot(t, np.where(betas > 0, betas, np.nan), **kw)
    axes[0].set(title=r"$\bar\alpha_t$: the squared weight of $x_0$ in $x_t$", xlabel="step t",
                ylabel=r"$\bar\alpha_t$")
    axes[1].axhspan(-80, WASTE_LEVEL, color=PALETTE["black"], alpha=0.08, lw=0)
    axes[1].axhline(0, color=PALETTE["black"], lw=0.8)
    axes[1].text(0.02, 0.05, "log SNR < -5: little left per pixel", transform=axes[1].transAxes, fontsize=8)
    axes[1].set(title="log SNR(t); dots: SNR = 1", xlabel="step t", ylabel="log SNR (natural log)", ylim=(-25, 12))
    axes[2].set(title=r"$\beta_t$: noise added per step", xlabel="step t", ylabel=r"$\beta_t$ (log scale)",
                yscale="log", ylim=(1e-5, 1.5))
    axes[0].legend(frameon=False, fontsize=9)
    fig.suptitle(title)
    return fig


def plot_steps_per_log_snr(ax, curves: dict, bin_width: float = 0.5, low: float = -25.0, high: float = 12.0) -> None:
    """On ``ax``: how many of each schedule's T steps fall in each interval of log SNR, per unit of log SNR.

    A schedule is a path down the log-SNR axis; this is how long it lingers at each level (a histogram of its T
    values log SNR(t), :func:`course_lib.schedules.steps_per_log_snr` with ``clip=True``; values below ``low``,
    such as -inf, are counted in the first bin). ``curves``: label -> Schedule or alphas_cumprod array.
    """
    edges = np.arange(low, high + bin_width, bin_width)
    for i, (label, curve) in enumerate(curves.items()):
        kw = style(label, i)
        ax.stairs(sch.steps_per_log_snr(curve, edges, clip=True), edges, label=schedule_label(label),
                  color=kw["color"], ls=kw["ls"], lw=2.0)
    ax.set(xlabel="log SNR (natural log)", ylabel="steps per unit log SNR", xlim=(edges[0], edges[-1]))


def wasted_steps_figure(curves: dict, title: str = "Where the steps go", bin_width: float = 0.5):
    """Where each schedule spends its T steps along log SNR, and the share spent below log SNR = -5.

    Left: steps per unit of log SNR (:func:`plot_steps_per_log_snr`). Right: the fraction of steps with
    log SNR < -5 (per pixel, for unit-variance data).
    """
    fig, (ax, bar) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained",
                                  gridspec_kw={"width_ratios": [1.6, 1]}, dpi=DPI)
    plot_steps_per_log_snr(ax, curves, bin_width)
    ax.axvspan(ax.get_xlim()[0], WASTE_LEVEL, color=PALETTE["black"], alpha=0.08, lw=0)
    ax.text(0.02, 0.92, f"log SNR < {WASTE_LEVEL:g}", transform=ax.transAxes, fontsize=8, va="top")
    ax.set_title("steps per unit of log SNR: where each schedule lingers")
    ax.legend(frameon=False, fontsize=9, loc="upper right")
    labels = [schedule_label(label) for label in curves]
    fractions = [sch.fraction_log_snr_below(curve, WASTE_LEVEL) for curve in curves.values()]
    colors = [style(label, i)["color"] for i, label in enumerate(curves)]
    y = np.arange(len(labels))
    bar.barh(y, fractions, color=colors)
    for yi, f in zip(y, fractions):
        bar.text(f + 0.005, yi, f"{f:.3f}", va="center", fontsize=9)
    bar.set(yticks=y, yticklabels=labels, xlabel="fraction of the T steps", xlim=(0, max(fractions) * 1.25 + 1e-3),
            title="steps with per-pixel log SNR < -5")
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
    note_clipped(bottom)
    return fig


def time_warp_figure(levels, x, title: str):
    """Two schedules, each run step by step, stopped where their alpha_bar is the same: the same histogram.

    ``levels``: one dict per panel with ``"alpha_bar"`` (the level), ``"density"`` (the exact density of x_t on
    the grid ``x``) and ``"samples"``: ``{label: (t, samples of x_t)}``, the chain of each schedule at its step t.
    """
    fig, axes = plt.subplots(1, len(levels), figsize=(4.2 * len(levels), 3.4), layout="constrained", dpi=DPI,
                             sharey=True)
    edges = np.linspace(x[0], x[-1], 61)
    for ax, level in zip(np.atleast_1d(axes), levels):
        for i, (label, (t, samples)) in enumerate(level["samples"].items()):
            kw = style(label, i)
            density, _ = np.histogram(samples, bins=edges, density=True)
            ax.stairs(density, edges, color=kw["color"], ls=kw["ls"], lw=2.0,
                      label=f"{schedule_label(label)} chain, t = {t}")
        ax.plot(x, level["density"], color=PALETTE["black"], lw=1.0, label="exact density")
        ax.set(title=rf"$\bar\alpha$ = {level['alpha_bar']:.3f}  (log SNR {np.log(level['alpha_bar'] / (1 - level['alpha_bar'])):+.2f})",
               xlabel="$x_t$")
        ax.legend(frameon=False, fontsize=8, loc="upper left")
    np.atleast_1d(axes)[0].set_ylabel("density")
    fig.suptitle(title)
    return fig


def data_scale_figure(schedule, variances: dict, endpoints: dict, title: str):
    """What the data's variance does: log SNR of x_t for data of each variance, and x_T for each.

    ``variances``: ``{label: the data's variance s^2}``; the left panel draws log(s^2 SNR(t)), the SNR of x_t
    for that data. ``endpoints``: ``{label: x_T [C, H, W]}``, shown contrast stretched on the right.
    """
    fig = plt.figure(figsize=(13, 3.6), layout="constrained", dpi=DPI)
    grid = fig.add_gridspec(1, 1 + len(endpoints), width_ratios=[2.4] + [1] * len(endpoints))
    ax = fig.add_subplot(grid[0])
    t = np.arange(1, schedule.num_timesteps + 1)
    for i, (label, var) in enumerate(variances.items()):
        kw = {"color": _CYCLE[i % len(_CYCLE)], "ls": ["-", "--", "-.", ":"][i % 4], "lw": 2.0}
        ax.plot(t, _finite(schedule.log_snr + np.log(var)), label=f"{label}: $s^2$ = {var:.3g}", **kw)
    ax.axhline(0, color=PALETTE["black"], lw=0.8)
    ax.set(title=rf"log($s^2$ SNR(t)): the SNR of $x_t$ for data of variance $s^2$ ({schedule_label(schedule.name)})",
           xlabel="step t", ylabel="log SNR of $x_t$")
    ax.legend(frameon=False, fontsize=8)
    for j, (label, img) in enumerate(endpoints.items()):
        axi = fig.add_subplot(grid[1 + j])
        img = np.asarray(img, dtype=float)
        axi.imshow(to_display((img - img.mean()) / max(2.5 * img.std(), 1e-12)), cmap="gray", vmin=0, vmax=1,
                   interpolation="nearest")
        axi.set_title(f"$x_T$, pixels in {label}\n(contrast stretched)", fontsize=9)
        axi.set_xticks([])
        axi.set_yticks([])
    fig.suptitle(title)
    return fig


def spacing_figure(curves: dict, timesteps: dict, first: int = 900):
    """sqrt(alpha_bar_t) over the last steps, with the steps each timestep spacing visits marked.

    ``curves``: ``{label: Schedule}``; ``timesteps``: ``{spacing: maths' t, noisiest first}``. The first step of
    each spacing is drawn large: it is where sampling starts from pure noise.
    """
    fig, ax = plt.subplots(figsize=(10, 3.6), layout="constrained", dpi=DPI)
    markers = ["v", "o", "s", "^"]
    for i, (label, schedule) in enumerate(curves.items()):
        kw = style(label, i)
        t = np.arange(first, schedule.num_timesteps + 1)
        ax.plot(t, schedule.sqrt_alphas_cumprod[first - 1:], label=schedule_label(label), **kw)
        for j, (spacing, steps) in enumerate(timesteps.items()):
            steps = np.asarray(steps)
            shown = steps[steps >= first]
            ax.plot(shown, schedule.sqrt_alphas_cumprod[shown - 1], markers[j % 4], color=kw["color"], ms=5,
                    mfc="white" if j else kw["color"], ls="none")
            ax.plot([steps[0]], [schedule.sqrt_alphas_cumprod[steps[0] - 1]], markers[j % 4], color=kw["color"],
                    ms=13, mfc="white" if j else kw["color"], mew=2, ls="none")
    for j, spacing in enumerate(timesteps):  # legend entries for the markers, in black
        ax.plot([], [], markers[j % 4], color=PALETTE["black"], mfc="white" if j else PALETTE["black"], ls="none",
                label=f"{spacing} spacing (large: its first step)")
    ax.set(title=r"$\sqrt{\bar\alpha_t}$ over the last steps, and the steps a 50-step sampler visits",
           xlabel="step t (the maths' t)", ylabel=r"$\sqrt{\bar\alpha_t}$", xlim=(first - 5, None))
    ax.legend(frameon=False, fontsize=9, loc="upper right")
    return fig


def frequency_figure(spectrum, schedule, steps, spectra_by_resolution: dict, terminal_snr: float, leaks: dict,
                     title: str):
    """Signal against noise, frequency by frequency.

    Left: the SNR at each frequency, ``SNR(t) * P(f)``, of the portrait whose power spectrum is
    ``spectrum = (f, P)``, at each of ``steps`` of ``schedule``; dots: the finest frequency still at SNR >= 1.
    Middle: the same at the last step of a schedule with SNR_T = ``terminal_snr``, for the portrait at each
    resolution (``{pixels: (f, P)}``). Right: the measured correlation of x_T with x_0 in each frequency band,
    ``{label: (f, correlation)}``.
    """
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.0), layout="constrained", dpi=DPI)
    f, power = spectrum
    ax = axes[0]
    for i, t in enumerate(steps):
        color = _CYCLE[i % len(_CYCLE)]
        snr_f = schedule.snr[t - 1] * power
        ax.plot(f, snr_f, color=color, ls=["-", "--", "-.", ":"][i % 4], lw=2.0,
                label=f"t = {t} (log SNR {schedule.log_snr[t - 1]:+.1f})")
        above = f[snr_f >= 1]
        if above.size:
            ax.plot([above.max()], [1.0], "o", color=color, ms=9, mec="white", zorder=5)
    ax.axhline(1, color=PALETTE["black"], lw=0.8)
    ax.set(xscale="log", yscale="log", xlabel="frequency (cycles per image)", ylabel="SNR at that frequency",
           title=f"{schedule_label(schedule.name)} schedule: SNR per frequency", ylim=(1e-4, None))
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax = axes[1]
    for i, (res, (fr, pr)) in enumerate(spectra_by_resolution.items()):
        ax.plot(fr, terminal_snr * pr, color=_CYCLE[i % len(_CYCLE)], ls=["-", "--", "-.", ":"][i % 4], lw=2.0,
                label=f"{res} x {res} px")
    ax.axhline(1, color=PALETTE["black"], lw=0.8)
    ax.set(xscale="log", yscale="log", xlabel="frequency (cycles per image)", ylabel="SNR at that frequency",
           title=f"the last step, SNR$_T$ = {terminal_snr:.3g}, per frequency")
    ax.legend(frameon=False, fontsize=8)
    ax = axes[2]
    for i, (label, (fr, corr)) in enumerate(leaks.items()):
        kw = style(label, i)
        ax.plot(fr, corr, marker="o", color=kw["color"], ls=kw["ls"], lw=2.0, ms=5, label=schedule_label(label))
    ax.axhline(0, color=PALETTE["black"], lw=0.8)
    ax.set(xscale="log", xlabel="frequency band (cycles per image)", ylabel="correlation of $x_T$ with $x_0$",
           title="measured: what one $x_T$ still holds", ylim=(-0.2, 1.05))
    ax.legend(frameon=False, fontsize=8)
    for ax in axes:  # log axes over many decades: minor ticks cost seconds to lay out and add nothing here
        ax.minorticks_off()
    fig.suptitle(title)
    return fig
