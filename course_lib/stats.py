r"""Small statistics used to compare distributions (NumPy only).

``ks_2samp`` is the two-sample Kolmogorov-Smirnov test: the statistic
:math:`D = \sup_x |F_a(x) - F_b(x)|` between the two empirical CDFs, and its asymptotic p-value
:math:`p = Q_{KS}\big((\sqrt{n_e} + 0.12 + 0.11/\sqrt{n_e})\, D\big)`, :math:`n_e = n_a n_b / (n_a + n_b)`,
with :math:`Q_{KS}(\lambda) = 2 \sum_{k \ge 1} (-1)^{k-1} e^{-2 k^2 \lambda^2}` (Numerical Recipes, 14.3).

``standard_normal_cdf`` is :math:`\Phi(x) = \tfrac12 \big(1 + \operatorname{erf}(x / \sqrt 2)\big)`, the CDF
a sample is compared with when we ask how close it is to :math:`\mathcal N(0, 1)`.
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import as_float_array

__all__ = ["empirical_cdf", "ks_2samp", "kolmogorov_q", "standard_normal_cdf"]


def kolmogorov_q(lam: float) -> float:
    r"""Kolmogorov's tail :math:`Q_{KS}(\lambda) = 2 \sum_{k \ge 1} (-1)^{k-1} e^{-2 k^2 \lambda^2}`, in [0, 1]."""
    if lam < 0.2:  # the series converges slowly here and the tail is 1 to double precision
        return 1.0
    k = np.arange(1, 101)
    return float(np.clip(2.0 * np.sum((-1.0) ** (k - 1) * np.exp(-2.0 * k**2 * lam**2)), 0.0, 1.0))


def empirical_cdf(sorted_x: np.ndarray, grid) -> np.ndarray:
    r""":math:`F_n(g) = \#\{i : x_i \le g\} / n` at each point of ``grid``, for a sample ``sorted_x`` sorted ascending."""
    return np.searchsorted(sorted_x, grid, side="right") / sorted_x.size


def ks_2samp(a, b) -> tuple[float, float]:
    """Two-sample KS test of 1-D samples ``a`` and ``b``: returns ``(D, p_value)``."""
    a = np.sort(as_float_array(a, "a").ravel())
    b = np.sort(as_float_array(b, "b").ravel())
    if a.size < 1 or b.size < 1:
        raise ValueError(f"a and b must both be non-empty; got sizes {a.size} and {b.size}")
    grid = np.concatenate([a, b])
    d = float(np.max(np.abs(empirical_cdf(a, grid) - empirical_cdf(b, grid))))
    n_eff = a.size * b.size / (a.size + b.size)
    return d, kolmogorov_q((np.sqrt(n_eff) + 0.12 + 0.11 / np.sqrt(n_eff)) * d)


_erf = np.vectorize(math.erf, otypes=[np.float64])


def standard_normal_cdf(x) -> np.ndarray | float:
    r"""The CDF of :math:`\mathcal N(0, 1)`: :math:`\Phi(x) = \tfrac12 \big(1 + \operatorname{erf}(x / \sqrt 2)\big)`.

    ``x``: a number or an array of any shape; returns a float or an array of that shape, in [0, 1].
    """
    arr = as_float_array(x, "x").astype(np.float64)
    out = 0.5 * (1.0 + _erf(arr / math.sqrt(2.0)))
    return float(out) if out.ndim == 0 else out
