"""Sections 2-4 of ``make bench``: ``q_sample`` and the noise draw, the chain against the closed form, the scrubber."""

from __future__ import annotations

import numpy as np

from course_lib import data, forward
from course_lib.schedules import linear_schedule
from course_lib.widgets.scrubber import TimestepScrubber

from ._timing import Row, interleaved_medians

__all__ = ["q_sample_rows", "rng_rows", "chain_rows", "scrubber_rows", "BATCH_SHAPE"]

#: A training batch of 64 RGB images of 256 x 256, one timestep per sample.
BATCH_SHAPE = (64, 3, 256, 256)
SCHEDULE = linear_schedule(1000)


def _batch(dtype, seed: int = 0):
    """x0, a pre-drawn eps, per-sample t, and the gathered coefficients a, b with shape [B, 1, 1, 1]."""
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal(BATCH_SHAPE, dtype=dtype)
    eps = rng.standard_normal(BATCH_SHAPE, dtype=dtype)
    t = rng.integers(1, SCHEDULE.num_timesteps + 1, BATCH_SHAPE[0])
    a = SCHEDULE.sqrt_alphas_cumprod[t - 1].astype(dtype).reshape(-1, 1, 1, 1)
    b = SCHEDULE.sqrt_one_minus_alphas_cumprod[t - 1].astype(dtype).reshape(-1, 1, 1, 1)
    return x0, eps, t, a, b


def q_sample_rows(repeats: int) -> list[Row]:
    """``q_sample`` against the bare ``a * x0 + b * eps``, eps given or drawn."""
    rows = []
    for dtype in (np.float64, np.float32):
        x0, eps, t, a, b = _batch(dtype)
        rng = np.random.default_rng(1)
        name = np.dtype(dtype).name
        m = interleaved_medians({
            "bare": lambda: a * x0 + b * eps,
            "q_sample": lambda: forward.q_sample(x0, t, SCHEDULE, eps=eps),
            "bare+draw": lambda: a * x0 + b * rng.standard_normal(BATCH_SHAPE, dtype=dtype),
            "q_sample+draw": lambda: forward.q_sample(x0, t, SCHEDULE, rng=rng),
        }, repeats)
        bare = f"a * x0 + b * eps ({name})"
        drawn = f"same, drawing eps ({name})"
        rows += [
            Row("2", f"q_sample, eps given, {name}", m["q_sample"], bare, m["bare"], max_ratio=1.1),
            Row("2", f"q_sample drawing eps (rng=), {name}", m["q_sample+draw"], drawn, m["bare+draw"], max_ratio=1.1),
        ]
    return rows


def rng_rows(repeats: int) -> list[Row]:
    """Ways to draw a batch of standard-normal noise, against ``rng.standard_normal(shape, dtype=...)``.

    ``rng`` is ``np.random.default_rng`` (PCG64), what the course passes everywhere; SFC64 is another bit
    generator, shown for comparison (the caller picks the generator, q_sample only draws from it).
    """
    rng = np.random.default_rng(2)
    sfc64 = np.random.Generator(np.random.SFC64(2))
    rows = []
    for dtype in (np.float64, np.float32):
        out = np.empty(BATCH_SHAPE, dtype=dtype)
        name = np.dtype(dtype).name
        cast = ".astype(float32)" if dtype == np.float32 else ""
        calls = {f"rng.standard_normal(shape, dtype={name})": lambda: rng.standard_normal(BATCH_SHAPE, dtype=dtype),
                 f"rng.normal(size=shape){cast}": lambda: rng.normal(size=BATCH_SHAPE).astype(dtype, copy=False),
                 f"rng.standard_normal(dtype={name}, out=buffer)": lambda: rng.standard_normal(dtype=dtype, out=out),
                 f"Generator(SFC64(seed)).standard_normal(shape, dtype={name})":
                     lambda: sfc64.standard_normal(BATCH_SHAPE, dtype=dtype)}
        if dtype == np.float32:
            calls["rng.standard_normal(shape).astype(float32)"] = lambda: rng.standard_normal(BATCH_SHAPE).astype(dtype)
        m = interleaved_medians(calls, repeats)
        baseline, *others = calls
        rows += [Row("2", f"draw {name} noise: {call}", m[call], baseline, m[baseline]) for call in others]
    return rows


def chain_rows(repeats: int, steps=(10, 100, 1000), size: int = 64) -> list[Row]:
    """``forward_chain`` over t steps against ``q_sample`` at t, on one RGB image, noise given or drawn."""
    x0 = data.sample_image(size)
    rng = np.random.default_rng(3)
    rows = []
    for t in steps:
        betas = SCHEDULE.betas[:t]
        eps_chain = rng.standard_normal((t, *x0.shape))
        eps = rng.standard_normal(x0.shape)
        m = interleaved_medians({
            "chain": lambda: forward.forward_chain(x0, betas, eps_chain),
            "closed": lambda: forward.q_sample(x0, t, SCHEDULE, eps=eps),
            "chain+draw": lambda: forward.forward_chain(x0, betas, rng.standard_normal((t, *x0.shape))),
            "closed+draw": lambda: forward.q_sample(x0, t, SCHEDULE, rng=rng),
        }, repeats)
        rows += [Row("3", f"forward_chain to t = {t}, eps given ([3, {size}, {size}])", m["chain"],
                     "q_sample at t", m["closed"]),
                 Row("3", f"forward_chain to t = {t}, drawing eps", m["chain+draw"], "q_sample drawing eps",
                     m["closed+draw"])]
    return rows


def scrubber_rows(repeats: int, size: int = 512) -> list[Row]:
    """The scrubber on a size x size image: what the kernel does once (build it: the clean image and the noise
    draw encoded for the browser) against the arithmetic of one frame, which the browser does per slider step
    (``tests/test_browser.py`` measures that step on screen)."""
    x0 = data.sample_image(size)
    rows = []
    for image_format in ("jpeg", "png"):
        scrubber = TimestepScrubber(x0, SCHEDULE, np.random.default_rng(4), image_format=image_format)
        cycle = iter(np.tile(np.linspace(1, SCHEDULE.num_timesteps, repeats).astype(int), 4))
        m = interleaved_medians({
            "build": lambda f=image_format: TimestepScrubber(x0, SCHEDULE, np.random.default_rng(4), image_format=f),
            "frame": lambda: scrubber.frame(next(cycle))}, repeats)
        rows.append(Row("4", f"scrubber built once, {size} x {size} RGB, {image_format}", m["build"],
                        "one frame's arithmetic (the browser's, per step)", m["frame"]))
    return rows
