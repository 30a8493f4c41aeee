"""Grading corpus for notebook 04 (schedules and SNR): correct-but-different answers and the named misconceptions."""

from corpus import Submission
from corpus.shared import CUMPROD_LOGS, CUMPROD_LOOP

ASSIGNMENT = "04-schedules-and-snr"

# --- correct answers written differently: full marks --------------------------------------------------------

LINEAR_LOOP = '''
def linear_betas(T, beta_start, beta_end):
    step = (beta_end - beta_start) / (T - 1)
    return np.array([beta_start + i * step for i in range(T)])
'''

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

# --- the misconceptions the visible checks name: lose that exercise only --------------------------------

SIGNATURES = {"linear_betas": "T, beta_start, beta_end", "alphas_cumprod_from_betas": "betas",
              "cosine_alphas_cumprod": "T, s", "snr": "alphas_cumprod", "t_at_snr": "alphas_cumprod, value",
              "average_pool": "x, k"}


def _answer(name: str, *lines: str) -> dict[str, str]:
    """The answer cell ``name``: the exercise's function with ``lines`` as its body."""
    return {name: f"def {name}({SIGNATURES[name]}):\n" + "".join(f"    {line}\n" for line in lines)}


SUBMISSIONS = [
    Submission("linear betas built with a loop", {"linear_betas": LINEAR_LOOP}),
    Submission("alpha_bar with a running product", {"alphas_cumprod_from_betas": CUMPROD_LOOP}),
    Submission("alpha_bar as exp of a sum of logs", {"alphas_cumprod_from_betas": CUMPROD_LOGS}),
    Submission("cosine with math.cos in a loop and a helper", {"cosine_alphas_cumprod": COSINE_MATH_LOOP}),
    Submission("cosine through the double-angle formula", {"cosine_alphas_cumprod": COSINE_DOUBLE_ANGLE}),
    Submission("snr as 1 / (1 / alpha_bar - 1)", {"snr": SNR_RECIPROCAL}),
    Submission("snr with Python floats, element by element", {"snr": SNR_PYTHON_FLOATS}),
    Submission("t_at_snr with a loop and no snr call", {"t_at_snr": T_AT_SNR_LOOP}),
    Submission("t_at_snr with np.nonzero, returning a NumPy integer", {"t_at_snr": T_AT_SNR_NONZERO}),
    Submission("average_pool by summing strided slices", {"average_pool": POOL_SLICES}),
    Submission("average_pool one axis at a time, with a helper", {"average_pool": POOL_TWO_STEPS}),
    Submission("concept answer in lower case with spaces", {"waste_concept": 'waste_answer = " c "\n'}),

    Submission("linear betas start one step late",
               _answer("linear_betas", "return np.linspace(beta_start, beta_end, T + 1)[1:]"),
               loses={"test_linear_betas"}, says="an off-by-one in t: beta_1 must be beta_start"),
    Submission("linear betas swapped", _answer("linear_betas", "return np.linspace(beta_end, beta_start, T)"),
               loses={"test_linear_betas"}, says="beta_start and beta_end are swapped"),
    Submission("cumsum for cumprod", _answer("alphas_cumprod_from_betas", "return np.cumsum(1 - betas)"),
               loses={"test_alphas_cumprod_from_betas"}, says="cumsum for cumprod"),
    Submission("alpha where alpha_bar belongs (per-step alphas)",
               _answer("alphas_cumprod_from_betas", "return 1 - betas"),
               loses={"test_alphas_cumprod_from_betas"}, says="alpha where alpha_bar belongs"),
    Submission("alphas_cumprod_prev instead of alphas_cumprod",
               _answer("alphas_cumprod_from_betas", "return np.concatenate([[1.0], np.cumprod(1 - betas)[:-1]])"),
               loses={"test_alphas_cumprod_from_betas"}, says="an off-by-one in t: entry t - 1 must be alpha_bar_t"),
    Submission("cosine with the s offset dropped",
               _answer("cosine_alphas_cumprod", "return np.cos(np.arange(1, T + 1) / T * np.pi / 2) ** 2"),
               loses={"test_cosine_alphas_cumprod"}, says="the s offset is dropped"),
    Submission("cosine per-step alpha f(t)/f(t-1) where alpha_bar belongs",
               _answer("cosine_alphas_cumprod", "f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2",
                       "return f[1:] / f[:-1]"),
               loses={"test_cosine_alphas_cumprod"}, says="alpha where alpha_bar belongs: f(t) / f(t-1)"),
    Submission("cosine with t = 0..T-1",
               _answer("cosine_alphas_cumprod", "f = np.cos((np.arange(T) / T + s) / (1 + s) * np.pi / 2) ** 2",
                       "return f / f[0]"),
               loses={"test_cosine_alphas_cumprod"}, says="an off-by-one in t: the first entry must be alpha_bar_1"),
    Submission("snr as a ratio of standard deviations",
               _answer("snr", "return np.sqrt(alphas_cumprod / (1 - alphas_cumprod))"),
               loses={"test_snr"}, says="a ratio of standard deviations"),
    Submission("snr upside down", _answer("snr", "return (1 - alphas_cumprod) / alphas_cumprod"),
               loses={"test_snr"}, says="the noise-to-signal ratio"),
    Submission("t_at_snr returns the 0-based index",
               _answer("t_at_snr", "below = snr(alphas_cumprod) <= value",
                       "return int(np.argmax(below)) if below.any() else None"),
               loses={"test_t_at_snr"}, says="an off-by-one in t: that is the 0-based array index"),
    Submission("t_at_snr with a strict inequality",
               _answer("t_at_snr", "below = snr(alphas_cumprod) < value",
                       "return int(np.argmax(below)) + 1 if below.any() else None"),
               loses={"test_t_at_snr"}, says="'drops to or below' includes equality"),
    Submission("t_at_snr without the None case",
               _answer("t_at_snr", "return int(np.argmax(snr(alphas_cumprod) <= value)) + 1"),
               loses={"test_t_at_snr"}, says="np.argmax of an all-False array is 0"),
    Submission("t_at_snr compares alpha_bar, not SNR",
               _answer("t_at_snr", "below = alphas_cumprod <= value",
                       "return int(np.argmax(below)) + 1 if below.any() else None"),
               loses={"test_t_at_snr"}, says="alpha_bar where SNR belongs"),
    Submission("a wrong snr does not cost t_at_snr its points",
               _answer("snr", "return np.sqrt(alphas_cumprod / (1 - alphas_cumprod))"),
               loses={"test_snr"}, says="a ratio of standard deviations"),
    Submission("pooling by subsampling", _answer("average_pool", "return x[..., ::k, ::k]"),
               loses={"test_average_pool"}, says="Subsampling keeps every bit of the noise"),
    Submission("pooling by summing",
               _answer("average_pool", "H, W = x.shape[-2:]",
                       "return x.reshape(*x.shape[:-2], H // k, k, W // k, k).sum(axis=(-3, -1))"),
               loses={"test_average_pool"}, says="the blocks are summed, not averaged"),
    Submission("pooling blocks cut in the wrong order",
               _answer("average_pool", "H, W = x.shape[-2:]",
                       "return x.reshape(*x.shape[:-2], H // k, W // k, k, k).mean(axis=(-2, -1))"),
               loses={"test_average_pool"}, says="the blocks are cut in the wrong order"),
    Submission("concept: terminal SNR mistaken for wasted steps", {"waste_concept": 'waste_answer = "A"\n'},
               loses={"test_waste_concept"}, says="a different flaw"),
    Submission("concept: large late betas mistaken for waste", {"waste_concept": 'waste_answer = "B"\n'},
               loses={"test_waste_concept"}, says="Look at log SNR, not at beta"),
]
