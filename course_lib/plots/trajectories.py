"""Figures of trajectories x_0..x_T (notebook 02): the fan-out and the shrink factor."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

from ._style import PALETTE, standard_normal_pdf

__all__ = ["plot_trajectories", "fan_out_figure", "shrink_figure"]

def plot_trajectories(
    ax, trajectories, color=PALETTE["blue"], highlight: int | None = 0, label: str | None = None,
    max_lines: int = 120,
):
    """Draw trajectories ``[T + 1, N]`` (x_t against t, one line per column) on ``ax``.

    Faint lines show the fan (at most ``max_lines`` of them, about 300 points each, drawn as one
    ``LineCollection``, which keeps the figure light and fast to draw); ``highlight`` (a column index or
    None) is drawn bold on top, at full resolution.
    """
    traj = np.asarray(trajectories, dtype=float)
    if traj.ndim == 1:
        traj = traj[:, None]
    t = np.arange(traj.shape[0])
    stride = max(1, traj.shape[0] // 300)  # about 300 points per line: the same picture, a lighter PNG
    shown = traj[::stride, :max_lines]
    alpha = max(0.05, min(0.6, 8.0 / shown.shape[1]))
    ts = np.broadcast_to(t[::stride, None], shown.shape)
    ax.add_collection(LineCollection(np.stack([ts, shown], axis=-1).transpose(1, 0, 2), colors=color,
                                     alpha=alpha, lw=0.8))
    ax.autoscale_view()
    if highlight is not None:
        ax.plot(t, traj[:, highlight], color=PALETTE["vermillion"], lw=2.0, label=label or "one trajectory")
    ax.set_xlabel("step t")
    ax.set_ylabel("$x_t$")
    return ax


def fan_out_figure(trajectories, title: str = "Many small steps fan out into N(0, 1)"):
    """Left: trajectories ``[T + 1, N]`` fanning out from x0. Right: histogram of x_T against N(0, 1)."""
    traj = np.asarray(trajectories, dtype=float)
    fig, (ax_left, ax_right) = plt.subplots(
        1, 2, figsize=(10, 3.6), gridspec_kw={"width_ratios": [3, 1.2]}, sharey=True, layout="constrained"
    )
    plot_trajectories(ax_left, traj)
    ax_left.set_title(f"{min(traj.shape[1], 120)} of {traj.shape[1]} trajectories from $x_0$ = {traj[0, 0]:.2f}")
    ax_left.legend(loc="upper right", frameon=False)
    grid = np.linspace(-4, 4, 200)
    bins = int(np.clip(np.sqrt(traj.shape[1]), 20, 40))  # coarser for few paths, so the bars are not ragged
    density, edges = np.histogram(traj[-1], bins=bins, range=(-4, 4), density=True)
    ax_right.stairs(density, edges, orientation="horizontal", fill=True, color=PALETTE["sky"],
                    label=f"$x_T$ ({traj.shape[1]} values)")
    ax_right.plot(standard_normal_pdf(grid), grid, color=PALETTE["black"], lw=1.5, label="N(0, 1)")
    ax_right.set_xlabel("density")
    ax_right.set_title(f"where they end (t = {traj.shape[0] - 1})")
    ax_right.legend(loc="upper right", frameon=False)
    fig.suptitle(title)
    return fig


def shrink_figure(with_shrink, without_shrink, beta: float):
    """Side by side: trajectories ``[T + 1, N]`` with the shrink factor and without it, plus their variances."""
    with_shrink, without_shrink = np.asarray(with_shrink, float), np.asarray(without_shrink, float)
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), layout="constrained")
    for ax, traj, name, color in (
        (axes[0], with_shrink, "with shrink: $\\sqrt{1-\\beta}\\,x + \\sqrt{\\beta}\\,\\epsilon$", PALETTE["blue"]),
        (axes[1], without_shrink, "without: $x + \\sqrt{\\beta}\\,\\epsilon$", PALETTE["orange"]),
    ):
        plot_trajectories(ax, traj, color=color, highlight=None)
        ax.set_title(name)
    lim = np.abs(without_shrink).max() * 1.05
    axes[0].set_ylim(-lim, lim)
    axes[1].set_ylim(-lim, lim)
    t = np.arange(with_shrink.shape[0])
    var0 = with_shrink[0].var()
    decay = (1 - beta) ** t
    axes[2].plot(t, with_shrink.var(axis=1), color=PALETTE["blue"], lw=2, label="with shrink (measured)")
    axes[2].plot(t, decay * var0 + 1 - decay, color=PALETTE["black"], ls="--", lw=1,
                 label="theory: $(1-\\beta)^t v_0 + 1 - (1-\\beta)^t$")
    axes[2].plot(t, without_shrink.var(axis=1), color=PALETTE["orange"], lw=2, label="without shrink (measured)")
    axes[2].plot(t, var0 + t * beta, color=PALETTE["black"], ls=":", lw=1.5, label="theory: $v_0 + t\\beta$")
    axes[2].set_xlabel("step t")
    axes[2].set_ylabel("variance of $x_t$ across paths")
    axes[2].set_title("the variance: settles vs. grows")
    axes[2].set_ylim(top=1.7 * max(without_shrink.var(axis=1).max(), var0 + t[-1] * beta))  # room for the legend
    axes[2].legend(frameon=False, fontsize=8, loc="upper left")
    fig.suptitle(rf"Why the signal must shrink ($\beta$ = {beta} at every step)")
    return fig
