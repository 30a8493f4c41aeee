r"""The timestep scrubber: drag a slider over t and watch one image dissolve, with no kernel in the loop.

Each frame is the closed form :math:`x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\, \epsilon`
with **one** noise draw :math:`\epsilon`, made once when the scrubber is built, so moving the slider
shows the same image fading into the same static (not new static every frame).

The browser draws the frames. The kernel sends, once, the clean image, the noise draw and the two
coefficients of the closed form for every t (computed here from the schedule); the widget's front end
(``static/scrubber.js``, an anywidget module) then draws a frame per slider step on a canvas: one
multiply-add per pixel, well under one display frame, and no round trip to a kernel. So the slider works in
JupyterLab, from a notebook's saved widget state with no kernel at all, and on the course's web edition.
Where no widget renders (GitHub, a PDF), the output shows a static figure instead
(:func:`course_lib.widgets.display_with_fallback`): close-ups of the frames at the scrubber's own resolution.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from .._validate import as_float_array, as_timesteps, check_rng
from ..schedules import Schedule, _check_schedule
from ._browser import EPS_SCALE, esm, image_base64, image_pixels, noise_pixels, rounded
from ._fallback import display_with_fallback

__all__ = ["TimestepScrubber", "timestep_scrubber"]

_MIME = {"jpeg": "image/jpeg", "png": "image/png"}


def _widget_class():
    """The anywidget model class (built on first use: importing this module does not import anywidget)."""
    global _ScrubberWidget
    if _ScrubberWidget is None:
        import anywidget
        import traitlets as tl

        class ScrubberWidget(anywidget.AnyWidget):
            """State of one scrubber; ``static/scrubber.js`` draws it."""

            _esm = esm("scrubber.js")
            _css = esm("widgets.css")
            t = tl.Int(0).tag(sync=True)
            num_timesteps = tl.Int(1).tag(sync=True)
            x0 = tl.Unicode().tag(sync=True)  # base64 image, pixels round(127.5 x0 + 127.5)
            x0_mime = tl.Unicode("image/png").tag(sync=True)
            eps = tl.Unicode().tag(sync=True)  # base64 PNG, pixels round(EPS_SCALE eps) + 128
            eps_scale = tl.Float(EPS_SCALE).tag(sync=True)
            signal = tl.List(tl.Float()).tag(sync=True)  # sqrt(alpha_bar_t), t = 0..T (1 at t = 0)
            noise = tl.List(tl.Float()).tag(sync=True)  # sqrt(1 - alpha_bar_t), t = 0..T (0 at t = 0)
            alphas_cumprod = tl.List(tl.Float()).tag(sync=True)  # alpha_bar_t, t = 1..T (for the caption)
            width = tl.Int(384).tag(sync=True)
            image_name = tl.Unicode("The image").tag(sync=True)
            description = tl.Unicode().tag(sync=True)

        _ScrubberWidget = ScrubberWidget
    return _ScrubberWidget


_ScrubberWidget = None


class TimestepScrubber:
    """A slider over t = 0..T, the image ``x0`` noised to step t, and a caption with the numbers.

    ``x0``: an image ``[C, H, W]`` (C = 1 or 3) in [-1, 1]; ``schedule``: a :class:`~course_lib.schedules.Schedule`;
    ``rng``: the ``numpy.random.Generator`` the one noise draw comes from; ``t``: the step shown first;
    ``image_format``: how the clean image travels to the browser, ``"jpeg"`` (small, the default) or
    ``"png"`` (lossless); ``width``: the displayed width in pixels (the image keeps its own resolution);
    ``image_name``: what the image is, for screen readers.
    The widget to display is :attr:`widget`; :meth:`show` displays it with its static fallback.
    """

    def __init__(self, x0, schedule: Schedule, rng: np.random.Generator, t: int = 0,
                 image_format: str = "jpeg", width: int = 384, image_name: str = "The image"):
        _check_schedule(schedule)
        check_rng(rng)
        if image_format not in _MIME:
            raise ValueError(f"image_format must be one of {sorted(_MIME)}; got {image_format!r}")
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
        #: sqrt(alpha_bar_t) and sqrt(1 - alpha_bar_t) for t = 0..T (t = 0: the clean image)
        self.signal = np.concatenate([[1.0], schedule.sqrt_alphas_cumprod])
        self.noise = np.concatenate([[0.0], schedule.sqrt_one_minus_alphas_cumprod])
        T = schedule.num_timesteps
        t = int(as_timesteps(t, T, "t"))
        height, wide = x0.shape[1:]
        self.widget = _widget_class()(
            t=t, num_timesteps=T, x0=image_base64(image_pixels(x0), image_format), x0_mime=_MIME[image_format],
            eps=image_base64(noise_pixels(self.eps), "png"), signal=rounded(self.signal),
            noise=rounded(self.noise), alphas_cumprod=rounded(schedule.alphas_cumprod), width=width,
            image_name=image_name,
            description=(f"Timestep scrubber: a slider over t = 0 to {T} and the {wide} x {height} image noised "
                         f"to step t with one noise draw ({schedule.name} schedule)"))

    def frame(self, t: int) -> np.ndarray:
        r"""The image at step t as uint8 pixels ``[H, W, C]``: :math:`\sqrt{\bar\alpha_t} x_0 + \sqrt{1-\bar\alpha_t} \epsilon`.

        What the front end draws for step t, computed here in float32 (the browser's frame differs by the
        rounding of x0 and eps to 8 bits: at most 3.5 grey levels).
        """
        buf = self._buffer
        np.multiply(self._x0_px, np.float32(self.signal[t]), out=buf)
        buf += np.float32(self.noise[t]) * self._eps_px
        buf += np.float32(127.5)
        np.clip(buf, 0.0, 255.0, out=buf)
        return buf.astype(np.uint8)

    @property
    def t(self) -> int:
        """The step shown (the slider's position, in the kernel and in the browser)."""
        return self.widget.t

    def update(self, t: int) -> None:
        """Show step t: moves the slider; the front end draws the frame (the kernel sends one number)."""
        self.widget.t = int(as_timesteps(t, self.schedule.num_timesteps, "t"))

    def time_update(self, repeats: int = 50) -> float:
        """Median wall-clock seconds of one :meth:`update` in the kernel over ``repeats`` steps across 1..T.

        Only the kernel's part: the browser then draws the frame itself (``tests/test_browser.py`` measures
        the time from a slider step to the new frame on screen).
        """
        start_t = self.t
        steps = np.linspace(1, self.schedule.num_timesteps, repeats).astype(int)
        times = []
        for t in steps:
            start = time.perf_counter()
            self.update(t)
            times.append(time.perf_counter() - start)
        self.update(start_t)
        return float(np.median(times))

    def static_figure(self, ts: Sequence[int] | None = None, crop: int = 96):
        """What renderers without widgets show: close-ups of the frames at the scrubber's own resolution.

        A ``crop`` x ``crop`` square from the centre of the image (the whole image if it is smaller), at the
        steps ``ts``, every pixel as the slider shows it: the fine grain of the one noise draw, which a
        downsampled strip of the whole image cannot show.
        """
        from ..plots.images import noising_strip

        T = self.schedule.num_timesteps
        ts = ts if ts is not None else [0, T // 10, T // 5, 3 * T // 10, T // 2, T]
        height, wide = self.x0.shape[1:]
        size = min(crop, height, wide)
        top, left = (height - size) // 2, (wide - size) // 2
        window = np.s_[:, top:top + size, left:left + size]
        where = f"the centre {size} x {size} pixels of the {wide} x {height} frames" if size < max(height, wide) \
            else f"the {wide} x {height} frames"
        return noising_strip(self.x0[window], self.schedule, ts, self.eps[window],
                             title=f"Timestep scrubber, static view (run the notebook to drag t):\n{where}, "
                                   "one noise draw")

    def show(self, ts: Sequence[int] | None = None) -> None:
        """Display the live widget, with :meth:`static_figure` as its fallback in the same output."""
        display_with_fallback(self.widget, self.static_figure(ts),
                              text="Timestep scrubber (run the notebook to drag the slider)")


def timestep_scrubber(x0, schedule: Schedule, rng: np.random.Generator, t: int = 0,
                      ts: Sequence[int] | None = None, **kwargs) -> TimestepScrubber:
    """Build a :class:`TimestepScrubber`, display it (static close-ups at ``ts`` as fallback) and return it."""
    scrubber = TimestepScrubber(x0, schedule, rng, t=t, **kwargs)
    scrubber.show(ts)
    return scrubber
