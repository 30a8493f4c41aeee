"""What the kernel-free widgets share: their ES modules, and arrays packed as images for the browser.

A kernel-free widget is an `anywidget <https://anywidget.dev>`_ model: its front end is an ES module in
``static/`` that draws every frame in the browser from data the kernel sent once, so a slider step needs no
kernel. The same module runs in JupyterLab (live, or from the notebook's saved widget state) and on the
course's web edition (``course_lib/book``).
"""

from __future__ import annotations

import base64
import io
from importlib import resources

import numpy as np

__all__ = ["EPS_SCALE", "esm", "image_base64", "image_pixels", "noise_pixels", "rounded"]

#: eps is sent as uint8 ``round(EPS_SCALE * eps) + 128``: steps of 1/24 over [-5.3, 5.3] (a draw beyond
#: 5.3 standard deviations happens about once in 10 million), at most 127.5 / 48 = 2.7 grey levels off.
EPS_SCALE = 24.0


def esm(name: str) -> str:
    """The text of ``static/<name>``, an ES module or a style sheet shipped inside the package."""
    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def image_pixels(x) -> np.ndarray:
    """An image ``[C, H, W]`` in [-1, 1] as uint8 pixels ``[H, W, C]``: ``round(127.5 x + 127.5)``, clipped."""
    x = np.asarray(x, dtype=float)
    return np.clip(np.rint(x * 127.5 + 127.5), 0, 255).astype(np.uint8).transpose(1, 2, 0)


def noise_pixels(eps) -> np.ndarray:
    """A noise draw ``[C, H, W]`` as uint8 ``[H, W, C]``: ``round(EPS_SCALE * eps) + 128``, clipped to 0..255."""
    eps = np.asarray(eps, dtype=float)
    return np.clip(np.rint(eps * EPS_SCALE) + 128, 0, 255).astype(np.uint8).transpose(1, 2, 0)


def image_base64(pixels: np.ndarray, image_format: str = "png") -> str:
    """uint8 pixels ``[H, W, C]`` (C = 1 or 3) encoded by Pillow as base64 PNG (lossless) or JPEG text.

    JPEG keeps full colour resolution (``subsampling=0``): the default 4:2:0 smears coloured detail.
    """
    from PIL import Image

    options = {"png": {"format": "PNG", "compress_level": 6},
               "jpeg": {"format": "JPEG", "quality": 90, "subsampling": 0}}
    if image_format not in options:
        raise ValueError(f"image_format must be one of {sorted(options)}; got {image_format!r}")
    out = io.BytesIO()
    Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels).save(out, **options[image_format])
    return base64.b64encode(out.getvalue()).decode("ascii")


def rounded(values, digits: int = 7) -> list[float]:
    """Floats for a widget's JSON state, to ``digits`` significant digits (float32 precision at 7)."""
    return [float(f"{v:.{digits}g}") for v in np.asarray(values, dtype=float).ravel()]
