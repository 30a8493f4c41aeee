"""Figures of trajectories x_0..x_T (notebook 02): the fan-out, and how big a step beta should be."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

from ._style import PALETTE, standard_normal_pdf

__all__ = ["plot_trajectories", "fan_out_figure", "beta_tradeoff_figure"]

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


def beta_tradeoff_figure(betas, T: int, x_prev, x_next):
    """How big beta should be, for a constant ``beta`` at each of ``T`` steps.

    Left: the signal left after t steps, sqrt(alpha_bar_t) = (1 - beta)^(t/2), one curve per beta.
    Right: one step close up, ``x_next[i]`` (one step of ``betas[i]`` from ``x_prev``) against ``x_prev``:
    on the diagonal nothing changed; far from it, one step moved the value a lot.
    """
    colors = [PALETTE["sky"], PALETTE["blue"], PALETTE["vermillion"], PALETTE["green"]]
    markers = ["o", "s", "^", "D"]
    fig, (ax_signal, ax_step) = plt.subplots(1, 2, figsize=(11.5, 3.9), layout="constrained",
                                             gridspec_kw={"width_ratios": [1.2, 1]})
    t = np.arange(1, T + 1)
    for beta, color in zip(betas, colors):
        left = (1 - beta) ** (t / 2)
        ax_signal.plot(t, left, color=color, lw=2, label=f"$\\beta$ = {beta:g}: {left[-1]:.2g} left at t = {T}")
    ax_signal.set_xscale("log")
    ax_signal.set_yscale("log")
    ax_signal.set_ylim(1e-4, 1.5)
    ax_signal.set_xlabel("step t (log scale)")
    ax_signal.set_ylabel(r"signal left, $\sqrt{\bar\alpha_t}$ (log scale)")
    ax_signal.set_title("How much of $x_0$ is left after t steps")
    ax_signal.legend(frameon=False, fontsize=8, loc="lower left")
    x_prev = np.asarray(x_prev, dtype=float)
    lim = 4.0
    ax_step.plot([-lim, lim], [-lim, lim], color=PALETTE["black"], lw=0.8, ls=":", label="no change")
    order = np.argsort(betas)[::-1]  # the biggest step behind, the smallest on top
    for i in order:
        moved = np.std(np.asarray(x_next[i]) - x_prev)
        ax_step.scatter(x_prev, x_next[i], s=5, color=colors[i], marker=markers[i], alpha=0.6, linewidths=0,
                        label=f"$\\beta$ = {betas[i]:g}: one step moves x by {moved:.2g} (std)")
    ax_step.set_xlim(-lim, lim)
    ax_step.set_ylim(-lim, lim)
    ax_step.set_aspect("equal")
    ax_step.set_xlabel("$x_{t-1}$")
    ax_step.set_ylabel("$x_t$ after one step")
    ax_step.set_title(f"One step, close up ({x_prev.size} values from N(0, 1))")
    ax_step.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), markerscale=3)
    fig.suptitle(r"Too small a $\beta$ never reaches noise; too big a $\beta$ erases too much in one step")
    return fig
