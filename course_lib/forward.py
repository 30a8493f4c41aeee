r"""The forward (noising) process: one step, the whole chain, and the closed form.

One step (DDPM eq. 2):     :math:`x_t = \sqrt{1-\beta_t}\, x_{t-1} + \sqrt{\beta_t}\, \epsilon_t`
Closed form (DDPM eq. 4):  :math:`x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\, \epsilon`

Shapes: ``x`` may be a scalar, a 1-D batch ``[B]`` or images ``[B, C, H, W]``. A per-sample coefficient
(``t`` or ``beta`` with one entry per sample) is broadcast ``[B] -> [B, 1, 1, 1]``. Timesteps follow the
maths (t = 1..T, t = 0 is clean data); see :mod:`course_lib.schedules` for the array-index convention.
"""

from __future__ import annotations

import numpy as np

from ._validate import (
    as_float_array,
    as_timesteps,
    check_finite,
    check_open_unit,
    check_same_shape,
    per_sample,
)
from .schedules import Schedule, _check_schedule

__all__ = ["forward_step", "forward_chain", "q_sample", "add_noise", "equivalent_eps", "variance_after_steps",
           "posterior_mean_var"]

#: q_sample works through a batch in blocks of about 1 MiB: small enough to stay in the cache and be reused.
BLOCK_BYTES = 1 << 20


def forward_step(x_prev, beta, eps) -> np.ndarray:
    r"""One forward step: :math:`x_t = \sqrt{1-\beta_t}\, x_{t-1} + \sqrt{\beta_t}\, \epsilon_t`.

    ``x_prev``: scalar, ``[B]`` or ``[B, ...]``. ``beta``: scalar or ``[B]``, strictly inside (0, 1).
    ``eps``: a standard-normal draw with the shape of ``x_prev``. Returns ``x_t`` with that shape.
    The shrink factor :math:`\sqrt{1-\beta}` is what keeps the variance at 1 instead of growing.
    """
    x_prev = as_float_array(x_prev, "x_prev")
    beta = as_float_array(beta, "beta")
    eps = as_float_array(eps, "eps")
    check_open_unit(beta, "beta")
    check_same_shape(eps, x_prev.shape, "eps", "one noise draw per entry of x_prev")
    beta = per_sample(beta, x_prev, "beta")
    return np.sqrt(1.0 - beta) * x_prev + np.sqrt(beta) * eps


def forward_chain(x0, betas, eps) -> np.ndarray:
    r"""Run the Markov chain :math:`x_0 \to x_1 \to \dots \to x_T`, one :func:`forward_step` per beta.

    ``x0``: scalar or any array shape ``S``. ``betas``: 1-D, length T. ``eps``: shape ``[T, *S]``, a fresh
    draw for every step (reusing one draw is a classic bug: the noise then adds up coherently).
    Returns the whole trajectory, shape ``[T + 1, *S]``, with ``trajectory[0] = x0`` and
    ``trajectory[t] = x_t``. Cost: T multiply-adds per entry (compare :func:`q_sample`: one).
    """
    x0 = as_float_array(x0, "x0")
    betas = as_float_array(betas, "betas")
    eps = as_float_array(eps, "eps")
    if betas.ndim != 1 or betas.size < 1:
        raise ValueError(f"betas must be a non-empty 1-D array (one beta per step); got shape {betas.shape}")
    check_open_unit(betas, "betas")
    check_same_shape(eps, (betas.size,) + x0.shape, "eps", "one draw per step: [T, *x0.shape]")
    dtype = np.result_type(x0, eps)
    shrink, scale = np.sqrt(1.0 - betas), np.sqrt(betas)
    trajectory = np.empty((betas.size + 1,) + x0.shape, dtype=dtype)
    trajectory[0] = x0
    for i in range(betas.size):
        trajectory[i + 1] = shrink[i] * trajectory[i] + scale[i] * eps[i]
    return trajectory


def q_sample(x0, t, schedule: Schedule, eps=None, rng: np.random.Generator | None = None):
    r"""Jump straight to step t: :math:`x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\, \epsilon`.

    This is a draw from :math:`q(x_t \mid x_0) = \mathcal N(\sqrt{\bar\alpha_t} x_0, (1-\bar\alpha_t) I)`.

    ``x0``: scalar, ``[B]`` or ``[B, C, H, W]``. ``t``: the maths' timestep 0..T, a scalar or one per sample
    (``[B]``, broadcast to ``[B, 1, 1, 1]``); ``t = 0`` returns ``x0``. ``eps``: the noise, shape of ``x0``;
    if omitted it is drawn from ``rng`` (a ``numpy.random.Generator``), in ``x0``'s float dtype.
    Returns ``(x_t, eps)``: eps is the training target, the free answer key of diffusion training.
    """
    _check_schedule(schedule)
    x0 = as_float_array(x0, "x0", finite=False)  # checked through x_t below, saving a pass over the batch
    steps = as_timesteps(t, schedule.num_timesteps, "t")
    if eps is None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError("q_sample needs eps, or rng=np.random.default_rng(seed) to draw it")
        eps = rng.standard_normal(x0.shape, dtype=x0.dtype)
    else:
        eps = as_float_array(eps, "eps", finite=False)
        check_same_shape(eps, x0.shape, "eps", "one noise draw per entry of x0")
    signal = np.concatenate([[1.0], schedule.sqrt_alphas_cumprod]).astype(x0.dtype)[steps]
    noise = np.concatenate([[0.0], schedule.sqrt_one_minus_alphas_cumprod]).astype(x0.dtype)[steps]
    with np.errstate(invalid="ignore", over="ignore"):  # a bad input is reported below, by name
        x_t, finite = _multiply_add(per_sample(signal, x0, "t"), x0, per_sample(noise, x0, "t"), eps)
    if not finite:  # the coefficients are finite, so NaN or infinity in x0 or eps always reaches x_t
        check_finite(x0, "x0")
        check_finite(eps, "eps")
    return x_t, eps


def _multiply_add(a, x: np.ndarray, b, e: np.ndarray) -> tuple[np.ndarray, bool]:
    """``(a * x + b * e, whether every entry is finite)``, equal bit for bit to the plain expression.

    ``a``, ``b``: scalars or arrays whose first axis is ``x``'s (``[B, 1, ..., 1]`` or ``x``'s shape);
    ``e`` has ``x``'s shape. Works through the first axis in blocks of about ``BLOCK_BYTES``: the result
    is the only full-size array (each block's temporary reuses memory just freed, so no page faults),
    and each block is checked for NaN or infinity while it is still in the cache.
    """
    dtype = np.result_type(np.result_type(a, x), np.result_type(b, e))
    if x.ndim == 0 or x.size == 0:
        out = np.asarray(a * x + b * e, dtype=dtype)
        return (out[()] if out.ndim == 0 else out), bool(np.all(np.isfinite(out)))
    out = np.empty(x.shape, dtype=dtype)
    step = max(1, BLOCK_BYTES // max(1, out[0].nbytes))
    finite = True
    for start in range(0, x.shape[0], step):
        rows = slice(start, start + step)
        block = out[rows]
        block[...] = (a[rows] if np.ndim(a) else a) * x[rows]
        block += (b[rows] if np.ndim(b) else b) * e[rows]
        finite = finite and bool(np.isfinite(block).all())
    return out, finite


def add_noise(original_samples, noise, timesteps, schedule: Schedule) -> np.ndarray:
    """diffusers' ``DDPMScheduler.add_noise`` in NumPy: ``timesteps`` are 0-based *array indices*.

    diffusers' timestep ``k`` (0..T-1) is the maths' ``t = k + 1``, so this is
    ``q_sample(original_samples, timesteps + 1, schedule, eps=noise)[0]``. Use it to compare with
    diffusers code; in the course we use :func:`q_sample` and the maths' t.
    """
    k = as_timesteps(timesteps, schedule.num_timesteps - 1, "timesteps (diffusers' 0-based index)")
    return q_sample(original_samples, k + 1, schedule, eps=noise)[0]


def equivalent_eps(x0, x_t, alpha_bar) -> np.ndarray:
    r"""The single noise draw that takes ``x0`` to ``x_t`` in one jump.

    :math:`\epsilon = (x_t - \sqrt{\bar\alpha}\, x_0) / \sqrt{1-\bar\alpha}`; ``alpha_bar`` strictly inside
    (0, 1), scalar or one per sample (``[B]``). ``x_t`` must have the shape of ``x0``.
    """
    x0 = as_float_array(x0, "x0")
    x_t = as_float_array(x_t, "x_t")
    alpha_bar = as_float_array(alpha_bar, "alpha_bar")
    check_open_unit(alpha_bar, "alpha_bar")
    check_same_shape(x_t, x0.shape, "x_t", "the shape of x0")
    alpha_bar = per_sample(alpha_bar, x0, "alpha_bar")
    return (x_t - np.sqrt(alpha_bar) * x0) / np.sqrt(1.0 - alpha_bar)


def variance_after_steps(var0, beta, t, shrink: bool = True) -> np.ndarray:
    r"""The variance of :math:`x_t` after ``t`` steps of the same ``beta``, from :math:`\mathrm{Var}(x_0) = v_0`.

    Each step maps :math:`v \mapsto (1-\beta)\, v + \beta` (with the shrink factor) or
    :math:`v \mapsto v + \beta` (without it: :math:`x_t = x_{t-1} + \sqrt{\beta}\, \epsilon_t`), so

    - with shrink:    :math:`v_t = (1-\beta)^t\, v_0 + 1 - (1-\beta)^t`, which tends to 1 whatever :math:`v_0`;
    - without shrink: :math:`v_t = v_0 + t\,\beta`, which grows without bound.

    ``var0`` >= 0, ``beta`` strictly inside (0, 1) and ``t`` (whole steps, >= 0) are scalars or arrays that
    broadcast together (``t = np.arange(T + 1)`` gives the whole curve). Returns an array (0-d for scalars).
    """
    var0 = as_float_array(var0, "var0")
    if np.any(var0 < 0):
        raise ValueError(f"var0 must be a variance, 0 or more; got {float(var0.min())!r}")
    beta = as_float_array(beta, "beta")
    check_open_unit(beta, "beta")
    steps = as_float_array(t, "t")
    if np.any(steps < 0) or np.any(steps != np.round(steps)):
        raise ValueError(f"t must hold whole numbers of steps, 0 or more; got {t!r}")
    if not shrink:
        return var0 + steps * beta
    decay = (1.0 - beta) ** steps
    return decay * var0 + 1.0 - decay


def posterior_mean_var(x0, x_t, t, schedule: Schedule) -> tuple[np.ndarray, np.ndarray]:
    r"""The forward posterior :math:`q(x_{t-1} \mid x_t, x_0) = \mathcal N(\tilde\mu_t, \tilde\beta_t)` (DDPM eq. 6-7).

    Where was the chain one step before ``x_t``, given that it started at ``x0``? Conditioning the joint
    Gaussian of :math:`(x_{t-1}, x_t)` given :math:`x_0` on :math:`x_t` gives a Gaussian whose mean mixes the two
    ends and whose variance is below the step's own :math:`\beta_t`:

    - :math:`\tilde\mu_t = \big(\sqrt{\bar\alpha_{t-1}}\,\beta_t\, x_0
      + \sqrt{\alpha_t}\,(1-\bar\alpha_{t-1})\, x_t\big) / (1-\bar\alpha_t)`
    - :math:`\tilde\beta_t = (1-\bar\alpha_{t-1})\,\beta_t / (1-\bar\alpha_t)`

    DDPM's loss compares the learned reverse step with this Gaussian.

    ``x0``, ``x_t``: scalars or arrays of one shape (``[B]``, ``[B, C, H, W]``, ...). ``t``: the maths' step
    1..T, a scalar or one per sample (``[B]``, broadcast to ``[B, 1, ..., 1]`` as in :func:`q_sample`).
    Returns ``(mean, variance)``: the mean has the shape of ``x0``; the variance does not depend on the data,
    so it is a scalar for a scalar ``t`` and ``[B, 1, ..., 1]`` for per-sample ``t``. At ``t = 1`` the
    variance is 0 and the mean is ``x0`` exactly (:math:`\bar\alpha_0 = 1`: nothing is uncertain before step 1).
    """
    _check_schedule(schedule)
    x0 = as_float_array(x0, "x0")
    x_t = as_float_array(x_t, "x_t")
    check_same_shape(x_t, x0.shape, "x_t", "the shape of x0")
    steps = as_timesteps(t, schedule.num_timesteps, "t")
    if np.any(steps < 1):
        raise ValueError(f"t must lie in 1..{schedule.num_timesteps}: x_(t-1) exists only from t = 1 on; "
                         f"got {int(np.min(steps))}")
    abar_prev = per_sample(schedule.alphas_cumprod_prev[steps - 1], x0, "t")
    beta = per_sample(schedule.betas[steps - 1], x0, "t")
    # 1 - abar_t = beta_t + alpha_t (1 - abar_{t-1}): equal to 1 - abar_t, without its cancellation near t = 1
    one_minus_abar = beta + (1.0 - beta) * (1.0 - abar_prev)
    # mu_t = (sqrt(abar_{t-1}) beta_t x0 + sqrt(alpha_t) (1 - abar_{t-1}) x_t) / (1 - abar_t), as one coefficient
    # per end (at t = 1 they are exactly 1 and 0, so the mean is x0 itself)
    coef_x0 = np.sqrt(abar_prev) * beta / one_minus_abar
    coef_x_t = np.sqrt(1.0 - beta) * (1.0 - abar_prev) / one_minus_abar
    mean = coef_x0 * x0 + coef_x_t * x_t
    # beta_tilde_t = (1 - abar_{t-1}) beta_t / (1 - abar_t)
    variance = (1.0 - abar_prev) * beta / one_minus_abar
    return mean, variance


