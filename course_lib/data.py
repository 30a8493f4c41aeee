"""Data the notebooks noise: the sample image that ships inside matplotlib (no download).

Images follow the diffusion convention: float64, channels first ``[C, H, W]``, values scaled to
[-1, 1] (so clean data has roughly unit scale, like the N(0, 1) noise it is mixed with).
"""

from __future__ import annotations

import numpy as np

__all__ = ["sample_image", "to_display"]


def sample_image(size: int = 128, gray: bool = False) -> np.ndarray:
    """Grace Hopper's portrait (``grace_hopper.jpg``, shipped with matplotlib), square, in [-1, 1].

    Returns ``[3, size, size]`` (or ``[1, size, size]`` with ``gray=True``), float64. The portrait is
    centre-cropped to a square and resized with Pillow's Lanczos filter.
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 8 <= size <= 2048:
        raise ValueError(f"size must be an integer pixel count in 8..2048; got {size!r}")
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as fh:
        img = Image.open(fh).convert("L" if gray else "RGB")
        width, height = img.size
        side = min(width, height)
        left, top = (width - side) // 2, (height - side) // 2
        img = img.crop((left, top, left + side, top + side)).resize((int(size), int(size)), Image.LANCZOS)
        arr = np.asarray(img, dtype=np.float64) / 127.5 - 1.0
    return arr[None] if gray else arr.transpose(2, 0, 1)


def to_display(x) -> np.ndarray:
    """``[C, H, W]`` in [-1, 1] -> an array ``imshow`` accepts (``[H, W, 3]`` or ``[H, W]``), clipped to [0, 1]."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3 or x.shape[0] not in (1, 3):
        raise ValueError(f"x must be an image [C, H, W] with C = 1 or 3; got shape {x.shape}")
    img = np.clip((x + 1.0) / 2.0, 0.0, 1.0)
    return img[0] if x.shape[0] == 1 else img.transpose(1, 2, 0)
