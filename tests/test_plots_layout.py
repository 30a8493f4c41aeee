"""Every course figure stays inside its canvas and keeps its titles apart, drawn as notebooks draw it.

Notebooks render figures with ``bbox_inches=None`` (see ``course_lib.plots.render_inline_without_tight_bbox``):
nothing crops or extends the canvas, so a title wider than its panel or a legend pushed outside would be cut
off. Each figure here is built with the arguments its notebook passes (titles included), drawn, and checked:
every text and legend lies inside the figure, and the suptitle overlaps no panel title.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402

from course_lib import data, exact_reverse, forward, schedules, score  # noqa: E402
from course_lib.plots import distributions, images, render_inline_without_tight_bbox, schedule_label  # noqa: E402
from course_lib.plots import schedules as sched_plots  # noqa: E402
from course_lib.plots import score as score_plots  # noqa: E402
from course_lib.plots import trajectories  # noqa: E402
from course_lib.widgets.schedule_explorer import _figure as explorer_figure  # noqa: E402

RNG = np.random.default_rng(0)
LINEAR = schedules.linear_schedule(1000)
COSINE200 = schedules.cosine_schedule(200)
MIXTURE = score.GaussianMixture(weights=[0.3, 0.7], means=[-2.0, 2.0], covariances=[0.35**2, 0.35**2])
RING = score.GaussianMixture(np.full(8, 1 / 8), 2.0 * np.stack([np.cos(np.arange(8) * np.pi / 4),
                                                                 np.sin(np.arange(8) * np.pi / 4)], axis=1),
                             np.full(8, 0.15**2))


def _curves():
    curves = {name: schedules.get_schedule(name, 1000)
              for name in ["linear", "cosine", "sigmoid", "quadratic", "scaled_linear"]}
    curves["simple cosine"] = schedules.simple_cosine_alphas_cumprod(1000)
    return curves


def _tweedie_estimates():
    x0 = MIXTURE.sample(5000, RNG)
    out = []
    for t in (20, 80, 140):
        ab = COSINE200.alpha_bar(t)
        eps = RNG.standard_normal(x0.shape)
        x_t = np.sqrt(ab) * x0 + np.sqrt(1 - ab) * eps
        centres, eps_mean, eps_err, counts = score.conditional_mean_by_bins(x_t, eps, np.linspace(-4, 4, 41))
        ok = counts >= 20
        out.append({"alpha_bar": ab, "x_t": x_t, "centres": centres[ok],
                    "score": score.score_from_eps(eps_mean[ok], ab), "error": eps_err[ok] / np.sqrt(1 - ab)})
    return out


def _paths(T, n, x0=0.8, shrink=True):
    eps = RNG.standard_normal((T, n))
    start = np.full(n, x0)
    if shrink:
        return forward.forward_chain(start, np.full(T, 0.02), eps)
    return np.concatenate([start[None], start + np.sqrt(0.02) * np.cumsum(eps, axis=0)])


def _reverse_gap():
    """The notebook's five chains, each with a stand-in profile (the layout does not depend on the numbers)."""
    bimodal = score.GaussianMixture([0.5, 0.5], [-2.0, 2.0], [0.35**2, 0.35**2])
    worst, reverses = {}, {}
    for T in (1000, 200, 50, 10, 1):
        chain = exact_reverse.respaced(LINEAR, T)
        worst[T] = exact_reverse.WorstCase(0.5 / T, 1, -0.06, np.geomspace(0.5 / T, 1e-7, T))
        reverses[T] = exact_reverse.reverse_at(bimodal, chain, 1, -0.06)
    return distributions.reverse_gap_figure(worst, reverses, "The exact reverse of one step, where it is least Gaussian")


def _sd_pair():
    sd = schedules.get_schedule("scaled_linear", 1000)
    return sd, schedules.rescale_zero_terminal_snr(sd)


img64, gift48 = data.sample_image(64), data.gift_image(48)
traj_1d = RNG.standard_normal((201, 2000))
FIGURES = {
    # notebook 01
    "01 noising_strip": lambda: images.noising_strip(img64, LINEAR, [0, 50, 100, 200, 300, 500, 1000],
                                                     RNG.standard_normal(img64.shape)),
    "01 dissolving": lambda: distributions.dissolving_figure(
        [RNG.normal(0, 1, 2000)] * 4, [0, 250, 500, 1000],
        "Two modes dissolving into N(0, 1) (DDPM's linear schedule, T = 1000)"),
    "01 variance": lambda: distributions.variance_figure([0.0, 1.0, 4.0], 0.02, 300, np.ones((3, 301)),
                                                         np.ones((3, 301))),
    "01 same_endpoint": lambda: images.same_endpoint_figure(
        data.sample_image(48), gift48, LINEAR, [0, 100, 250, 500, 1000],
        RNG.standard_normal((3, 48, 48)), RNG.standard_normal(gift48.shape)),
    "01 ks_distance": lambda: distributions.ks_distance_figure(
        RNG.normal(0.6, 0.8, 12), "12 values drawn from N(0.6, 0.8²), against N(0, 1)"),
    "01 density peaks": lambda: distributions.density_peaks_figure(
        score.GaussianMixture([0.5, 0.5], [-2.0, 2.0], [0.35**2, 0.35**2]), LINEAR, [200, 300, 394, 500],
        "The exact density of $x_t$: where the two modes become one"),
    "01 reverse_gap": _reverse_gap,
    "01 path_comparison": lambda: images.path_comparison_figure(
        img64, {"good path:\nDDPM's linear": LINEAR,
                "bad path:\nsudden": schedules.from_betas(np.concatenate([[0.999], np.full(999, 1e-4)]))},
        [0, 1, 100, 300, 600, 1000], RNG.standard_normal(img64.shape), "The same image and noise, two forward paths"),
    # notebook 02
    "02 fan_out": lambda: trajectories.fan_out_figure(_paths(300, 500),
                                                      title=r"One value dissolving: 300 steps of $\beta$ = 0.02"),
    "02 beta_tradeoff": lambda: trajectories.beta_tradeoff_figure(
        [1e-4, 0.02, 0.5], 1000, RNG.standard_normal(2000), [RNG.standard_normal(2000)] * 3),
    # notebook 03
    "03 image_strip": lambda: images.image_strip(
        [img64] * 3, ["$x_0$ (the data)", "$x_t$, t = 300: the input", "$\\epsilon$: the answer key"],
        "One training example, made in one call", panel_inches=2.0),
    "03 noising_strip": lambda: images.noising_strip(img64, LINEAR, [0, 10, 100, 250, 500, 750, 1000],
                                                     RNG.standard_normal(img64.shape),
                                                     title="Each frame in one jump from the clean image"),
    "03 merge": lambda: distributions.merge_figure(
        {t: RNG.standard_normal(10_000) for t in (250, 394, 600)},
        {t: RNG.standard_normal(10_000) for t in (250, 394, 600)}, LINEAR.alphas_cumprod, 394,
        score.GaussianMixture([0.5, 0.5], [-2.0, 2.0], [0.35**2, 0.35**2])),
    "03 image_strip batch": lambda: images.image_strip(
        [img64] * 4, ["t = 1", "t = 250", "t = 500", "t = 1000"], "One batch, one expression, one step per image"),
    "03 posterior": lambda: distributions.posterior_figure(
        RNG.normal(0.7155, 0.45, 100_000), RNG.normal(0.64, 0.6, 100_000), 0.3730, 0.01, (0.5829, 1 / 9),
        (0.7155, 0.2), 0.6261),
    "03 timing": lambda: distributions.timing_figure([10, 100, 1000], [0.0015, 0.015, 0.15],
                                                     [0.0002, 0.0002, 0.0002]),
    # notebook 04
    "04 curriculum": lambda: sched_plots.curriculum_figure(
        {n: schedules.get_schedule(n, 1000) for n in ("linear", "cosine", "scaled_linear")},
        title="Three schedules, one budget of T = 1000 steps"),
    "04 wasted": lambda: sched_plots.wasted_steps_figure(_curves(), title="Where the 1000 steps go"),
    "04 data_scale": lambda: sched_plots.data_scale_figure(
        LINEAR, {"[-1, 1]": 0.319, "[0, 1]": 0.0797, "[0, 255]": 5184.0}, {r: img64 for r in ("[-1, 1]", "[0, 1]", "[0, 255]")},
        "The data's variance moves every SNR: the portrait in three pixel ranges"),
    "04 time_warp": lambda: sched_plots.time_warp_figure(
        [{"alpha_bar": a, "density": MIXTURE.noised(a).pdf(np.linspace(-4, 4, 101)),
          "samples": {"linear": (185, RNG.standard_normal(2000)), "cosine": (365, RNG.standard_normal(2000))}}
         for a in (0.699, 0.3, 0.1)], np.linspace(-4, 4, 101),
        r"Two schedules, run step by step: the same $\bar\alpha$ gives the same distribution"),
    "04 image_row 3": lambda: sched_plots.image_row_figure(
        [data.sample_image(128, gray=True)] * 3,
        ["clean $x_0$", "mean of 1000 draws of $x_T$\nStable Diffusion", "mean of 1000 draws of $x_T$\nzero terminal SNR"],
        "What $x_T$ still knows about $x_0$", stretch=[False, True, True], size=2.6),
    "04 zero_terminal_snr": lambda: sched_plots.zero_terminal_snr_figure(*_sd_pair()),
    "04 spacing": lambda: sched_plots.spacing_figure(
        dict(zip(("scaled_linear", "scaled_linear_zero_terminal_snr"), _sd_pair())),
        {s: schedules.sampling_timesteps(1000, 50, s) for s in ("leading", "trailing")}),
    "04 image_row 5": lambda: sched_plots.image_row_figure(
        [data.sample_image(256 // k, gray=True) for k in (1, 2, 4, 8, 16)],
        [f"k = {k}: {256 // k} x {256 // k}" for k in (1, 2, 4, 8, 16)],
        "One noisy image (cosine, t = 774, log SNR = -2.00), average-pooled k x k", stretch=True),
    "04 frequency": lambda: sched_plots.frequency_figure(
        (np.arange(1, 129), 2e4 / np.arange(1, 129) ** 2), schedules.get_schedule("cosine", 1000), [100, 300, 500, 700, 900],
        {n: (np.arange(1, n // 2 + 1), 2e3 * (n / 512) ** 2 / np.arange(1, n // 2 + 1) ** 2) for n in (64, 256, 512)},
        0.00468, {name: (np.array([1, 2, 4, 8]), np.array([0.9, 0.6, 0.3, 0.05]))
                  for name in ("scaled_linear", "scaled_linear_zero_terminal_snr", "linear")},
        "Coarse scales outlive fine ones: the SNR of $x_t$ frequency by frequency"),
    "04 shifted": lambda: sched_plots.shifted_figure(schedules.get_schedule("cosine", 1000), [64, 128, 256, 512, 1024]),
    "04 explorer": lambda: explorer_figure(img64, RNG.standard_normal(img64.shape),
                                           ("linear", "cosine", "scaled_linear"), 1000, 500),
    # notebook 05
    "05 score_arrows": lambda: score_plots.score_arrows_figure(MIXTURE, marks=[-4.0, -0.17, 0.12, 4.0]),
    "05 single_point": lambda: score_plots.single_point_figure(
        np.array([1.5, 1.0]), RNG.standard_normal((400, 2)), RNG.standard_normal((400, 2)), 0.5),
    "05 tweedie": lambda: score_plots.tweedie_check_figure(MIXTURE, _tweedie_estimates()),
    "05 reverse_strip": lambda: score_plots.reverse_strip_figure(
        {"exact score\n(DDPM)": traj_1d, "exact score\n(ODE)": traj_1d, "wrong score -x": traj_1d}, COSINE200,
        MIXTURE, steps=[200, 170, 140, 100, 50, 0]),
    "05 score_field": lambda: score_plots.score_field_figure(RING, COSINE200, steps=[200, 110, 70, 40, 0],
                                                             trajectory=RNG.standard_normal((201, 300, 2))),
    "05 learned_score": lambda: score_plots.learned_score_figure(MIXTURE, COSINE200, score.exact_score_fn(MIXTURE),
                                                                 steps=[10, 60, 120, 180]),
    "05 sde_limit": lambda: score_plots.sde_limit_figure(
        {T: {"tau": np.arange(T + 1) / T, "euler": score.variance_path(*score.vp_euler_maruyama_steps(T)),
             "chain": 1 - score.vp_alpha_bar(np.arange(T + 1) / T), "betas": score.vp_schedule(T).betas}
         for T in (10, 100, 1000)}),
}


def _texts(fig):
    """The figure-level texts and legends (suptitles, figure legends) of the figure and its subfigures."""
    found = []
    for sub in [fig, *fig.subfigs]:
        found += [t for t in sub.texts if t.get_visible() and t.get_text().strip()] + list(sub.legends)
        if sub._suptitle is not None and sub._suptitle.get_text():
            found.append(sub._suptitle)
    return found


def _inside(box, width, height, slack: float = 5.0) -> bool:
    """``box`` within the canvas, give or take ``slack`` pixels: a mathtext extent includes a few pixels of
    empty descent below its ink (a cut-off title or legend misses by tens of pixels)."""
    return box.x0 >= -slack and box.y0 >= -slack and box.x1 <= width + slack and box.y1 <= height + slack


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_fits_its_canvas_and_titles_do_not_collide(name):
    fig = FIGURES[name]()
    try:
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        width, height = fig.bbox.width, fig.bbox.height
        for ax in fig.axes:  # the panel with its drawn ticks, labels, titles, legends and annotations
            box = ax.get_tightbbox(renderer)
            assert _inside(box, width, height), (
                f"{name}: the panel {ax.get_title()!r} spans {box.bounds}, beyond the {width:.0f} x {height:.0f} px canvas")
        for artist in _texts(fig):
            box = artist.get_window_extent(renderer)
            assert _inside(box, width, height), (
                f"{name}: {getattr(artist, 'get_text', lambda: 'a legend')()!r} at {box.bounds} leaves the canvas")
        titles = [t for sub in [fig, *fig.subfigs] for t in [sub._suptitle] if t is not None and t.get_text()]
        panel_titles = [t for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]
        for sup in titles:
            for title in panel_titles:
                overlap = sup.get_window_extent(renderer).overlaps(title.get_window_extent(renderer))
                assert not overlap, f"{name}: the suptitle {sup.get_text()!r} covers {title.get_text()!r}"
        assert titles or all(ax.get_title() for ax in fig.axes), f"{name}: a panel without a title"
    finally:
        plt.close(fig)


def test_no_raw_underscores_or_mixed_alpha_bar_in_figure_text():
    """Labels use the mathtext notation ($\\bar\\alpha_t$, $x_0$), never "alpha_bar" or "scaled_linear"."""
    for name in ["04 curriculum", "04 wasted", "04 explorer", "05 tweedie", "05 learned_score", "05 score_field"]:
        fig = FIGURES[name]()
        try:
            texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
            for text in texts:
                outside_math = "".join(text.split("$")[::2])
                assert "_" not in outside_math and "alpha" not in outside_math, f"{name}: raw notation in {text!r}"
        finally:
            plt.close(fig)


def test_schedule_label_reads_like_prose():
    assert schedule_label("scaled_linear") == "scaled linear"
    assert schedule_label("squaredcos_cap_v2") == "cosine"
    assert schedule_label("linear") == "linear"
    assert schedule_label("my_new_schedule") == "my new schedule"


def test_fan_is_one_collection_of_the_first_paths_and_the_highlight_is_exact():
    traj = np.cumsum(np.random.default_rng(1).standard_normal((1001, 500)), axis=0)
    fig, ax = plt.subplots()
    try:
        trajectories.plot_trajectories(ax, traj, max_lines=100)
        (fan,) = [c for c in ax.collections if isinstance(c, LineCollection)]
        segments = fan.get_segments()
        assert len(segments) == 100  # the first 100 paths, one artist
        stride = 1001 // 300
        assert np.array_equal(segments[7][:, 1], traj[::stride, 7])
        assert np.array_equal(segments[7][:, 0], np.arange(1001)[::stride])
        (highlight,) = ax.get_lines()
        assert np.array_equal(highlight.get_ydata(), traj[:, 0])  # every step of the bold path
        assert ax.get_ylim()[0] <= traj[::stride, :100].min() and ax.get_ylim()[1] >= traj[::stride, :100].max()
    finally:
        plt.close(fig)


def test_histograms_are_drawn_from_all_values_as_one_step_patch():
    x = np.random.default_rng(2).normal(0, 1, 4000)
    fig = distributions.dissolving_figure([x, x], [0, 1000], "title")
    try:
        ax = fig.axes[1]
        filled = [p for p in ax.patches if p.get_fill()]
        assert len(filled) == 1  # one StepPatch, not 80 bars
        expected, _ = np.histogram(x, bins=np.linspace(-4, 4, 81), density=True)
        assert np.allclose(filled[0].get_data().values, expected)
    finally:
        plt.close(fig)


def test_inline_setting_is_a_no_op_outside_ipython():
    assert render_inline_without_tight_bbox() is False
