r"""The timestep scrubber: drag a slider over t and watch one image dissolve, live.

Each frame is the closed form :math:`x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\, \epsilon`
with **one** noise draw :math:`\epsilon`, made once when the scrubber is built, so moving the slider
shows the same image fading into the same static (not new static every frame).

Fast enough to feel live: nothing is re-plotted. A frame is one multiply-add on float32 arrays that
were scaled to pixel units up front, a cast to uint8, and a JPEG (or PNG) encode by Pillow; the bytes
replace the value of an ``ipywidgets.Image`` in place. Where no widget manager runs, the scrubber's
output shows a static strip of frames instead (:func:`course_lib.widgets.display_with_fallback`).
"""

from __future__ import annotations

import io
import time
from typing import Sequence

import numpy as np

from .._validate import as_float_array, as_timesteps, check_rng
from ..schedules import Schedule, _check_schedule
from ._fallback import display_with_fallback

__all__ = ["TimestepScrubber", "timestep_scrubber"]

# JPEG keeps full colour resolution (subsampling=0, "4:4:4"): the default 4:2:0 smears coloured static into
# blotches (a mean error of ~57 grey levels on a noisy frame, against ~8 here), for half the bytes.
_FORMATS = {"jpeg": {"format": "JPEG", "quality": 85, "subsampling": 0},
            "png": {"format": "PNG", "compress_level": 1}}


class TimestepScrubber:
    """A slider over t = 0..T, an image of ``x0`` noised to step t, and a caption with the numbers.

    ``x0``: an image ``[C, H, W]`` (C = 1 or 3) in [-1, 1]; ``schedule``: a :class:`~course_lib.schedules.Schedule`;
    ``rng``: the ``numpy.random.Generator`` the one noise draw comes from; ``t``: the step shown first;
    ``image_format``: ``"jpeg"`` (small and fast, the default) or ``"png"`` (lossless); ``width``: the
    displayed width in pixels (the image keeps its own resolution).
    The widget to display is :attr:`widget`; :meth:`show` displays it with its static fallback.
    """

    def __init__(self, x0, schedule: Schedule, rng: np.random.Generator, t: int = 0,
                 image_format: str = "jpeg", width: int = 384):
        import ipywidgets as widgets

        _check_schedule(schedule)
        check_rng(rng)
        if image_format not in _FORMATS:
            raise ValueError(f"image_format must be one of {sorted(_FORMATS)}; got {image_format!r}")
        x0 = as_float_array(x0, "x0")
        if x0.ndim != 3 or x0.shape[0] not in (1, 3):
            raise ValueError(f"x0 must be an image [C, H, W] with C = 1 or 3; got shape {x0.shape}")
        self.schedule = schedule
        self.x0 = x0
        self.eps = rng.standard_normal(x0.shape)  # drawn once: every frame uses this same noise
        # pixel units up front: a frame is then signal * x0_px + noise * eps_px + 127.5, clipped
        self._x0_px = np.ascontiguousarray(x0.transpose(1, 2, 0), dtype=np.float32) * np.float32(127.5)
        self._eps_px = np.ascontiguousarray(self.eps.transpose(1, 2, 0), dtype=np.float32) * np.float32(127.5)
        self._buffer = np.empty_like(self._x0_px)
        self._signal = np.concatenate([[1.0], schedule.sqrt_alphas_cumprod]).astype(np.float32)
        self._noise = np.concatenate([[0.0], schedule.sqrt_one_minus_alphas_cumprod]).astype(np.float32)
        self._encode_args = _FORMATS[image_format]
        T = schedule.num_timesteps
        t = int(as_timesteps(t, T, "t"))
        self.slider = widgets.IntSlider(value=t, min=0, max=T, step=1, description="t",
                                        continuous_update=True, layout=widgets.Layout(width=f"{width}px"))
        self.image = widgets.Image(format=image_format, width=width)
        self.caption = widgets.HTML()
        self.widget = widgets.VBox([self.slider, self.image, self.caption])
        self.slider.observe(lambda change: self.update(change["new"]), names="value")
        self.update(t)

    def frame(self, t: int) -> np.ndarray:
        r"""The image at step t as uint8 pixels ``[H, W, C]``: :math:`\sqrt{\bar\alpha_t} x_0 + \sqrt{1-\bar\alpha_t} \epsilon`."""
        buf = self._buffer
        np.multiply(self._x0_px, self._signal[t], out=buf)
        buf += self._noise[t] * self._eps_px
        buf += np.float32(127.5)
        np.clip(buf, 0.0, 255.0, out=buf)
        return buf.astype(np.uint8)

    def encode(self, t: int) -> bytes:
        """The frame at step t, encoded as JPEG or PNG bytes by Pillow."""
        from PIL import Image

        pixels = self.frame(t)
        out = io.BytesIO()
        Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels).save(out, **self._encode_args)
        return out.getvalue()

    def update(self, t: int) -> None:
        """Show step t: replace the image's bytes and the caption in place (no figure is drawn)."""
        t = int(t)
        self.image.value = self.encode(t)
        if t == 0:
            self.caption.value = "t = 0: the clean image"
            return
        abar = float(self.schedule.alphas_cumprod[t - 1])
        self.caption.value = (
            f"t = {t} of {self.schedule.num_timesteps}: &alpha;&#772;<sub>t</sub> = {abar:.4f}, "
            f"signal &times; {np.sqrt(abar):.3f}, noise &times; {np.sqrt(1 - abar):.3f}"
        )

    def time_update(self, repeats: int = 50) -> float:
        """Median wall-clock seconds of one :meth:`update` over ``repeats`` steps spread across 1..T."""
        steps = np.linspace(1, self.schedule.num_timesteps, repeats).astype(int)
        times = []
        for t in steps:
            start = time.perf_counter()
            self.update(t)
            times.append(time.perf_counter() - start)
        self.update(self.slider.value)
        return float(np.median(times))

    def static_figure(self, ts: Sequence[int] | None = None, max_pixels: int = 64):
        """A strip of frames (the same noise) for renderers without a widget manager.

        Frames are subsampled to at most ``max_pixels`` a side (every k-th pixel of the same x0 and eps),
        which keeps the stored PNG light: a strip of static does not compress.
        """
        from ..plots.images import noising_strip

        T = self.schedule.num_timesteps
        ts = ts if ts is not None else [0, T // 20, T // 10, T // 5, 3 * T // 10, T // 2, T]
        k = -(-max(self.x0.shape[1:]) // max_pixels)  # ceil: the smallest stride that fits
        return noising_strip(self.x0[:, ::k, ::k], self.schedule, ts, self.eps[:, ::k, ::k],
                             title="Timestep scrubber (static view: run the notebook to drag t)")

    def show(self, ts: Sequence[int] | None = None) -> None:
        """Display the live widget, with :meth:`static_figure` as its fallback in the same output."""
        display_with_fallback(self.widget, self.static_figure(ts),
                              text="Timestep scrubber (run the notebook to drag the slider)")


def timestep_scrubber(x0, schedule: Schedule, rng: np.random.Generator, t: int = 0,
                      ts: Sequence[int] | None = None, **kwargs) -> TimestepScrubber:
    """Build a :class:`TimestepScrubber`, display it (static strip at ``ts`` as fallback) and return it."""
    scrubber = TimestepScrubber(x0, schedule, rng, t=t, **kwargs)
    scrubber.show(ts)
    return scrubber
