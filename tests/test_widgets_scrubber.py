"""The timestep scrubber: right pixels, one noise draw, the state its browser front end draws from, a static
fallback that shows what the strip above it does not (no timing asserts; tests/test_browser.py and
tests/test_book.py drive the front end itself)."""

import base64
import io
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from course_lib import data  # noqa: E402
from course_lib.schedules import from_betas, linear_schedule  # noqa: E402
from course_lib.widgets import scrubber as scrubber_module  # noqa: E402
from course_lib.widgets._fallback import WIDGET_MIME  # noqa: E402
from course_lib.widgets.scrubber import TimestepScrubber  # noqa: E402

SCHEDULE = linear_schedule(1000)
ABAR = np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _expected_pixels(x0, eps, t):
    """x_t in pixel units, [H, W, C], by the closed form (independently of the scrubber's float32 path)."""
    signal, noise = (1.0, 0.0) if t == 0 else (math.sqrt(ABAR[t - 1]), math.sqrt(1 - ABAR[t - 1]))
    x_t = signal * x0 + noise * eps
    return np.clip(x_t * 127.5 + 127.5, 0, 255).transpose(1, 2, 0)


def _decode(text):
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(text))), dtype=float)


def _browser_frame(widget, t):
    """The frame static/scrubber.js draws for step t, from the widget's state, with the same arithmetic."""
    x0, eps = _decode(widget.x0), _decode(widget.eps)
    if x0.ndim == 2:
        x0, eps = x0[..., None], eps[..., None]
    frame = widget.signal[t] * (x0 - 127.5) + widget.noise[t] * (eps - 128) * 127.5 / widget.eps_scale + 127.5
    return np.clip(np.rint(frame), 0, 255)


@pytest.mark.parametrize("t", [0, 1, 250, 1000])
def test_frames_are_the_closed_form_in_pixels(t):
    x0 = data.sample_image(32)
    scrub = TimestepScrubber(x0, SCHEDULE, np.random.default_rng(0))
    frame = scrub.frame(t)
    assert frame.dtype == np.uint8 and frame.shape == (32, 32, 3)
    # float32 arithmetic and truncation to uint8: never more than one grey level off
    assert np.abs(frame.astype(float) - _expected_pixels(x0, scrub.eps, t)).max() <= 1.0


@pytest.mark.parametrize("t", [0, 1, 100, 400, 1000])
def test_the_browser_draws_the_closed_form_from_the_state_it_is_sent(t):
    """x0 and eps travel as 8-bit PNGs: the front end's frame is within 3.5 grey levels of the exact one
    (eps rounded to 1/24: 127.5 / 48 = 2.66 levels at full noise; x0 rounded: 0.5; the frame rounded: 0.5)."""
    x0 = data.sample_image(64)
    scrub = TimestepScrubber(x0, SCHEDULE, np.random.default_rng(1), image_format="png")
    assert scrub.widget.x0_mime == "image/png" and scrub.widget.num_timesteps == 1000
    assert len(scrub.widget.signal) == len(scrub.widget.noise) == 1001 and scrub.widget.signal[0] == 1.0
    assert scrub.widget.signal[t] == pytest.approx(1.0 if t == 0 else math.sqrt(ABAR[t - 1]), rel=1e-6)
    assert scrub.widget.noise[t] == pytest.approx(0.0 if t == 0 else math.sqrt(1 - ABAR[t - 1]), rel=1e-6, abs=1e-9)
    assert np.abs(_browser_frame(scrub.widget, t) - _expected_pixels(x0, scrub.eps, t)).max() <= 3.5


def test_jpeg_keeps_the_clean_image_within_a_few_grey_levels():
    x0 = data.sample_image(512)  # the notebook's size: a quarter of PNG's bytes, 1.6 grey levels off on average
    scrub = TimestepScrubber(x0, SCHEDULE, np.random.default_rng(1))  # jpeg: the default
    assert scrub.widget.x0_mime == "image/jpeg"
    error = np.abs(_browser_frame(scrub.widget, 0) - _expected_pixels(x0, scrub.eps, 0))
    assert error.mean() < 2.0


def test_the_noise_is_drawn_once_from_the_given_rng():
    x0 = data.sample_image(16)
    scrub = TimestepScrubber(x0, SCHEDULE, np.random.default_rng(3))
    assert np.array_equal(scrub.eps, np.random.default_rng(3).standard_normal(x0.shape))
    first = scrub.frame(400)
    scrub.frame(900)
    assert np.array_equal(scrub.frame(400), first)  # same t, same picture: the static does not change
    eps_sent = (_decode(scrub.widget.eps) - 128) / scrub.widget.eps_scale
    assert np.abs(eps_sent - scrub.eps.transpose(1, 2, 0)).max() <= 0.5 / scrub.widget.eps_scale + 1e-12


def test_update_moves_the_slider_and_draws_no_figure():
    scrub = TimestepScrubber(data.sample_image(32), SCHEDULE, np.random.default_rng(0), t=10)
    figures, state = plt.get_fignums(), scrub.widget.x0
    scrub.update(600)
    assert scrub.t == scrub.widget.t == 600
    assert plt.get_fignums() == figures and scrub.widget.x0 == state  # nothing but t is sent again
    with pytest.raises(ValueError, match="t must lie in 0..1000"):
        scrub.update(1001)


def test_gray_images_work():
    x0 = data.sample_image(16, gray=True)
    scrub = TimestepScrubber(x0, from_betas([0.1, 0.2, 0.3]), np.random.default_rng(0), image_format="png")
    assert scrub.frame(2).shape == (16, 16, 1)
    assert _decode(scrub.widget.x0).shape == (16, 16)
    assert np.abs(_browser_frame(scrub.widget, 2)[..., 0] - scrub.frame(2)[..., 0]).max() <= 4.0


def test_time_update_restores_the_step():
    scrub = TimestepScrubber(data.sample_image(16), SCHEDULE, np.random.default_rng(0), t=42)
    seconds = scrub.time_update(repeats=5)
    assert seconds > 0
    assert scrub.t == 42


def test_show_displays_the_widget_with_close_ups_as_fallback(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False, metadata=None: shown.append((obj, metadata)))
    scrub = scrubber_module.timestep_scrubber(data.sample_image(512), SCHEDULE, np.random.default_rng(0))
    ((bundle, metadata),) = shown
    assert bundle[WIDGET_MIME]["model_id"] == scrub.widget.model_id
    strip = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert strip.size[0] > 3 * strip.size[1]  # a strip of frames, wider than tall
    alt = metadata["image/png"]["alt"]
    assert "centre 96 x 96 pixels of the 512 x 512 frames" in alt and "t = 1000" in alt
    assert plt.get_fignums() == []  # the static figure was closed after being encoded


def test_static_view_is_full_resolution_close_ups_of_the_same_noise():
    """Issue 11 F: the strip above the scrubber shows the whole portrait downsampled; the fallback shows
    pixels at the scrubber's own resolution, cut from the same frames the slider shows."""
    x0 = data.sample_image(200)
    scrub = TimestepScrubber(x0, SCHEDULE, np.random.default_rng(0))
    fig = scrub.static_figure([0, 1000])
    shown = fig.axes[1].images[0].get_array()
    assert shown.shape == (96, 96, 3)  # a 96 x 96 window, every pixel
    window = np.s_[:, 52:148, 52:148]
    expected = np.clip((math.sqrt(ABAR[999]) * x0[window] + math.sqrt(1 - ABAR[999]) * scrub.eps[window] + 1) / 2, 0, 1)
    assert np.allclose(shown, expected.transpose(1, 2, 0))
    small = TimestepScrubber(data.sample_image(64), SCHEDULE, np.random.default_rng(0)).static_figure([0, 10])
    assert small.axes[0].images[0].get_array().shape == (64, 64, 3)  # smaller than the window: the whole image
    assert "the 64 x 64 frames" in small.get_suptitle()


@pytest.mark.parametrize(
    "x0, kwargs, error, phrase",
    [
        (np.zeros((3, 8, 8)), {"image_format": "gif"}, ValueError, "image_format must be one of"),
        (np.zeros((8, 8)), {}, ValueError, "x0 must be an image \\[C, H, W\\]"),
        (np.zeros((3, 8, 8)), {"t": 1001}, ValueError, "t must lie in 0..1000"),
        (np.zeros((3, 8, 8)), {"rng": 0}, TypeError, "rng must be a numpy.random.Generator"),
    ],
)
def test_bad_arguments_are_named(x0, kwargs, error, phrase):
    args = {"rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(error, match=phrase):
        TimestepScrubber(x0, SCHEDULE, **args)
