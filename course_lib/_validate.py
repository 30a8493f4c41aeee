"""Argument checks shared by course_lib's public functions.

Every check raises a ``ValueError`` (or ``TypeError``) that names the argument, the value it got and
the range it allows, so a learner sees *which* input is wrong instead of a silent NaN later on.
"""

from __future__ import annotations

import numpy as np


def as_float_array(value, name: str, finite: bool = True) -> np.ndarray:
    """Return ``value`` as a floating array (float64 unless it already is float32/float64).

    Raises ``TypeError`` for non-numeric input and, unless ``finite=False`` (for a caller that checks its
    result instead, see :func:`check_finite`), ``ValueError`` for NaN or infinity.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and other odd objects
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(value).__name__}") from exc
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real number or an array of real numbers, got dtype {arr.dtype}")
    if arr.dtype.kind != "f" or arr.dtype.itemsize < 4:
        arr = arr.astype(np.float64)
    if finite:
        check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Require every entry of ``arr`` to be finite (no NaN, no infinity)."""
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; it contains NaN or infinity")


def check_positive_int(value, name: str, what: str = "") -> int:
    """Require a positive integer (not a bool); ``what`` says what it counts (e.g. ``" sample count"``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer{what}; got {value!r}")
    return int(value)


def check_rng(rng, name: str = "rng") -> None:
    """Require a ``numpy.random.Generator`` (the course passes randomness explicitly)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)); "
                        f"got {type(rng).__name__}")


def check_open_unit(arr: np.ndarray, name: str) -> None:
    """Require every entry of ``arr`` to lie strictly inside (0, 1)."""
    bad = (arr <= 0) | (arr >= 1)
    if np.any(bad):
        if arr.ndim == 0:
            raise ValueError(f"{name} must lie strictly between 0 and 1; got {float(arr)!r}")
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        index = where[0] if len(where) == 1 else where
        raise ValueError(f"{name} must lie strictly between 0 and 1; got {float(arr[where])!r} at index {index}")


def as_timesteps(t, num_timesteps: int, name: str = "t") -> np.ndarray:
    """Return ``t`` as an integer array and require ``0 <= t <= num_timesteps`` (the maths' t)."""
    arr = np.asarray(t)
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{name} must hold whole timesteps 0..{num_timesteps}; got {t!r}")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer timestep or an array of them, got dtype {arr.dtype}")
    if np.any(arr < 0) or np.any(arr > num_timesteps):
        bad = int(arr[(arr < 0) | (arr > num_timesteps)].flat[0])
        raise ValueError(f"{name} must lie in 0..{num_timesteps} (0 is clean data, T is the last step); got {bad}")
    return arr


def per_sample(coef: np.ndarray, x: np.ndarray, name: str) -> np.ndarray:
    """Reshape a per-sample coefficient so it broadcasts over ``x``.

    A scalar stays a scalar. A 1-D array of length ``B`` (one value per sample) becomes
    ``[B, 1, ..., 1]`` with as many trailing ones as ``x`` has further axes, so ``[B] -> [B, 1, 1, 1]``
    against images ``[B, C, H, W]``. A coefficient with exactly the shape of ``x`` is used elementwise.
    """
    if coef.ndim == 0 or coef.shape == x.shape:
        return coef
    if coef.ndim != 1:
        raise ValueError(
            f"{name} must be a scalar, 1-D (one value per sample) or the data's shape {x.shape}; got {coef.shape}"
        )
    if x.ndim == 0 or coef.shape[0] != x.shape[0]:
        batch = x.shape[0] if x.ndim else "no batch axis (a scalar)"
        raise ValueError(f"{name} has {coef.shape[0]} entries but the data has {batch}: give one per sample")
    return coef.reshape(coef.shape + (1,) * (x.ndim - 1))


def check_same_shape(arr: np.ndarray, shape: tuple, name: str, what: str) -> None:
    """Require ``arr.shape == shape``; ``what`` says where the expected shape comes from."""
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)} ({what}); got {arr.shape}")
