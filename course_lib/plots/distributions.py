r"""Figures of 1-D distributions under the forward process (notebooks 01 and 03).

- :func:`dissolving_figure`: a data set's histogram at a few steps against :math:`\mathcal N(0, 1)`;
- :func:`variance_figure`: :math:`\mathrm{Var}(x_t)` without the shrink factor (grows) and with it (tends to 1);
- :func:`ks_distance_figure`: a sample's empirical CDF against :math:`\Phi`, the largest gap marked;
- :func:`timing_figure`: the chain costs t steps, the closed form one multiply-add;
- :func:`density_peaks_figure`: the exact density of x_t for mixture data, its peaks counted;
- :func:`reverse_gap_figure`: the exact one-step reverse against its best Gaussian, for chains of several lengths;
- :func:`merge_figure`: where the two modes merge, and the chain and the closed form agreeing there;
- :func:`posterior_figure`: the forward posterior :math:`q(x_{t-1} \mid x_t, x_0)` against simulated chains.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D

from ..forward import variance_after_steps
from ..score import GaussianMixture
from ..stats import ks_2samp, standard_normal_cdf
from ._style import PALETTE, standard_normal_pdf

__all__ = ["dissolving_figure", "variance_figure", "ks_distance_figure", "timing_figure", "density_peaks_figure",
           "reverse_gap_figure", "merge_figure", "posterior_figure"]


def dissolving_figure(samples: Sequence, ts: Sequence[int], title: str, lim: float = 4.0):
    """One panel per step: the histogram of ``samples[i]`` (1-D) at step ``ts[i]``, against N(0, 1).

    The first sample set (the data, usually t = 0) is repeated as a faint outline in every panel, so the
    modes can be seen broadening, merging and settling onto the standard normal.
    """
    if len(samples) != len(ts) or not ts:
        raise ValueError(f"give one sample set per step; got {len(samples)} sets and {len(ts)} steps")
    fig, axes = plt.subplots(1, len(ts), figsize=(2.6 * len(ts), 3.3), sharey=True, layout="constrained",
                             squeeze=False)
    bins = np.linspace(-lim, lim, 81)
    grid = np.linspace(-lim, lim, 300)
    data_density, _ = np.histogram(np.asarray(samples[0], dtype=float).ravel(), bins=bins, density=True)
    for i, (ax, x, t) in enumerate(zip(axes[0], samples, ts)):
        x = np.asarray(x, dtype=float).ravel()
        if i > 0:
            ax.stairs(data_density, bins, color=PALETTE["sky"], lw=1, label="the data (t = 0)")
        ax.stairs(np.histogram(x, bins=bins, density=True)[0], bins, fill=True, color=PALETTE["blue"], alpha=0.75,
                  label="$x_t$ (histogram)")
        ax.plot(grid, standard_normal_pdf(grid), color=PALETTE["black"], ls="--", lw=1.3, label="N(0, 1)")
        ax.set_title(f"t = {t}\nmean {x.mean():+.2f}, variance {x.var():.2f}", fontsize=10)
        ax.set_xlabel("$x_t$")
    axes[0, 0].set_ylabel("density")
    fig.legend(*axes[0, -1].get_legend_handles_labels(), loc="outside lower center", ncols=3, frameon=False,
               fontsize=9)
    fig.suptitle(title)
    return fig


def variance_figure(var0s: Sequence[float], beta: float, T: int, measured_without=None, measured_with=None):
    r"""The variance of :math:`x_t` against t for several starting variances, without and with the shrink.

    Lines: the closed forms :math:`v_0 + t\beta` (left) and :math:`(1-\beta)^t v_0 + 1 - (1-\beta)^t` (right).
    ``measured_without`` / ``measured_with`` (optional, ``[len(var0s), T + 1]``): variances measured on
    simulated chains, drawn as dots on top of the lines.
    """
    t = np.arange(T + 1)
    colors = [PALETTE[k] for k in ("blue", "orange", "green", "purple", "vermillion")]
    fig, (ax_without, ax_with) = plt.subplots(1, 2, figsize=(10, 3.9), layout="constrained")
    every = max(1, T // 20)
    for shrink, ax, measured in ((False, ax_without, measured_without), (True, ax_with, measured_with)):
        for i, (v0, color) in enumerate(zip(var0s, colors)):
            ax.plot(t, variance_after_steps(v0, beta, t, shrink=shrink), color=color, lw=2,
                    label=f"start at $v_0$ = {v0:g}")
            if measured is not None:
                ax.plot(t[::every], np.asarray(measured[i])[::every], "o", ms=3.5, color=color, mfc="white")
        ax.axhline(1.0, color=PALETTE["black"], ls=":", lw=1)
        ax.set_xlabel("step t")
        ax.set_ylabel(r"variance of $x_t$")
    ax_without.set_title(r"without the shrink: $x_t = x_{t-1} + \sqrt{\beta}\,\epsilon_t$" "\n"
                         r"$v_t = v_0 + t\beta$ grows without bound")
    ax_with.set_title(r"with the shrink: $x_t = \sqrt{1-\beta}\,x_{t-1} + \sqrt{\beta}\,\epsilon_t$" "\n"
                      r"$v_t \to 1$ whatever $v_0$")
    handles, labels = ax_with.get_legend_handles_labels()
    if measured_with is not None or measured_without is not None:
        handles += [Line2D([], [], color=PALETTE["black"], lw=2),
                    Line2D([], [], ls="", marker="o", ms=3.5, color=PALETTE["black"], mfc="white")]
        labels += ["formula", "measured on simulated chains"]
    fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), frameon=False, fontsize=9)
    fig.suptitle(rf"The shrink factor keeps the variance finite ($\beta$ = {beta} at every step, T = {T})")
    return fig


def ks_distance_figure(x, title: str = "How far is a sample from N(0, 1)?", lim: float = 3.5):
    r"""The empirical CDF of a small 1-D sample ``x`` (a staircase) against :math:`\Phi`, the N(0, 1) CDF.

    The staircase jumps from (i - 1)/n to i/n at the i-th smallest value; the largest vertical gap between
    it and :math:`\Phi`, at the top or the bottom of a step, is the Kolmogorov-Smirnov distance, marked.
    """
    x = np.sort(np.asarray(x, dtype=float).ravel())
    n = x.size
    top, bottom = np.arange(1, n + 1) / n, np.arange(n) / n
    phi = standard_normal_cdf(x)
    gaps = np.stack([top - phi, phi - bottom])
    side, k = np.unravel_index(int(np.argmax(gaps)), gaps.shape)
    fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
    grid = np.linspace(-lim, lim, 300)
    ax.plot(grid, standard_normal_cdf(grid), color=PALETTE["black"], lw=1.5, label=r"N(0, 1) CDF $\Phi(x)$")
    ax.step(np.concatenate([[-lim], x, [lim]]), np.concatenate([[0.0], top, [1.0]]), where="post",
            color=PALETTE["blue"], lw=2, label=f"empirical CDF of the sample (n = {n})")
    ax.plot(x, np.zeros(n), "|", color=PALETTE["blue"], ms=12, label="the sample values")
    end = top[k] if side == 0 else bottom[k]
    ax.annotate("", xy=(x[k], end), xytext=(x[k], phi[k]),
                arrowprops={"arrowstyle": "<->", "color": PALETTE["vermillion"], "lw": 2})
    ax.plot([], [], color=PALETTE["vermillion"], lw=2, label=f"largest gap: D = {gaps[side, k]:.3f}")
    ax.set_xlim(-lim, lim)
    ax.set_xlabel("x")
    ax.set_ylabel("fraction of values $\\leq x$")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return fig


def timing_figure(ts: Sequence[int], chain_seconds: Sequence[float], closed_seconds: Sequence[float]):
    """Log-log plot of the time to reach step t: the chain (t steps, O(t)) against the closed form (O(1))."""
    ts = np.asarray(ts, dtype=float)
    chain_ms = 1e3 * np.asarray(chain_seconds, dtype=float)
    closed_ms = 1e3 * np.asarray(closed_seconds, dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
    ax.loglog(ts, chain_ms, "o-", color=PALETTE["orange"], lw=2, label="chain: t calls of forward_step")
    ax.loglog(ts, closed_ms, "s-", color=PALETTE["blue"], lw=2, label="closed form: one q_sample")
    per_step = np.exp(np.mean(np.log(chain_ms / ts)))  # the best fit of chain_ms = per_step * t, on log scales
    ax.loglog(ts, per_step * ts, color=PALETTE["black"], ls=":", lw=1, label=f"proportional to t ({per_step:.2f} ms per step)")
    for t, a, b in zip(ts, chain_ms, closed_ms):
        ax.annotate(f"{a / b:.0f}x slower", xy=(t, a), ha="left", va="top", fontsize=8,
                    xytext=(8, -4), textcoords="offset points")  # below right: the rising line stays clear
    ax.set_xlabel("target step t")
    ax.set_ylabel("time to get $x_t$ (ms)")
    ax.set_title("Cost of reaching step t: O(t) for the chain, O(1) for the closed form", fontsize=10)
    ax.set_xlim(ts[0] / 2, ts[-1] * 4)
    ax.set_ylim(min(closed_ms.min(), chain_ms.min()) / 3, chain_ms.max() * 5)
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    return fig


def merge_figure(chain: dict, closed: dict, alphas_cumprod, t_merge: int, mixture: GaussianMixture, lim: float = 4.0):
    r"""Where the two modes of ``mixture`` merge, and the chain and the closed form agreeing there.

    ``mixture``: the data, a 1-D mixture of two Gaussians of one variance :math:`s^2` centred at :math:`\pm m`
    (:func:`course_lib.data.bimodal`'s law). Left: against t, each noised mode's distance from the middle,
    :math:`\sqrt{\bar\alpha_t}\, m`, and its standard deviation
    :math:`\sigma_t = \sqrt{\bar\alpha_t s^2 + 1 - \bar\alpha_t}`;
    two equal modes of equal width form two bumps only while the first exceeds the second, so they merge at
    ``t_merge``. Then one panel per step in ``chain`` (``{t: samples of x_t}``, run step by step) with the
    closed form's samples ``closed[t]``, the exact density of :math:`x_t` (``mixture.noised``) and the
    two-sample KS test between the two samples. ``alphas_cumprod``: :math:`\bar\alpha_1..\bar\alpha_T` of the
    schedule that made the samples.
    """
    if not (mixture.is_1d and mixture.num_components == 2 and mixture.means.sum() == 0
            and mixture.covariances[0] == mixture.covariances[1]):
        raise ValueError("mixture must be a 1-D mixture of two Gaussians of one variance centred at -m and +m")
    m, var = float(abs(mixture.means[0])), float(mixture.covariances[0])
    abar = np.concatenate([[1.0], np.asarray(alphas_cumprod, dtype=float)])
    ts = sorted(chain)
    fig, axes = plt.subplots(1, len(ts) + 1, figsize=(2.75 * (len(ts) + 1) + 0.6, 3.5), layout="constrained",
                             gridspec_kw={"width_ratios": [1.25] + [1.0] * len(ts)})
    ax = axes[0]
    steps = np.arange(abar.size)
    ax.plot(steps, np.sqrt(abar) * m, color=PALETTE["blue"], lw=2,
            label=r"mode's distance from the middle, $\sqrt{\bar\alpha_t}\,m$")
    ax.plot(steps, np.sqrt(abar * var + 1 - abar), color=PALETTE["orange"], lw=2, label=r"mode's width $\sigma_t$")
    ax.axvspan(0, t_merge, color=PALETTE["sky"], alpha=0.15, lw=0)
    ax.axvline(t_merge, color=PALETTE["black"], ls=":", lw=1.2)
    ax.annotate(f"merge at\nt = {t_merge}", xy=(t_merge, 0.1), xytext=(6, 0), textcoords="offset points", fontsize=8)
    ax.text(0.04 * steps[-1], 0.1, "two modes", fontsize=8)
    ax.set_xlim(0, steps[-1])
    ax.set_ylim(0, 1.15 * max(m, 1.0) + 0.6)
    ax.set_xlabel("step t")
    ax.set_ylabel("distance")
    ax.set_title("where the modes merge", fontsize=10)
    ax.legend(frameon=False, fontsize=7, loc="upper right")
    bins = np.linspace(-lim, lim, 61)
    grid = np.linspace(-lim, lim, 400)
    for ax, t in zip(axes[1:], ts):
        a, b = np.asarray(chain[t], dtype=float).ravel(), np.asarray(closed[t], dtype=float).ravel()
        d, p = ks_2samp(a, b)
        ax.stairs(np.histogram(a, bins=bins, density=True)[0], bins, fill=True, color=PALETTE["sky"], alpha=0.8,
                  label="chain, step by step")
        ax.stairs(np.histogram(b, bins=bins, density=True)[0], bins, color=PALETTE["vermillion"], lw=1.6,
                  label="closed form, one jump")
        ax.plot(grid, mixture.noised(abar[t]).pdf(grid), color=PALETTE["black"], ls="--", lw=1.2,
                label="exact density of $x_t$")
        ax.set_xlim(-lim, lim)
        ax.set_ylim(0, 0.62)
        ax.set_xlabel("$x_t$")
        ax.set_title(f"t = {t}" + (" (merge)" if t == t_merge else "") + ", " + r"$\bar\alpha_t$" +
                     f" = {abar[t]:.3f}\nKS: D = {d:.4f}, p = {p:.2f}", fontsize=9)
    axes[1].set_ylabel("density")
    fig.legend(*axes[1].get_legend_handles_labels(), loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    fig.suptitle(f"The two modes merge at t = {t_merge}; the chain and the closed form agree before, at and after it")
    return fig

def posterior_figure(x1, x2, x2_seen: float, half_width: float, posterior: tuple[float, float],
                     prior: tuple[float, float], x1_taken: float, lim: tuple[float, float] = (-1.5, 2.5)):
    r"""What :math:`x_1` looked like, given :math:`x_0` and :math:`x_2`: simulated chains against the posterior.

    Left: simulated pairs :math:`(x_2, x_1)` from one :math:`x_0`, with the chains that end within
    ``half_width`` of ``x2_seen`` highlighted. Right: the histogram of their :math:`x_1` against
    ``posterior`` = (mean, variance) of :math:`q(x_1 \mid x_2, x_0)` and ``prior`` = (mean, variance) of
    :math:`q(x_1 \mid x_0)`, with the :math:`x_1` the chain really took (``x1_taken``) marked.
    """
    x1, x2 = np.asarray(x1, dtype=float).ravel(), np.asarray(x2, dtype=float).ravel()
    near = np.abs(x2 - x2_seen) < half_width
    fig, (ax_pairs, ax_hist) = plt.subplots(1, 2, figsize=(10, 3.9), layout="constrained")
    shown = slice(0, 4000)
    ax_pairs.plot(x2[shown], x1[shown], ".", ms=2, color=PALETTE["sky"], alpha=0.5, label="simulated chains")
    ax_pairs.plot(x2[near][:400], x1[near][:400], ".", ms=3, color=PALETTE["blue"],
                  label=f"chains with $x_2$ within {half_width} of {x2_seen:.4f}")
    ax_pairs.axvspan(x2_seen - half_width, x2_seen + half_width, color=PALETTE["blue"], alpha=0.15, lw=0)
    ax_pairs.set_xlim(*lim)
    ax_pairs.set_ylim(*lim)
    ax_pairs.set_xlabel("$x_2$ (where the chain ended)")
    ax_pairs.set_ylabel("$x_1$ (the step before)")
    ax_pairs.set_title("two steps from one $x_0$, many times", fontsize=10)
    ax_pairs.legend(frameon=False, fontsize=8, loc="upper left", markerscale=3)
    grid = np.linspace(*lim, 400)
    bins = np.linspace(*lim, 61)
    ax_hist.stairs(np.histogram(x1[near], bins=bins, density=True)[0], bins, fill=True, color=PALETTE["blue"],
                   alpha=0.6, label=f"$x_1$ of those {int(near.sum())} chains")
    for (mean, var), color, ls, name in ((posterior, PALETTE["vermillion"], "-", r"$q(x_1 \mid x_2, x_0)$"),
                                         (prior, PALETTE["black"], "--", r"$q(x_1 \mid x_0)$")):
        sd = np.sqrt(var)
        ax_hist.plot(grid, standard_normal_pdf((grid - mean) / sd) / sd, color=color, ls=ls, lw=2,
                     label=f"{name}: mean {mean:.4f}, variance {var:.4f}")
    ax_hist.axvline(x1_taken, color=PALETTE["green"], lw=2, label=f"the $x_1$ the toy took: {x1_taken:.4f}")
    ax_hist.set_xlim(*lim)
    ax_hist.set_ylim(top=ax_hist.get_ylim()[1] * 1.45)
    ax_hist.set_xlabel("$x_1$")
    ax_hist.set_ylabel("density")
    ax_hist.set_title("what $x_1$ looked like, knowing $x_0$ and $x_2$", fontsize=10)
    ax_hist.legend(frameon=False, fontsize=8, loc="upper left")
    fig.suptitle(r"Looking back one step: the forward posterior $q(x_{t-1} \mid x_t, x_0)$ on the toy")
    return fig


def reverse_gap_figure(worst: dict, reverses: dict, title: str):
    r"""How Gaussian the exact one-step reverse is, for chains of different lengths over one path of noise levels.

    ``worst``: ``{number of steps T: WorstCase}`` (:func:`course_lib.exact_reverse.worst_case`); ``reverses``:
    ``{T: (grid, density)}``, the reverse at that chain's worst case (:func:`course_lib.exact_reverse.reverse_at`).
    Top: one panel per chain, the exact reverse :math:`q(x_{t-1} \mid x_t)` against its best Gaussian (same mean
    and variance). Bottom: for each chain, the KL at every step, at that chain's worst :math:`x_t`, against t / T.
    """
    lengths = sorted(worst, reverse=True)
    colors = dict(zip(lengths, [PALETTE[k] for k in ("blue", "green", "orange", "vermillion", "black", "purple")]))
    fig = plt.figure(figsize=(2.25 * len(lengths), 6.4), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 0.9])
    axes = top.subplots(1, len(lengths), squeeze=False)[0]
    for ax, T in zip(axes, lengths):
        case, (grid, density) = worst[T], reverses[T]
        dx = grid[1] - grid[0]
        mean = np.sum(density * grid) * dx
        var = np.sum(density * (grid - mean) ** 2) * dx
        gauss = np.exp(-0.5 * (grid - mean) ** 2 / var) / np.sqrt(2 * np.pi * var)
        ax.fill_between(grid, density, color=colors[T], alpha=0.35, lw=0)
        ax.plot(grid, density, color=colors[T], lw=1.8, label="exact reverse")
        ax.plot(grid, gauss, color=PALETTE["black"], ls="--", lw=1.2, label="best Gaussian")
        name = "one jump" if T == 1 else f"{T} steps"
        ax.set_title(f"{name}: t = {case.t}, $x_t$ = {case.x_t:+.2f}\nKL = {case.kl:.2g} nats", fontsize=9)
        ax.set_xlabel("$x_0$" if case.t == 1 else "$x_{t-1}$")
        ax.set_yticks([])
        ax.locator_params(axis="x", nbins=4)
    axes[0].set_ylabel("density")
    top.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, frameon=False, fontsize=9)
    top.suptitle(title)
    ax = bottom.subplots()
    for T in lengths:
        name = "one jump" if T == 1 else f"{T} steps"
        ax.plot(np.arange(1, T + 1) / T, worst[T].profile, "o" if T == 1 else "-", color=colors[T], lw=1.8, ms=7,
                label=f"{name}, $x_t$ = {worst[T].x_t:+.2f}")
    ax.set_yscale("log")
    ax.set_ylim(bottom=1e-6)
    ax.set_xlabel("how far along the chain the step is, t / T")
    ax.set_ylabel("KL from the best Gaussian (nats)")
    ax.set_title("Every step of each chain, at its worst $x_t$: the more steps, the closer each reverse step is to "
                 "a Gaussian", fontsize=10)
    ax.legend(frameon=False, fontsize=9, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def density_peaks_figure(mixture, schedule, ts: Sequence[int], title: str, lim: float = 3.5):
    r"""The exact density of :math:`x_t` for 1-D mixture data at each step of ``ts``, its peaks marked.

    ``mixture``: a 1-D :class:`course_lib.score.GaussianMixture` (the data); ``schedule``: the forward schedule.
    Each panel's title counts the density's peaks, so the step where two modes become one can be read off.
    """
    grid = np.linspace(-lim, lim, 701)
    fig, axes = plt.subplots(1, len(ts), figsize=(2.35 * len(ts), 2.9), sharey=True, layout="constrained",
                             squeeze=False)
    for ax, t in zip(axes[0], ts):
        alpha_bar = schedule.alpha_bar(int(t))
        density = mixture.noised(alpha_bar).pdf(grid)
        peaks = np.flatnonzero((density[1:-1] > density[:-2]) & (density[1:-1] >= density[2:])) + 1
        ax.fill_between(grid, density, color=PALETTE["sky"], alpha=0.5, lw=0)
        ax.plot(grid, density, color=PALETTE["blue"], lw=1.8)
        ax.plot(grid[peaks], density[peaks], "v", color=PALETTE["vermillion"], ms=7)
        word = "one peak" if len(peaks) == 1 else f"{len(peaks)} peaks"
        ax.set_title(f"t = {t}, " + r"$\bar\alpha_t$" + f" = {alpha_bar:.3f}\n{word}", fontsize=9)
        ax.set_xlabel("$x_t$")
    axes[0, 0].set_ylabel("exact density of $x_t$")
    fig.suptitle(title)
    return fig
