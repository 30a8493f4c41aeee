r"""A prototype of a faster ``course_lib.forward.q_sample``, measured by ``make bench`` beside the real one.

Same signature, results (bit for bit) and errors as :func:`course_lib.forward.q_sample`. Where the time
goes today, on a ``[64, 3, 256, 256]`` batch: the plain ``a * x0 + b * eps`` makes two full-size arrays, and
touching fresh memory for them (page faults) costs as much as the arithmetic; then ``as_float_array`` reads
``x0`` and ``eps`` once more each to look for NaN or infinity. Here:

1. :func:`multiply_add` works through the batch in blocks of about 1 MiB along the first axis: the result is
   the only full-size array, each block's temporary comes from memory just freed (no page faults), and
   the block is checked for NaN/infinity while it is still in the cache.
2. ``x0`` and ``eps`` are not checked separately: a NaN or infinity in either always reaches :math:`x_t`
   (the coefficients are finite, and :math:`0 \cdot \infty` is NaN), so a finite result proves finite
   inputs; only when the result is not finite are the inputs checked, so the error still names the argument.
"""

from __future__ import annotations

import numpy as np

from course_lib._validate import as_timesteps, check_same_shape, per_sample
from course_lib.schedules import Schedule

__all__ = ["q_sample", "multiply_add"]

#: About 1 MiB per block: small enough to stay in the cache and be reused, large enough to amortise the loop.
BLOCK_BYTES = 1 << 20


def multiply_add(a, x: np.ndarray, b, e: np.ndarray) -> tuple[np.ndarray, bool]:
    """``(a * x + b * e, whether every entry is finite)``, block by block along the first axis.

    ``a``, ``b``: scalars or arrays whose first axis is ``x``'s (per-sample coefficients ``[B, 1, ..., 1]``
    or ``x``'s own shape); ``e`` has ``x``'s shape. Equal, bit for bit, to the plain expression.
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


def _as_float(value, name: str) -> np.ndarray:
    """``value`` as float32/float64, like ``as_float_array`` but without its finiteness pass."""
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(value).__name__}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real number or an array of real numbers, got dtype {arr.dtype}")
    return arr if arr.dtype.kind == "f" and arr.dtype.itemsize >= 4 else arr.astype(np.float64)


def _require_finite(arr: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; it contains NaN or infinity")


def q_sample(x0, t, schedule: Schedule, eps=None, rng: np.random.Generator | None = None):
    r""":math:`x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\, \epsilon` (see course_lib.forward.q_sample)."""
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be a course_lib Schedule, got {type(schedule).__name__}")
    x0 = _as_float(x0, "x0")
    steps = as_timesteps(t, schedule.num_timesteps, "t")
    if eps is None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError("q_sample needs eps, or rng=np.random.default_rng(seed) to draw it")
        eps = rng.standard_normal(x0.shape, dtype=x0.dtype)
    else:
        eps = _as_float(eps, "eps")
        check_same_shape(eps, x0.shape, "eps", "one noise draw per entry of x0")
    signal = np.concatenate([[1.0], schedule.sqrt_alphas_cumprod]).astype(x0.dtype)[steps]
    noise = np.concatenate([[0.0], schedule.sqrt_one_minus_alphas_cumprod]).astype(x0.dtype)[steps]
    with np.errstate(invalid="ignore", over="ignore"):  # a bad input is reported below, by name
        x_t, finite = multiply_add(per_sample(signal, x0, "t"), x0, per_sample(noise, x0, "t"), eps)
    if not finite:
        _require_finite(x0, "x0")
        _require_finite(eps, "eps")
    return x_t, eps
