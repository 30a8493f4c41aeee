"""Grading corpus for notebook 04 (schedules and SNR): plausible answers of every kind, each misconception named."""

from corpus import Submission

ASSIGNMENT = "04-schedules-and-snr"

#: Kinds of plausible answer an exercise cannot have (see corpus.KINDS).
NOT_APPLICABLE = {
    "cosine_alphas_cumprod": {"in-place"},  # its inputs are a whole number and a number
    "t_snr1_estimate": {"in-place", "scalar-only", "reference-only"},  # a value
    "data_scale": {"in-place", "scalar-only", "reference-only"},  # values (course_lib may compute them)
    "waste_concept": {"in-place", "scalar-only", "reference-only"},
    "sampling_timesteps": {"in-place"},  # whole numbers and a string
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

# --- sampling_timesteps (the answer cell also sets the two alpha_bars) -----------------------------------------

VALUES = '''
abar_first_leading = sd_zero.alpha_bar(sampling_timesteps(T, 50, "leading")[0])
abar_first_trailing = sd_zero.alpha_bar(sampling_timesteps(T, 50, "trailing")[0])
'''


def _spacing(body: str, values: str = VALUES) -> dict[str, str]:
    return {"sampling_timesteps": "def sampling_timesteps(T, num_steps, spacing):\n" + body + values}


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
''')
SPACING_ZERO_BASED = _spacing('''
    i = np.arange(num_steps)
    if spacing == "leading":
        return (num_steps - 1 - i) * (T // num_steps)
    return np.round(T - i * T / num_steps).astype(int) - 1
''', VALUES.replace("[0])", "[0] + 1)"))
SPACING_ASCENDING = _spacing('''
    i = np.arange(num_steps)
    if spacing == "leading":
        return i * (T // num_steps) + 1
    return np.round(T - i * T / num_steps).astype(int)[::-1]
''', VALUES.replace("[0])", "[-1])"))
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
''', '''
abar_first_leading = sd_zero.alpha_bar(981)   # the first steps worked out by hand
abar_first_trailing = sd_zero.alpha_bar(1000)
''')
SPACING_VALUES_OFF_BY_ONE = _spacing('''
    i = np.arange(num_steps)
    if spacing == "leading":
        return (num_steps - 1 - i) * (T // num_steps) + 1
    return np.round(T - i * T / num_steps).astype(int)
''', '''
abar_first_leading = sd_zero.alphas_cumprod[sampling_timesteps(T, 50, "leading")[0]]
abar_first_trailing = sd_zero.alpha_bar(sampling_timesteps(T, 50, "trailing")[0])
''')
SPACING_ORIGINAL_SCHEDULE = _spacing('''
    i = np.arange(num_steps)
    if spacing == "leading":
        return (num_steps - 1 - i) * (T // num_steps) + 1
    return np.round(T - i * T / num_steps).astype(int)
''', VALUES.replace("sd_zero", "sd"))

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

    # data_scale
    Submission("data scale with the learner's own t_at_snr and variance by hand", {"data_scale":
               "def _var(x):\n    return np.mean((x - x.mean()) ** 2)\n"
               "t_snr1_pm1 = t_at_snr(linear.alphas_cumprod, 1 / _var(portrait))\n"
               "t_snr1_01 = t_at_snr(linear.alphas_cumprod, 4 / _var(portrait))\n"
               "t_snr1_255 = t_at_snr(linear.alphas_cumprod, 4 / (255 ** 2 * _var(portrait)))\n"}, kind="right"),
    Submission("misconception: the unit-variance crossing for every range",
               {"data_scale": "t_snr1_pm1 = t_snr1_01 = t_snr1_255 = schedules.t_at_snr(linear, 1.0)\n"},
               loses={"test_data_scale"}, says="the SNR of unit-variance data", kind="wrong"),
    Submission("misconception: the standard deviation for the variance", {"data_scale":
               "t_snr1_pm1 = schedules.t_at_snr(linear, 1 / portrait.std())\n"
               "t_snr1_01 = schedules.t_at_snr(linear, 1 / ((portrait + 1) / 2).std())\n"
               "t_snr1_255 = schedules.t_at_snr(linear, 1 / ((portrait + 1) / 2 * 255).std())\n"},
               loses={"test_data_scale"}, says="the standard deviation s was used", kind="wrong"),

    # waste_concept
    Submission("concept answer in lower case with spaces", {"waste_concept": 'waste_answer = " c "\n'}, kind="right"),
    Submission("misconception: terminal SNR mistaken for wasted steps", {"waste_concept": 'waste_answer = "A"\n'},
               loses={"test_waste_concept"}, says="a different flaw", kind="wrong"),
    Submission("misconception: large late betas mistaken for waste", {"waste_concept": 'waste_answer = "B"\n'},
               loses={"test_waste_concept"}, says="Look at log SNR, not at beta", kind="wrong"),

    # sampling_timesteps
    Submission("spacing with list comprehensions", SPACING_LISTS, kind="right"),
    Submission("trailing spacing through linspace", SPACING_LINSPACE, kind="right"),
    Submission("misconception: diffusers' 0-based k returned as t", SPACING_ZERO_BASED,
               loses={"test_sampling_timesteps"}, says="those are diffusers' 0-based timesteps k", kind="wrong"),
    Submission("misconception: steps in ascending order", SPACING_ASCENDING,
               loses={"test_sampling_timesteps"}, says="the steps run upwards", kind="wrong"),
    Submission("misconception: halves rounded up", SPACING_HALF_UP,
               loses={"test_sampling_timesteps"}, says="halves to the even neighbour", kind="wrong"),
    Submission("misconception: alphas_cumprod[t] for alpha_bar_t", SPACING_VALUES_OFF_BY_ONE,
               loses={"test_sampling_timesteps"}, says="that is alpha_bar_982", kind="wrong"),
    Submission("misconception: the original schedule, not the rescaled one", SPACING_ORIGINAL_SCHEDULE,
               loses={"test_sampling_timesteps"}, says="Stable Diffusion's original schedule at t = 981", kind="wrong"),
    Submission("trailing spacing with int(round(...)) on an array", SPACING_INT_ROUND,
               loses={"test_sampling_timesteps"}, says="Python's round() (and int(...)) work on single numbers",
               kind="scalar-only"),

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
