r"""Noise schedules: how much noise each forward step adds.

Timestep convention (used everywhere in the course)
---------------------------------------------------
The maths counts steps ``t = 1..T`` and writes :math:`\bar\alpha_t = \prod_{s=1}^{t} (1 - \beta_s)`,
with :math:`\bar\alpha_0 = 1` (clean data). Arrays are 0-indexed, as in Hugging Face diffusers:
``alphas_cumprod[t - 1]`` is :math:`\bar\alpha_t` and ``betas[t - 1]`` is :math:`\beta_t`.
:meth:`Schedule.alpha_bar` takes the maths' ``t`` (0..T) so you never have to do the shift by hand.

Every constructor returns a frozen :class:`Schedule` whose arrays are float64 and read-only.

Beyond the constructors (notebook 04): SNR and log SNR of any alpha_bar array, where a schedule's SNR
crosses a value (:func:`t_at_snr`), how many steps it spends at a low per-pixel SNR
(:func:`fraction_log_snr_below`), the zero-terminal-SNR rescale (:func:`rescale_zero_terminal_snr`),
the resolution-aware shift (:func:`shifted_schedule`, with :func:`average_pool` behind it), the teaching
cosine (:func:`simple_cosine_alphas_cumprod`), the other noise levels learners meet
(:func:`ve_sigmas`, :func:`flow_matching_sigmas`), betas from alpha_bar (:func:`betas_from_alphas_cumprod`)
and the steps a sampler visits (:func:`sampling_timesteps`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._validate import as_float_array, as_timesteps, check_open_unit, check_positive_int

__all__ = [
    "Schedule",
    "from_betas",
    "from_alphas_cumprod",
    "linear_schedule",
    "cosine_schedule",
    "sigmoid_schedule",
    "scaled_linear_schedule",
    "quadratic_schedule",
    "get_schedule",
    "SCHEDULES",
    "snr",
    "log_snr",
    "t_at_snr",
    "fraction_log_snr_below",
    "simple_cosine_alphas_cumprod",
    "rescale_zero_terminal_snr",
    "shifted_schedule",
    "average_pool",
    "ve_sigmas",
    "flow_matching_sigmas",
    "steps_per_log_snr",
    "betas_from_alphas_cumprod",
    "TIMESTEP_SPACINGS",
    "sampling_timesteps",
]


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, dtype=np.float64)
    arr.setflags(write=False)
    return arr


def _check_schedule(schedule, name: str = "schedule") -> None:
    """Require a :class:`Schedule` (not, say, a betas array): ``TypeError`` naming the argument otherwise."""
    if not isinstance(schedule, Schedule):
        raise TypeError(f"{name} must be a course_lib Schedule, got {type(schedule).__name__}")


def _check_num_timesteps(T) -> int:
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)):
        raise TypeError(f"T (num_timesteps) must be an integer, got {type(T).__name__}")
    if T < 1:
        raise ValueError(f"T (num_timesteps) must be at least 1; got {T}")
    return int(T)


@dataclass(frozen=True, eq=False)
class Schedule:
    r"""A noise schedule and every per-step quantity derived from it (all arrays have length T).

    Index ``i`` holds the value at the maths' ``t = i + 1``:

    - ``betas[i]``                         :math:`\beta_t`, the variance of the noise added at step t
    - ``alphas[i]``                        :math:`\alpha_t = 1 - \beta_t`
    - ``alphas_cumprod[i]``                :math:`\bar\alpha_t = \prod_{s \le t} \alpha_s`
    - ``alphas_cumprod_prev[i]``           :math:`\bar\alpha_{t-1}` (so ``alphas_cumprod_prev[0] = 1``)
    - ``sqrt_alphas_cumprod[i]``           :math:`\sqrt{\bar\alpha_t}`, the signal's scale in :math:`x_t`
    - ``sqrt_one_minus_alphas_cumprod[i]`` :math:`\sqrt{1 - \bar\alpha_t}`, the noise's scale in :math:`x_t`
    - ``snr[i]``                           :math:`\mathrm{SNR}(t) = \bar\alpha_t / (1 - \bar\alpha_t)`
    - ``log_snr[i]``                       :math:`\log \mathrm{SNR}(t)` (natural log)

    Build one with a constructor (:func:`linear_schedule`, :func:`cosine_schedule`, ...,
    :func:`from_betas`, :func:`from_alphas_cumprod`) rather than directly.

    Every beta and alpha_bar lies strictly inside (0, 1), with one exception: a schedule with zero
    terminal SNR (Lin et al. 2023, see :func:`rescale_zero_terminal_snr`) ends with
    ``alphas_cumprod[-1] == 0`` and ``betas[-1] == 1`` exactly; then ``snr[-1] = 0`` and
    ``log_snr[-1] = -inf``: x_T is pure noise.
    """

    betas: np.ndarray
    alphas_cumprod: np.ndarray
    name: str = "custom"
    alphas: np.ndarray = field(init=False, repr=False)
    alphas_cumprod_prev: np.ndarray = field(init=False, repr=False)
    sqrt_alphas_cumprod: np.ndarray = field(init=False, repr=False)
    sqrt_one_minus_alphas_cumprod: np.ndarray = field(init=False, repr=False)
    snr: np.ndarray = field(init=False, repr=False)
    log_snr: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        betas = as_float_array(self.betas, "betas").astype(np.float64)
        abar = as_float_array(self.alphas_cumprod, "alphas_cumprod").astype(np.float64)
        if betas.ndim != 1 or betas.size < 1:
            raise ValueError(f"betas must be a non-empty 1-D array (one beta per step); got shape {betas.shape}")
        if abar.shape != betas.shape:
            raise ValueError(f"alphas_cumprod must have the shape of betas {betas.shape}; got {abar.shape}")
        # zero terminal SNR: the last step may destroy the signal exactly (alpha_bar_T = 0, beta_T = 1)
        last = -1 if abar[-1] == 0.0 and betas[-1] == 1.0 else None
        check_open_unit(betas[:last], "betas")
        check_open_unit(abar[:last], "alphas_cumprod")
        values = {
            "betas": betas,
            "alphas_cumprod": abar,
            "alphas": 1.0 - betas,
            "alphas_cumprod_prev": np.concatenate([[1.0], abar[:-1]]),
            "sqrt_alphas_cumprod": np.sqrt(abar),
            "sqrt_one_minus_alphas_cumprod": np.sqrt(1.0 - abar),
            "snr": snr(abar),
            "log_snr": log_snr(abar),
        }
        for key, value in values.items():
            object.__setattr__(self, key, _frozen(value))

    @property
    def num_timesteps(self) -> int:
        """T, the number of forward steps."""
        return int(self.betas.shape[0])

    def alpha_bar(self, t) -> np.ndarray | float:
        r""":math:`\bar\alpha_t` for the maths' ``t`` in 0..T (scalar or array); :math:`\bar\alpha_0 = 1`.

        ``alpha_bar(t) == alphas_cumprod[t - 1]`` for ``t >= 1``.
        """
        steps = as_timesteps(t, self.num_timesteps, "t")
        padded = np.concatenate([[1.0], self.alphas_cumprod])
        out = padded[steps]
        return float(out) if out.ndim == 0 else out

    def __len__(self) -> int:
        return self.num_timesteps

    def __eq__(self, other) -> bool:
        """Two schedules are equal when their betas and alphas_cumprod are equal value for value."""
        return (
            isinstance(other, Schedule)
            and np.array_equal(self.betas, other.betas)
            and np.array_equal(self.alphas_cumprod, other.alphas_cumprod)
        )


def from_betas(betas, name: str = "custom") -> Schedule:
    r"""Schedule from per-step betas: :math:`\bar\alpha_t = \prod_{s=1}^{t} (1 - \beta_s)`.

    ``betas``: 1-D, every entry strictly inside (0, 1).
    """
    betas = as_float_array(betas, "betas").astype(np.float64)
    if betas.ndim != 1 or betas.size < 1:
        raise ValueError(f"betas must be a non-empty 1-D array (one beta per step); got shape {betas.shape}")
    check_open_unit(betas, "betas")
    return Schedule(betas=betas, alphas_cumprod=np.cumprod(1.0 - betas), name=name)


def from_alphas_cumprod(alphas_cumprod, name: str = "custom") -> Schedule:
    r"""Schedule from :math:`\bar\alpha_1..\bar\alpha_T`: :math:`\beta_t = 1 - \bar\alpha_t / \bar\alpha_{t-1}`.

    ``alphas_cumprod``: 1-D, strictly decreasing, every entry strictly inside (0, 1).
    The given values are kept exactly; only the betas are derived.
    """
    abar = as_float_array(alphas_cumprod, "alphas_cumprod").astype(np.float64)
    if abar.ndim != 1 or abar.size < 1:
        raise ValueError(f"alphas_cumprod must be a non-empty 1-D array; got shape {abar.shape}")
    check_open_unit(abar, "alphas_cumprod")
    prev = np.concatenate([[1.0], abar[:-1]])
    if np.any(abar >= prev):
        i = int(np.argmax(abar >= prev))
        raise ValueError(
            f"alphas_cumprod must be strictly decreasing (every step adds noise); entry {i} (t = {i + 1}) is "
            f"{abar[i]!r}, not below the previous {prev[i]!r}"
        )
    return _from_alpha_bar_values(abar, name)


def linear_schedule(T: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> Schedule:
    r"""DDPM's linear schedule (Ho et al. 2020, sec. 4): :math:`\beta_t` evenly spaced from beta_start to beta_end.

    ``betas = linspace(beta_start, beta_end, T)``; diffusers ``beta_schedule="linear"``.
    """
    T = _check_num_timesteps(T)
    _check_beta_range(beta_start, beta_end)
    return from_betas(np.linspace(beta_start, beta_end, T), name="linear")


def scaled_linear_schedule(T: int, beta_start: float = 0.00085, beta_end: float = 0.012) -> Schedule:
    r"""Stable Diffusion's schedule: :math:`\sqrt{\beta_t}` evenly spaced.

    ``betas = linspace(sqrt(beta_start), sqrt(beta_end), T) ** 2``; diffusers ``"scaled_linear"``.
    With ``beta_start=1e-4, beta_end=0.02`` this is also the original DDPM code's ``"quad"`` schedule.
    """
    T = _check_num_timesteps(T)
    _check_beta_range(beta_start, beta_end)
    return from_betas(np.linspace(math.sqrt(beta_start), math.sqrt(beta_end), T) ** 2, name="scaled_linear")


def sigmoid_schedule(
    T: int, beta_start: float = 1e-4, beta_end: float = 0.02, low: float = -6.0, high: float = 6.0
) -> Schedule:
    r"""Sigmoid schedule: :math:`\beta = \sigma(\mathrm{linspace}(low, high, T)) (\beta_{end} - \beta_{start}) + \beta_{start}`.

    diffusers ``beta_schedule="sigmoid"`` (low = -6, high = 6, as used for GeoDiff, Xu et al. 2022).
    """
    T = _check_num_timesteps(T)
    _check_beta_range(beta_start, beta_end)
    if not low < high:
        raise ValueError(f"low must be below high; got low={low!r}, high={high!r}")
    s = 1.0 / (1.0 + np.exp(-np.linspace(low, high, T)))
    return from_betas(s * (beta_end - beta_start) + beta_start, name="sigmoid")


def quadratic_schedule(T: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> Schedule:
    r"""Quadratic-in-t schedule: :math:`\beta_t = \beta_{start} + (\beta_{end} - \beta_{start}) (t / T)^2`, t = 1..T.

    This is the "t squared" form of the DDPM teaching material (alpha_bar_T = 1.132e-3 at T = 1000).
    It is *not* the original DDPM code's ``"quad"`` schedule, which squares evenly spaced square roots:
    that one is ``scaled_linear_schedule(T, 1e-4, 0.02)`` (alpha_bar_T = 7.33e-4).
    """
    T = _check_num_timesteps(T)
    _check_beta_range(beta_start, beta_end)
    t = np.arange(1, T + 1, dtype=np.float64)
    return from_betas(beta_start + (beta_end - beta_start) * (t / T) ** 2, name="quadratic")


def cosine_schedule(T: int, s: float = 0.008, max_beta: float = 0.999) -> Schedule:
    r"""Improved-DDPM cosine schedule (Nichol & Dhariwal 2021, eq. 17), diffusers ``"squaredcos_cap_v2"``.

    :math:`f(u) = \cos^2\!\big(\frac{u + s}{1 + s} \frac{\pi}{2}\big)`, and each step's beta is
    :math:`\beta_t = \min\big(1 - f(t/T) / f((t-1)/T),\ \text{max\_beta}\big)`; then
    :math:`\bar\alpha_t = \prod_{s \le t} (1 - \beta_s)`, which equals :math:`f(t/T)/f(0)` until the clip bites
    (only the last step at T = 1000).
    """
    T = _check_num_timesteps(T)
    if not (isinstance(s, (int, float, np.floating)) and 0 <= s < 1):
        raise ValueError(f"s (the cosine offset) must lie in [0, 1); got {s!r}")
    if not (isinstance(max_beta, (int, float, np.floating)) and 0 < max_beta < 1):
        raise ValueError(f"max_beta must lie strictly between 0 and 1; got {max_beta!r}")
    u = np.arange(T + 1, dtype=np.float64) / T
    f = np.cos((u + s) / (1 + s) * math.pi / 2) ** 2
    betas = np.minimum(1.0 - f[1:] / f[:-1], max_beta)
    return from_betas(betas, name="cosine")


def _check_beta_range(beta_start: float, beta_end: float) -> None:
    for name, value in (("beta_start", beta_start), ("beta_end", beta_end)):
        if not (isinstance(value, (int, float, np.floating)) and 0 < value < 1):
            raise ValueError(f"{name} must lie strictly between 0 and 1; got {value!r}")


SCHEDULES = {
    "linear": linear_schedule,
    "cosine": cosine_schedule,
    "sigmoid": sigmoid_schedule,
    "scaled_linear": scaled_linear_schedule,
    "quadratic": quadratic_schedule,
}


def get_schedule(name: str, T: int, **kwargs) -> Schedule:
    """Build a schedule by name: one of ``linear``, ``cosine``, ``sigmoid``, ``scaled_linear``, ``quadratic``.

    ``kwargs`` go to the constructor (e.g. ``beta_start``, ``s``).
    """
    try:
        constructor = SCHEDULES[name]
    except (KeyError, TypeError):
        raise ValueError(f"name must be one of {sorted(SCHEDULES)}; got {name!r}") from None
    return constructor(T, **kwargs)


# --- SNR: how much of the signal is left at step t (notebook 04) ----------------------------------------


def _alphas_cumprod_of(schedule, name: str = "schedule") -> np.ndarray:
    """``schedule.alphas_cumprod``, or ``schedule`` itself when it is a 1-D array of alpha_bar values in [0, 1]."""
    if isinstance(schedule, Schedule):
        return schedule.alphas_cumprod
    abar = as_float_array(schedule, name).astype(np.float64)
    if abar.ndim != 1 or abar.size < 1:
        raise ValueError(f"{name} must be a Schedule or a non-empty 1-D alphas_cumprod array; got shape {abar.shape}")
    if np.any((abar < 0) | (abar > 1)):
        bad = float(abar[(abar < 0) | (abar > 1)][0])
        raise ValueError(f"{name}: alphas_cumprod values must lie in [0, 1]; got {bad!r}")
    return abar


def snr(alphas_cumprod) -> np.ndarray:
    r"""Signal-to-noise ratio :math:`\mathrm{SNR}(t) = \bar\alpha_t / (1 - \bar\alpha_t)`, elementwise.

    In :math:`x_t = \sqrt{\bar\alpha_t} x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon` it is the ratio of the squared
    coefficients of x_0 and eps: the signal's variance over the noise's only for unit-variance data (data of
    variance s^2 gives x_t an SNR of s^2 times this); VDM writes it :math:`\alpha_t^2 / \sigma_t^2` (Kingma et
    al. 2021, eq. 2). ``alphas_cumprod``: any shape, values in [0, 1]; 0 gives SNR 0, 1 gives ``inf``.
    """
    abar = np.asarray(alphas_cumprod, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return abar / (1.0 - abar)


def log_snr(alphas_cumprod) -> np.ndarray:
    r""":math:`\log \mathrm{SNR}(t) = \log \bar\alpha_t - \log(1 - \bar\alpha_t)` (natural log), elementwise.

    Written with ``log1p`` so it stays accurate when alpha_bar is tiny or close to 1;
    alpha_bar = 0 gives ``-inf`` (zero terminal SNR), alpha_bar = 1 gives ``+inf`` (no noise at all).
    """
    abar = np.asarray(alphas_cumprod, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.log(abar) - np.log1p(-abar)


def t_at_snr(schedule, value: float) -> int | None:
    r"""The first step (the maths' 1-based t) whose SNR has dropped to ``value`` or below.

    ``t = 1 + argmax(SNR <= value)``, so ``t_at_snr(s, 1)`` is where noise starts to outweigh the signal
    (linear 260, cosine 497 at T = 1000). ``schedule``: a :class:`Schedule` or a 1-D alphas_cumprod array.
    ``value``: SNR >= 0. Returns ``None`` when the SNR never gets that low.
    """
    abar = _alphas_cumprod_of(schedule)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not value >= 0:
        raise ValueError(f"value (an SNR) must be a number >= 0; got {value!r}")
    below = snr(abar) <= value
    return int(np.argmax(below)) + 1 if below.any() else None


def fraction_log_snr_below(schedule, value: float = -5.0) -> float:
    r"""The fraction of the T steps with :math:`\log \mathrm{SNR}(t) < ` ``value``.

    Below log SNR = -5 (SNR < 0.0067) one pixel of x_t says little about the same pixel of unit-variance
    data, at that resolution; coarse structure survives far lower. At T = 1000 the linear schedule spends
    0.298 of its steps there, the cosine 0.053, the scaled linear 0.031.
    ``schedule``: a :class:`Schedule` or a 1-D alphas_cumprod array.
    """
    abar = _alphas_cumprod_of(schedule)
    return float(np.mean(log_snr(abar) < value))


def simple_cosine_alphas_cumprod(T: int) -> np.ndarray:
    r"""The teaching cosine: :math:`\bar\alpha = \cos^2(t_{norm}\,\pi/2)`, ``t_norm = linspace(0, 1, T)``.

    Returns the T values alpha_bar_1..alpha_bar_T as a plain float64 array (index ``t - 1``, as everywhere),
    **not** a :class:`Schedule`: with ``t_norm`` starting at 0, alpha_bar_1 = 1, so the first step adds no
    noise (beta_1 = 0, log SNR = +inf), and alpha_bar_T = cos^2(pi/2) = 3.7e-33 makes beta_T = 1 to float
    precision. A Schedule rejects both, and that is the lesson: compare it as a curve (plots accept
    alphas_cumprod arrays), and use :func:`cosine_schedule` (Nichol & Dhariwal's offset s and clipped betas)
    to train.
    """
    T = _check_num_timesteps(T)
    if T < 2:
        raise ValueError(f"T (num_timesteps) must be at least 2 for linspace(0, 1, T); got {T}")
    return np.cos(np.linspace(0.0, 1.0, T) * math.pi / 2) ** 2


def _betas_from_alphas_cumprod(abar: np.ndarray) -> np.ndarray:
    r""":math:`\beta_t = 1 - \bar\alpha_t / \bar\alpha_{t-1}` for t = 1..T, with :math:`\bar\alpha_0 = 1`."""
    return 1.0 - abar / np.concatenate([[1.0], abar[:-1]])


def _from_alpha_bar_values(abar: np.ndarray, name: str) -> Schedule:
    """A Schedule from alpha_bar values (the Schedule checks them; a final exact 0 is allowed)."""
    return Schedule(betas=_betas_from_alphas_cumprod(abar), alphas_cumprod=abar, name=name)


def rescale_zero_terminal_snr(schedule: Schedule) -> Schedule:
    r"""Rescale a schedule so its terminal SNR is exactly zero (Lin et al. 2023, Algorithm 1).

    Shift :math:`\sqrt{\bar\alpha_t}` so its last value is 0 and scale it so its first value is unchanged:

    :math:`\sqrt{\bar\alpha_t}' = (\sqrt{\bar\alpha_t} - \sqrt{\bar\alpha_T})
    \,\frac{\sqrt{\bar\alpha_1}}{\sqrt{\bar\alpha_1} - \sqrt{\bar\alpha_T}}`,
    then :math:`\beta_t' = 1 - \bar\alpha_t' / \bar\alpha_{t-1}'`.

    The same arithmetic as diffusers' ``rescale_zero_terminal_snr`` (``rescale_betas_zero_snr=True``), in
    float64. The result ends with alpha_bar_T = 0, beta_T = 1, SNR_T = 0 and log SNR_T = -inf, so x_T
    holds no trace of x_0. ``schedule``: a :class:`Schedule` with T >= 2.
    """
    _check_schedule(schedule)
    if schedule.num_timesteps < 2:
        raise ValueError(f"schedule needs at least 2 steps to rescale; got T = {schedule.num_timesteps}")
    root = schedule.sqrt_alphas_cumprod
    root_first, root_last = root[0], root[-1]
    rescaled = (root - root_last) * (root_first / (root_first - root_last))
    return _from_alpha_bar_values(rescaled**2, name=f"{schedule.name}_zero_terminal_snr")


def shifted_schedule(base: Schedule, resolution: int, base_resolution: int = 64) -> Schedule:
    r"""Resolution-aware schedule: shift log SNR by :math:`2 \log(\text{base\_resolution} / \text{resolution})`.

    :math:`\log \mathrm{SNR}_{res}(t) = \log \mathrm{SNR}_{base}(t) + 2 \log(\text{base\_res} / \text{res})`
    (Hoogeboom, Heek & Salimans 2023, "simple diffusion", the shifted cosine schedule of the section
    "Adjusting noise schedules"), then
    :math:`\bar\alpha_t = \mathrm{sigmoid}(\log \mathrm{SNR}_{res}(t))`. Why: average-pooling an image
    res x res down to base x base (k = res / base) keeps the signal and divides the noise variance by
    k^2 (:func:`average_pool`), so the shifted schedule at ``resolution``, seen at ``base_resolution``,
    has about the base schedule's SNR (not exactly: pooling also lowers the image's variance a little).
    ``base``: the schedule tuned at ``base_resolution`` (pixels).
    """
    _check_schedule(base, "base")
    resolution = check_positive_int(resolution, "resolution")
    base_resolution = check_positive_int(base_resolution, "base_resolution")
    shifted = base.log_snr + 2.0 * math.log(base_resolution / resolution)
    with np.errstate(over="ignore"):
        abar = 1.0 / (1.0 + np.exp(-shifted))  # sigmoid; exp(+inf) = inf gives a zero terminal alpha_bar
    return _from_alpha_bar_values(abar, name=f"{base.name}_shifted_{base_resolution}_to_{resolution}")


def average_pool(x, k: int) -> np.ndarray:
    r"""Average each non-overlapping k x k block of the last two axes: ``[..., H, W] -> [..., H/k, W/k]``.

    Pooling i.i.d. noise of variance v gives variance :math:`v / k^2` (a mean of k^2 independent draws),
    while a smooth image keeps most of its variance: the SNR of a pooled noisy image grows by a little
    less than :math:`k^2` (47 at k = 8 on the course's portrait). ``x``: at least 2-D; H and W divisible by ``k``.
    """
    x = as_float_array(x, "x")
    k = check_positive_int(k, "k")
    if x.ndim < 2:
        raise ValueError(f"x must have at least 2 axes [..., H, W]; got shape {x.shape}")
    height, width = x.shape[-2:]
    if height % k or width % k:
        raise ValueError(f"k must divide the image size; got k = {k} for H x W = {height} x {width}")
    blocks = x.reshape(*x.shape[:-2], height // k, k, width // k, k)
    return blocks.mean(axis=(-3, -1))


def ve_sigmas(schedule) -> np.ndarray:
    r"""The variance-exploding noise level :math:`\sigma_t = \sqrt{(1 - \bar\alpha_t) / \bar\alpha_t} = 1/\sqrt{\mathrm{SNR}}`.

    Divide :math:`x_t` by :math:`\sqrt{\bar\alpha_t}`: :math:`x_t / \sqrt{\bar\alpha_t} = x_0 + \sigma_t \epsilon`,
    the form Karras et al. 2022 (EDM, sec. 2) and diffusers' ``EulerDiscreteScheduler.sigmas`` use
    (Stable Diffusion's sigma_max = 14.6). ``schedule``: a Schedule or 1-D alphas_cumprod array.
    """
    return 1.0 / np.sqrt(snr(_alphas_cumprod_of(schedule)))


def flow_matching_sigmas(schedule) -> np.ndarray:
    r"""The flow-matching noise level with the same SNR: :math:`s = \sqrt{1-\bar\alpha}/(\sqrt{\bar\alpha} + \sqrt{1-\bar\alpha})`.

    Rectified flow / flow matching interpolate :math:`x = (1 - s)\,x_0 + s\,\epsilon` (diffusers'
    ``FlowMatchEulerDiscreteScheduler`` sigma; Lipman et al. 2023 run time the other way, t = 1 - s,
    with t = 1 the data). Its SNR is :math:`(1-s)^2/s^2`; this ``s`` matches the schedule's SNR, and
    :math:`x_{fm} = x_t / (\sqrt{\bar\alpha_t} + \sqrt{1-\bar\alpha_t})`. ``schedule``: a Schedule or array.
    """
    abar = _alphas_cumprod_of(schedule)
    noise = np.sqrt(1.0 - abar)
    return noise / (np.sqrt(abar) + noise)


def steps_per_log_snr(schedule, edges, clip: bool = False) -> np.ndarray:
    r"""Where a schedule spends its steps along the log-SNR axis: steps per unit of log SNR, bin by bin.

    ``density[i] = #{t in 1..T : edges[i] <= log SNR(t) < edges[i+1]} / (edges[i+1] - edges[i])`` (the last bin
    includes its right edge), so ``sum(density * diff(edges))`` counts the steps whose log SNR lies between the
    first and the last edge. With ``clip=True`` the steps below the first edge (log SNR = -inf included) count in
    the first bin and those above the last edge in the last, so that every one of the T steps is counted once.
    Two schedules with the same curve of log SNR against the fraction t / T but different T differ by the factor
    of their T. ``schedule``: a :class:`Schedule` or a 1-D alphas_cumprod array; ``edges``: increasing, finite
    bin edges (at least two). Returns ``[len(edges) - 1]``.
    """
    edges = as_float_array(edges, "edges").astype(np.float64)
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0) or not np.all(np.isfinite(edges)):
        raise ValueError(f"edges must be at least two finite, increasing bin edges; got {edges!r}")
    lam = log_snr(_alphas_cumprod_of(schedule))
    lam = np.clip(lam, edges[0], edges[-1]) if clip else lam[np.isfinite(lam)]
    counts, _ = np.histogram(lam, bins=edges)
    return counts / np.diff(edges)


# --- notebook 04: from alpha_bar back to betas, and the steps a sampler visits ----------------------------------


def betas_from_alphas_cumprod(alphas_cumprod) -> np.ndarray:
    r"""The per-step betas of the schedule whose :math:`\bar\alpha_1..\bar\alpha_T` are given.

    :math:`\beta_t = 1 - \bar\alpha_t / \bar\alpha_{t-1}` with :math:`\bar\alpha_0 = 1`: each step keeps the fraction
    :math:`\alpha_t = \bar\alpha_t / \bar\alpha_{t-1}` of what was left. The inverse of
    ``np.cumprod(1 - betas)``; the cosine schedule (defined by its alpha_bar) and the zero-terminal-SNR rescale
    need it. ``alphas_cumprod``: 1-D, non-increasing, values in [0, 1], every value but the last above 0. A last
    alpha_bar_T = 0 gives beta_T = 1 exactly: alpha_T = 0, the step that erases what was left.
    """
    abar = _alphas_cumprod_of(alphas_cumprod, "alphas_cumprod")
    if np.any(abar[:-1] <= 0):
        raise ValueError("alphas_cumprod: only the last value may be 0 (beta_t = 1 - alpha_bar_t / alpha_bar_{t-1} "
                         f"divides by every earlier one); got 0 at index {int(np.argmax(abar[:-1] <= 0))}")
    if np.any(np.diff(abar) > 0):
        i = int(np.argmax(np.diff(abar) > 0)) + 1
        raise ValueError(f"alphas_cumprod must not increase (a step cannot remove noise); entry {i} (t = {i + 1}) "
                         f"is {abar[i]!r}, above the previous {abar[i - 1]!r}")
    return _betas_from_alphas_cumprod(abar)


#: How a sampler with fewer steps than T picks its timesteps (diffusers' ``timestep_spacing``).
TIMESTEP_SPACINGS = ("leading", "trailing")


def sampling_timesteps(T: int, num_steps: int, spacing: str = "trailing", steps_offset: int = 0) -> np.ndarray:
    r"""The maths' steps t (1..T) at which a sampler with ``num_steps`` steps runs the model, noisiest first.

    diffusers (0.42, ``DDIMScheduler.set_timesteps``) picks 0-based timesteps k; the maths' step is t = k + 1.
    With ``i = 0..num_steps-1``:

    - ``"leading"``: ``k_i = (num_steps - 1 - i) * (T // num_steps) + steps_offset``;
    - ``"trailing"``: ``k_i = round(T - i * T / num_steps) - 1``.

    At T = 1000 and 50 steps, leading runs t = 981, 961, ..., 1 (982, ..., 2 with Stable Diffusion's
    ``steps_offset = 1``) and trailing t = 1000, 980, ..., 20: only trailing starts at the last step, where
    a zero-terminal-SNR schedule has alpha_bar = 0 (Lin et al. 2023, sec. 3). Returns an int64 array of
    length ``num_steps``.
    """
    T = _check_num_timesteps(T)
    num_steps = check_positive_int(num_steps, "num_steps")
    if num_steps > T:
        raise ValueError(f"num_steps must be at most T = {T}; got {num_steps}")
    if spacing not in TIMESTEP_SPACINGS:
        raise ValueError(f"spacing must be one of {TIMESTEP_SPACINGS}; got {spacing!r}")
    if isinstance(steps_offset, bool) or not isinstance(steps_offset, (int, np.integer)) or steps_offset < 0:
        raise ValueError(f"steps_offset must be a whole number >= 0; got {steps_offset!r}")
    i = np.arange(num_steps)
    if spacing == "leading":
        k = (num_steps - 1 - i) * (T // num_steps) + steps_offset
    else:
        k = np.round(T - i * (T / num_steps)).astype(np.int64) - 1
    if k.max() > T - 1:
        raise ValueError(f"steps_offset = {steps_offset} pushes the first step past T = {T}")
    return (k + 1).astype(np.int64)
