r"""How far the exact one-step reverse of the forward process is from a Gaussian (notebook 01).

One forward step is :math:`q(x_t \mid x_{t-1}) = \mathcal N(\sqrt{1-\beta_t}\, x_{t-1}, \beta_t)`. Its exact reverse
follows from Bayes' rule,

.. math::  q(x_{t-1} \mid x_t) \;\propto\; q_{t-1}(x_{t-1})\; \mathcal N(x_t;\ \sqrt{1-\beta_t}\, x_{t-1},\ \beta_t),

where :math:`q_{t-1}` is the noisy data at step t - 1. A diffusion model learns each reverse step as a Gaussian;
:math:`\mathrm{KL}(q(x_{t-1} \mid x_t)\, \|\, \text{best Gaussian})` (in nats) says how much that costs. For 1-D
Gaussian-mixture data (:class:`course_lib.score.GaussianMixture`) every :math:`q_{t-1}` is exact, so the reverse
is computed on a grid of :math:`x_{t-1}` values and the KL integrated there.

The "best" Gaussian is the one that minimises this KL: the Gaussian with the mean and variance of the reverse
distribution itself. A chain of T steps is compared with others along the *same* path of noise levels
(:func:`respaced`): the same start and the same end, in fewer or more steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validate import as_float_array, check_open_unit, check_positive_int
from .schedules import Schedule, _check_schedule, from_alphas_cumprod
from .score import GaussianMixture

__all__ = ["respaced", "reverse_density", "kl_from_best_gaussian", "reverse_at", "reverse_kl_table", "WorstCase",
           "worst_case"]

#: How many posterior standard deviations the grid extends beyond each mode of the reverse distribution.
_REACH = 10.0
#: A mode of the reverse distribution whose weight is below this (relative to the largest) is left off the grid.
_NEGLIGIBLE = 1e-12
#: Grid points per reverse distribution: over 20 or more standard deviations, the KL is then exact to 1e-6 (relative).
_POINTS = 61


def respaced(schedule: Schedule, num_steps: int) -> Schedule:
    r"""The same path of noise levels walked in ``num_steps`` steps: :math:`\bar\alpha'_k = \bar\alpha_{k T / n}`.

    ``num_steps`` must divide T. ``respaced(s, T)`` is ``s``; ``respaced(s, 1)`` is one jump from clean data to
    :math:`\bar\alpha_T`. The betas follow from :math:`\beta'_k = 1 - \bar\alpha'_k / \bar\alpha'_{k-1}`.
    """
    _check_schedule(schedule)
    n = check_positive_int(num_steps, "num_steps", " (the number of steps of the respaced chain)")
    T = schedule.num_timesteps
    if T % n:
        raise ValueError(f"num_steps must divide the schedule's T = {T}; got {n}")
    if n == T:
        return schedule
    stride = T // n
    return from_alphas_cumprod(schedule.alphas_cumprod[stride - 1::stride], name=f"{schedule.name}, {n} steps")


def reverse_density(grid, prior, x_t, beta) -> np.ndarray:
    r"""The exact reverse of one step on a grid, by Bayes' rule:

    .. math::  p(g) = \frac{q_{t-1}(g)\; \exp\!\big(-(x_t - \sqrt{1-\beta}\, g)^2 / (2\beta)\big)}
               {\sum_j q_{t-1}(g_j)\, \exp\!\big(-(x_t - \sqrt{1-\beta}\, g_j)^2 / (2\beta)\big)\, \Delta g}

    ``grid``: evenly spaced values of :math:`x_{t-1}` along the last axis (``[G]``, or ``[..., G]`` for one grid
    per case); ``prior``: :math:`q_{t-1}` at ``grid`` (same shape); ``x_t`` and ``beta`` (in (0, 1)): numbers, or
    one per case (shape ``[...]``). Returns the density at ``grid``, normalised so that
    :math:`\sum_j p(g_j)\, \Delta g = 1`.
    """
    grid = as_float_array(grid, "grid")
    prior = as_float_array(prior, "prior")
    beta = as_float_array(beta, "beta")
    check_open_unit(beta, "beta")
    if grid.ndim < 1 or grid.shape[-1] < 2:
        raise ValueError(f"grid must hold at least 2 values along its last axis; got shape {grid.shape}")
    if prior.shape != grid.shape or np.any(prior < 0):
        raise ValueError(f"prior must be a density (>= 0) at every grid value, shape {grid.shape}; got {prior.shape}")
    x_t, beta = as_float_array(x_t, "x_t")[..., None], beta[..., None]
    spacing = grid[..., 1:2] - grid[..., 0:1]
    miss = (x_t - np.sqrt(1.0 - beta) * grid) ** 2
    # exp(-(x_t - sqrt(1 - beta) g)^2 / (2 beta)), divided by its largest value (which cancels) so it cannot underflow
    likelihood = np.exp(-(miss - miss.min(axis=-1, keepdims=True)) / (2.0 * beta))
    unnormalised = prior * likelihood
    return unnormalised / (unnormalised.sum(axis=-1, keepdims=True) * spacing)


def kl_from_best_gaussian(grid, density) -> np.ndarray:
    r""":math:`\mathrm{KL}(p \,\|\, \mathcal N(m, s^2))` in nats, with :math:`m, s^2` the mean and variance of ``p``:

    .. math::  \mathrm{KL} = \sum_j p_j \log p_j\, \Delta g \;+\; \tfrac12 \log(2\pi e\, s^2)

    (the Gaussian with p's own mean and variance is the closest Gaussian in this direction). ``grid``: evenly
    spaced along the last axis; ``density``: p at ``grid``, normalised (:func:`reverse_density`). Returns one KL
    per row (a float for a 1-D grid).
    """
    grid = as_float_array(grid, "grid")
    p = as_float_array(density, "density")
    spacing = grid[..., 1] - grid[..., 0]
    mass = p * spacing[..., None]
    mean = np.sum(mass * grid, axis=-1)
    var = np.sum(mass * (grid - mean[..., None]) ** 2, axis=-1)
    neg_entropy = np.sum(mass * np.log(np.where(p > 0, p, 1.0)), axis=-1)
    kl = np.maximum(neg_entropy + 0.5 * np.log(2.0 * np.pi * np.e * var), 0.0)
    return float(kl) if kl.ndim == 0 else kl


def _reverse_on_grids(mixture: GaussianMixture, alpha_bar_prev: np.ndarray, betas: np.ndarray, x_t: np.ndarray,
                      points: int) -> tuple[np.ndarray, np.ndarray]:
    r"""``(grid, density)``, each ``[B, n, points]``: the reverse of B steps (noise levels ``alpha_bar_prev`` before
    the step, ``betas``) at n values ``x_t``, each on its own grid of :math:`x_{t-1}` values.

    The data at step t - 1 is the mixture noised to :math:`\bar\alpha_{t-1}` (:meth:`GaussianMixture.noised`,
    written out here for B noise levels at once): component k is :math:`\mathcal N(m_k, v_k)`,
    :math:`m_k = \sqrt{\bar\alpha_{t-1}}\, \mu_k`, :math:`v_k = \bar\alpha_{t-1} \sigma_k^2 + 1 - \bar\alpha_{t-1}`.
    Where the reverse lives follows from Bayes with Gaussians: component k times the step's likelihood is a
    mode of variance :math:`s_k^2 = 1 / (1/v_k + \alpha/\beta)` at :math:`s_k^2 (m_k / v_k + \sqrt\alpha\, x_t / \beta)`,
    of weight :math:`\propto w_k\, \mathcal N(x_t; \sqrt\alpha\, m_k, \alpha v_k + \beta)`. Each grid reaches
    :data:`_REACH` standard deviations past every mode whose weight is not negligible; the density on it is
    :func:`reverse_density`.
    """
    abar, beta = alpha_bar_prev[:, None, None], betas[:, None, None]   # [B, 1, 1]: broadcast over x_t, components
    alpha, x = 1.0 - beta, x_t[None, :, None]                          # x: [1, n, 1]
    m = np.sqrt(abar) * mixture.means                                   # [B, 1, K]
    v = abar * mixture.covariances + 1.0 - abar
    var = 1.0 / (1.0 / v + alpha / beta)
    mean = var * (m / v + np.sqrt(alpha) * x / beta)                    # [B, n, K]
    spread = alpha * v + beta
    log_w = np.log(mixture.weights) - 0.5 * np.log(spread) - 0.5 * (x - np.sqrt(alpha) * m) ** 2 / spread
    kept = log_w >= log_w.max(axis=-1, keepdims=True) + np.log(_NEGLIGIBLE)
    reach = _REACH * np.sqrt(var)
    low = np.where(kept, mean - reach, np.inf).min(axis=-1, keepdims=True)
    high = np.where(kept, mean + reach, -np.inf).max(axis=-1, keepdims=True)
    grid = low + (high - low) * np.linspace(0.0, 1.0, points)           # [B, n, points]
    # q_{t-1}(g) = sum_k w_k N(g; m_k, v_k)
    g, m, v = grid[..., None], m[..., None, :], v[..., None, :]
    prior = np.sum(mixture.weights * np.exp(-0.5 * (g - m) ** 2 / v) / np.sqrt(2.0 * np.pi * v), axis=-1)
    return grid, reverse_density(grid, prior, np.broadcast_to(x_t, grid.shape[:-1]), betas[:, None])


def _check_mixture(mixture) -> None:
    if not isinstance(mixture, GaussianMixture) or not mixture.is_1d:
        raise TypeError(f"mixture must be a 1-D course_lib GaussianMixture, got {mixture!r}")


def reverse_at(mixture: GaussianMixture, schedule: Schedule, t: int, x_t, points: int = _POINTS):
    r"""The exact reverse :math:`q(x_{t-1} \mid x_t)` of step ``t`` (the maths' 1..T) for data ``mixture``.

    ``x_t``: a number or a 1-D array. Returns ``(grid, density)``, each ``[n, points]`` (``[points]`` for a
    number): a grid of :math:`x_{t-1}` values placed where the reverse lives, and the density there
    (:func:`reverse_density` with the exact noisy data :math:`q_{t-1}` as the prior).
    """
    _check_mixture(mixture)
    _check_schedule(schedule)
    T = schedule.num_timesteps
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 1 <= t <= T:
        raise ValueError(f"t must be a whole step in 1..{T}; got {t!r}")
    x = as_float_array(x_t, "x_t")
    if x.ndim > 1:
        raise ValueError(f"x_t must be a number or a 1-D array; got shape {x.shape}")
    grid, density = _reverse_on_grids(mixture, schedule.alphas_cumprod_prev[t - 1:t], schedule.betas[t - 1:t],
                                      np.atleast_1d(x), check_positive_int(points, "points", " of the grid"))
    return (grid[0, 0], density[0, 0]) if x.ndim == 0 else (grid[0], density[0])


def reverse_kl_table(mixture: GaussianMixture, schedule: Schedule, x_t, steps=None,
                     points: int = _POINTS) -> np.ndarray:
    r"""``[len(steps), n]``: :math:`\mathrm{KL}(q(x_{t-1} \mid x_t) \,\|\, \text{best Gaussian})` in nats for each
    step t of ``steps`` (the maths' t; default every step 1..T) and each value of ``x_t`` (1-D), for data
    ``mixture``. Steps are computed in blocks (a few MB of memory each)."""
    _check_mixture(mixture)
    _check_schedule(schedule)
    x = np.atleast_1d(as_float_array(x_t, "x_t")).ravel()
    points = check_positive_int(points, "points", " of the grid")
    steps = np.arange(1, schedule.num_timesteps + 1) if steps is None else np.asarray(steps, dtype=int)
    if steps.ndim != 1 or np.any(steps < 1) or np.any(steps > schedule.num_timesteps):
        raise ValueError(f"steps must be whole steps in 1..{schedule.num_timesteps}; got {steps!r}")
    block = max(1, 2**20 // (x.size * points * mixture.num_components))
    rows = [kl_from_best_gaussian(*_reverse_on_grids(mixture, schedule.alphas_cumprod_prev[chunk - 1],
                                                       schedule.betas[chunk - 1], x, points))
            for chunk in np.array_split(steps, -(-steps.size // block))]
    return np.concatenate(rows)


@dataclass(frozen=True)
class WorstCase:
    """The least Gaussian reverse step of a chain: its KL (nats), its step t and its x_t."""

    kl: float
    t: int
    x_t: float
    #: ``[T]``: the KL at every step t (entry t - 1) of the chain, at this x_t
    profile: np.ndarray = field(repr=False)


def worst_case(mixture: GaussianMixture, schedule: Schedule, x_max: float = 3.0, spacing: float = 0.2,
               points: int = _POINTS) -> WorstCase:
    r"""The largest :math:`\mathrm{KL}(q(x_{t-1} \mid x_t) \,\|\, \text{best Gaussian})` over every step t and
    :math:`x_t \in [-x_{max}, x_{max}]`, and the KL at every step at that :math:`x_t`.

    A coarse search first (every step, ``x_t`` every ``spacing``), then a fine one around its largest entry
    (every step whose coarse largest KL is at least half of it, ``x_t`` within one ``spacing`` of it, every
    ``spacing / 20``).
    """
    _check_mixture(mixture)
    x_values = np.linspace(-x_max, x_max, int(round(2 * x_max / spacing)) + 1)
    table = reverse_kl_table(mixture, schedule, x_values, points=points)
    row, col = np.unravel_index(int(np.argmax(table)), table.shape)
    steps = np.flatnonzero(table.max(axis=1) >= 0.5 * table[row, col]) + 1  # every step near the top
    fine_x = np.clip(x_values[col] + spacing * np.linspace(-1.0, 1.0, 41), -x_max, x_max)
    fine = reverse_kl_table(mixture, schedule, fine_x, steps, points)
    i, j = np.unravel_index(int(np.argmax(fine)), fine.shape)
    profile = reverse_kl_table(mixture, schedule, fine_x[j:j + 1], points=points)[:, 0]
    return WorstCase(float(fine[i, j]), int(steps[i]), float(fine_x[j]), profile)
