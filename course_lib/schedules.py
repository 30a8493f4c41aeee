r"""Noise schedules: how much noise each forward step adds.

Timestep convention (used everywhere in the course)
---------------------------------------------------
The maths counts steps ``t = 1..T`` and writes :math:`\bar\alpha_t = \prod_{s=1}^{t} (1 - \beta_s)`,
with :math:`\bar\alpha_0 = 1` (clean data). Arrays are 0-indexed, as in Hugging Face diffusers:
``alphas_cumprod[t - 1]`` is :math:`\bar\alpha_t` and ``betas[t - 1]`` is :math:`\beta_t`.
:meth:`Schedule.alpha_bar` takes the maths' ``t`` (0..T) so you never have to do the shift by hand.

Every constructor returns a frozen :class:`Schedule` whose arrays are float64 and read-only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._validate import as_float_array, as_timesteps, check_open_unit

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
]


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, dtype=np.float64)
    arr.setflags(write=False)
    return arr


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
        check_open_unit(betas, "betas")
        check_open_unit(abar, "alphas_cumprod")
        values = {
            "betas": betas,
            "alphas_cumprod": abar,
            "alphas": 1.0 - betas,
            "alphas_cumprod_prev": np.concatenate([[1.0], abar[:-1]]),
            "sqrt_alphas_cumprod": np.sqrt(abar),
            "sqrt_one_minus_alphas_cumprod": np.sqrt(1.0 - abar),
            "snr": abar / (1.0 - abar),
            # log(a / (1 - a)) written so it stays accurate when a is tiny or close to 1
            "log_snr": np.log(abar) - np.log1p(-abar),
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
    return Schedule(betas=1.0 - abar / prev, alphas_cumprod=abar, name=name)


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
