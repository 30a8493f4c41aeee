"""What every figure shares: the colour-blind-safe palette and the N(0, 1) reference curve."""

from __future__ import annotations

import numpy as np

__all__ = ["PALETTE", "standard_normal_pdf"]

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}


def standard_normal_pdf(x) -> np.ndarray:
    """Density of N(0, 1): exp(-x^2 / 2) / sqrt(2 pi)."""
    x = np.asarray(x, dtype=float)
    return np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)
