"""Grading corpus for notebook 04 (schedules and SNR): plausible answers of every kind, each misconception named."""

from corpus import Submission

ASSIGNMENT = "04-schedules-and-snr"

#: Kinds of plausible answer an exercise cannot have (see corpus.KINDS).
NOT_APPLICABLE = {
    "cosine_alphas_cumprod": {"in-place"},  # its inputs are a whole number and a number
    "t_snr1_estimate": {"in-place", "scalar-only", "reference-only"},  # a value
    "waste_concept": {"in-place", "scalar-only", "reference-only"},
    "average_pool": {"scalar-only"},  # an array and a whole number: a loop over blocks is 2-D only (a "wrong")
}

SIGNATURES = {"cosine_alphas_cumprod": "T, s", "betas_from_alphas_cumprod": "alphas_cumprod", "snr": "alphas_cumprod",
              "t_at_snr": "alphas_cumprod, value", "average_pool": "x, k"}


def _answer(name: str, *lines: str) -> dict[str, str]:
    """The answer cell ``name``: the exercise's function with ``lines`` as its body."""
    return {name: f"def {name}({SIGNATURES[name]}):\n" + "".join(f"    {line}\n" for line in lines)}


# --- cosine_alphas_cumprod ------------------------------------------------------------------------------------

COSINE_MATH_LOOP = '''
import math

def _f(t, T, s):
    return math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2

def cosine_alphas_cumprod(T, s):
    return np.array([_f(t, T, s) / _f(0, T, s) for t in range(1, T + 1)])
'''
COSINE_DOUBLE_ANGLE = '''
def cosine_alphas_cumprod(T, s):
    theta = (np.linspace(0, 1, T + 1) + s) / (1 + s) * np.pi / 2
    f = (1 + np.cos(2 * theta)) / 2          # cos^2 via the double-angle formula
    return f[1:] / f[0]
'''
COSINE_MATH_ON_ARRAY = '''
import math

def cosine_alphas_cumprod(T, s):
    t = np.arange(1, T + 1)
    return math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2 / math.cos(s / (1 + s) * math.pi / 2) ** 2
'''
COSINE_REFERENCE = '''
from course_lib import schedules as _schedules

def cosine_alphas_cumprod(T, s):
    return _schedules.cosine_schedule(T, s, max_beta=0.999999999).alphas_cumprod
'''

# --- betas_from_alphas_cumprod ----------------------------------------------------------------------------------

BETAS_LOOP = '''
def betas_from_alphas_cumprod(alphas_cumprod):
    betas, previous = [], 1.0
    for alpha_bar in alphas_cumprod:
        betas.append(1 - alpha_bar / previous)
        previous = alpha_bar
    return np.array(betas)
'''
BETAS_INSERT = '''
def betas_from_alphas_cumprod(alphas_cumprod):
    alphas = alphas_cumprod / np.insert(alphas_cumprod[:-1], 0, 1.0)   # alpha_t = abar_t / abar_{t-1}
    return 1 - alphas
'''
BETAS_IN_PLACE = '''
def betas_from_alphas_cumprod(alphas_cumprod):
    alphas_cumprod[1:] = alphas_cumprod[1:] / alphas_cumprod[:-1]   # now alpha_t, in the same array
    return 1 - alphas_cumprod
'''
BETAS_MATH_LOGS = '''
import math

def betas_from_alphas_cumprod(alphas_cumprod):
    previous = np.concatenate([[1.0], alphas_cumprod[:-1]])
    return 1 - math.exp(math.log(alphas_cumprod) - math.log(previous))   # the ratio, in log space
'''

# --- snr --------------------------------------------------------------------------------------------------------

SNR_RECIPROCAL = '''
def snr(alphas_cumprod):
    a = np.asarray(alphas_cumprod, dtype=float)
    return 1.0 / (1.0 / a - 1.0)
'''
SNR_PYTHON_FLOATS = '''
def snr(alphas_cumprod):
    if np.ndim(alphas_cumprod) == 0:
        a = float(alphas_cumprod)
        return a / (1 - a)
    return np.array([snr(a) for a in np.asarray(alphas_cumprod)])
'''
SNR_IN_PLACE = '''
def snr(alphas_cumprod):
    alphas_cumprod /= 1 - alphas_cumprod
    return alphas_cumprod
'''
SNR_FLOAT = '''
def snr(alphas_cumprod):
    a = float(alphas_cumprod)
    return a / (1 - a)
'''

# --- t_at_snr ---------------------------------------------------------------------------------------------------

T_AT_SNR_LOOP = '''
def t_at_snr(alphas_cumprod, value):
    for t, alpha_bar in enumerate(alphas_cumprod, start=1):
        if alpha_bar / (1 - alpha_bar) <= value:
            return t
    return None
'''
T_AT_SNR_NONZERO = '''
def t_at_snr(alphas_cumprod, value):
    (hits,) = np.nonzero(snr(np.asarray(alphas_cumprod)) <= value)
    return hits[0] + 1 if len(hits) else None
'''
T_AT_SNR_IN_PLACE = '''
def t_at_snr(alphas_cumprod, value):
    alphas_cumprod /= 1 - alphas_cumprod          # turn the array into SNRs, in place
    below = alphas_cumprod <= value
    return int(np.argmax(below)) + 1 if below.any() else None
'''
T_AT_SNR_IF_ON_ARRAY = '''
def t_at_snr(alphas_cumprod, value):
    steps = np.arange(1, len(alphas_cumprod) + 1)
    if snr(alphas_cumprod) <= value:               # meant: the first step where this holds
        return steps[0]
    return None
'''

# --- t_at_data_snr (the answer cell data_scale) ------------------------------------------------------------------

def _data(*lines: str) -> dict[str, str]:
    """The answer cell data_scale: t_at_data_snr with ``lines`` as its body."""
    return {"data_scale": "def t_at_data_snr(alphas_cumprod, x0):\n" + "".join(f"    {line}\n" for line in lines)}


DATA_LOOP = _data(
    "s2 = np.mean((x0 - np.mean(x0)) ** 2)          # the variance, by hand",
    "for t, alpha_bar in enumerate(alphas_cumprod, start=1):",
    "    if s2 * alpha_bar / (1 - alpha_bar) <= 1:",
    "        return t",
    "return None")
DATA_FLAT = _data("pixels = np.ravel(x0)", "return t_at_snr(alphas_cumprod, 1.0 / np.var(pixels))")
DATA_IN_PLACE = _data("x0 -= x0.mean()                                   # centre the pixels first",
                      "return t_at_snr(alphas_cumprod, 1 / np.mean(x0 ** 2))")
DATA_FSUM = {"data_scale": '''
import math

def t_at_data_snr(alphas_cumprod, x0):
    mean = math.fsum(x0) / x0.size                    # an exact sum, as for a list of numbers
    s2 = math.fsum((x0 - mean) ** 2) / x0.size
    return t_at_snr(alphas_cumprod, 1 / s2)
'''}
DATA_REFERENCE = {"data_scale": '''
from course_lib import schedules as _schedules

def t_at_data_snr(alphas_cumprod, x0):
    return _schedules.t_at_snr(alphas_cumprod, 1 / x0.var())
'''}
DATA_NOTEBOOK_SCHEDULE = _data("return t_at_snr(linear.alphas_cumprod, 1 / x0.var())   # the notebook's schedule")

# --- sampling_timesteps and first_alpha_bar (one answer cell) -----------------------------------------------------

FIRST = '''

def first_alpha_bar(alphas_cumprod, num_steps, spacing):
    t = sampling_timesteps(len(alphas_cumprod), num_steps, spacing)[0]
    return alphas_cumprod[t - 1]
'''
FIRST_BY_HAND = '''

def first_alpha_bar(alphas_cumprod, num_steps, spacing):
    T = len(alphas_cumprod)                           # the first step worked out, without sampling_timesteps
    t = T if spacing == "trailing" else (num_steps - 1) * (T // num_steps) + 1
    return float(alphas_cumprod[t - 1])
'''
RIGHT_STEPS = '''
    i = np.arange(num_steps)
    if spacing == "leading":
        return (num_steps - 1 - i) * (T // num_steps) + 1
    return np.round(T - i * T / num_steps).astype(int)
'''


def _spacing(body: str, first: str = FIRST) -> dict[str, str]:
    return {"sampling_timesteps": "def sampling_timesteps(T, num_steps, spacing):\n" + body + first}


def _first(*lines: str) -> dict[str, str]:
    """Right timesteps, and first_alpha_bar with ``lines`` as its body."""
    return _spacing(RIGHT_STEPS, "\n\ndef first_alpha_bar(alphas_cumprod, num_steps, spacing):\n"
                    + "".join(f"    {line}\n" for line in lines))


SPACING_LISTS = _spacing('''
    if spacing == "leading":
        step = T // num_steps
        return np.array([step * i + 1 for i in range(num_steps)][::-1])
    return np.array([int(np.round(T - i * T / num_steps)) for i in range(num_steps)])
''')
SPACING_LINSPACE = _spacing('''
    if spacing == "trailing":
        return np.round(np.linspace(T, T / num_steps, num_steps)).astype(int)   # same points, np.round
    return np.arange(num_steps)[::-1] * (T // num_steps) + 1
''', FIRST_BY_HAND)
SPACING_ZERO_BASED = _spacing('''
    i = np.arange(num_steps)
    if spacing == "leading":
        return (num_steps - 1 - i) * (T // num_steps)
    return np.round(T - i * T / num_steps).astype(int) - 1
''', FIRST.replace("[t - 1]", "[t]"))
SPACING_ASCENDING = _spacing('''
    i = np.arange(num_steps)
    if spacing == "leading":
        return i * (T // num_steps) + 1
    return np.round(T - i * T / num_steps).astype(int)[::-1]
''', FIRST.replace("[0]", "[-1]"))
SPACING_HALF_UP = _spacing('''
    i = np.arange(num_steps)
    if spacing == "leading":
        return (num_steps - 1 - i) * (T // num_steps) + 1
    return np.floor(T - i * T / num_steps + 0.5).astype(int)
''')
SPACING_INT_ROUND = _spacing('''
    i = np.arange(num_steps)
    if spacing == "leading":
        return (num_steps - 1 - i) * (T // num_steps) + 1
    return int(round(T - i * T / num_steps))
''')
FIRST_NEXT_STEP = _first("t = sampling_timesteps(len(alphas_cumprod), num_steps, spacing)[0]",
                         "return alphas_cumprod[t]")
FIRST_PREVIOUS_STEP = _first("k = sampling_timesteps(len(alphas_cumprod), num_steps, spacing)[0] - 1   # diffusers' k",
                             "return alphas_cumprod[k - 1]")
FIRST_LAST_STEP = _first("steps = sampling_timesteps(len(alphas_cumprod), num_steps, spacing)",
                         "return alphas_cumprod[steps[-1] - 1]")
FIRST_ALWAYS_T = _first("return alphas_cumprod[-1]                  # a sampler starts from pure noise, at T")
FIRST_FLOORED_IN_PLACE = _first(
    "alphas_cumprod[alphas_cumprod == 0] = 1e-12   # keep alpha_bar away from 0, in the caller's array",
    "t = sampling_timesteps(len(alphas_cumprod), num_steps, spacing)[0]",
    "return alphas_cumprod[t - 1]")
FIRST_REFERENCE_STEPS = _first("from course_lib import schedules",
                               "t = schedules.sampling_timesteps(len(alphas_cumprod), num_steps, spacing)[0]",
                               "return alphas_cumprod[t - 1]")

# --- average_pool -----------------------------------------------------------------------------------------------

POOL_SLICES = '''
def average_pool(x, k):
    return sum(x[..., i::k, j::k] for i in range(k) for j in range(k)) / (k * k)
'''
POOL_TWO_STEPS = '''
def _pool_last_axis(x, k):
    return x.reshape(*x.shape[:-1], x.shape[-1] // k, k).mean(axis=-1)

def average_pool(x, k):
    rows_pooled = _pool_last_axis(np.swapaxes(x, -1, -2), k)
    return _pool_last_axis(np.swapaxes(rows_pooled, -1, -2), k)
'''
POOL_SHAPE_IN_PLACE = '''
def average_pool(x, k):
    H, W = x.shape[-2:]
    x.shape = (*x.shape[:-2], H // k, k, W // k, k)     # reshapes the caller's array, not a copy
    return x.mean(axis=(-3, -1))
'''
POOL_2D_ONLY = '''
def average_pool(x, k):
    H, W = x.shape
    return x.reshape(H // k, k, W // k, k).mean(axis=(1, 3))
'''

SUBMISSIONS = [
    # cosine_alphas_cumprod
    Submission("cosine with math.cos in a loop and a helper", {"cosine_alphas_cumprod": COSINE_MATH_LOOP}, kind="right"),
    Submission("cosine through the double-angle formula", {"cosine_alphas_cumprod": COSINE_DOUBLE_ANGLE}, kind="right"),
    Submission("misconception: the teaching cosine cos(linspace(0, 1, T) pi/2)^2",
               _answer("cosine_alphas_cumprod", "return np.cos(np.linspace(0, 1, T) * np.pi / 2) ** 2"),
               loses={"test_cosine_alphas_cumprod"}, says="the teaching cosine", kind="wrong"),
    Submission("misconception: the s offset dropped",
               _answer("cosine_alphas_cumprod", "return np.cos(np.arange(1, T + 1) / T * np.pi / 2) ** 2"),
               loses={"test_cosine_alphas_cumprod"}, says="the s offset is dropped", kind="wrong"),
    Submission("misconception: per-step alpha f(t)/f(t-1) where alpha_bar belongs",
               _answer("cosine_alphas_cumprod", "f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2",
                       "return f[1:] / f[:-1]"),
               loses={"test_cosine_alphas_cumprod"}, says="alpha where alpha_bar belongs: f(t) / f(t-1)", kind="wrong"),
    Submission("misconception: cosine with t = 0..T-1",
               _answer("cosine_alphas_cumprod", "f = np.cos((np.arange(T) / T + s) / (1 + s) * np.pi / 2) ** 2",
                       "return f / f[0]"),
               loses={"test_cosine_alphas_cumprod"}, says="an off-by-one in t: the first entry must be alpha_bar_1",
               kind="wrong"),
    Submission("cosine with math.cos on an array", {"cosine_alphas_cumprod": COSINE_MATH_ON_ARRAY},
               loses={"test_cosine_alphas_cumprod"}, says="NumPy's versions", kind="scalar-only"),
    Submission("cosine taken from course_lib's schedule", {"cosine_alphas_cumprod": COSINE_REFERENCE},
               loses={"test_cosine_alphas_cumprod"}, says="course_lib's own implementation", kind="reference-only"),

    # betas_from_alphas_cumprod
    Submission("betas with a running loop", {"betas_from_alphas_cumprod": BETAS_LOOP}, kind="right"),
    Submission("betas through np.insert", {"betas_from_alphas_cumprod": BETAS_INSERT}, kind="right"),
    Submission("misconception: 1 - alpha_bar for beta",
               _answer("betas_from_alphas_cumprod", "return 1 - alphas_cumprod"),
               loses={"test_betas_from_alphas_cumprod"}, says="the variance of *all* the noise", kind="wrong"),
    Submission("misconception: np.roll wraps around",
               _answer("betas_from_alphas_cumprod", "return 1 - alphas_cumprod / np.roll(alphas_cumprod, 1)"),
               loses={"test_betas_from_alphas_cumprod"}, says="np.roll wraps around", kind="wrong"),
    Submission("misconception: beta_1 missing",
               _answer("betas_from_alphas_cumprod", "return 1 - alphas_cumprod[1:] / alphas_cumprod[:-1]"),
               loses={"test_betas_from_alphas_cumprod"}, says="beta_1 is missing", kind="wrong"),
    Submission("misconception: betas clipped at 0.999",
               _answer("betas_from_alphas_cumprod", "previous = np.concatenate([[1.0], alphas_cumprod[:-1]])",
                       "return np.minimum(1 - alphas_cumprod / previous, 0.999)"),
               loses={"test_betas_from_alphas_cumprod"}, says="the betas were clipped at 0.999", kind="wrong"),
    Submission("betas that overwrite alphas_cumprod", {"betas_from_alphas_cumprod": BETAS_IN_PLACE},
               loses={"test_betas_from_alphas_cumprod"}, says="modified its input alphas_cumprod", kind="in-place"),
    Submission("betas with math.exp and math.log on arrays", {"betas_from_alphas_cumprod": BETAS_MATH_LOGS},
               loses={"test_betas_from_alphas_cumprod"}, says="NumPy's versions", kind="scalar-only"),

    # snr
    Submission("snr as 1 / (1 / alpha_bar - 1)", {"snr": SNR_RECIPROCAL}, kind="right"),
    Submission("snr with Python floats, element by element", {"snr": SNR_PYTHON_FLOATS}, kind="right"),
    Submission("misconception: snr as a ratio of the coefficients",
               _answer("snr", "return np.sqrt(alphas_cumprod / (1 - alphas_cumprod))"),
               loses={"test_snr"}, says="the ratio of the coefficients themselves", kind="wrong"),
    Submission("misconception: snr upside down", _answer("snr", "return (1 - alphas_cumprod) / alphas_cumprod"),
               loses={"test_snr"}, says="the noise-to-signal ratio", kind="wrong"),
    Submission("snr divides alphas_cumprod in place", {"snr": SNR_IN_PLACE}, loses={"test_snr"},
               says="modified its input alphas_cumprod", kind="in-place"),
    Submission("snr for a single number only", {"snr": SNR_FLOAT}, loses={"test_snr"}, says="NumPy's versions",
               kind="scalar-only"),

    # t_snr1_estimate
    Submission("estimate from the continuous sum", {"t_snr1_estimate": "a, b = (0.02 - 1e-4) / 2000, 1e-4\n"
               "t_snr1_estimate = (-b + (b * b + 4 * a * np.log(2)) ** 0.5) / (2 * a)\n"}, kind="right"),
    Submission("estimate that is the exact crossing", {"t_snr1_estimate": "t_snr1_estimate = 260"}, kind="right"),
    Submission("misconception: 1 - sum of betas = 1/2", {"t_snr1_estimate": "a, b = (0.02 - 1e-4) / 2000, 1e-4\n"
               "t_snr1_estimate = (-b + (b * b + 4 * a * 0.5) ** 0.5) / (2 * a)\n"},
               loses={"test_t_snr1_estimate"}, says="only the first-order product", kind="wrong"),
    Submission("misconception: the middle of the schedule", {"t_snr1_estimate": "t_snr1_estimate = 500.0"},
               loses={"test_t_snr1_estimate"}, says="the middle of the schedule is a guess", kind="wrong"),

    # t_at_snr
    Submission("t_at_snr with a loop and no snr call", {"t_at_snr": T_AT_SNR_LOOP}, kind="right"),
    Submission("t_at_snr with np.nonzero, returning a NumPy integer", {"t_at_snr": T_AT_SNR_NONZERO}, kind="right"),
    Submission("misconception: t_at_snr returns the 0-based index",
               _answer("t_at_snr", "below = snr(alphas_cumprod) <= value",
                       "return int(np.argmax(below)) if below.any() else None"),
               loses={"test_t_at_snr"}, says="an off-by-one in t: that is the 0-based array index", kind="wrong"),
    Submission("misconception: t_at_snr with a strict inequality",
               _answer("t_at_snr", "below = snr(alphas_cumprod) < value",
                       "return int(np.argmax(below)) + 1 if below.any() else None"),
               loses={"test_t_at_snr"}, says="'drops to or below' includes equality", kind="wrong"),
    Submission("misconception: t_at_snr without the None case",
               _answer("t_at_snr", "return int(np.argmax(snr(alphas_cumprod) <= value)) + 1"),
               loses={"test_t_at_snr"}, says="np.argmax of an all-False array is 0", kind="wrong"),
    Submission("misconception: t_at_snr compares alpha_bar, not SNR",
               _answer("t_at_snr", "below = alphas_cumprod <= value",
                       "return int(np.argmax(below)) + 1 if below.any() else None"),
               loses={"test_t_at_snr"}, says="alpha_bar where SNR belongs", kind="wrong"),
    Submission("t_at_snr turns alphas_cumprod into SNRs in place", {"t_at_snr": T_AT_SNR_IN_PLACE},
               loses={"test_t_at_snr"}, says="modified its input alphas_cumprod", kind="in-place"),
    Submission("t_at_snr with an if on the whole array", {"t_at_snr": T_AT_SNR_IF_ON_ARRAY},
               loses={"test_t_at_snr"}, says="an `if`, `and`, `or` or `while` was used on an array",
               kind="scalar-only"),
    Submission("a wrong snr does not cost t_at_snr its points",
               _answer("snr", "return np.sqrt(alphas_cumprod / (1 - alphas_cumprod))"),
               loses={"test_snr"}, says="the ratio of the coefficients themselves"),

    # data_scale: t_at_data_snr
    Submission("t_at_data_snr with the variance by hand and a loop, no t_at_snr", DATA_LOOP, kind="right"),
    Submission("t_at_data_snr with np.var of the flattened pixels", DATA_FLAT, kind="right"),
    Submission("misconception: the unit-variance crossing for any data", _data("return t_at_snr(alphas_cumprod, 1.0)"),
               loses={"test_data_scale"}, says="the SNR of unit-variance data", kind="wrong"),
    Submission("misconception: the standard deviation for the variance",
               _data("return t_at_snr(alphas_cumprod, 1 / x0.std())"),
               loses={"test_data_scale"}, says="the standard deviation s was used", kind="wrong"),
    Submission("misconception: the threshold upside down", _data("return t_at_snr(alphas_cumprod, x0.var())"),
               loses={"test_data_scale"}, says="the threshold is upside down", kind="wrong"),
    Submission("misconception: the mean square for the variance",
               _data("return t_at_snr(alphas_cumprod, 1 / np.mean(x0 ** 2))"),
               loses={"test_data_scale"}, says="uses the mean of x^2", kind="wrong"),
    Submission("misconception: np.argmax without the None case",
               _data("return int(np.argmax(x0.var() * alphas_cumprod / (1 - alphas_cumprod) <= 1)) + 1"),
               loses={"test_data_scale"}, says="np.argmax of an all-False array is 0", kind="wrong"),
    Submission("t_at_data_snr centres x0 in place", DATA_IN_PLACE, loses={"test_data_scale"},
               says="modified its input x0", kind="in-place"),
    Submission("t_at_data_snr with math.fsum over an image", DATA_FSUM, loses={"test_data_scale"},
               says="NumPy's versions", kind="scalar-only"),
    Submission("t_at_data_snr through course_lib's t_at_snr", DATA_REFERENCE, loses={"test_data_scale"},
               says="course_lib's own implementation", flags={"reference-implementation-used"},
               kind="reference-only"),
    Submission("t_at_data_snr on the notebook's linear schedule", DATA_NOTEBOOK_SCHEDULE, loses={"test_data_scale"},
               says="uses `linear` (a course_lib Schedule) from the notebook", kind="reference-only"),
    Submission("a wrong t_at_snr does not cost t_at_data_snr its points",
               _answer("t_at_snr", "below = snr(alphas_cumprod) <= value",
                       "return int(np.argmax(below)) if below.any() else None"),
               loses={"test_t_at_snr"}, says="an off-by-one in t: that is the 0-based array index"),

    # waste_concept
    Submission("concept answer in lower case with spaces", {"waste_concept": 'waste_answer = " c "\n'}, kind="right"),
    Submission("misconception: terminal SNR mistaken for wasted steps", {"waste_concept": 'waste_answer = "A"\n'},
               loses={"test_waste_concept"}, says="a different flaw", kind="wrong"),
    Submission("misconception: large late betas mistaken for waste", {"waste_concept": 'waste_answer = "B"\n'},
               loses={"test_waste_concept"}, says="Look at log SNR, not at beta", kind="wrong"),

    # sampling_timesteps and first_alpha_bar
    Submission("spacing with list comprehensions", SPACING_LISTS, kind="right"),
    Submission("trailing spacing through linspace, the first step worked out by hand", SPACING_LINSPACE, kind="right"),
    Submission("misconception: diffusers' 0-based k returned as t", SPACING_ZERO_BASED,
               loses={"test_sampling_timesteps"}, says="those are diffusers' 0-based timesteps k", kind="wrong"),
    Submission("misconception: steps in ascending order", SPACING_ASCENDING,
               loses={"test_sampling_timesteps"}, says="the steps run upwards", kind="wrong"),
    Submission("misconception: halves rounded up", SPACING_HALF_UP,
               loses={"test_sampling_timesteps"}, says="halves to the even neighbour", kind="wrong"),
    Submission("misconception: alphas_cumprod[t] for alpha_bar_t", FIRST_NEXT_STEP,
               loses={"test_sampling_timesteps"}, says="that is alpha_bar_{t+1}", kind="wrong"),
    Submission("misconception: 1 subtracted twice from the first step", FIRST_PREVIOUS_STEP,
               loses={"test_sampling_timesteps"}, says="that is alpha_bar_{t-1}", kind="wrong"),
    Submission("misconception: the alpha_bar of the sampler's last step", FIRST_LAST_STEP,
               loses={"test_sampling_timesteps"}, says="the sampler's *last* step", kind="wrong"),
    Submission("misconception: every sampler starts at t = T", FIRST_ALWAYS_T,
               loses={"test_sampling_timesteps"}, says="only trailing spacing starts at t = T", kind="wrong"),
    Submission("first_alpha_bar moves alpha_bar_T off 0 in place", FIRST_FLOORED_IN_PLACE,
               loses={"test_sampling_timesteps"}, says="modified its input alphas_cumprod", kind="in-place"),
    Submission("trailing spacing with int(round(...)) on an array", SPACING_INT_ROUND,
               loses={"test_sampling_timesteps"}, says="Python's round() (and int(...)) work on single numbers",
               kind="scalar-only"),
    Submission("first_alpha_bar through course_lib's sampling_timesteps", FIRST_REFERENCE_STEPS,
               loses={"test_sampling_timesteps"}, says="course_lib's own implementation",
               flags={"reference-implementation-used"}, kind="reference-only"),

    # average_pool
    Submission("average_pool by summing strided slices", {"average_pool": POOL_SLICES}, kind="right"),
    Submission("average_pool one axis at a time, with a helper", {"average_pool": POOL_TWO_STEPS}, kind="right"),
    Submission("misconception: pooling by subsampling", _answer("average_pool", "return x[..., ::k, ::k]"),
               loses={"test_average_pool"}, says="Subsampling keeps every bit of the noise", kind="wrong"),
    Submission("misconception: pooling by summing",
               _answer("average_pool", "H, W = x.shape[-2:]",
                       "return x.reshape(*x.shape[:-2], H // k, k, W // k, k).sum(axis=(-3, -1))"),
               loses={"test_average_pool"}, says="the blocks are summed, not averaged", kind="wrong"),
    Submission("misconception: pooling blocks cut in the wrong order",
               _answer("average_pool", "H, W = x.shape[-2:]",
                       "return x.reshape(*x.shape[:-2], H // k, W // k, k, k).mean(axis=(-2, -1))"),
               loses={"test_average_pool"}, says="the blocks are cut in the wrong order", kind="wrong"),
    Submission("misconception: average_pool for 2-D arrays only", {"average_pool": POOL_2D_ONLY},
               loses={"test_average_pool"}, says="only handles a 2-D array", kind="wrong"),
    Submission("average_pool that reshapes x in place", {"average_pool": POOL_SHAPE_IN_PLACE},
               loses={"test_average_pool"}, says="modified its input x", kind="in-place"),
]
