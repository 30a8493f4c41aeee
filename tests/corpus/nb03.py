"""Corpus entries for notebook 03, the closed form: correct-but-different answers and misconceptions."""

from corpus import Submission
from corpus.shared import CUMPROD_LOGS, CUMPROD_LOOP

ASSIGNMENT = "03-closed-form"

CUMPROD_ACCUMULATE = '''
import itertools, operator

def alphas_cumprod_from_betas(betas):
    return np.fromiter(itertools.accumulate((1.0 - b for b in betas), operator.mul), dtype=float)
'''
Q_PADDED = '''
def q_sample(x0, t, alphas_cumprod, eps):
    padded = np.concatenate([[1.0], alphas_cumprod])  # alpha_bar_0 = 1 in front: index with t itself
    return np.sqrt(padded[t]) * np.asarray(x0) + np.sqrt(1 - padded[t]) * np.asarray(eps), eps
'''
Q_HELPER_LIST = '''
def _coefficients(alphas_cumprod, t):
    alpha_bar = float(alphas_cumprod[t - 1])
    return alpha_bar ** 0.5, (1 - alpha_bar) ** 0.5

def q_sample(x0, t, alphas_cumprod, eps):
    signal, noise = _coefficients(alphas_cumprod, t)
    return [signal * np.asarray(x0, dtype=float) + noise * np.asarray(eps, dtype=float), eps]
'''
Q_FLOAT32 = '''
def q_sample(x0, t, alphas_cumprod, eps):
    alpha_bar = np.float32(alphas_cumprod[t - 1])
    x0, eps32 = np.asarray(x0, dtype=np.float32), np.asarray(eps, dtype=np.float32)
    return np.sqrt(alpha_bar) * x0 + np.sqrt(np.float32(1) - alpha_bar) * eps32, eps
'''
EPS_NP = '''
def equivalent_eps(x0, x_t, alpha_bar):
    return np.divide(np.subtract(x_t, np.multiply(np.sqrt(alpha_bar), x0)), np.sqrt(1 - alpha_bar))
'''
EPS_MATH = '''
import math

def equivalent_eps(x0, x_t, alpha_bar):
    return (np.asarray(x_t, dtype=float) - math.sqrt(alpha_bar) * np.asarray(x0, dtype=float)) / math.sqrt(1 - alpha_bar)
'''
EXTRACT_INDEXING = '''
def extract(a, t, x_shape):
    return np.asarray(a)[np.asarray(t) - 1][(...,) + (None,) * (len(x_shape) - 1)]
'''
EXTRACT_EXPAND = '''
def extract(a, t, x_shape):
    out = np.take(a, np.asarray(t) - 1)
    while out.ndim < len(x_shape):
        out = np.expand_dims(out, -1)
    return out
'''


def _cumprod(expr: str) -> dict[str, str]:
    return {"alphas_cumprod_from_betas": f"def alphas_cumprod_from_betas(betas):\n    return {expr}\n"}


def _q(x_t: str, alpha_bar: str = "alphas_cumprod[t - 1]", ret: str = "x_t, eps") -> dict[str, str]:
    return {"q_sample": f"def q_sample(x0, t, alphas_cumprod, eps):\n    ab = {alpha_bar}\n"
                        f"    x_t = {x_t}\n    return {ret}\n"}


def _eps(expr: str) -> dict[str, str]:
    return {"equivalent_eps": f"def equivalent_eps(x0, x_t, alpha_bar):\n    ab = alpha_bar\n    return {expr}\n"}


def _extract(expr: str) -> dict[str, str]:
    return {"extract": f"def extract(a, t, x_shape):\n    values = np.asarray(a)[np.asarray(t) - 1]\n"
                       f"    return {expr}\n"}


GOOD_X_T = "np.sqrt(ab) * x0 + np.sqrt(1 - ab) * eps"

SUBMISSIONS = [
    Submission("alphas_cumprod with a loop", {"alphas_cumprod_from_betas": CUMPROD_LOOP}),
    Submission("alphas_cumprod through logs", {"alphas_cumprod_from_betas": CUMPROD_LOGS}),
    Submission("alphas_cumprod with itertools.accumulate", {"alphas_cumprod_from_betas": CUMPROD_ACCUMULATE}),
    Submission("q_sample with alpha_bar_0 padded in front", {"q_sample": Q_PADDED}),
    Submission("q_sample with a helper, returning a list", {"q_sample": Q_HELPER_LIST}),
    Submission("q_sample in float32", {"q_sample": Q_FLOAT32}),
    Submission("equivalent_eps with NumPy ufuncs", {"equivalent_eps": EPS_NP}),
    Submission("equivalent_eps with math.sqrt", {"equivalent_eps": EPS_MATH}),
    Submission("extract by indexing with None", {"extract": EXTRACT_INDEXING}),
    Submission("extract with np.take and expand_dims", {"extract": EXTRACT_EXPAND}),
    Submission("concept answer in lower case", {"gaussian_concept": "gaussian_answer = 'b '"}),
    # misconceptions named by check_alphas_cumprod_from_betas
    Submission("misconception: cumsum instead of cumprod", _cumprod("np.cumsum(1 - betas)"),
               loses={"test_alphas_cumprod_from_betas"}, says="np.cumsum was used"),
    Submission("misconception: 1 - cumsum(betas)", _cumprod("1 - np.cumsum(betas)"),
               loses={"test_alphas_cumprod_from_betas"}, says="only the first-order approximation"),
    Submission("misconception: product of the betas", _cumprod("np.cumprod(betas)"),
               loses={"test_alphas_cumprod_from_betas"}, says="the running product of the betas was taken"),
    Submission("misconception: alpha instead of alpha_bar", _cumprod("1 - betas"),
               loses={"test_alphas_cumprod_from_betas"}, says="that is alpha = 1 - beta, not alpha_bar"),
    Submission("misconception: only alpha_bar_T", _cumprod("np.prod(1 - betas)"),
               loses={"test_alphas_cumprod_from_betas"}, says="only the final product alpha_bar_T was returned"),
    Submission("misconception: shifted by one", _cumprod("np.concatenate([[1.0], np.cumprod(1 - betas)[:-1]])"),
               loses={"test_alphas_cumprod_from_betas"}, says="the array is shifted by one"),
    Submission("misconception: alpha_bar_0 included", _cumprod("np.concatenate([[1.0], np.cumprod(1 - betas)])"),
               loses={"test_alphas_cumprod_from_betas"}, says="alpha_bar_0 = 1 was put in front"),
    Submission("misconception: sqrt of alpha_bar", _cumprod("np.sqrt(np.cumprod(1 - betas))"),
               loses={"test_alphas_cumprod_from_betas"}, says="that is sqrt(alpha_bar) (sqrt_alphas_cumprod)"),
    Submission("misconception: 1 - alpha_bar", _cumprod("1 - np.cumprod(1 - betas)"),
               loses={"test_alphas_cumprod_from_betas"}, says="that is 1 - alpha_bar, the noise variance"),
    Submission("delegates to course_lib.schedules", {"alphas_cumprod_from_betas":
               "from course_lib import schedules as _s\n"
               "def alphas_cumprod_from_betas(betas):\n    return _s.from_betas(betas).alphas_cumprod\n"},
               loses={"test_alphas_cumprod_from_betas"}, flags={"reference-implementation-used"}),
    # misconceptions named by check_q_sample
    Submission("misconception: t used as a 0-based index", _q(GOOD_X_T, "alphas_cumprod[t]"),
               loses={"test_q_sample"}, says="alpha_bar_t is alphas_cumprod[t - 1]"),
    Submission("misconception: no square roots", _q("ab * x0 + (1 - ab) * eps"),
               loses={"test_q_sample"}, says="the square roots are missing"),
    Submission("misconception: noise scaled by its variance", _q("np.sqrt(ab) * x0 + (1 - ab) * eps"),
               loses={"test_q_sample"}, says="the noise is scaled by 1 - alpha_bar instead of sqrt(1 - alpha_bar)"),
    Submission("misconception: sqrt forgotten on alpha_bar", _q("ab * x0 + np.sqrt(1 - ab) * eps"),
               loses={"test_q_sample"}, says="sqrt forgotten on alpha_bar"),
    Submission("misconception: 1 - sqrt(alpha_bar)", _q("np.sqrt(ab) * x0 + (1 - np.sqrt(ab)) * eps"),
               loses={"test_q_sample"}, says="the noise scale is 1 - sqrt(alpha_bar)"),
    Submission("misconception: signal and noise swapped", _q("np.sqrt(1 - ab) * x0 + np.sqrt(ab) * eps"),
               loses={"test_q_sample"}, says="signal and noise are swapped"),
    Submission("misconception: alphas_cumprod multiplied again", _q(GOOD_X_T, "np.prod(alphas_cumprod[:t])"),
               loses={"test_q_sample"}, says="alphas_cumprod already holds the running product"),
    Submission("misconception: eps not returned", _q(GOOD_X_T, ret="x_t"),
               loses={"test_q_sample"}, says="not a pair. Return (x_t, eps)"),
    Submission("misconception: pair in the wrong order", _q(GOOD_X_T, ret="eps, x_t"),
               loses={"test_q_sample"}, says="the pair is in the wrong order"),
    # misconceptions named by check_equivalent_eps
    Submission("misconception: eps without square roots", _eps("(x_t - ab * x0) / (1 - ab)"),
               loses={"test_equivalent_eps"}, says="the square roots are missing"),
    Submission("misconception: divided by the variance", _eps("(x_t - np.sqrt(ab) * x0) / (1 - ab)"),
               loses={"test_equivalent_eps"}, says="divided by 1 - alpha_bar instead of sqrt(1 - alpha_bar)"),
    Submission("misconception: x0 scaled by alpha_bar", _eps("(x_t - ab * x0) / np.sqrt(1 - ab)"),
               loses={"test_equivalent_eps"}, says="x0 was scaled by alpha_bar instead of sqrt(alpha_bar)"),
    Submission("misconception: x0 not scaled", _eps("(x_t - x0) / np.sqrt(1 - ab)"),
               loses={"test_equivalent_eps"}, says="x0 was not scaled"),
    Submission("misconception: eps with the sign flipped", _eps("(np.sqrt(ab) * x0 - x_t) / np.sqrt(1 - ab)"),
               loses={"test_equivalent_eps"}, says="the sign is flipped"),
    Submission("misconception: multiplied instead of divided", _eps("(x_t - np.sqrt(ab) * x0) * np.sqrt(1 - ab)"),
               loses={"test_equivalent_eps"}, says="multiplied by sqrt(1 - alpha_bar) where you must divide"),
    Submission("misconception: no division", _eps("x_t - np.sqrt(ab) * x0"),
               loses={"test_equivalent_eps"}, says="the division by sqrt(1 - alpha_bar) is missing"),
    Submission("delegates to course_lib.forward.equivalent_eps", {"equivalent_eps":
               "from course_lib.forward import equivalent_eps as _eps\n"
               "def equivalent_eps(x0, x_t, alpha_bar):\n    return _eps(x0, x_t, alpha_bar)\n"},
               loses={"test_equivalent_eps"}, flags={"reference-implementation-used"}),
    # misconceptions named by check_extract
    Submission("misconception: extract indexes with t", {"extract":
               "def extract(a, t, x_shape):\n    return np.asarray(a)[np.asarray(t)].reshape((-1,) + (1,) * (len(x_shape) - 1))\n"},
               loses={"test_extract"}, says="arrays are 0-indexed"),
    Submission("misconception: extract not reshaped", _extract("values"),
               loses={"test_extract"}, says="not reshaped"),
    Submission("misconception: extract reshaped to [B, 1]", _extract("values.reshape(-1, 1)"),
               loses={"test_extract"}, says="reshaped to [B, 1]"),
    Submission("misconception: batch on the last axis", _extract("values.reshape((1,) * (len(x_shape) - 1) + (-1,))"),
               loses={"test_extract"}, says="the batch is on the last axis"),
    Submission("misconception: always [B, 1, 1, 1]", _extract("values.reshape(-1, 1, 1, 1)"),
               loses={"test_extract"}, says="the shape is always [B, 1, 1, 1]"),
    # the common wrong answer of the concept check
    Submission("misconception: Gaussian because it looks realistic", {"gaussian_concept": "gaussian_answer = 'A'"},
               loses={"test_gaussian_concept"}, says="How the noise looks is not the reason"),
]
