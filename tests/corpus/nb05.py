"""Grading corpus for notebook 05, the score link: correct-but-different answers, named misconceptions, answers
that modify their inputs, scalar-only answers and answers that only call course_lib, for every exercise."""

from corpus import Submission

ASSIGNMENT = "05-score-link"

FUNCTIONS = ("gaussian_score", "score_from_eps", "noisy_gaussian_score", "tweedie_x0", "vp_alpha_bar", "reverse_step")
FUNCTION_TESTS = frozenset(f"test_{name}" for name in FUNCTIONS)

#: Kinds of plausible answer an exercise cannot have (see corpus.KINDS): a letter has no inputs to modify,
#: no arrays and no reference implementation.
NOT_APPLICABLE = {
    "conditional_score_concept": {"in-place", "scalar-only", "reference-only"},
    "noise_score_concept": {"in-place", "scalar-only", "reference-only"},
}

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
    # written through the precision of x_t, 1 / (1 + alpha_bar (var - 1))
    "noisy_gaussian_score": '''
def noisy_gaussian_score(x, mean, var, alpha_bar):
    precision = 1.0 / (1.0 + np.asarray(alpha_bar) * (np.asarray(var) - 1.0))
    return precision * (np.sqrt(alpha_bar) * np.asarray(mean) - x)
''',
    "tweedie_x0": '''
def tweedie_x0(x_t, score, alpha_bar):
    root = np.sqrt(alpha_bar)
    return x_t / root + (1 - np.asarray(alpha_bar)) / root * np.asarray(score)
''',
    "vp_alpha_bar": '''
def vp_alpha_bar(tau, beta_min, beta_max):
    tau = np.asarray(tau, dtype=float)
    return np.exp(-beta_min * tau) * np.exp(-(beta_max - beta_min) * tau**2 / 2)
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
    "conditional_score_concept": '''
conditional_score_answer = "B"
''',
}

LOOPS_AND_HELPERS = {
    "gaussian_score": '''
def _difference(a, b):
    return np.subtract(a, b, dtype=float)

def gaussian_score(x, mean, var):
    """Looks at plain numbers with Python floats, vectorised otherwise."""
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
    "noisy_gaussian_score": '''
def _moments_of_x_t(mean, var, alpha_bar):
    alpha_bar = np.asarray(alpha_bar, dtype=float)
    return np.sqrt(alpha_bar) * mean, alpha_bar * var + (1.0 - alpha_bar)

def noisy_gaussian_score(x, mean, var, alpha_bar):
    centre, variance = _moments_of_x_t(mean, var, alpha_bar)
    return (centre - np.array(x, dtype=float)) / variance
''',
    "tweedie_x0": '''
def tweedie_x0(x_t, score, alpha_bar):
    x_t, score, alpha_bar = (np.array(v, dtype=np.float64) for v in (x_t, score, alpha_bar))
    variance = 1.0 - alpha_bar
    return (x_t + variance * score) / alpha_bar ** 0.5
''',
    "vp_alpha_bar": '''
import math

def _integral_of_rate(tau, beta_min, beta_max):
    return beta_min * tau + (beta_max - beta_min) * tau * tau / 2

def vp_alpha_bar(tau, beta_min, beta_max):
    if np.ndim(tau) == 0:
        return math.exp(-_integral_of_rate(float(tau), beta_min, beta_max))
    return np.exp(-_integral_of_rate(np.asarray(tau, dtype=float), beta_min, beta_max))
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
    "conditional_score_concept": '''
conditional_score_answer = "b "
''',
    "noise_score_concept": '''
noise_score_answer = " b "
''',
}

# --- answers that modify their inputs, answers for numbers only, answers that only call course_lib -------

IN_PLACE = {
    "gaussian_score": '''
def gaussian_score(x, mean, var):
    x = np.asarray(x, dtype=float)
    x -= mean
    x /= var
    return -x
''',
    "score_from_eps": '''
def score_from_eps(eps, alpha_bar):
    eps = np.asarray(eps, dtype=float)
    eps /= -np.sqrt(1 - np.asarray(alpha_bar, dtype=float))
    return eps
''',
    "noisy_gaussian_score": '''
def noisy_gaussian_score(x, mean, var, alpha_bar):
    x = np.asarray(x, dtype=float)
    x -= np.sqrt(alpha_bar) * mean
    return -x / (alpha_bar * var + 1 - alpha_bar)
''',
    "tweedie_x0": '''
def tweedie_x0(x_t, score, alpha_bar):
    x_t += (1 - alpha_bar) * score
    return x_t / np.sqrt(alpha_bar)
''',
    "vp_alpha_bar": '''
def vp_alpha_bar(tau, beta_min, beta_max):
    tau = np.asarray(tau, dtype=float)
    exponent = beta_min * tau
    tau *= tau  # tau squared, reusing the array
    exponent += 0.5 * (beta_max - beta_min) * tau
    return np.exp(-exponent)
''',
    "reverse_step": '''
def reverse_step(x_t, t, betas, score_fn, z):
    beta_t = betas[t - 1]
    alpha_bar_t = np.prod(1 - np.asarray(betas[:t]))
    z = np.asarray(z, dtype=float)
    z *= np.sqrt(beta_t)
    return (x_t + beta_t * score_fn(x_t, alpha_bar_t)) / np.sqrt(1 - beta_t) + z
''',
}

SCALAR_ONLY = {
    "gaussian_score": '''
def gaussian_score(x, mean, var):
    return -(float(x) - mean) / var
''',
    "score_from_eps": '''
import math

def score_from_eps(eps, alpha_bar):
    return -eps / math.sqrt(1 - alpha_bar)
''',
    "noisy_gaussian_score": '''
import math

def noisy_gaussian_score(x, mean, var, alpha_bar):
    return -(x - math.sqrt(alpha_bar) * mean) / (alpha_bar * var + 1 - alpha_bar)
''',
    "tweedie_x0": '''
import math

def tweedie_x0(x_t, score, alpha_bar):
    return (x_t + (1 - alpha_bar) * score) / math.sqrt(alpha_bar)
''',
    "vp_alpha_bar": '''
import math

def vp_alpha_bar(tau, beta_min, beta_max):
    return math.exp(-(beta_min * tau + 0.5 * (beta_max - beta_min) * tau**2))
''',
    "reverse_step": '''
import math

def reverse_step(x_t, t, betas, score_fn, z):
    beta_t = float(betas[t - 1])
    alpha_bar_t = math.prod(1 - float(b) for b in betas[:t])
    x = float(x_t)
    return (x + beta_t * float(score_fn(x, alpha_bar_t))) / math.sqrt(1 - beta_t) + math.sqrt(beta_t) * float(z)
''',
}

# the generic corpus delegates the exercises named like a course_lib function (gaussian_score, score_from_eps,
# vp_alpha_bar); these call course_lib under other names
REFERENCE_UNDER_OTHER_NAMES = {
    "noisy_gaussian_score": '''
from course_lib import score as reference

def noisy_gaussian_score(x, mean, var, alpha_bar):
    shape = np.broadcast(x, mean, var, alpha_bar).shape
    out = np.empty(shape)
    for i in np.ndindex(shape):
        one = reference.GaussianMixture([1.0], [np.broadcast_to(mean, shape)[i]], [np.broadcast_to(var, shape)[i]])
        out[i] = one.noised(float(np.broadcast_to(alpha_bar, shape)[i])).score(np.broadcast_to(x, shape)[i])
    return out
''',
    "tweedie_x0": '''
from course_lib.score import tweedie_denoise

def tweedie_x0(x_t, score, alpha_bar):
    return tweedie_denoise(x_t, score, alpha_bar)
''',
    "reverse_step": '''
from course_lib import schedules, score

def reverse_step(x_t, t, betas, score_fn, z):
    return score.ddpm_step(x_t, t, score_fn, schedules.from_betas(betas), np.broadcast_to(z, np.shape(x_t)))
''',
}

# --- misconceptions: each costs its own exercise's points, and the check names it --------------------------


def _gaussian(body: str) -> dict:
    return {"gaussian_score": f"def gaussian_score(x, mean, var):\n    return {body}\n"}


def _eps(body: str) -> dict:
    return {"score_from_eps": f"def score_from_eps(eps, alpha_bar):\n    return {body}\n"}


def _noisy(body: str) -> dict:
    return {"noisy_gaussian_score": f"def noisy_gaussian_score(x, mean, var, alpha_bar):\n"
                                    f"    alpha_bar = np.asarray(alpha_bar, dtype=float)\n    return {body}\n"}


def _tweedie(body: str) -> dict:
    return {"tweedie_x0": f"def tweedie_x0(x_t, score, alpha_bar):\n    return {body}\n"}


def _vp(body: str) -> dict:
    return {"vp_alpha_bar": f"def vp_alpha_bar(tau, beta_min, beta_max):\n"
                            f"    tau = np.asarray(tau, dtype=float)\n    return {body}\n"}


def _step(alpha_bar: str = "np.prod(1 - np.asarray(betas[:t]))", score_level: str = "alpha_bar_t",
          noise: str = "np.sqrt(beta_t)") -> dict:
    return {"reverse_step": f'''
def reverse_step(x_t, t, betas, score_fn, z):
    betas = np.asarray(betas, dtype=float)
    beta_t = betas[t - 1]
    alpha_bar_t = {alpha_bar}
    return (x_t + beta_t * score_fn(x_t, {score_level})) / np.sqrt(1 - beta_t) + {noise} * z
'''}


BETA_TILDE = "np.sqrt((1 - np.prod(1 - betas[:t - 1])) / (1 - alpha_bar_t) * beta_t)"

SUBMISSIONS = [
    Submission("equivalent formulas (reciprocal, power -0.5, precision, Tweedie-based posterior mean)",
               EQUIVALENT_FORMULAS, kind="right"),
    Submission("loops, Python floats and helper functions", LOOPS_AND_HELPERS, kind="right"),
    Submission("every function modifies an input in place", IN_PLACE, loses=FUNCTION_TESTS,
               says="modified its input", kind="in-place"),
    Submission("every function written for single numbers (math.*, float())", SCALAR_ONLY, loses=FUNCTION_TESTS,
               says="NumPy's versions", kind="scalar-only"),
    Submission("calls course_lib under other names (tweedie_denoise, ddpm_step, GaussianMixture.noised)",
               REFERENCE_UNDER_OTHER_NAMES,
               loses={"test_noisy_gaussian_score", "test_tweedie_x0", "test_reverse_step"},
               flags={"reference-implementation-used"}, says="course_lib's own implementation", kind="reference-only"),
    Submission("gaussian_score: sign error", _gaussian("(x - mean) / var"),
               loses={"test_gaussian_score"}, says="sign error: the score is -(x - mean) / var", kind="wrong"),
    Submission("gaussian_score: divides by the standard deviation", _gaussian("-(x - mean) / np.sqrt(var)"),
               loses={"test_gaussian_score"}, says="divided by the standard deviation sqrt(var)", kind="wrong"),
    Submission("score_from_eps: the variance instead of its square root", _eps("-eps / (1 - alpha_bar)"),
               loses={"test_score_from_eps"}, says="the variance instead of its square root", kind="wrong"),
    Submission("score_from_eps: sign error", _eps("eps / np.sqrt(1 - alpha_bar)"),
               loses={"test_score_from_eps"}, says="sign error: the score is -eps / sqrt(1 - alpha_bar)", kind="wrong"),
    Submission("noisy_gaussian_score: the conditional score of one clean point",
               _noisy("-(x - np.sqrt(alpha_bar) * mean) / np.maximum(1 - alpha_bar, 1e-12)"),
               loses={"test_noisy_gaussian_score"}, says="score of q(x_t | x_0) for the single point", kind="wrong"),
    Submission("noisy_gaussian_score: the data's variance not scaled by alpha_bar",
               _noisy("-(x - np.sqrt(alpha_bar) * mean) / (var + 1 - alpha_bar)"),
               loses={"test_noisy_gaussian_score"}, says="the data's variance is not scaled", kind="wrong"),
    Submission("tweedie_x0: alpha_bar without its square root", _tweedie("(x_t + (1 - alpha_bar) * score) / alpha_bar"),
               loses={"test_tweedie_x0"}, says="divided by alpha_bar instead of its square root", kind="wrong"),
    Submission("tweedie_x0: sign error", _tweedie("(x_t - (1 - alpha_bar) * score) / np.sqrt(alpha_bar)"),
               loses={"test_tweedie_x0"}, says="sign error: Tweedie *adds* (1 - alpha_bar) * score", kind="wrong"),
    Submission("vp_alpha_bar: the 1/2 of the tau^2 term forgotten",
               _vp("np.exp(-(beta_min * tau + (beta_max - beta_min) * tau**2))"),
               loses={"test_vp_alpha_bar"}, says="the 1/2 of the tau^2 term is missing", kind="wrong"),
    Submission("vp_alpha_bar: the rate not integrated", _vp("np.exp(-(beta_min + tau * (beta_max - beta_min)))"),
               loses={"test_vp_alpha_bar"}, says="the rate is not integrated", kind="wrong"),
    Submission("reverse_step: np.cumprod(1 - betas)[t], off by one the other way",
               _step(alpha_bar="np.cumprod(1 - betas)[t]"),
               loses={"test_reverse_step"}, says="np.cumprod(1 - betas)[t] is alpha_bar_{t+1}", kind="wrong"),
    Submission("reverse_step: DDPM's other variance beta_tilde", _step(noise=BETA_TILDE),
               loses={"test_reverse_step"}, says="valid in Ho et al. (2020), but this exercise uses sigma_t^2 = beta_t",
               kind="wrong"),
    Submission("reverse_step: alpha instead of alpha_bar", _step(score_level="1 - beta_t"),
               loses={"test_reverse_step"}, says="alpha instead of alpha_bar", kind="wrong"),
    Submission("reverse_step: noise scaled by the variance", _step(noise="beta_t"),
               loses={"test_reverse_step"}, says="the noise is scaled by beta_t, its variance, instead of its square root",
               kind="wrong"),
    Submission("concept check: the network learns the conditional score",
               {"conditional_score_concept": 'conditional_score_answer = "A"\n'},
               loses={"test_conditional_score_concept"}, says="The network never sees x_0", kind="wrong"),
    Submission("concept check: the score of pure noise is zero", {"noise_score_concept": 'noise_score_answer = "A"\n'},
               loses={"test_noise_score_concept"}, says="Pure noise is not flat", kind="wrong"),
]
