"""The schedule explorer: the numbers its browser front end draws, the density of steps along log SNR, the
static fallback (tests/test_browser.py and tests/test_book.py drive the front end itself)."""

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import course_lib.widgets.schedule_explorer as explorer  # noqa: E402
from course_lib import data  # noqa: E402
from course_lib.schedules import get_schedule, steps_per_log_snr  # noqa: E402
from course_lib.widgets._fallback import WIDGET_MIME  # noqa: E402

IMAGE = data.sample_image(16)
EPS = np.random.default_rng(0).standard_normal(IMAGE.shape)


def _floats(text):
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


@pytest.fixture(scope="module")
def widget():
    return explorer.schedule_explorer(IMAGE, EPS, labels=("linear", "cosine"), T=1000, t=500)


def test_every_schedule_and_every_T_is_sent_with_its_log_snr_alpha_bar_and_density(widget):
    assert [c["label"] for c in widget.choices] == list(explorer.CHOICES)
    assert widget.selected == ["linear", "cosine"] and (widget.T, widget.t, widget.mode) == (1000, 500, "t")
    assert set(widget.curves) == set(explorer.CHOICES)
    for by_T in widget.curves.values():
        assert sorted(map(int, by_T)) == sorted(explorer.T_OPTIONS)
    linear = explorer.CHOICES["linear"](1000)
    sent = widget.curves["linear"]["1000"]
    assert np.allclose(_floats(sent["log_snr"]), linear.log_snr, rtol=1e-6)
    assert np.allclose(_floats(sent["alphas_cumprod"]), linear.alphas_cumprod, rtol=1e-6)
    assert np.allclose(_floats(sent["density"]), steps_per_log_snr(linear, explorer.DENSITY_EDGES), rtol=1e-6)
    ztsnr = _floats(widget.curves["scaled_linear_zero_terminal_snr"]["1000"]["log_snr"])
    assert ztsnr[-1] == -np.inf and np.isfinite(ztsnr[:-1]).all()  # alpha_bar_T = 0: the front end skips it


def test_the_images_travel_as_8_bit_pixels(widget):
    x0 = np.asarray(Image.open(io.BytesIO(base64.b64decode(widget.x0))), dtype=float)
    eps = np.asarray(Image.open(io.BytesIO(base64.b64decode(widget.eps))), dtype=float)
    assert np.abs((x0 - 127.5) / 127.5 - IMAGE.transpose(1, 2, 0)).max() <= 0.5 / 127.5 + 1e-12
    assert np.abs((eps - 128) / widget.eps_scale - EPS.transpose(1, 2, 0)).max() <= 0.5 / widget.eps_scale + 1e-12


def test_density_counts_each_step_once_per_unit_log_snr():
    edges = explorer.DENSITY_EDGES
    for name, T in [("linear", 1000), ("cosine", 50)]:
        s = get_schedule(name, T)
        density = steps_per_log_snr(s, edges)
        assert (density * np.diff(edges)).sum() == pytest.approx(T)  # every step lands in one bin
    # the linear schedule's 1000 steps: 29.8 % below log SNR -5 (COURSE_GUIDE); bins of 0.5 from -25 to -5
    density = steps_per_log_snr(get_schedule("linear", 1000), edges)
    below = (density * np.diff(edges))[edges[1:] <= -5].sum()
    assert below == 298
    # the same curve at twice the steps: twice the density (up to the two ends of each bin: two steps)
    wide = np.linspace(-10, 5, 7)
    d500, d1000 = (steps_per_log_snr(get_schedule("cosine", T), wide) for T in (500, 1000))
    assert (np.abs(d1000 - 2 * d500) * np.diff(wide)).max() <= 2 and d1000.sum() > 100
    with pytest.raises(ValueError, match="edges must be"):
        steps_per_log_snr(get_schedule("cosine", 10), [1.0, 0.0])


def test_equal_alpha_bar_gives_the_same_picture_whatever_the_schedule():
    """What the log-SNR slider shows: at the step where each schedule reaches the same alpha_bar, q_sample
    with the one noise draw gives the same image (a schedule is a time-warp of log SNR)."""
    schedules = explorer.build_schedules(["linear", "cosine"], 1000)
    lam = -1.0
    steps = {k: int(np.argmin(np.abs(s.log_snr - lam))) + 1 for k, s in schedules.items()}
    images = [explorer.noised_images(IMAGE, EPS, {k: s}, steps[k])[k] for k, s in schedules.items()]
    assert steps["linear"] != steps["cosine"]
    assert np.abs(images[0] - images[1]).max() < 0.02  # log SNR within half a step of -1 in both


def test_show_displays_the_widget_with_the_starting_figure_as_fallback(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False, metadata=None: shown.append((obj, metadata)))
    assert explorer.show_schedule_explorer(IMAGE, EPS, labels=("linear",), T=100, t=50) is None
    ((bundle, metadata),) = shown
    assert bundle[WIDGET_MIME]["model_id"] and bundle["text/plain"].startswith("Schedule explorer")
    assert bundle["image/png"] and "t = 50" in metadata["image/png"]["alt"]
    assert plt.get_fignums() == []


@pytest.mark.parametrize("kwargs, phrase", [
    ({"labels": ("laplace",)}, "labels must be among"),
    ({"T": 300}, "T must be one of"),
    ({"t": 0}, "t must lie in 1..1000"),
    ({"mode": "alpha"}, "mode must be one of"),
])
def test_bad_arguments_are_named(kwargs, phrase):
    with pytest.raises(ValueError, match=phrase):
        explorer.schedule_explorer(IMAGE, EPS, **kwargs)
    noised = explorer.noised_images(IMAGE, np.zeros_like(IMAGE), explorer.build_schedules(["linear"], 10), 10)
    assert np.allclose(noised["linear"], np.sqrt(get_schedule("linear", 10).alphas_cumprod[-1]) * IMAGE)
