r"""The score link: Gaussian-mixture data, its exact noisy marginals and score, Tweedie, and samplers.

The **score** of a density :math:`p` is :math:`s(x) = \nabla_x \log p(x)`: an arrow at every point, pointing
to where data is more likely. For one clean point :math:`x_0` and
:math:`x_t = \sqrt{\bar\alpha_t}\, x_0 + \sqrt{1-\bar\alpha_t}\, \epsilon`,

.. math::  \nabla_{x_t} \log q(x_t \mid x_0) = -\frac{x_t - \sqrt{\bar\alpha_t}\, x_0}{1-\bar\alpha_t}
           = -\frac{\epsilon}{\sqrt{1-\bar\alpha_t}},

the score of :math:`q(x_t \mid x_0)` for one known clean point (the *conditional* score). A network never sees
:math:`x_0`; averaged over the data (Tweedie), the score of the noisy data is
:math:`\nabla \log q_t(x_t) = -E[\epsilon \mid x_t] / \sqrt{1-\bar\alpha_t}`, and
:math:`E[x_0 \mid x_t] = (x_t + (1-\bar\alpha_t)\, \nabla \log q_t(x_t)) / \sqrt{\bar\alpha_t}`.

For Gaussian-mixture data every noisy marginal :math:`q_t` is again a Gaussian mixture (means
:math:`\sqrt{\bar\alpha_t}\,\mu_k`, covariances :math:`\bar\alpha_t \Sigma_k + (1-\bar\alpha_t) I`), so the score
is exact, and a reverse sampler driven by it regenerates the data with no training at all.

A **score function** here is any callable ``score_fn(x, alpha_bar)``: the score of :math:`q_t` at ``x`` for the
noise level :math:`\bar\alpha_t` (see :func:`exact_score_fn`, :func:`fit_score_from_samples`). Timesteps follow
the course: t = 1..T, and :meth:`~course_lib.schedules.Schedule.alpha_bar` takes the maths' t.

The chain's continuous-time limit, DDPM's variance-preserving SDE
:math:`dx = -\tfrac12 \beta(\tau)\, x\, d\tau + \sqrt{\beta(\tau)}\, dW`: :func:`vp_alpha_bar`, :func:`vp_schedule`
(chains at its noise levels), :func:`vp_euler_maruyama_steps` and :func:`variance_path`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ._validate import as_float_array, check_positive_int, check_rng, check_same_shape, per_sample
from .schedules import Schedule, _check_schedule, _frozen, from_alphas_cumprod

__all__ = [
    "GaussianMixture",
    "gaussian_score",
    "score_from_eps",
    "eps_from_score",
    "tweedie_denoise",
    "exact_score_fn",
    "ddpm_step",
    "probability_flow_step",
    "sample_reverse",
    "conditional_mean_by_bins",
    "fit_score_from_samples",
    "ScoreFn",
    "VP_BETA_MIN",
    "VP_BETA_MAX",
    "vp_beta",
    "vp_alpha_bar",
    "vp_schedule",
    "vp_euler_maruyama_steps",
    "variance_path",
]

#: ``score_fn(x, alpha_bar) -> score``, same shape as ``x``.
ScoreFn = Callable[[np.ndarray, float], np.ndarray]

_WEIGHT_TOL = 1e-8


def _check_in_range(arr: np.ndarray, name: str, low_open: bool, high_open: bool, low=0.0, high=1.0) -> None:
    """Require ``low <(=) arr <(=) high`` entrywise; the message states the interval."""
    too_low = arr <= low if low_open else arr < low
    too_high = arr >= high if high_open else arr > high
    bad = too_low | too_high
    if np.any(bad):
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must lie in {interval}; got {float(arr[bad].flat[0])!r}")


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, with the max taken out first so ``exp`` cannot overflow."""
    r = np.exp(logits - np.max(logits, axis=-1, keepdims=True))
    return r / np.sum(r, axis=-1, keepdims=True)


class GaussianMixture:
    r"""A mixture :math:`p(x) = \sum_k w_k\, \mathcal N(x; \mu_k, \Sigma_k)` in 1-D or d-D.

    - 1-D: ``means`` has shape ``[K]`` and ``covariances`` holds the variances :math:`\sigma_k^2`, shape ``[K]``.
      Points ``x`` may have any shape (a scalar, ``[N]``, ...); ``pdf``/``score`` work entrywise.
    - d-D: ``means`` has shape ``[K, d]``; ``covariances`` is ``[K, d, d]`` (symmetric positive definite) or
      ``[K]`` (isotropic, :math:`\Sigma_k = \sigma_k^2 I`). Points ``x`` have shape ``[..., d]``.

    ``weights``: shape ``[K]``, each > 0, summing to 1. Everything is float64 and read-only.
    """

    def __init__(self, weights, means, covariances) -> None:
        weights = as_float_array(weights, "weights").astype(np.float64)
        means = as_float_array(means, "means").astype(np.float64)
        covs = as_float_array(covariances, "covariances").astype(np.float64)
        if weights.ndim != 1 or weights.size < 1:
            raise ValueError(f"weights must be a non-empty 1-D array (one per component); got shape {weights.shape}")
        K = weights.size
        if np.any(weights <= 0):
            raise ValueError(f"weights must all be positive; got {weights.tolist()}")
        if abs(weights.sum() - 1.0) > _WEIGHT_TOL:
            raise ValueError(f"weights must sum to 1; they sum to {weights.sum()!r}")
        if means.ndim not in (1, 2) or means.shape[0] != K:
            raise ValueError(f"means must have shape [K] (1-D) or [K, d] with K = {K} (the number of weights); "
                             f"got {means.shape}")
        is_1d = means.ndim == 1
        object.__setattr__(self, "is_1d", is_1d)
        d = 1 if is_1d else means.shape[1]
        if d < 1:
            raise ValueError(f"means must have at least one dimension per point; got shape {means.shape}")
        if covs.shape == (K,):
            if np.any(covs <= 0):
                raise ValueError(f"covariances (the variances) must all be positive; got {covs.tolist()}")
            full = covs[:, None, None] * np.eye(d)
        elif not is_1d and covs.shape == (K, d, d):
            full = covs
        else:
            allowed = f"[{K}]" if is_1d else f"[{K}] (isotropic variances) or [{K}, {d}, {d}]"
            raise ValueError(f"covariances must have shape {allowed}; got {covs.shape}")
        if not np.allclose(full, np.swapaxes(full, 1, 2), rtol=1e-10, atol=0):
            raise ValueError("covariances must be symmetric matrices")
        try:
            chol = np.linalg.cholesky(full)
        except np.linalg.LinAlgError:
            raise ValueError("covariances must be positive definite (every eigenvalue > 0)") from None
        eye = np.eye(d)
        chol_inv = np.linalg.solve(chol, np.broadcast_to(eye, full.shape))
        values = {
            "weights": weights,
            "means": means,
            "covariances": covs,
            "_means_d": means.reshape(K, d),
            "_full": full,
            "_chol": chol,
            "_precision": np.swapaxes(chol_inv, 1, 2) @ chol_inv,
            # log w_k - (d log 2 pi + log det Sigma_k) / 2: the part of log N that does not depend on x
            "_log_norm": np.log(weights) - 0.5 * (d * np.log(2 * np.pi)
                                                  + 2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(-1)),
        }
        for key, value in values.items():
            object.__setattr__(self, key, _frozen(value))

    def __setattr__(self, name, value):
        raise AttributeError("GaussianMixture is read-only; build a new one (e.g. with noised())")

    @property
    def num_components(self) -> int:
        """K, the number of components."""
        return int(self.weights.size)

    @property
    def dim(self) -> int:
        """d, the dimension of a point (1 for a 1-D mixture)."""
        return int(self._means_d.shape[1])

    def __repr__(self) -> str:
        return f"GaussianMixture(K={self.num_components}, dim={self.dim}, weights={self.weights.tolist()})"

    def _points(self, x, name: str = "x") -> np.ndarray:
        """``x`` as ``[..., d]`` float64 (a 1-D mixture's points get a trailing axis of length 1)."""
        x = as_float_array(x, name).astype(np.float64)
        if self.is_1d:
            return x[..., None]
        if x.ndim < 1 or x.shape[-1] != self.dim:
            raise ValueError(f"{name} must have shape [..., {self.dim}] (points of this {self.dim}-D mixture); "
                             f"got {x.shape}")
        return x

    def _log_joint(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r"""For points ``[..., d]``: :math:`\log w_k + \log \mathcal N(x; \mu_k, \Sigma_k)` ``[..., K]`` and
        :math:`\Sigma_k^{-1}(x - \mu_k)` ``[..., K, d]``."""
        diff = x[..., None, :] - self._means_d                       # [..., K, d]
        pull = np.einsum("kij,...kj->...ki", self._precision, diff)  # Sigma_k^{-1} (x - mu_k)
        return self._log_norm - 0.5 * np.sum(diff * pull, axis=-1), pull

    def log_pdf(self, x) -> np.ndarray:
        r""":math:`\log p(x) = \operatorname{logsumexp}_k\big(\log w_k + \log \mathcal N(x; \mu_k, \Sigma_k)\big)`.

        Stable far from the data and for tiny variances (no ``exp`` before the max is taken out).
        Shape: ``x.shape`` in 1-D, ``x.shape[:-1]`` in d-D.
        """
        log_joint, _ = self._log_joint(self._points(x))
        top = np.max(log_joint, axis=-1, keepdims=True)
        return (top + np.log(np.sum(np.exp(log_joint - top), axis=-1, keepdims=True)))[..., 0]

    def pdf(self, x) -> np.ndarray:
        """:math:`p(x) = \\exp(\\log p(x))`; shape as :meth:`log_pdf`."""
        return np.exp(self.log_pdf(x))

    def responsibilities(self, x) -> np.ndarray:
        r""":math:`r_k(x) = w_k \mathcal N(x; \mu_k, \Sigma_k) / p(x)`, the probability that ``x`` came from
        component k (a softmax over k, computed stably). Shape ``[..., K]``."""
        log_joint, _ = self._log_joint(self._points(x))
        return _softmax(log_joint)

    def score(self, x) -> np.ndarray:
        r"""The exact score :math:`\nabla_x \log p(x) = -\sum_k r_k(x)\, \Sigma_k^{-1} (x - \mu_k)`.

        Each component pulls ``x`` towards its mean; the responsibilities :math:`r_k` (a stable softmax) weigh
        the pulls. No overflow at :math:`|x| = 50` or with variances of 1e-6. Shape: the shape of ``x``.
        """
        log_joint, pull = self._log_joint(self._points(x))
        out = -np.einsum("...k,...kd->...d", _softmax(log_joint), pull)
        return out[..., 0] if self.is_1d else out

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        r"""``n`` independent draws: pick component k with probability :math:`w_k`, then
        :math:`x = \mu_k + L_k z`, :math:`L_k L_k^\top = \Sigma_k`, :math:`z \sim \mathcal N(0, I)`.

        Returns ``[n]`` (1-D) or ``[n, d]``, float64.
        """
        n = check_positive_int(n, "n", " sample count")
        check_rng(rng)
        k = rng.choice(self.num_components, size=n, p=self.weights)
        z = rng.standard_normal((n, self.dim))
        x = self._means_d[k] + np.einsum("nij,nj->ni", self._chol[k], z)
        return x[:, 0] if self.is_1d else x

    def noised(self, alpha_bar: float) -> "GaussianMixture":
        r"""The exact noisy marginal :math:`q_t` of
        :math:`x_t = \sqrt{\bar\alpha}\, x_0 + \sqrt{1-\bar\alpha}\, \epsilon`.

        Again a mixture with the same weights, means :math:`\sqrt{\bar\alpha}\, \mu_k` and covariances
        :math:`\bar\alpha\, \Sigma_k + (1 - \bar\alpha) I`
        (1-D: variances :math:`\bar\alpha \sigma_k^2 + 1 - \bar\alpha`).
        ``alpha_bar`` in [0, 1]: 1 is the data itself, 0 is pure noise :math:`\mathcal N(0, I)`.
        """
        ab = as_float_array(alpha_bar, "alpha_bar")
        if ab.ndim != 0:
            raise ValueError(f"alpha_bar must be a single number (one noise level); got shape {ab.shape}")
        _check_in_range(ab, "alpha_bar", low_open=False, high_open=False)
        ab = float(ab)
        if self.covariances.ndim == 1:
            covs = ab * self.covariances + (1.0 - ab)
        else:
            covs = ab * self.covariances + (1.0 - ab) * np.eye(self.dim)
        return GaussianMixture(self.weights, np.sqrt(ab) * self.means, covs)


def gaussian_score(x, mean, var) -> np.ndarray:
    r"""Score of :math:`\mathcal N(\mu, \sigma^2)`:
    :math:`\frac{d}{dx} \log \mathcal N(x; \mu, \sigma^2) = -(x - \mu) / \sigma^2`.

    ``x``, ``mean``, ``var`` broadcast together; ``var`` > 0 (the variance, not the standard deviation).
    """
    x = as_float_array(x, "x")
    mean = as_float_array(mean, "mean")
    var = as_float_array(var, "var")
    if np.any(var <= 0):
        raise ValueError(f"var (the variance) must be positive; got {float(var[var <= 0].flat[0])!r}")
    return -(x - mean) / var


def score_from_eps(eps, alpha_bar) -> np.ndarray:
    r"""Noise to score: :math:`s = -\epsilon / \sqrt{1 - \bar\alpha}`.

    ``alpha_bar`` in [0, 1): a scalar or one per sample (``[B]``, broadcast over ``eps``'s further axes).
    """
    eps = as_float_array(eps, "eps")
    alpha_bar = as_float_array(alpha_bar, "alpha_bar")
    _check_in_range(alpha_bar, "alpha_bar", low_open=False, high_open=True)
    return -eps / np.sqrt(1.0 - per_sample(alpha_bar, eps, "alpha_bar"))


def eps_from_score(score, alpha_bar) -> np.ndarray:
    r"""Score to noise: :math:`\epsilon = -\sqrt{1 - \bar\alpha}\; s` (the inverse of :func:`score_from_eps`).

    ``alpha_bar`` in [0, 1]: a scalar or one per sample.
    """
    score = as_float_array(score, "score")
    alpha_bar = as_float_array(alpha_bar, "alpha_bar")
    _check_in_range(alpha_bar, "alpha_bar", low_open=False, high_open=False)
    return -np.sqrt(1.0 - per_sample(alpha_bar, score, "alpha_bar")) * score


def tweedie_denoise(x_t, score, alpha_bar) -> np.ndarray:
    r"""Tweedie's formula:
    :math:`E[x_0 \mid x_t] = (x_t + (1 - \bar\alpha)\, \nabla \log q_t(x_t)) / \sqrt{\bar\alpha}`.

    ``score``: the score of :math:`q_t` at ``x_t`` (same shape); ``alpha_bar`` in (0, 1], a scalar or one per
    sample. The result is the *average* clean point that could have produced ``x_t``, not a sample.
    """
    x_t = as_float_array(x_t, "x_t")
    score = as_float_array(score, "score")
    alpha_bar = as_float_array(alpha_bar, "alpha_bar")
    check_same_shape(score, x_t.shape, "score", "the score at each entry of x_t")
    _check_in_range(alpha_bar, "alpha_bar", low_open=True, high_open=False)
    alpha_bar = per_sample(alpha_bar, x_t, "alpha_bar")
    return (x_t + (1.0 - alpha_bar) * score) / np.sqrt(alpha_bar)


def exact_score_fn(mixture: GaussianMixture) -> ScoreFn:
    r"""The exact score function of the noisy marginals:
    ``score_fn(x, alpha_bar) = mixture.noised(alpha_bar).score(x)``.

    Noised mixtures are cached per noise level, so a sampler that visits T levels builds T of them once.
    """
    if not isinstance(mixture, GaussianMixture):
        raise TypeError(f"mixture must be a GaussianMixture, got {type(mixture).__name__}")
    cache: dict[float, GaussianMixture] = {}

    def score_fn(x, alpha_bar):
        key = float(alpha_bar)
        if key not in cache:
            cache[key] = mixture.noised(key)
        return cache[key].score(x)

    return score_fn


def _check_step(x_t, t, schedule: Schedule) -> tuple[np.ndarray, int]:
    _check_schedule(schedule)
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 1 <= t <= schedule.num_timesteps:
        raise ValueError(f"t must be an integer step in 1..{schedule.num_timesteps}; got {t!r}")
    if schedule.alphas_cumprod[t - 1] == 0.0:
        raise ValueError(f"t = {t} has alpha_bar = 0 (a zero-terminal-SNR schedule): x_t holds no signal, and the "
                         "step would divide by sqrt(alpha_t) = 0. These samplers need alpha_bar_T > 0.")
    return as_float_array(x_t, "x_t"), int(t)


def ddpm_step(x_t, t: int, score_fn: ScoreFn, schedule: Schedule, z) -> np.ndarray:
    r"""One DDPM ancestral step (Ho et al. 2020, eq. 11 with :math:`\epsilon_\theta = -\sqrt{1-\bar\alpha_t}\, s`):

    :math:`x_{t-1} = \big(x_t + \beta_t\, s(x_t, \bar\alpha_t)\big) / \sqrt{\alpha_t} + \sqrt{\beta_t}\, z`.

    The mean is exactly :math:`E[x_{t-1} \mid x_t]` (Tweedie applied to one forward step); the variance
    :math:`\sigma_t^2 = \beta_t` is DDPM's first choice. ``t`` in 1..T; ``z``: a standard-normal draw with the
    shape of ``x_t`` (pass zeros for the last step, t = 1).
    """
    x_t, t = _check_step(x_t, t, schedule)
    z = as_float_array(z, "z")
    check_same_shape(z, x_t.shape, "z", "one noise draw per entry of x_t")
    beta = schedule.betas[t - 1]
    score = score_fn(x_t, schedule.alphas_cumprod[t - 1])
    return (x_t + beta * score) / np.sqrt(1.0 - beta) + np.sqrt(beta) * z


def probability_flow_step(x_t, t: int, score_fn: ScoreFn, schedule: Schedule) -> np.ndarray:
    r"""One deterministic step along the probability-flow ODE, discretised as DDIM with :math:`\eta = 0`
    (Song, Meng & Ermon 2021):

    :math:`\hat x_0 = (x_t + (1-\bar\alpha_t)\, s) / \sqrt{\bar\alpha_t}`,
    :math:`\hat\epsilon = -\sqrt{1-\bar\alpha_t}\, s`,
    :math:`x_{t-1} = \sqrt{\bar\alpha_{t-1}}\, \hat x_0 + \sqrt{1-\bar\alpha_{t-1}}\, \hat\epsilon`.

    No noise is drawn: the same start always gives the same sample, and the marginals match q_t.
    """
    x_t, t = _check_step(x_t, t, schedule)
    ab, ab_prev = schedule.alphas_cumprod[t - 1], schedule.alphas_cumprod_prev[t - 1]
    score = score_fn(x_t, ab)
    x0_hat = tweedie_denoise(x_t, score, ab)
    eps_hat = eps_from_score(score, ab)
    return np.sqrt(ab_prev) * x0_hat + np.sqrt(1.0 - ab_prev) * eps_hat


def sample_reverse(score_fn: ScoreFn, schedule: Schedule, x_T, method: str = "ddpm",
                   rng: np.random.Generator | None = None, noise=None) -> np.ndarray:
    r"""Run the reverse process from ``x_T`` down to :math:`x_0`, driven by ``score_fn(x, alpha_bar)``.

    ``method``: ``"ddpm"`` (ancestral steps, :func:`ddpm_step`; needs ``rng`` or ``noise`` of shape
    ``[T, *x_T.shape]``, ``noise[t - 1]`` used at step t, no noise at t = 1) or ``"ode"`` (the deterministic
    probability-flow ODE, :func:`probability_flow_step`). Returns the trajectory ``[T + 1, *x_T.shape]`` in the
    forward convention: ``trajectory[t]`` is :math:`x_t`, so ``trajectory[T]`` is the start and
    ``trajectory[0]`` the generated samples.
    """
    _check_schedule(schedule)
    if not callable(score_fn):
        raise TypeError(f"score_fn must be callable as score_fn(x, alpha_bar); got {type(score_fn).__name__}")
    if method not in ("ddpm", "ode"):
        raise ValueError(f"method must be 'ddpm' or 'ode'; got {method!r}")
    x = as_float_array(x_T, "x_T").astype(np.float64)
    T = schedule.num_timesteps
    if method == "ddpm":
        if noise is None:
            if not isinstance(rng, np.random.Generator):
                raise ValueError("method='ddpm' needs noise, or rng=np.random.default_rng(seed) to draw it")
            noise = rng.standard_normal((T,) + x.shape)
        noise = as_float_array(noise, "noise")
        check_same_shape(noise, (T,) + x.shape, "noise", "one draw per step: [T, *x_T.shape]")
    trajectory = np.empty((T + 1,) + x.shape)
    trajectory[T] = x
    for t in range(T, 0, -1):
        if method == "ddpm":
            z = noise[t - 1] if t > 1 else np.zeros_like(x)
            x = ddpm_step(x, t, score_fn, schedule, z)
        else:
            x = probability_flow_step(x, t, score_fn, schedule)
        trajectory[t - 1] = x
    return trajectory


def conditional_mean_by_bins(x, y, edges) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""Monte Carlo estimate of :math:`E[y \mid x]` by binning: the mean of ``y`` over the samples whose ``x``
    falls in each bin.

    ``x``, ``y``: 1-D of equal length; ``edges``: increasing bin edges ``[M + 1]``. Returns
    ``(centres, means, standard_errors, counts)``, each ``[M]``; empty bins give NaN mean and error.
    The standard error is :math:`\mathrm{sd}(y \mid \text{bin}) / \sqrt{n_{\text{bin}}}`.
    """
    x = as_float_array(x, "x").ravel()
    y = as_float_array(y, "y").ravel()
    edges = as_float_array(edges, "edges")
    if x.size != y.size:
        raise ValueError(f"x and y must hold the same number of samples; got {x.size} and {y.size}")
    if edges.ndim != 1 or edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError("edges must be a strictly increasing 1-D array of at least two bin edges")
    which = np.searchsorted(edges, x, side="right") - 1
    inside = (which >= 0) & (which < edges.size - 1) | (x == edges[-1])
    which = np.minimum(which[inside], edges.size - 2)
    counts = np.bincount(which, minlength=edges.size - 1)
    sums = np.bincount(which, weights=y[inside], minlength=edges.size - 1)
    squares = np.bincount(which, weights=y[inside] ** 2, minlength=edges.size - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
        var = np.maximum(squares / counts - means**2, 0.0) * counts / np.maximum(counts - 1, 1)
        errors = np.sqrt(var / counts)
    return 0.5 * (edges[:-1] + edges[1:]), means, errors, counts


def _rbf_features(x: np.ndarray, centres: np.ndarray, width: float) -> np.ndarray:
    """``[N] -> [N, M + 2]``: Gaussian bumps exp(-(x - c_m)^2 / (2 width^2)), a constant and x itself.

    The linear feature lets the fit extrapolate past the bumps, where the true E[eps | x_t] is linear in x_t.
    """
    bumps = np.exp(-0.5 * ((x[:, None] - centres) / width) ** 2)
    return np.concatenate([bumps, np.ones((x.size, 1)), x[:, None]], axis=1)


def fit_score_from_samples(x0, schedule: Schedule, rng: np.random.Generator, num_features: int = 24,
                           span: float = 4.0, ridge: float = 1e-3) -> ScoreFn:
    r"""Learn a 1-D score from data samples alone, the way diffusion training does, with a tiny model.

    For each step t: draw :math:`x_t = \sqrt{\bar\alpha_t} x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon`, then fit
    :math:`\hat\epsilon_t(x) = \sum_m a_m \phi_m(x)` (``num_features`` Gaussian bumps on [-span, span], a constant
    and :math:`x`) by minimising :math:`\sum (\hat\epsilon_t(x_t) - \epsilon)^2 + \text{ridge} \lVert a \rVert^2`, which
    is DDPM's training loss. Its minimiser approximates :math:`E[\epsilon \mid x_t]`, so
    :math:`-\hat\epsilon_t / \sqrt{1-\bar\alpha_t}` approximates the score. Returns ``score_fn(x, alpha_bar)``
    for the schedule's noise levels (a level it was not fitted at raises ``KeyError``).
    """
    _check_schedule(schedule)
    check_rng(rng)
    x0 = as_float_array(x0, "x0").astype(np.float64)
    if x0.ndim != 1 or x0.size < num_features:
        raise ValueError(f"x0 must be 1-D with at least num_features = {num_features} samples; got {x0.shape}")
    centres = np.linspace(-span, span, num_features)
    width = centres[1] - centres[0]
    coefs = {}
    for ab in schedule.alphas_cumprod:
        eps = rng.standard_normal(x0.shape)
        phi = _rbf_features(np.sqrt(ab) * x0 + np.sqrt(1.0 - ab) * eps, centres, width)
        gram = phi.T @ phi + ridge * np.eye(phi.shape[1])
        coefs[float(ab)] = np.linalg.solve(gram, phi.T @ eps)

    def score_fn(x, alpha_bar):
        x = np.asarray(x, dtype=np.float64)
        eps_hat = _rbf_features(x.ravel(), centres, width) @ coefs[float(alpha_bar)]
        return score_from_eps(eps_hat.reshape(x.shape), alpha_bar)

    return score_fn


# --- the chain's continuous-time limit: DDPM's variance-preserving SDE ------------------------------------------
#
# With time tau in [0, 1] and T steps of length 1 / T, a chain whose step t adds the noise variance
# beta_t = beta(tau) / T is, for small steps, one Euler-Maruyama step of the variance-preserving (VP) SDE
# (Song et al. 2021)   dx = -1/2 beta(tau) x dtau + sqrt(beta(tau)) dW.
# DDPM's linear schedule is the rate beta(tau) = 0.1 + 19.9 tau: its T = 1000 betas are beta((t-1)/(T-1)) / T.

#: DDPM's linear schedule as a rate in continuous time: beta(tau) runs from 0.1 to 20 over tau in [0, 1].
VP_BETA_MIN, VP_BETA_MAX = 0.1, 20.0


def _vp_arguments(tau, beta_min: float, beta_max: float) -> np.ndarray:
    """``tau`` as a float array in [0, 1], with 0 < beta_min <= beta_max checked."""
    tau = as_float_array(tau, "tau")
    _check_in_range(tau, "tau", low_open=False, high_open=False)
    if not 0.0 < beta_min <= beta_max:
        raise ValueError(f"the rates must satisfy 0 < beta_min <= beta_max; got beta_min = {beta_min!r}, "
                         f"beta_max = {beta_max!r}")
    return tau


def vp_beta(tau, beta_min: float = VP_BETA_MIN, beta_max: float = VP_BETA_MAX) -> np.ndarray:
    r"""The noise rate of DDPM's linear schedule in continuous time,
    :math:`\beta(\tau) = \beta_{\min} + \tau\,(\beta_{\max} - \beta_{\min})`, for ``tau`` in [0, 1] (any shape)."""
    tau = _vp_arguments(tau, beta_min, beta_max)
    return beta_min + tau * (beta_max - beta_min)


def vp_alpha_bar(tau, beta_min: float = VP_BETA_MIN, beta_max: float = VP_BETA_MAX) -> np.ndarray:
    r"""The VP SDE's noise level: for a fixed start, :math:`x_\tau \sim \mathcal N(\sqrt{\bar\alpha(\tau)}\,x_0,\
    1 - \bar\alpha(\tau))` with

    :math:`\bar\alpha(\tau) = \exp\big(-\int_0^\tau \beta(u)\,du\big)
    = \exp\big(-\beta_{\min}\tau - \tfrac12(\beta_{\max} - \beta_{\min})\,\tau^2\big)`,

    the limit of the chain's :math:`\prod_t (1 - \beta_t)` as the steps shrink. ``tau`` in [0, 1], any shape.
    """
    tau = _vp_arguments(tau, beta_min, beta_max)
    return np.exp(-(beta_min * tau + 0.5 * (beta_max - beta_min) * tau**2))


def vp_schedule(num_timesteps: int, beta_min: float = VP_BETA_MIN, beta_max: float = VP_BETA_MAX) -> Schedule:
    r"""The chain of T steps at the SDE's noise levels: :math:`\bar\alpha_t = \bar\alpha(t/T)`, so
    :math:`\beta_t = 1 - \bar\alpha(t/T) / \bar\alpha((t-1)/T)`.

    Each of its steps is the SDE's exact transition over :math:`[(t-1)/T,\ t/T]` (the VP SDE is linear, so
    that transition is Gaussian with exactly these coefficients): for any T its marginals at its own times
    are the SDE's. Any T >= 1 gives betas inside (0, 1).
    """
    T = check_positive_int(num_timesteps, "num_timesteps", " (the number of steps T)")
    abar = vp_alpha_bar(np.arange(1, T + 1) / T, beta_min, beta_max)
    return from_alphas_cumprod(abar, name=f"VP SDE, T = {T}")


def vp_euler_maruyama_steps(num_timesteps: int, beta_min: float = VP_BETA_MIN,
                            beta_max: float = VP_BETA_MAX) -> tuple[np.ndarray, np.ndarray]:
    r"""The VP SDE's Euler-Maruyama scheme in T steps, written as linear steps
    :math:`x_k = a_k\, x_{k-1} + \sqrt{b_k}\,\epsilon_k`: replace :math:`d\tau` by :math:`\Delta\tau = 1/T` and
    :math:`dW` by :math:`\sqrt{\Delta\tau}\,\epsilon_k`, with the rate taken at the step's start
    :math:`\tau_{k-1} = (k-1)/T`:

    :math:`a_k = 1 - \tfrac12 \beta(\tau_{k-1})\,\Delta\tau`, :math:`b_k = \beta(\tau_{k-1})\,\Delta\tau`.

    Returns ``(a, b)``, each ``[T]``. (DDPM's chain step is the same form with :math:`a = \sqrt{1-\beta_t}`,
    :math:`b = \beta_t`, and :math:`\sqrt{1-\beta} \approx 1 - \beta/2` for small steps.)
    """
    T = check_positive_int(num_timesteps, "num_timesteps", " (the number of steps T)")
    rate = vp_beta(np.arange(T) / T, beta_min, beta_max)
    return 1.0 - 0.5 * rate / T, rate / T


def variance_path(a, b, var0: float = 0.0) -> np.ndarray:
    r"""The exact variance of :math:`x_k` along a chain of linear steps
    :math:`x_k = a_k x_{k-1} + \sqrt{b_k}\,\epsilon_k` with fresh :math:`\epsilon_k \sim \mathcal N(0, 1)`, from
    :math:`\mathrm{Var}(x_0) = v_0` (0: a fixed start):

    :math:`v_k = a_k^2\, v_{k-1} + b_k` (variances of independent terms add).

    ``a``, ``b``: 1-D of equal length T, ``b`` >= 0. Returns ``[T + 1]``, ``v_0`` first.
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"a and b must be 1-D arrays of equal length (one per step); got {a.shape} and {b.shape}")
    if np.any(b < 0) or var0 < 0:
        raise ValueError("b (the noise variance of each step) and var0 must be 0 or more")
    out = np.empty(a.size + 1)
    out[0] = var0
    for k in range(a.size):
        out[k + 1] = a[k] ** 2 * out[k] + b[k]
    return out
