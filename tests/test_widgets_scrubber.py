"""The timestep scrubber: right pixels, one noise draw, in-place updates, a static fallback (no timing asserts)."""

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


@pytest.mark.parametrize("t", [0, 1, 250, 1000])
def test_frames_are_the_closed_form_in_pixels(t):
    x0 = data.sample_image(32)
    scrub = TimestepScrubber(x0, SCHEDULE, np.random.default_rng(0))
    frame = scrub.frame(t)
    assert frame.dtype == np.uint8 and frame.shape == (32, 32, 3)
    # float32 arithmetic and truncation to uint8: never more than one grey level off
    assert np.abs(frame.astype(float) - _expected_pixels(x0, scrub.eps, t)).max() <= 1.0


def test_the_noise_is_drawn_once_from_the_given_rng():
    x0 = data.sample_image(16)
    scrub = TimestepScrubber(x0, SCHEDULE, np.random.default_rng(3))
    assert np.array_equal(scrub.eps, np.random.default_rng(3).standard_normal(x0.shape))
    first = scrub.frame(400)
    scrub.frame(900)
    assert np.array_equal(scrub.frame(400), first)  # same t, same picture: the static does not change


def test_moving_the_slider_replaces_the_image_bytes_and_draws_no_figure():
    scrub = TimestepScrubber(data.sample_image(32), SCHEDULE, np.random.default_rng(0), t=10)
    image_widget, figures = scrub.image, plt.get_fignums()
    scrub.slider.value = 600
    assert scrub.image is image_widget and plt.get_fignums() == figures
    assert scrub.image.value == scrub.encode(600)
    decoded = np.asarray(Image.open(io.BytesIO(scrub.image.value)))
    assert decoded.shape == (32, 32, 3)
    # JPEG is lossy, but at full colour resolution the static stays within a few grey levels on average
    # (with the default 4:2:0 chroma subsampling this frame is off by ~57 levels)
    assert np.abs(decoded.astype(float) - scrub.frame(600)).mean() < 12
    assert f"{ABAR[599]:.4f}" in scrub.caption.value and "t = 600 of 1000" in scrub.caption.value


def test_png_is_lossless_and_gray_images_work():
    x0 = data.sample_image(16, gray=True)
    scrub = TimestepScrubber(x0, from_betas([0.1, 0.2, 0.3]), np.random.default_rng(0), image_format="png")
    frame = scrub.frame(2)
    assert frame.shape == (16, 16, 1)
    decoded = np.asarray(Image.open(io.BytesIO(scrub.encode(2))))
    assert decoded.shape == (16, 16) and np.array_equal(decoded, frame[..., 0])


def test_time_update_restores_the_frame_on_show():
    scrub = TimestepScrubber(data.sample_image(16), SCHEDULE, np.random.default_rng(0), t=42)
    seconds = scrub.time_update(repeats=5)
    assert seconds > 0
    assert scrub.image.value == scrub.encode(42)


def test_show_displays_the_widget_with_a_static_strip(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append(obj))
    scrub = scrubber_module.timestep_scrubber(data.sample_image(200), SCHEDULE, np.random.default_rng(0))
    (bundle,) = shown
    assert bundle[WIDGET_MIME]["model_id"] == scrub.widget.model_id
    strip = Image.open(io.BytesIO(__import__("base64").b64decode(bundle["image/png"])))
    assert strip.size[0] > 4 * strip.size[1]  # a strip of frames, wider than tall
    assert plt.get_fignums() == []  # the static figure was closed after being encoded


def test_static_figure_is_subsampled_from_the_same_noise():
    x0 = data.sample_image(200)
    scrub = TimestepScrubber(x0, SCHEDULE, np.random.default_rng(0))
    fig = scrub.static_figure([0, 1000])
    shown = fig.axes[1].images[0].get_array()
    assert shown.shape == (50, 50, 3)  # every 4th pixel: at most 64 a side
    sub_x0, sub_eps = x0[:, ::4, ::4], scrub.eps[:, ::4, ::4]
    expected = np.clip((math.sqrt(ABAR[999]) * sub_x0 + math.sqrt(1 - ABAR[999]) * sub_eps + 1) / 2, 0, 1)
    assert np.allclose(shown, expected.transpose(1, 2, 0))


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
