"""Corpus entries for notebook 03, the closed form: plausible answers of every kind (right, each named
misconception, in place, scalar-only, reference-only), graded by nbgrader and run through the visible checks."""

from corpus import Submission

ASSIGNMENT = "03-closed-form"

#: Kinds of plausible answer an exercise cannot have (see corpus.KINDS): the merge and the concept check are
#: values, not functions (nothing to modify, no array input, and a value computed with course_lib is still the
#: value the exercise asks for).
NOT_APPLICABLE = {
    "merge": {"in-place", "scalar-only", "reference-only"},
    "gaussian_concept": {"in-place", "scalar-only", "reference-only"},
}

# --- alphas_cumprod_from_betas ----------------------------------------------------------------------------------

CUMPROD_LOOP = '''
def alphas_cumprod_from_betas(betas):
    out, running = [], 1.0
    for beta in betas:
        running = running * (1.0 - beta)
        out.append(running)
    return np.array(out)
'''
CUMPROD_LOGS = '''
def alphas_cumprod_from_betas(betas):
    return np.exp(np.cumsum(np.log1p(-np.asarray(betas, dtype=float))))
'''
CUMPROD_ACCUMULATE = '''
import itertools, operator

def alphas_cumprod_from_betas(betas):
    return np.fromiter(itertools.accumulate((1.0 - b for b in betas), operator.mul), dtype=float)
'''
CUMPROD_IN_PLACE = '''
def alphas_cumprod_from_betas(betas):
    np.subtract(1.0, betas, out=betas)  # the alphas, written over the betas
    return np.cumprod(betas)
'''
CUMPROD_MATH_EXP = '''
import math

def alphas_cumprod_from_betas(betas):
    return math.exp(np.cumsum(np.log(1 - betas)))
'''
CUMPROD_REFERENCE = '''
from course_lib import schedules as _s

def alphas_cumprod_from_betas(betas):
    return _s.from_betas(betas).alphas_cumprod
'''

# --- q_sample -------------------------------------------------------------------------------------------------

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
Q_IN_PLACE = '''
def q_sample(x0, t, alphas_cumprod, eps):
    alpha_bar = alphas_cumprod[t - 1]
    x0 *= np.sqrt(alpha_bar)
    x0 += np.sqrt(1 - alpha_bar) * eps
    return x0, eps
'''
Q_FLOATS = '''
import math

def q_sample(x0, t, alphas_cumprod, eps):
    alpha_bar = float(alphas_cumprod[t - 1])
    return math.sqrt(alpha_bar) * float(x0) + math.sqrt(1 - alpha_bar) * float(eps), eps
'''

# --- equivalent_eps --------------------------------------------------------------------------------------------

EPS_NP = '''
def equivalent_eps(x0, x_t, alpha_bar):
    return np.divide(np.subtract(x_t, np.multiply(np.sqrt(alpha_bar), x0)), np.sqrt(1 - alpha_bar))
'''
EPS_MATH = '''
import math

def equivalent_eps(x0, x_t, alpha_bar):
    return (np.asarray(x_t, dtype=float) - math.sqrt(alpha_bar) * np.asarray(x0, dtype=float)) / math.sqrt(1 - alpha_bar)
'''
EPS_IN_PLACE = '''
def equivalent_eps(x0, x_t, alpha_bar):
    x_t -= np.sqrt(alpha_bar) * x0
    x_t /= np.sqrt(1 - alpha_bar)
    return x_t
'''
EPS_FLOATS = '''
import math

def equivalent_eps(x0, x_t, alpha_bar):
    return (float(x_t) - math.sqrt(alpha_bar) * float(x0)) / math.sqrt(1 - alpha_bar)
'''
EPS_REFERENCE = '''
from course_lib.forward import equivalent_eps as _eps

def equivalent_eps(x0, x_t, alpha_bar):
    return _eps(x0, x_t, alpha_bar)
'''

# --- extract ----------------------------------------------------------------------------------------------------

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
EXTRACT_IN_PLACE = '''
def extract(a, t, x_shape):
    t -= 1  # to 0-based indices, in the caller's array
    return np.asarray(a)[t].reshape((len(t),) + (1,) * (len(x_shape) - 1))
'''
EXTRACT_ONE_STEP = '''
def extract(a, t, x_shape):
    value = a[int(t) - 1]  # as if t were one number
    return np.full((x_shape[0],) + (1,) * (len(x_shape) - 1), value)
'''
EXTRACT_REFERENCE = '''
from course_lib import schedules

def extract(a, t, x_shape):
    values = schedules.from_alphas_cumprod(a).alpha_bar(t)  # Schedule.alpha_bar takes the maths' t
    return np.reshape(values, (len(t),) + (1,) * (len(x_shape) - 1))
'''

# --- merge ------------------------------------------------------------------------------------------------------

MERGE_NAMED = '''
m, s = 2.0, 0.35
alpha_bar_merge = 1.0 / (m**2 - s**2 + 1.0)
'''
MERGE_SOLVED = '''
# m^2 a = a s^2 + 1 - a, solved numerically for a in [0, 1]
a = np.linspace(0, 1, 2_000_001)
alpha_bar_merge = float(a[np.argmin(np.abs(4 * a - (0.1225 * a + 1 - a)))])
'''


def _merge(alpha_bar: str) -> dict[str, str]:
    return {"merge": f"alpha_bar_merge = {alpha_bar}\n"}


# --- posterior_mean_var ------------------------------------------------------------------------------------------

POST_WHERE = '''
def posterior_mean_var(x0, x_t, t, alphas_cumprod):
    t = np.asarray(t)
    abar = alphas_cumprod[t - 1]
    abar_prev = np.where(t > 1, alphas_cumprod[np.maximum(t - 2, 0)], 1.0)  # alpha_bar_0 = 1 is not stored
    alpha = abar / abar_prev
    mean = (np.sqrt(abar_prev) * (1 - alpha) * x0 + np.sqrt(alpha) * (1 - abar_prev) * x_t) / (1 - abar)
    return mean, (1 - abar_prev) * (1 - alpha) / (1 - abar)
'''
POST_CONDITIONING = '''
def posterior_mean_var(x0, x_t, t, alphas_cumprod):
    # condition the joint Gaussian of (x_{t-1}, x_t) given x0 on x_t
    padded = np.concatenate([[1.0], alphas_cumprod])
    abar, abar_prev = padded[t], padded[np.subtract(t, 1)]
    alpha = abar / abar_prev
    v = 1 - abar_prev                       # Var(x_{t-1} | x0)
    cov = np.sqrt(alpha) * v                # Cov(x_{t-1}, x_t | x0)
    gain = cov / (1 - abar)                 # Cov / Var(x_t | x0)
    mean = np.sqrt(abar_prev) * x0 + gain * (x_t - np.sqrt(abar) * x0)
    return mean, v - gain * cov
'''
POST_HELPERS = '''
def _alpha_bars(alphas_cumprod, t):
    padded = np.concatenate([np.ones(1), np.asarray(alphas_cumprod, dtype=float)])
    t = np.asarray(t, dtype=int)
    return padded[t], padded[t - 1]

def posterior_mean_var(x0, x_t, t, alphas_cumprod):
    abar, abar_prev = _alpha_bars(alphas_cumprod, t)
    beta = 1 - abar / abar_prev
    coef_x0 = np.sqrt(abar_prev) * beta / (1 - abar)
    coef_xt = np.sqrt(1 - beta) * (1 - abar_prev) / (1 - abar)
    return coef_x0 * np.asarray(x0) + coef_xt * np.asarray(x_t), beta * (1 - abar_prev) / (1 - abar)
'''


def _post(mean: str, var: str = "(1 - abar_prev) * beta / (1 - abar)", abar: str = "padded[t]",
          abar_prev: str = "padded[np.asarray(t) - 1]", beta: str = "1 - abar / abar_prev",
          ret: str = "mean, var") -> dict[str, str]:
    return {"posterior_mean_var": (
        "def posterior_mean_var(x0, x_t, t, alphas_cumprod):\n"
        "    padded = np.concatenate([[1.0], alphas_cumprod])\n"
        f"    abar, abar_prev = {abar}, {abar_prev}\n"
        f"    beta = {beta}\n"
        f"    mean = {mean}\n"
        f"    var = {var}\n"
        f"    return {ret}\n")}


GOOD_MEAN = "(np.sqrt(abar_prev) * beta * x0 + np.sqrt(1 - beta) * (1 - abar_prev) * x_t) / (1 - abar)"
POST_WRAPS = '''
def posterior_mean_var(x0, x_t, t, alphas_cumprod):
    abar, abar_prev = alphas_cumprod[np.asarray(t) - 1], alphas_cumprod[np.asarray(t) - 2]
    beta = 1 - abar / abar_prev
    mean = (np.sqrt(abar_prev) * beta * x0 + np.sqrt(1 - beta) * (1 - abar_prev) * x_t) / (1 - abar)
    return mean, (1 - abar_prev) * beta / (1 - abar)
'''
POST_IF_T_IS_ONE = '''
def posterior_mean_var(x0, x_t, t, alphas_cumprod):
    if t == 1:  # x0 is known before the first step
        return x0, 0.0
    abar, abar_prev = alphas_cumprod[t - 1], alphas_cumprod[t - 2]
    beta = 1 - abar / abar_prev
    mean = (np.sqrt(abar_prev) * beta * x0 + np.sqrt(1 - beta) * (1 - abar_prev) * x_t) / (1 - abar)
    return mean, (1 - abar_prev) * beta / (1 - abar)
'''
POST_IN_PLACE = '''
def posterior_mean_var(x0, x_t, t, alphas_cumprod):
    padded = np.concatenate([[1.0], alphas_cumprod])
    abar, abar_prev = padded[t], padded[np.asarray(t) - 1]
    beta = 1 - abar / abar_prev
    x_t *= np.sqrt(1 - beta) * (1 - abar_prev) / (1 - abar)  # x_t's share of the mean, in place
    x_t += np.sqrt(abar_prev) * beta / (1 - abar) * x0
    return x_t, (1 - abar_prev) * beta / (1 - abar)
'''
POST_REFERENCE = '''
from course_lib import forward, schedules

def posterior_mean_var(x0, x_t, t, alphas_cumprod):
    return forward.posterior_mean_var(x0, x_t, t, schedules.from_alphas_cumprod(alphas_cumprod))
'''

SUBMISSIONS = [
    # alphas_cumprod_from_betas
    Submission("alphas_cumprod with a loop", {"alphas_cumprod_from_betas": CUMPROD_LOOP}, kind="right"),
    Submission("alphas_cumprod through logs", {"alphas_cumprod_from_betas": CUMPROD_LOGS}, kind="right"),
    Submission("alphas_cumprod with itertools.accumulate", {"alphas_cumprod_from_betas": CUMPROD_ACCUMULATE},
               kind="right"),
    *[Submission(f"misconception: {name}", {"alphas_cumprod_from_betas":
                 f"def alphas_cumprod_from_betas(betas):\n    return {expr}\n"},
                 loses={"test_alphas_cumprod_from_betas"}, says=says, kind="wrong")
      for name, expr, says in [
          ("cumsum instead of cumprod", "np.cumsum(1 - betas)", "np.cumsum was used"),
          ("1 - cumsum(betas)", "1 - np.cumsum(betas)", "only the first-order approximation"),
          ("product of the betas", "np.cumprod(betas)", "the running product of the betas was taken"),
          ("alpha instead of alpha_bar", "1 - betas", "that is alpha = 1 - beta, not alpha_bar"),
          ("only alpha_bar_T", "np.prod(1 - betas)", "only the final product alpha_bar_T was returned"),
          ("shifted by one", "np.concatenate([[1.0], np.cumprod(1 - betas)[:-1]])", "the array is shifted by one"),
          ("alpha_bar_0 included", "np.concatenate([[1.0], np.cumprod(1 - betas)])",
           "alpha_bar_0 = 1 was put in front"),
          ("sqrt of alpha_bar", "np.sqrt(np.cumprod(1 - betas))", "that is sqrt(alpha_bar) (sqrt_alphas_cumprod)"),
          ("1 - alpha_bar", "1 - np.cumprod(1 - betas)", "that is 1 - alpha_bar, the noise variance"),
      ]],
    Submission("alphas_cumprod writes the alphas over the betas", {"alphas_cumprod_from_betas": CUMPROD_IN_PLACE},
               loses={"test_alphas_cumprod_from_betas"}, says="modified its input betas", kind="in-place"),
    Submission("alphas_cumprod with math.exp", {"alphas_cumprod_from_betas": CUMPROD_MATH_EXP},
               loses={"test_alphas_cumprod_from_betas"}, says="NumPy's versions", kind="scalar-only"),
    Submission("alphas_cumprod from course_lib.schedules", {"alphas_cumprod_from_betas": CUMPROD_REFERENCE},
               loses={"test_alphas_cumprod_from_betas"}, says="ran course_lib's own implementation",
               flags={"reference-implementation-used"}, kind="reference-only"),
    # q_sample
    Submission("q_sample with alpha_bar_0 padded in front", {"q_sample": Q_PADDED}, kind="right"),
    Submission("q_sample with a helper, returning a list", {"q_sample": Q_HELPER_LIST}, kind="right"),
    Submission("q_sample in float32", {"q_sample": Q_FLOAT32}, kind="right"),
    *[Submission(f"misconception: {name}", {"q_sample": "def q_sample(x0, t, alphas_cumprod, eps):\n"
                                                        f"    ab = {ab}\n    x_t = {x_t}\n    return {ret}\n"},
                 loses={"test_q_sample"}, says=says, kind="wrong")
      for name, ab, x_t, ret, says in [
          ("t used as a 0-based index", "alphas_cumprod[t]", "np.sqrt(ab) * x0 + np.sqrt(1 - ab) * eps", "x_t, eps",
           "alpha_bar_t is alphas_cumprod[t - 1]"),
          ("no square roots", "alphas_cumprod[t - 1]", "ab * x0 + (1 - ab) * eps", "x_t, eps",
           "the square roots are missing"),
          ("noise scaled by its variance", "alphas_cumprod[t - 1]", "np.sqrt(ab) * x0 + (1 - ab) * eps", "x_t, eps",
           "the noise is scaled by 1 - alpha_bar instead of sqrt(1 - alpha_bar)"),
          ("sqrt forgotten on alpha_bar", "alphas_cumprod[t - 1]", "ab * x0 + np.sqrt(1 - ab) * eps", "x_t, eps",
           "sqrt forgotten on alpha_bar"),
          ("1 - sqrt(alpha_bar)", "alphas_cumprod[t - 1]", "np.sqrt(ab) * x0 + (1 - np.sqrt(ab)) * eps", "x_t, eps",
           "the noise scale is 1 - sqrt(alpha_bar)"),
          ("signal and noise swapped", "alphas_cumprod[t - 1]", "np.sqrt(1 - ab) * x0 + np.sqrt(ab) * eps",
           "x_t, eps", "signal and noise are swapped"),
          ("alphas_cumprod multiplied again", "np.prod(alphas_cumprod[:t])", "np.sqrt(ab) * x0 + np.sqrt(1 - ab) * eps",
           "x_t, eps", "alphas_cumprod already holds the running product"),
          ("eps not returned", "alphas_cumprod[t - 1]", "np.sqrt(ab) * x0 + np.sqrt(1 - ab) * eps", "x_t",
           "it must return a tuple of 2 values"),
          ("pair in the wrong order", "alphas_cumprod[t - 1]", "np.sqrt(ab) * x0 + np.sqrt(1 - ab) * eps", "eps, x_t",
           "the pair is in the wrong order"),
      ]],
    Submission("q_sample writes into x0", {"q_sample": Q_IN_PLACE}, loses={"test_q_sample"},
               says="modified its input x0", kind="in-place"),
    Submission("q_sample for numbers only", {"q_sample": Q_FLOATS}, loses={"test_q_sample"},
               says="NumPy's versions", kind="scalar-only"),
    # equivalent_eps
    Submission("equivalent_eps with NumPy ufuncs", {"equivalent_eps": EPS_NP}, kind="right"),
    Submission("equivalent_eps with math.sqrt of the number alpha_bar", {"equivalent_eps": EPS_MATH}, kind="right"),
    *[Submission(f"misconception: {name}", {"equivalent_eps": "def equivalent_eps(x0, x_t, alpha_bar):\n"
                                                              f"    ab = alpha_bar\n    return {expr}\n"},
                 loses={"test_equivalent_eps"}, says=says, kind="wrong")
      for name, expr, says in [
          ("eps without square roots", "(x_t - ab * x0) / (1 - ab)", "the square roots are missing"),
          ("divided by the variance", "(x_t - np.sqrt(ab) * x0) / (1 - ab)",
           "divided by 1 - alpha_bar instead of sqrt(1 - alpha_bar)"),
          ("x0 scaled by alpha_bar", "(x_t - ab * x0) / np.sqrt(1 - ab)",
           "x0 was scaled by alpha_bar instead of sqrt(alpha_bar)"),
          ("x0 not scaled", "(x_t - x0) / np.sqrt(1 - ab)", "x0 was not scaled"),
          ("eps with the sign flipped", "(np.sqrt(ab) * x0 - x_t) / np.sqrt(1 - ab)", "the sign is flipped"),
          ("multiplied instead of divided", "(x_t - np.sqrt(ab) * x0) * np.sqrt(1 - ab)",
           "multiplied by sqrt(1 - alpha_bar) where you must divide"),
          ("no division", "x_t - np.sqrt(ab) * x0", "the division by sqrt(1 - alpha_bar) is missing"),
      ]],
    Submission("equivalent_eps writes into x_t", {"equivalent_eps": EPS_IN_PLACE}, loses={"test_equivalent_eps"},
               says="modified its input x_t", kind="in-place"),
    Submission("equivalent_eps for numbers only", {"equivalent_eps": EPS_FLOATS}, loses={"test_equivalent_eps"},
               says="NumPy's versions", kind="scalar-only"),
    Submission("equivalent_eps from course_lib.forward", {"equivalent_eps": EPS_REFERENCE},
               loses={"test_equivalent_eps"}, says="ran course_lib's own implementation",
               flags={"reference-implementation-used"}, kind="reference-only"),
    # extract
    Submission("extract by indexing with None", {"extract": EXTRACT_INDEXING}, kind="right"),
    Submission("extract with np.take and expand_dims", {"extract": EXTRACT_EXPAND}, kind="right"),
    *[Submission(f"misconception: {name}", {"extract": "def extract(a, t, x_shape):\n"
                                                        "    values = np.asarray(a)[np.asarray(t) - 1]\n"
                                                        f"    return {expr}\n"},
                 loses={"test_extract"}, says=says, kind="wrong")
      for name, expr, says in [
          ("extract not reshaped", "values", "not reshaped"),
          ("extract reshaped to [B, 1]", "values.reshape(-1, 1)", "reshaped to [B, 1]"),
          ("batch on the last axis", "values.reshape((1,) * (len(x_shape) - 1) + (-1,))",
           "the batch is on the last axis"),
          ("always [B, 1, 1, 1]", "values.reshape(-1, 1, 1, 1)", "the shape is always [B, 1, 1, 1]"),
      ]],
    Submission("misconception: extract indexes with t", {"extract": "def extract(a, t, x_shape):\n    return "
               "np.asarray(a)[np.asarray(t)].reshape((-1,) + (1,) * (len(x_shape) - 1))\n"},
               loses={"test_extract"}, says="arrays are 0-indexed", kind="wrong"),
    Submission("extract shifts t in place", {"extract": EXTRACT_IN_PLACE}, loses={"test_extract"},
               says="modified its input t", kind="in-place"),
    Submission("extract for one step only", {"extract": EXTRACT_ONE_STEP}, loses={"test_extract"},
               says="NumPy's versions", kind="scalar-only"),
    Submission("extract through Schedule.alpha_bar", {"extract": EXTRACT_REFERENCE}, loses={"test_extract"},
               says="ran course_lib's own implementation", flags={"reference-implementation-used"},
               kind="reference-only"),
    # merge
    Submission("merge with m and s named", {"merge": MERGE_NAMED}, kind="right"),
    Submission("merge solved numerically on a grid", {"merge": MERGE_SOLVED}, kind="right"),
    Submission("merge as a numpy float32", _merge("np.float32(1 / (1 + 2**2 - 0.35**2))"), kind="right"),
    Submission("misconception: the modes' own width left out", _merge("1 / (1 + 2**2)"),
               loses={"test_merge"}, says="the modes' own width was left out", kind="wrong"),
    Submission("misconception: the modes' spread not shrunk", _merge("(1 + 0.35**2) / (1 + 2**2)"),
               loses={"test_merge"}, says="the modes' own spread was not shrunk", kind="wrong"),
    Submission("misconception: the distance between the two modes", _merge("1 / (1 + 4 * 2**2 - 0.35**2)"),
               loses={"test_merge"}, says="the distance *between* the two modes", kind="wrong"),
    Submission("misconception: distance against the variance",
               _merge("((-2 + np.sqrt(4 + 4 * (1 - 0.35**2))) / (2 * (1 - 0.35**2)))**2"),
               loses={"test_merge"}, says="with the variance sigma_t^2", kind="wrong"),
    Submission("misconception: SNR = 1", _merge("0.5"), loses={"test_merge"}, says="that is where SNR = 1",
               kind="wrong"),
    Submission("misconception: the share of noise", _merge("1 - 1 / (1 + 2**2 - 0.35**2)"),
               loses={"test_merge"}, says="the share of noise", kind="wrong"),
    # posterior_mean_var
    Submission("posterior with np.where for t = 1", {"posterior_mean_var": POST_WHERE}, kind="right"),
    Submission("posterior by conditioning the joint Gaussian", {"posterior_mean_var": POST_CONDITIONING},
               kind="right"),
    Submission("posterior with a helper and two coefficients", {"posterior_mean_var": POST_HELPERS}, kind="right"),
    Submission("misconception: alphas_cumprod[t - 2] wraps at t = 1", {"posterior_mean_var": POST_WRAPS},
               loses={"test_posterior_mean_var"}, says="Python counts negative indices from the end", kind="wrong"),
    Submission("misconception: posterior with t as a 0-based index",
               _post(GOOD_MEAN, abar="padded[np.asarray(t) + 1]", abar_prev="padded[t]"),
               loses={"test_posterior_mean_var"}, says="arrays are 0-indexed", kind="wrong"),
    Submission("misconception: beta_t taken as 1 - alpha_bar_t", _post(GOOD_MEAN, beta="1 - abar"),
               loses={"test_posterior_mean_var"}, says="beta_t was taken as 1 - alpha_bar_t", kind="wrong"),
    Submission("misconception: sqrt(alpha_bar_t) on x0", _post(
        "(np.sqrt(abar) * beta * x0 + np.sqrt(1 - beta) * (1 - abar_prev) * x_t) / (1 - abar)"),
               loses={"test_posterior_mean_var"}, says="x0's coefficient uses sqrt(alpha_bar_t)", kind="wrong"),
    Submission("misconception: x0 and x_t swapped", _post(
        "(np.sqrt(abar_prev) * beta * x_t + np.sqrt(1 - beta) * (1 - abar_prev) * x0) / (1 - abar)"),
               loses={"test_posterior_mean_var"}, says="x0 and x_t are swapped", kind="wrong"),
    Submission("misconception: the step's beta_t as the variance", _post(GOOD_MEAN, var="beta"),
               loses={"test_posterior_mean_var"}, says="that is beta_t, the variance of the forward step",
               kind="wrong"),
    Submission("misconception: a standard deviation returned", _post(
        GOOD_MEAN, var="np.sqrt((1 - abar_prev) * beta / (1 - abar))"),
               loses={"test_posterior_mean_var"}, says="that is a standard deviation", kind="wrong"),
    Submission("misconception: (variance, mean)", _post(GOOD_MEAN, ret="var, mean"),
               loses={"test_posterior_mean_var"}, says="return (mean, variance), the mean first", kind="wrong"),
    Submission("misconception: the mean of q(x_{t-1} | x0)", _post("np.sqrt(abar_prev) * x0 + 0 * x_t"),
               loses={"test_posterior_mean_var"}, says="the mean of q(x_{t-1} | x0)", kind="wrong"),
    Submission("posterior writes into x_t", {"posterior_mean_var": POST_IN_PLACE},
               loses={"test_posterior_mean_var"}, says="modified its input x_t", kind="in-place"),
    Submission("posterior with `if t == 1`", {"posterior_mean_var": POST_IF_T_IS_ONE},
               loses={"test_posterior_mean_var"}, says="was used on an array", kind="scalar-only"),
    Submission("posterior through course_lib.forward", {"posterior_mean_var": POST_REFERENCE},
               loses={"test_posterior_mean_var"}, says="ran course_lib's own implementation",
               flags={"reference-implementation-used"}, kind="reference-only"),
    # the concept check
    Submission("concept answer in lower case", {"gaussian_concept": "gaussian_answer = 'b '"}, kind="right"),
    Submission("misconception: Gaussian because it looks realistic", {"gaussian_concept": "gaussian_answer = 'A'"},
               loses={"test_gaussian_concept"}, says="How the noise looks is not the reason", kind="wrong"),
    Submission("misconception: only Gaussian steps compose", {"gaussian_concept": "gaussian_answer = 'C'"},
               loses={"test_gaussian_concept"}, says="Cauchy steps compose in closed form too", kind="wrong"),
]
