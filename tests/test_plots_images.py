"""Figures of notebooks 01 and 03: what each one draws is the data it was given (checked on the artists)."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib import data  # noqa: E402
from course_lib.plots import PALETTE, distributions, images  # noqa: E402
from course_lib.schedules import linear_schedule  # noqa: E402
from course_lib.stats import ks_2samp  # noqa: E402

SCHEDULE = linear_schedule(1000)
ABAR = np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))  # alpha_bar_1..1000, computed independently


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- images ---------------------------------------------------------------------------------------------

def test_noising_frames_are_the_closed_form_with_one_shared_eps():
    x0 = data.sample_image(16)
    eps = np.random.default_rng(0).standard_normal(x0.shape)
    frames = images.noising_frames(x0, SCHEDULE, [0, 1, 500, 1000], eps)
    assert np.array_equal(frames[0], x0)
    for frame, t in zip(frames[1:], [1, 500, 1000]):
        assert np.allclose(frame, math.sqrt(ABAR[t - 1]) * x0 + math.sqrt(1 - ABAR[t - 1]) * eps, atol=1e-12)


def test_noising_strip_shows_each_frame_with_its_step_and_signal_factor():
    x0 = data.sample_image(16)
    eps = np.random.default_rng(0).standard_normal(x0.shape)
    fig = images.noising_strip(x0, SCHEDULE, [0, 250, 1000], eps)
    assert len(fig.axes) == 3
    labels = [ax.get_xlabel() for ax in fig.axes]
    assert labels[1] == "t = 250\n" + r"$\sqrt{\bar\alpha_t}$" + f" = {math.sqrt(ABAR[249]):.2f}"
    assert labels[2].endswith("= 0.01")
    shown = fig.axes[2].images[0].get_array()
    expected = np.clip((math.sqrt(ABAR[999]) * x0 + math.sqrt(1 - ABAR[999]) * eps + 1) / 2, 0, 1).transpose(1, 2, 0)
    assert np.allclose(shown, expected)
    assert "linear schedule, T = 1000" in fig.get_suptitle()


def test_image_strip_needs_one_label_per_image():
    with pytest.raises(ValueError, match="one label per image"):
        images.image_strip([data.sample_image(8)] * 2, ["only one"], "title")


def test_same_endpoint_figure_reports_the_two_sample_ks_of_the_endpoints():
    rng = np.random.default_rng(6)
    portrait, gift = data.sample_image(24), data.gift_image(24)
    eps_a, eps_b = rng.standard_normal(portrait.shape), rng.standard_normal(gift.shape)
    fig = images.same_endpoint_figure(portrait, gift, SCHEDULE, [0, 500, 1000], eps_a, eps_b)
    end_a = (math.sqrt(ABAR[999]) * portrait + math.sqrt(1 - ABAR[999]) * eps_a).ravel()
    end_b = (math.sqrt(ABAR[999]) * gift + math.sqrt(1 - ABAR[999]) * eps_b).ravel()
    d, p = ks_2samp(end_a, end_b)
    titles = [ax.get_title() for ax in fig.axes]
    assert f"(two-sample KS: D = {d:.3f}, p = {p:.2f})" in titles[-1]
    assert p > 0.05  # the endpoints of the two very different images are indistinguishable
    assert ks_2samp(portrait.ravel(), gift.ravel())[1] < 1e-10  # their starts are not
    start_labels = [t.get_text() for t in fig.axes[-2].get_legend().get_texts()]
    assert start_labels == [f"portrait: mean {portrait.mean():+.2f}, std {portrait.std():.2f}",
                            f"gift box: mean {gift.mean():+.2f}, std {gift.std():.2f}"]


# --- distributions --------------------------------------------------------------------------------------

def test_dissolving_figure_titles_carry_each_samples_moments():
    rng = np.random.default_rng(0)
    samples = [rng.normal(2.0, 0.5, 1000), rng.normal(0.0, 1.0, 1000)]
    fig = distributions.dissolving_figure(samples, [0, 1000], "title")
    assert [ax.get_title() for ax in fig.axes] == [
        f"t = {t}\nmean {x.mean():+.2f}, variance {x.var():.2f}" for x, t in zip(samples, [0, 1000])]
    with pytest.raises(ValueError, match="one sample set per step"):
        distributions.dissolving_figure(samples, [0], "title")


def test_variance_figure_draws_the_closed_forms_and_the_measurements():
    measured = np.full((2, 11), 0.5)
    fig = distributions.variance_figure([0.0, 4.0], 0.1, 10, measured_without=measured, measured_with=measured)
    ax_without, ax_with = fig.axes
    t = np.arange(11)
    curves_with = [line.get_ydata() for line in ax_with.get_lines() if line.get_linestyle() == "-"]
    assert np.allclose(curves_with[0], 1 - 0.9**t) and np.allclose(curves_with[1], 4 * 0.9**t + 1 - 0.9**t)
    curves_without = [line.get_ydata() for line in ax_without.get_lines() if line.get_linestyle() == "-"
                      and len(line.get_ydata()) == 11]
    assert np.allclose(curves_without[1], 4 + 0.1 * t)
    dots = [line for line in ax_with.get_lines() if line.get_marker() == "o"]
    assert len(dots) == 2 and np.allclose(dots[0].get_ydata(), 0.5)


def test_ks_distance_figure_marks_the_largest_gap():
    x = np.array([0.3, -1.2, 2.0, 0.7, -0.1])  # KS distance 0.260172162722971 (see the notebook 01 checks)
    fig = distributions.ks_distance_figure(x)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "largest gap: D = 0.260" in labels
    arrow = fig.axes[0].texts[0]
    assert arrow.xy[0] == pytest.approx(-0.1)  # the gap sits at the bottom of the step at x = -0.1
    assert abs(arrow.xy[1] - arrow.xyann[1]) == pytest.approx(0.260172162722971, abs=1e-12)


def test_merge_figure_marks_the_merge_and_reports_each_ks_test():
    from course_lib.score import GaussianMixture

    rng = np.random.default_rng(1)
    two_modes = GaussianMixture([0.5, 0.5], [-2.0, 2.0], [0.35**2, 0.35**2])
    chain = {t: rng.standard_normal(3000) for t in (250, 394)}
    closed = {t: rng.standard_normal(2000) + 0.1 for t in (250, 394)}
    fig = distributions.merge_figure(chain, closed, ABAR, 394, two_modes)
    curves, *panels = fig.axes
    distance, width = curves.get_lines()[:2]
    # the two curves cross at the merge: sqrt(abar) m = sqrt(abar s^2 + 1 - abar), abar = 1 / (1 + m^2 - s^2)
    assert distance.get_ydata()[393] > width.get_ydata()[393] and distance.get_ydata()[394] <= width.get_ydata()[394]
    assert distance.get_ydata()[0] == pytest.approx(2.0) and width.get_ydata()[0] == pytest.approx(0.35)
    for ax, t in zip(panels, (250, 394)):
        d, p = ks_2samp(chain[t], closed[t])
        assert ax.get_title().endswith(f"KS: D = {d:.4f}, p = {p:.2f}")
        exact = [line for line in ax.get_lines() if line.get_linestyle() == "--"][0]
        expected = two_modes.noised(ABAR[t - 1]).pdf(exact.get_xdata())
        assert np.allclose(exact.get_ydata(), expected)
    assert "(merge)" in panels[1].get_title() and "(merge)" not in panels[0].get_title()


def test_posterior_figure_draws_the_posterior_it_was_given_and_the_chains_near_x2():
    rng = np.random.default_rng(2)
    x1 = rng.normal(0.7155, np.sqrt(0.2), 50_000)
    x2 = np.sqrt(0.8) * x1 + np.sqrt(0.2) * rng.standard_normal(50_000)
    fig = distributions.posterior_figure(x1, x2, 0.3730, 0.01, (0.5829, 1 / 9), (0.7155, 0.2), 0.6261)
    ax = fig.axes[1]
    near = int(np.sum(np.abs(x2 - 0.3730) < 0.01))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"$x_1$ of those {near} chains" in labels
    posterior = [line for line in ax.get_lines() if line.get_color() == PALETTE["vermillion"]][0]
    peak = posterior.get_xdata()[np.argmax(posterior.get_ydata())]
    assert peak == pytest.approx(0.5829, abs=0.01)  # the grid's spacing
    assert posterior.get_ydata().max() == pytest.approx(1 / np.sqrt(2 * np.pi / 9), rel=1e-3)


def test_timing_figure_labels_the_slowdown_and_fits_the_slope():
    fig = distributions.timing_figure([10, 100, 1000], [0.002, 0.02, 0.2], [0.001, 0.001, 0.001])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["2x slower", "20x slower", "200x slower"]
    fit = [line for line in ax.get_lines() if line.get_linestyle() == ":"][0]
    assert np.allclose(fit.get_ydata(), [2.0, 20.0, 200.0])  # 0.2 ms per step, in ms
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
