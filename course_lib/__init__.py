"""course_lib: the one implementation behind "Diffusion models, part 1: the forward process".

Modules, each with one job:

- :mod:`course_lib.schedules` -- beta schedules, the frozen :class:`~course_lib.schedules.Schedule`, SNR,
  the zero-terminal-SNR rescale and the resolution shift
- :mod:`course_lib.forward`   -- forward_step, forward_chain, q_sample / add_noise, equivalent_eps
- :mod:`course_lib.score`     -- Gaussian-mixture data, exact noisy marginals and scores, Tweedie,
  reverse samplers (DDPM and the probability-flow ODE)
- :mod:`course_lib.exact_reverse` -- the exact one-step reverse of mixture data and its KL from a Gaussian
- :mod:`course_lib.data`      -- the sample image shipped with matplotlib, toy 1-D data
- :mod:`course_lib.stats`     -- the two-sample KS test, the N(0, 1) CDF
- :mod:`course_lib.checks`    -- visible self-checks whose messages name the misconception
- :mod:`course_lib.hidden`    -- hidden tests' reports for the grader
- :mod:`course_lib.plots`, :mod:`course_lib.widgets` -- every figure and interactive figure
- :mod:`course_lib.grading`   -- the autograding sandbox and workflow (instructors)

Timestep convention: the maths' t runs 1..T (t = 0 is clean data); arrays are 0-indexed as in
diffusers, so ``alphas_cumprod[t - 1]`` is alpha_bar_t.
"""

try:
    from .forward import add_noise, equivalent_eps, forward_chain, forward_step, q_sample
    from .schedules import Schedule, from_alphas_cumprod, from_betas, get_schedule
except ModuleNotFoundError as _missing:  # a bare Python running `python -m course_lib venv`, which installs numpy
    if _missing.name != "numpy":
        raise

    def __getattr__(name: str):
        raise ModuleNotFoundError(f"course_lib.{name} needs numpy, which this Python does not have: "
                                  "pip install numpy (or run `python -m course_lib venv`)", name="numpy")

__version__ = "0.1.0"

__all__ = [
    "Schedule",
    "add_noise",
    "equivalent_eps",
    "forward_chain",
    "forward_step",
    "from_alphas_cumprod",
    "from_betas",
    "get_schedule",
    "q_sample",
]
