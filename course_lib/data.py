"""Data the notebooks noise: two pictures that ship inside matplotlib (no download) and a 1-D toy set.

Images follow the diffusion convention: float64, channels first ``[C, H, W]``, values scaled to
[-1, 1] (so clean data has roughly unit scale, like the N(0, 1) noise it is mixed with).
The 1-D toy data is a two-mode mixture: simple enough to draw as a histogram, far enough from a
Gaussian that you can watch the noise dissolve it.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_positive_int, check_rng

__all__ = ["sample_image", "gift_image", "bimodal", "to_display"]


def _check_size(size) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 8 <= size <= 2048:
        raise ValueError(f"size must be an integer pixel count in 8..2048; got {size!r}")
    return int(size)


def _square_image(filename: str, size: int, gray: bool) -> np.ndarray:
    """Load matplotlib's sample ``filename``, flatten transparency onto white, centre-crop, resize, scale."""
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data(filename) as fh:
        img = Image.open(fh)
        if img.mode in ("RGBA", "LA", "P"):
            img = Image.alpha_composite(Image.new("RGBA", img.size, "white"), img.convert("RGBA"))
        img = img.convert("L" if gray else "RGB")
        width, height = img.size
        side = min(width, height)
        left, top = (width - side) // 2, (height - side) // 2
        img = img.crop((left, top, left + side, top + side)).resize((size, size), Image.LANCZOS)
        arr = np.asarray(img, dtype=np.float64) / 127.5 - 1.0
    return arr[None] if gray else arr.transpose(2, 0, 1)


def sample_image(size: int = 128, gray: bool = False) -> np.ndarray:
    """Grace Hopper's portrait (``grace_hopper.jpg``, shipped with matplotlib), square, in [-1, 1].

    Returns ``[3, size, size]`` (or ``[1, size, size]`` with ``gray=True``), float64. The portrait is
    centre-cropped to a square and resized with Pillow's Lanczos filter.
    """
    return _square_image("grace_hopper.jpg", _check_size(size), gray)


def gift_image(size: int = 128, gray: bool = False) -> np.ndarray:
    """A blue gift box on white (``Minduka_Present_Blue_Pack.png``, shipped with matplotlib), in [-1, 1].

    A picture as unlike the portrait as possible (bright, blue, flat), for showing that the forward
    process ends at the same statistics whatever it starts from. Shape and dtype as :func:`sample_image`;
    the original is 128 x 128, so larger sizes are upsampled.
    """
    return _square_image("Minduka_Present_Blue_Pack.png", _check_size(size), gray)


def bimodal(n: int, rng: np.random.Generator, means=(-2.0, 2.0), std: float = 0.35,
            weight: float = 0.5) -> np.ndarray:
    r"""``n`` draws from the two-mode mixture :math:`w\,\mathcal N(m_1, s^2) + (1-w)\,\mathcal N(m_2, s^2)`.

    ``means``: the two modes :math:`(m_1, m_2)`; ``std``: each mode's standard deviation :math:`s > 0`;
    ``weight``: :math:`w`, the probability of the first mode, strictly inside (0, 1). Returns ``[n]``,
    float64. Its variance is :math:`s^2 + w(1-w)(m_1 - m_2)^2` (4.1225 with the defaults).
    """
    n = check_positive_int(n, "n", " sample count")
    check_rng(rng)
    m1, m2 = (float(m) for m in means)
    if not (np.isfinite(std) and std > 0):
        raise ValueError(f"std must be a positive number; got {std!r}")
    if not 0 < weight < 1:
        raise ValueError(f"weight must lie strictly between 0 and 1; got {weight!r}")
    first = rng.random(n) < weight
    return np.where(first, m1, m2) + std * rng.standard_normal(n)


def to_display(x) -> np.ndarray:
    """``[C, H, W]`` in [-1, 1] -> an array ``imshow`` accepts (``[H, W, 3]`` or ``[H, W]``), clipped to [0, 1]."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[0] not in (1, 3):
        raise ValueError(f"x must be an image [C, H, W] with C = 1 or 3; got shape {x.shape}")
    img = np.clip((x + 1.0) / 2.0, 0.0, 1.0)
    return img[0] if x.shape[0] == 1 else img.transpose(1, 2, 0)
