"""Grading corpus for notebook 05, the score link: correct-but-different answers and named misconceptions."""

from corpus import Submission

ASSIGNMENT = "05-score-link"

# --- correct but different: full marks ------------------------------------------------------------------

EQUIVALENT_FORMULAS = {
    "gaussian_score": '''
def gaussian_score(x, mean, var):
    return (np.asarray(mean, dtype=float) - x) * np.reciprocal(np.asarray(var, dtype=float))
''',
    "score_from_eps": '''
def score_from_eps(eps, alpha_bar):
    return np.negative(eps) * (1.0 - np.asarray(alpha_bar, dtype=float)) ** -0.5
''',
    "tweedie_x0": '''
def tweedie_x0(x_t, score, alpha_bar):
    root = np.sqrt(alpha_bar)
    return x_t / root + (1 - np.asarray(alpha_bar)) / root * np.asarray(score)
''',
    # the DDPM posterior mean written with Tweedie's x0 estimate: the same number, another formula
    "reverse_step": '''
def reverse_step(x_t, t, betas, score_fn, z):
    betas = np.asarray(betas, dtype=float)
    alphas_cumprod = np.cumprod(1.0 - betas)
    ab, ab_prev = alphas_cumprod[t - 1], (alphas_cumprod[t - 2] if t > 1 else 1.0)
    beta, alpha = betas[t - 1], 1.0 - betas[t - 1]
    x0_hat = (x_t + (1 - ab) * score_fn(x_t, ab)) / np.sqrt(ab)
    mean = np.sqrt(ab_prev) * beta / (1 - ab) * x0_hat + np.sqrt(alpha) * (1 - ab_prev) / (1 - ab) * x_t
    return mean + np.sqrt(beta) * z
''',
}

LOOPS_AND_HELPERS = {
    "gaussian_score": '''
def _difference(a, b):
    return np.subtract(a, b, dtype=float)

def gaussian_score(x, mean, var):
    """Looks at one entry at a time when given plain numbers, vectorised otherwise."""
    if np.ndim(x) == np.ndim(mean) == np.ndim(var) == 0:
        return -(float(x) - float(mean)) / float(var)
    return -_difference(x, mean) / var
''',
    "score_from_eps": '''
import math

def score_from_eps(eps, alpha_bar):
    if np.ndim(eps) == 0 and np.ndim(alpha_bar) == 0:
        return -float(eps) / math.sqrt(1.0 - float(alpha_bar))
    out = np.empty(np.broadcast(eps, alpha_bar).shape)
    for index in np.ndindex(out.shape):
        e = np.broadcast_to(eps, out.shape)[index]
        a = np.broadcast_to(alpha_bar, out.shape)[index]
        out[index] = -e / math.sqrt(1.0 - a)
    return out
''',
    "tweedie_x0": '''
def tweedie_x0(x_t, score, alpha_bar):
    x_t, score, alpha_bar = (np.array(v, dtype=np.float64) for v in (x_t, score, alpha_bar))
    variance = 1.0 - alpha_bar
    return (x_t + variance * score) / alpha_bar ** 0.5
''',
    "reverse_step": '''
import math

def alpha_bar_at(betas, t):
    product = 1.0
    for s in range(1, t + 1):
        product *= 1.0 - float(betas[s - 1])
    return product

def reverse_step(x_t, t, betas, score_fn, z):
    beta_t = float(betas[t - 1])
    alpha_t = 1.0 - beta_t
    score = score_fn(x_t, alpha_bar_at(betas, t))
    return (np.asarray(x_t) + beta_t * score) / math.sqrt(alpha_t) + math.sqrt(beta_t) * np.asarray(z)
''',
    "noise_score_concept": '''
noise_score_answer = " b "
''',
}

# --- misconceptions: each costs its own exercise's points, and the check names it --------------------------

def _gaussian(body: str) -> dict:
    return {"gaussian_score": f"def gaussian_score(x, mean, var):\n    return {body}\n"}


def _eps(body: str) -> dict:
    return {"score_from_eps": f"def score_from_eps(eps, alpha_bar):\n    return {body}\n"}


def _tweedie(body: str) -> dict:
    return {"tweedie_x0": f"def tweedie_x0(x_t, score, alpha_bar):\n    return {body}\n"}


def _step(score_level: str = "alpha_bar_t", divisor: str = "np.sqrt(1 - beta_t)", sign: str = "+",
          noise: str = "np.sqrt(beta_t)", beta: str = "betas[t - 1]") -> dict:
    return {"reverse_step": f'''
def reverse_step(x_t, t, betas, score_fn, z):
    beta_t = {beta}
    alpha_bar_t = np.prod(1 - np.asarray(betas[:t]))
    return (x_t {sign} beta_t * score_fn(x_t, {score_level})) / {divisor} + {noise} * z
'''}


SUBMISSIONS = [
    Submission("equivalent formulas (reciprocal, power -0.5, Tweedie-based posterior mean)", EQUIVALENT_FORMULAS),
    Submission("loops, Python floats and helper functions", LOOPS_AND_HELPERS),
    Submission("gaussian_score: sign error", _gaussian("(x - mean) / var"),
               loses={"test_gaussian_score"}, says="sign error: the score is -(x - mean) / var"),
    Submission("gaussian_score: divides by the standard deviation", _gaussian("-(x - mean) / np.sqrt(var)"),
               loses={"test_gaussian_score"}, says="divided by the standard deviation sqrt(var)"),
    Submission("score_from_eps: the variance instead of its square root", _eps("-eps / (1 - alpha_bar)"),
               loses={"test_score_from_eps"}, says="the variance instead of its square root"),
    Submission("score_from_eps: sign error", _eps("eps / np.sqrt(1 - alpha_bar)"),
               loses={"test_score_from_eps"}, says="sign error: the score is -eps / sqrt(1 - alpha_bar)"),
    Submission("tweedie_x0: alpha_bar without its square root", _tweedie("(x_t + (1 - alpha_bar) * score) / alpha_bar"),
               loses={"test_tweedie_x0"}, says="divided by alpha_bar instead of its square root"),
    Submission("tweedie_x0: sign error", _tweedie("(x_t - (1 - alpha_bar) * score) / np.sqrt(alpha_bar)"),
               loses={"test_tweedie_x0"}, says="sign error: Tweedie *adds* (1 - alpha_bar) * score"),
    Submission("reverse_step: alpha instead of alpha_bar", _step(score_level="1 - beta_t"),
               loses={"test_reverse_step"}, says="alpha instead of alpha_bar"),
    Submission("reverse_step: noise scaled by the variance", _step(noise="beta_t"),
               loses={"test_reverse_step"},
               says="the noise is scaled by beta_t, its variance, instead of its square root"),
    Submission("reverse_step: sign error", _step(sign="-"),
               loses={"test_reverse_step"}, says="sign error: the step *adds* beta_t * score"),
    Submission("reverse_step: divides by sqrt(alpha_bar)", _step(divisor="np.sqrt(alpha_bar_t)"),
               loses={"test_reverse_step"}, says="alpha_bar where alpha belongs"),
    Submission("concept check: the score of pure noise is zero", {"noise_score_concept": 'noise_score_answer = "A"\n'},
               loses={"test_noise_score_concept"}, says="Pure noise is not flat"),
]
