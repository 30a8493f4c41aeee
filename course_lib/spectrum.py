r"""Frequency by frequency: how much of an image each noise level leaves, scale by scale (notebook 04).

White noise spreads its variance evenly over all spatial frequencies; a photograph puts most of its variance
in the lowest ones (its power falls roughly like :math:`1/f^2`). So in
:math:`x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon` the signal-to-noise ratio at
frequency f is

.. math:: \mathrm{SNR}_t(f) = \mathrm{SNR}(t)\, P_{x_0}(f),

where :math:`P_{x_0}` is the image's power spectrum normalised so that unit-variance white noise has power 1 at
every frequency (:func:`radial_power_spectrum`). Coarse scales keep their SNR long after the fine ones have
drowned: that is why generation runs coarse to fine, why a larger image needs a noisier schedule, and what a
schedule whose terminal SNR is not zero leaks. :func:`radial_correlation` measures it on actual noisy images.

Frequencies are whole numbers of cycles per image, the radius of a ring in the 2-D Fourier plane, from 1 to
N/2 for an N x N image (the mean, frequency 0, is left out).
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array

__all__ = ["radial_power_spectrum", "radial_correlation"]


def _square_images(x, name: str) -> np.ndarray:
    x = as_float_array(x, name)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2] or x.shape[-1] < 2:
        raise ValueError(f"{name} must be square images [..., N, N] with N >= 2; got shape {x.shape}")
    return x


def _rings(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ring (rounded radius, in cycles per image) of every entry of an n x n real FFT (``np.fft.rfft2``
    layout), and how many entries of the full FFT it stands for (its mirror image holds the same power)."""
    fy = np.fft.fftfreq(n, 1.0 / n)
    fx = np.fft.rfftfreq(n, 1.0 / n)
    rings = np.rint(np.hypot(fy[:, None], fx[None, :])).astype(np.int64)
    weights = np.where((fx == 0) | (2 * fx == n), 1.0, 2.0)[None, :] * np.ones((n, 1))
    return rings, weights


def _ring_sums(values: np.ndarray, n: int) -> np.ndarray:
    """Sum ``values`` (``[..., n, n // 2 + 1]``, rfft2 layout) over leading axes and over the full FFT's rings 1..n // 2."""
    rings, weights = _rings(n)
    keep = (rings >= 1) & (rings <= n // 2)
    total = values.reshape(-1, *rings.shape).sum(axis=0) * weights
    return np.bincount(rings[keep], weights=total[keep], minlength=n // 2 + 1)[1:]


def radial_power_spectrum(x) -> tuple[np.ndarray, np.ndarray]:
    r"""Radially averaged power spectrum of square images: ``(frequencies, power)``.

    :math:`P(f) = \mathrm{mean}_{|k| \approx f} |\mathrm{FFT}_2(x)_k|^2 / N^2`, the mean over the ring of radius f
    (and over any leading axes, e.g. a batch of noise draws). With this normalisation unit-variance white
    noise has :math:`E[P(f)] = 1` at every f, and the mean of :math:`|\mathrm{FFT}_2(x)|^2 / N^2` over all N^2
    entries is the mean of :math:`x^2` (Parseval). ``x``: ``[..., N, N]``. Returns two arrays of length N // 2:
    the frequencies 1..N/2 (cycles per image) and the power at each.
    """
    x = _square_images(x, "x")
    n = x.shape[-1]
    power = np.abs(np.fft.rfft2(x)) ** 2 / n**2
    counts = _ring_sums(np.ones((n, n // 2 + 1)), n)
    images = x.size // (n * n)
    return np.arange(1, n // 2 + 1), _ring_sums(power, n) / (counts * images)


def radial_correlation(x, y, octaves: bool = False) -> tuple[np.ndarray, np.ndarray]:
    r"""How strongly ``x`` and ``y`` agree at each spatial frequency: ``(frequencies, correlation)``.

    :math:`\rho(f) = \sum \mathrm{Re}(X_k \bar Y_k) / \sqrt{\sum |X_k|^2 \sum |Y_k|^2}`, sums over the ring of radius
    f and over leading axes, with X, Y the 2-D FFTs. For ``x`` a noisy version of ``y``,
    :math:`x = a\,y + b\,\epsilon`, it estimates :math:`\sqrt{\mathrm{SNR}(f) / (1 + \mathrm{SNR}(f))}`: the leak of
    :math:`x_t` about :math:`x_0`, scale by scale. ``octaves=True`` sums whole octaves, rings 1, 2-3, 4-7, 8-15, ...
    (steadier where rings hold few coefficients), and reports each band by its lowest frequency.
    ``x``, ``y``: the same shape ``[..., N, N]``.
    """
    x = _square_images(x, "x")
    y = _square_images(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape; got {x.shape} and {y.shape}")
    n = x.shape[-1]
    fx, fy = np.fft.rfft2(x), np.fft.rfft2(y)
    sums = [_ring_sums(v, n) for v in ((fx * np.conj(fy)).real, np.abs(fx) ** 2, np.abs(fy) ** 2)]
    freqs = np.arange(1, n // 2 + 1)
    if octaves:
        starts = 2 ** np.arange(int(np.log2(n // 2)) + 1)
        sums = [np.add.reduceat(v, starts - 1) for v in sums]
        freqs = starts
    cross, xx, yy = sums
    return freqs, cross / np.sqrt(xx * yy)
