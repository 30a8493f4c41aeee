"""Figures of the score link (notebook 05): the score as arrows, one data point's score, Tweedie checked by
Monte Carlo, the reverse process as a strip of histograms, and 2-D score fields with the sampler's particles."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.ticker import FixedLocator, MaxNLocator

from ..schedules import Schedule
from ..score import VP_BETA_MAX, VP_BETA_MIN, GaussianMixture, ScoreFn, vp_alpha_bar, vp_beta
from ._style import ABAR, PALETTE

__all__ = [
    "score_arrows_figure",
    "single_point_figure",
    "tweedie_check_figure",
    "reverse_strip_figure",
    "score_field_figure",
    "learned_score_figure",
    "sde_limit_figure",
]


#: Colour of an arrow by the size of the score: viridis from light green (small) to dark purple (large), so
#: the short arrows are not yellow on white and the long ones stand out.
_SIZE_CMAP = ListedColormap(plt.get_cmap("viridis")(np.linspace(0.85, 0.0, 256)), name="score size")


def score_arrows_figure(mixture: GaussianMixture, xlim=(-4.0, 4.0), num_arrows: int = 27, marks=()):
    """1-D: the density with the score drawn as arrows under it (top), and the score itself (bottom).

    Arrow lengths are proportional to the score (the longest one arrow spacing long) and their colour shows
    its size, :math:`|\\nabla_x \\log p(x)|`, on the colour bar; the arrows point uphill. ``marks``: x values
    whose score the bottom panel labels (where the text says the score is large).
    """
    grid = np.linspace(*xlim, 1200)
    xs = np.linspace(xlim[0] + 0.15, xlim[1] - 0.15, num_arrows)
    fig, (ax_top, ax_bottom) = plt.subplots(2, 1, figsize=(9, 5.6), sharex=True, layout="constrained",
                                            gridspec_kw={"height_ratios": [1.2, 1]})
    density = mixture.pdf(grid)
    ax_top.fill_between(grid, density, color=PALETTE["sky"], alpha=0.5, label="data density $p(x)$")
    ax_top.plot(grid, density, color=PALETTE["blue"], lw=1.5)
    arrow_score = mixture.score(xs)
    size = np.abs(arrow_score)
    score = mixture.score(grid)
    top = np.abs(score).max()
    arrow_y = -0.1 * density.max()
    spacing = xs[1] - xs[0]
    arrows = ax_top.quiver(xs, np.full_like(xs, arrow_y), arrow_score / top * spacing, np.zeros_like(xs), size,
                           cmap=_SIZE_CMAP, clim=(0, top), angles="xy", scale_units="xy", scale=1, width=0.005,
                           headwidth=3.5, headlength=3.5, headaxislength=3)
    bar = fig.colorbar(arrows, ax=ax_top, pad=0.01, fraction=0.04)
    bar.ax.set_title("size", fontsize=9)
    ax_top.plot([], [], color=PALETTE["black"], marker=r"$\rightarrow$", ls="", ms=14,
                label=r"score $\nabla_x \log p(x)$: length and colour show its size")
    ax_top.set_ylim(2.0 * arrow_y, 1.18 * density.max())
    ax_top.set_ylabel("density")
    ax_top.set_title("The score points uphill, towards where data is likely")
    ax_top.legend(loc="upper left", frameon=False)
    ax_bottom.axhline(0, color=PALETTE["black"], lw=0.8)
    ax_bottom.plot(grid, score, color=PALETTE["vermillion"], lw=2)
    for x in marks:
        value = float(mixture.score(x))
        ax_bottom.plot([x], [value], "o", color=PALETTE["black"], ms=4)
        ax_bottom.annotate(f"{value:+.1f}", (x, value), textcoords="offset points", fontsize=9,
                           xytext=(6 if x < 0 else -6, 0), ha="left" if x < 0 else "right", va="center")
    ax_bottom.set_ylim(-1.15 * top, 1.15 * top)
    ax_bottom.set_xlabel("x")
    ax_bottom.set_ylabel(r"$\nabla_x \log p(x)$")
    ax_bottom.set_title("Zero on the modes and at the boundary; large on the outer flanks and beside the boundary")
    return fig


def single_point_figure(x0, x_t, eps, alpha_bar: float, max_arrows: int = 40):
    """2-D, one clean point: noisy draws ``x_t`` ``[N, 2]`` around :math:`\\sqrt{\\bar\\alpha}\\,x_0` and, at the
    first ``max_arrows``, the score :math:`-\\epsilon / \\sqrt{1-\\bar\\alpha}` of :math:`q(x_t \\mid x_0)` as an
    arrow (drawn at 1/5 of its length)."""
    x0, x_t, eps = (np.asarray(v, dtype=float) for v in (x0, x_t, eps))
    centre = np.sqrt(alpha_bar) * x0
    fig, ax = plt.subplots(figsize=(6.2, 6.0), layout="constrained")
    ax.scatter(*x_t.T, s=6, color=PALETTE["sky"], alpha=0.5, label=r"noisy draws $x_t$")
    shown = slice(0, max_arrows)
    arrows = -eps[shown] / np.sqrt(1 - alpha_bar)
    ax.quiver(*x_t[shown].T, *arrows.T, color=PALETTE["vermillion"], angles="xy", scale_units="xy", scale=5,
              width=0.004, label=r"score $-\epsilon/\sqrt{1-\bar\alpha_t}$ (at 1/5 length)")
    ax.scatter(*x0, s=120, marker="*", color=PALETTE["black"], zorder=3, label="$x_0$")
    ax.scatter(*centre, s=70, marker="X", color=PALETTE["green"], zorder=3, label=r"$\sqrt{\bar\alpha_t}\,x_0$")
    ax.set_aspect("equal")
    ax.set_xlabel("first coordinate")
    ax.set_ylabel("second coordinate")
    target = r"$\sqrt{\bar\alpha_t}\,x_0$"
    ax.set_title(f"One data point, {ABAR} = {alpha_bar:g}: every arrow points back to {target}")
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, frameon=False, fontsize=9)
    return fig


def _histogram(ax, x, xlim, bins: int, color: str, label: str | None = None) -> None:
    """A filled density histogram drawn as one step patch (much lighter than ``ax.hist``'s one bar per bin)."""
    density, edges = np.histogram(np.asarray(x).ravel(), bins=bins, range=xlim, density=True)
    ax.stairs(density, edges, fill=True, color=color, alpha=0.85, label=label)


def _score_panel(ax, noised: GaussianMixture, alpha_bar: float, xlim,
                 label: str | None = "exact score") -> tuple[np.ndarray, np.ndarray]:
    """Draw the exact score of ``noised``, the noisy marginal at ``alpha_bar``, on ``ax``; return the grid and
    the score on it."""
    grid = np.linspace(*xlim, 400)
    exact = noised.score(grid)
    ax.axhline(0, color=PALETTE["black"], lw=0.6)
    ax.plot(grid, exact, color=PALETTE["black"], lw=1.5, label=label)
    ax.set_xlabel("$x_t$")
    ax.set_title(f"{ABAR} = {alpha_bar:.3g}")
    return grid, exact


def tweedie_check_figure(mixture: GaussianMixture, estimates: list[dict], xlim=(-4.0, 4.0)):
    """Exact score of q_t against a Monte Carlo estimate, one column per noise level.

    Each entry of ``estimates`` is a dict with ``alpha_bar``, ``x_t`` (forward samples), and the binned
    estimate ``centres``, ``score`` and ``error`` (one standard error), e.g.
    ``-E[eps | x_t in bin] / sqrt(1 - alpha_bar)``. Top row: the samples' histogram against the exact
    noisy marginal; bottom row: the exact score against the estimate.
    """
    n = len(estimates)
    fig, axes = plt.subplots(2, n, figsize=(3.4 * n, 5.7), sharex=True, layout="constrained", squeeze=False,
                             gridspec_kw={"height_ratios": [1, 1.3]})
    for j, est in enumerate(estimates):
        ab = est["alpha_bar"]
        noised = mixture.noised(ab)
        grid = np.linspace(*xlim, 400)
        ax = axes[0, j]
        _histogram(ax, est["x_t"], xlim, 60, PALETTE["sky"], label="forward samples $x_t$")
        ax.plot(grid, noised.pdf(grid), color=PALETTE["black"], lw=1.5,
                label="exact: $q_t$ (top), its score (bottom)")
        ax.set_title(f"{ABAR} = {ab:.3g}")
        axes[1, j].set_ylabel("score" if j == 0 else "")
        _, exact = _score_panel(axes[1, j], noised, ab, xlim, label=None)
        axes[1, j].set_title("")
        axes[1, j].errorbar(est["centres"], est["score"], yerr=2 * est["error"], fmt="o", ms=3,
                            color=PALETTE["vermillion"], elinewidth=1,
                            label=r"$-E[\epsilon \mid x_t] / \sqrt{1-\bar\alpha_t}$ (Monte Carlo, $\pm 2$ s.e.)")
        lim = np.abs(exact).max() * 1.2
        axes[1, j].set_ylim(-lim, lim)
    axes[0, 0].set_ylabel("density")
    handles, labels = (sum(pair, []) for pair in zip(*(ax.get_legend_handles_labels() for ax in axes[:, 0])))
    fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), frameon=False, fontsize=9)
    fig.suptitle("Tweedie checked by sampling: the average noise behind each $x_t$ is the score in disguise")
    return fig


def reverse_strip_figure(trajectories: dict[str, np.ndarray], schedule: Schedule, mixture: GaussianMixture,
                         steps, xlim=(-4.0, 4.0)):
    """A strip of histograms from t = T (left) to t = 0 (right), one row per sampler.

    ``trajectories``: label -> trajectory ``[T + 1, N]`` with ``trajectory[t]`` = x_t (as
    :func:`course_lib.score.sample_reverse` returns). The dashed curve in each panel is the exact
    marginal q_t of the data, the distribution a correct sampler must reproduce at that step.
    """
    steps = list(steps)
    colors = [PALETTE["blue"], PALETTE["orange"], PALETTE["green"], PALETTE["purple"]]
    size = (1.9 * len(steps) + 0.6, 2.0 * len(trajectories) + 0.6)
    fig, axes = plt.subplots(len(trajectories), len(steps), figsize=size, sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    grid = np.linspace(*xlim, 300)
    for i, (label, traj) in enumerate(trajectories.items()):
        for j, t in enumerate(steps):
            ax = axes[i, j]
            _histogram(ax, traj[t], xlim, 50, colors[i % len(colors)])
            ab = schedule.alpha_bar(t)
            ax.plot(grid, mixture.noised(ab).pdf(grid), color=PALETTE["black"], ls="--", lw=1.2)
            if i == 0:
                ax.set_title(f"t = {t}")
            if i == len(trajectories) - 1:
                ax.set_xlabel("$x_t$")
        axes[i, 0].set_ylabel(f"{label}\ndensity")
    # few ticks on the shared axes: cleaner, and 18 panels' ticks are most of this figure's drawing time
    axes[0, 0].xaxis.set_major_locator(FixedLocator([t for t in (-2, 0, 2) if xlim[0] < t < xlim[1]]))
    axes[0, 0].yaxis.set_major_locator(MaxNLocator(3))
    axes[0, -1].plot([], [], color=PALETTE["black"], ls="--", label="exact $q_t$")
    axes[0, -1].legend(loc="upper left", frameon=False, fontsize=8)
    fig.suptitle("Running the reverse process: from pure noise (t = T, left) to data (t = 0, right)")
    return fig


def score_field_figure(mixture: GaussianMixture, schedule: Schedule, steps, trajectory=None, lim: float = 3.2,
                       grid_size: int = 13, max_points: int = 1000):
    """2-D: the exact score of q_t as arrows at several steps, with the sampler's particles on top.

    Arrows show the direction of the score. Their lengths are relative *within* a panel (proportional to
    :math:`|s|^{1/2}`, the longest one grid cell long): the field at t = 0 is far stronger than at t = T, and a
    common scale would hide one or the other. ``trajectory``: optional ``[T + 1, N, 2]`` from
    :func:`course_lib.score.sample_reverse`.
    """
    steps = list(steps)
    # tall enough for the square panels, their two-line titles and the suptitle (constrained layout
    # does not shrink fixed-aspect panels to make room)
    fig, axes = plt.subplots(1, len(steps), figsize=(2.5 * len(steps), 3.5), layout="constrained", squeeze=False)
    ticks = np.linspace(-lim, lim, grid_size)
    gx, gy = np.meshgrid(ticks, ticks)
    points = np.stack([gx, gy], axis=-1)
    cell = ticks[1] - ticks[0]
    for ax, t in zip(axes[0], steps):
        ab = schedule.alpha_bar(t)
        score = mixture.noised(ab).score(points)
        size = np.linalg.norm(score, axis=-1, keepdims=True)
        shown = score / np.maximum(size, 1e-12) * np.sqrt(size / size.max()) * 0.9 * cell
        if trajectory is not None:
            pts = np.asarray(trajectory)[t, :max_points]
            ax.scatter(pts[:, 0], pts[:, 1], s=4, color=PALETTE["blue"], alpha=0.6, lw=0)
        ax.quiver(gx, gy, shown[..., 0], shown[..., 1], color=PALETTE["vermillion"], angles="xy",
                  scale_units="xy", scale=1, width=0.007, headwidth=3.5, headlength=3.5, headaxislength=3)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_title(f"t = {t}\n{ABAR} = {ab:.2g}", fontsize=10)
        ax.set_xlabel("$x_1$")
    axes[0, 0].set_ylabel("$x_2$")
    what = "score field (arrows) and the sampler's particles (dots)" if trajectory is not None else "score field"
    fig.suptitle(f"2-D: the {what}, t = {steps[0]} down to {steps[-1]}")
    return fig


def learned_score_figure(mixture: GaussianMixture, schedule: Schedule, score_fn: ScoreFn, steps, xlim=(-4.0, 4.0)):
    """The exact score of q_t against a learned ``score_fn(x, alpha_bar)``, one panel per step t.

    Grey bands mark where q_t's density is below 1 % of its peak: there are almost no training samples
    there, so nothing pins the learned score down.
    """
    steps = list(steps)
    fig, axes = plt.subplots(1, len(steps), figsize=(3.3 * len(steps), 3.4), layout="constrained", squeeze=False)
    for ax, t in zip(axes[0], steps):
        ab = schedule.alpha_bar(t)
        noised = mixture.noised(ab)
        grid, exact = _score_panel(ax, noised, ab, xlim)
        ax.plot(grid, score_fn(grid, ab), color=PALETTE["orange"], lw=2, ls="--", label="learned from samples")
        lim = np.abs(exact).max() * 1.2
        density = noised.pdf(grid)
        ax.fill_between(grid, -lim, lim, where=density < 0.01 * density.max(), color="0.88", lw=0, zorder=0,
                        label="almost no samples")
        ax.set_ylim(-lim, lim)
        ax.set_title(f"t = {t}, {ABAR} = {ab:.3g}")
    axes[0, 0].set_ylabel("score")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    fig.suptitle(r"A model trained only to predict $\epsilon$ from samples learns the score of $q_t$, "
                 "wherever there are samples")
    return fig


def sde_limit_figure(paths: dict[int, dict[str, np.ndarray]], beta_min: float = VP_BETA_MIN,
                     beta_max: float = VP_BETA_MAX):
    """Chains of T steps against the VP SDE they discretise, one entry of ``paths`` per T.

    Each entry holds ``tau`` (``[T + 1]``, the times t / T), ``euler`` and ``chain`` (``[T + 1]``: the variance
    of x along the SDE's Euler-Maruyama scheme and along DDPM's chain at the SDE's noise levels, from a fixed
    start) and ``betas`` (``[T]``, the chain's betas). Left: the variance paths against the SDE's
    :math:`1 - \\bar\\alpha(\\tau)`. Right: each chain's noise per unit time, :math:`T \\beta_t`, drawn over its step,
    against the SDE's rate :math:`\\beta(\\tau)`.
    """
    colors = [PALETTE["orange"], PALETTE["sky"], PALETTE["blue"], PALETTE["purple"]]
    fine = np.linspace(0.0, 1.0, 400)
    fig, (ax_var, ax_rate) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    ax_var.plot(fine, 1.0 - vp_alpha_bar(fine, beta_min, beta_max), color=PALETTE["black"], lw=2.5,
                label=r"SDE: $1 - \bar\alpha(\tau)$")
    ax_rate.plot(fine, vp_beta(fine, beta_min, beta_max), color=PALETTE["black"], lw=2.5,
                 label=r"SDE: rate $\beta(\tau)$")
    for (T, path), color in zip(sorted(paths.items()), colors):
        marker = "o" if T <= 20 else None
        ax_var.plot(path["tau"], path["euler"], color=color, lw=1.5, marker=marker, ms=4,
                    label=f"Euler-Maruyama, T = {T}")
        ax_rate.stairs(T * np.asarray(path["betas"]), path["tau"], baseline=None, color=color, lw=1.5,
                       label=rf"DDPM chain, T = {T}: $T\,\beta_t$")
    smallest = min(paths)
    ax_var.plot(paths[smallest]["tau"], paths[smallest]["chain"], ls="", marker="X", ms=8, color=PALETTE["green"],
                label=f"DDPM chain at the SDE's noise levels, T = {smallest}", zorder=3)
    ax_var.set_xlabel(r"time $\tau = t / T$")
    ax_var.set_ylabel(r"Var$(x_\tau \mid x_0)$")
    ax_var.set_title("Variance of a fixed start along the way")
    ax_var.legend(loc="lower right", frameon=False, fontsize=8)
    ax_rate.set_xlabel(r"time $\tau = t / T$")
    ax_rate.set_ylabel("noise variance per unit time")
    ax_rate.set_title(r"Each step's noise, $\beta_t$, divided by its length $1/T$")
    ax_rate.legend(loc="upper left", frameon=False, fontsize=8)
    fig.suptitle("Chains of T = " + ", ".join(str(T) for T in sorted(paths)) + " steps and the SDE they converge to")
    return fig
