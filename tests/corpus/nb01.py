"""Corpus entries for notebook 01, why destroy data: correct-but-different answers and misconceptions."""

from corpus import Submission

ASSIGNMENT = "01-why-destroy-data"

WITHOUT_NP_ADD = '''
def variance_without_shrink(var0, beta, t):
    return np.add(var0, np.multiply(t, beta))
'''
WITHOUT_FLOAT32 = '''
def variance_without_shrink(var0, beta, t):
    return np.asarray(var0, dtype=np.float32) + np.asarray(t, dtype=np.float32) * np.float32(beta)
'''
WITHOUT_IN_PLACE = '''
def variance_without_shrink(var0, beta, t):
    if isinstance(var0, np.ndarray):
        var0 += t * beta
        return var0
    return var0 + t * beta
'''
WITHOUT_FLOAT = '''
def variance_without_shrink(var0, beta, t):
    return float(var0) + t * beta
'''
WITH_LOOP = '''
def _run(v, steps, beta):
    for _ in range(int(steps)):
        v = (1 - beta) * v + beta
    return v

def variance_with_shrink(var0, beta, t):
    return np.vectorize(_run, otypes=[float])(var0, t, beta)
'''
WITH_GAP = '''
def variance_with_shrink(var0, beta, t):
    return 1 + (np.asarray(var0, dtype=float) - 1) * (1 - beta) ** np.asarray(t)
'''
WITH_LOGS = '''
def variance_with_shrink(var0, beta, t):
    decay = np.exp(np.asarray(t) * np.log1p(-beta))
    return var0 * decay + (1 - decay)
'''
WITH_RANGE_LOOP = '''
def variance_with_shrink(var0, beta, t):
    v = var0
    for _ in range(t):
        v = (1 - beta) * v + beta
    return v
'''
WITH_MATH_POW = '''
import math

def variance_with_shrink(var0, beta, t):
    decay = math.pow(1 - beta, t)
    return decay * var0 + 1 - decay
'''
WITH_IN_PLACE = '''
def variance_with_shrink(var0, beta, t):
    decay = (1 - beta) ** np.asarray(t)
    if isinstance(var0, np.ndarray):
        var0 *= decay
        var0 += 1 - decay
        return var0
    return decay * var0 + 1 - decay
'''
KS_LOOP = '''
import math

def ks_distance_from_normal(x):
    values = sorted(float(v) for v in x)
    n, d = len(values), 0.0
    for i, v in enumerate(values):
        phi = 0.5 * (1 + math.erf(v / math.sqrt(2)))
        d = max(d, (i + 1) / n - phi, phi - i / n)
    return d
'''
KS_HELPER = '''
def _ecdf_steps(n):
    return np.arange(1, n + 1) / n, np.arange(n) / n

def ks_distance_from_normal(x):
    cdf = standard_normal_cdf(np.sort(x))
    top, bottom = _ecdf_steps(len(x))
    return float(np.max(np.maximum(top - cdf, cdf - bottom)))
'''
KS_FLOAT32 = '''
def ks_distance_from_normal(x):
    x = np.sort(np.asarray(x, dtype=np.float32))
    cdf = standard_normal_cdf(x).astype(np.float32)
    i = np.arange(1, x.size + 1, dtype=np.float32)
    return max((i / x.size - cdf).max(), (cdf - (i - 1) / x.size).max())
'''
KS_SORT_IN_PLACE = '''
def ks_distance_from_normal(x):
    x.sort()
    n = x.size
    cdf = standard_normal_cdf(x)
    return max((np.arange(1, n + 1) / n - cdf).max(), (cdf - np.arange(n) / n).max())
'''
KS_MATH_ERF = '''
import math

def ks_distance_from_normal(x):
    x = np.sort(x)
    n = x.size
    cdf = 0.5 * (1 + math.erf(x / math.sqrt(2)))
    return max((np.arange(1, n + 1) / n - cdf).max(), (cdf - np.arange(n) / n).max())
'''
REVERSE_LOG_SPACE = '''
def one_step_reverse(grid, prior, x_t, beta):
    log_p = np.log(np.maximum(prior, 1e-300)) - (x_t - np.sqrt(1 - beta) * grid) ** 2 / (2 * beta)
    p = np.where(prior > 0, np.exp(log_p - log_p.max()), 0.0)
    return p / (p.sum() * (grid[1] - grid[0]))
'''
REVERSE_HELPERS = '''
def _gaussian(x, mean, var):
    return np.exp(-(x - mean) ** 2 / (2 * var)) / np.sqrt(2 * np.pi * var)

def one_step_reverse(grid, prior, x_t, beta):
    posterior = prior * _gaussian(x_t, np.sqrt(1 - beta) * grid, beta)
    return posterior / (np.sum(posterior) * np.mean(np.diff(grid)))
'''
REVERSE_IN_PLACE = '''
def one_step_reverse(grid, prior, x_t, beta):
    prior *= np.exp(-(x_t - np.sqrt(1 - beta) * grid) ** 2 / (2 * beta))
    prior /= prior.sum() * (grid[1] - grid[0])
    return prior
'''
REVERSE_MATH = '''
import math

def one_step_reverse(grid, prior, x_t, beta):
    product = prior * math.exp(-(x_t - math.sqrt(1 - beta) * grid) ** 2 / (2 * beta))
    return product / (product.sum() * (grid[1] - grid[0]))
'''


def _without(expr: str) -> dict[str, str]:
    return {"variance_without_shrink": f"def variance_without_shrink(var0, beta, t):\n    return {expr}\n"}


def _with(expr: str) -> dict[str, str]:
    return {"variance_with_shrink": f"def variance_with_shrink(var0, beta, t):\n    return {expr}\n"}


def _ks(body: str) -> dict[str, str]:
    return {"ks_distance_from_normal": "def ks_distance_from_normal(x):\n"
            "    n = len(x)\n    i = np.arange(1, n + 1)\n" + body}


def _reverse(likelihood: str, normalise: str = "product / (product.sum() * (grid[1] - grid[0]))") -> dict[str, str]:
    return {"one_step_reverse": "def one_step_reverse(grid, prior, x_t, beta):\n"
            f"    product = {likelihood}\n    return {normalise}\n"}


SORTED = "    cdf = standard_normal_cdf(np.sort(x))\n"
STEP = "np.exp(-(x_t - np.sqrt(1 - beta) * grid) ** 2 / (2 * beta))"

#: Kinds of plausible answer an exercise cannot have (see corpus.KINDS): a value or a letter has no inputs to
#: modify, no array to fail on, and no course_lib function that returns it.
NOT_APPLICABLE = {
    "gradual_concept": {"in-place", "scalar-only", "reference-only"},
    "fixed_concept": {"in-place", "scalar-only", "reference-only"},
    "endpoint_concept": {"in-place", "scalar-only", "reference-only"},
}

SUBMISSIONS = [
    # section 3: the variance without the shrink factor
    Submission("variance_without_shrink with np.add", {"variance_without_shrink": WITHOUT_NP_ADD}, kind="right"),
    Submission("variance_without_shrink in float32", {"variance_without_shrink": WITHOUT_FLOAT32}, kind="right"),
    Submission("misconception: var0 forgotten", _without("t * beta + 0 * np.asarray(var0)"),
               loses={"test_variance_without_shrink"}, says="the starting variance var0 is missing", kind="wrong"),
    Submission("misconception: one step only", _without("var0 + beta + 0 * np.asarray(t)"),
               loses={"test_variance_without_shrink"}, says="only one step was counted", kind="wrong"),
    Submission("misconception: sqrt(beta) added per step", _without("var0 + t * np.sqrt(beta)"),
               loses={"test_variance_without_shrink"}, says="sqrt(beta) was added per step", kind="wrong"),
    Submission("misconception: beta squared per step", _without("var0 + t * beta ** 2"),
               loses={"test_variance_without_shrink"}, says="beta**2 was added per step", kind="wrong"),
    Submission("misconception: standard deviations added", _without("(np.sqrt(var0) + t * np.sqrt(beta)) ** 2"),
               loses={"test_variance_without_shrink"}, says="standard deviations were added", kind="wrong"),
    Submission("variance_without_shrink adds into var0", {"variance_without_shrink": WITHOUT_IN_PLACE},
               loses={"test_variance_without_shrink"}, says="modified its input var0", kind="in-place"),
    Submission("variance_without_shrink with float(var0)", {"variance_without_shrink": WITHOUT_FLOAT},
               loses={"test_variance_without_shrink"}, says="NumPy's versions", kind="scalar-only"),
    Submission("variance_without_shrink delegates to variance_after_steps",
               {"variance_without_shrink": "from course_lib.forward import variance_after_steps\n"
                "def variance_without_shrink(var0, beta, t):\n"
                "    return variance_after_steps(var0, beta, t, shrink=False)\n"},
               loses={"test_variance_without_shrink"}, says="ran course_lib's own implementation",
               flags={"reference-implementation-used"}, kind="reference-only"),
    # section 3: the variance with the shrink factor
    Submission("variance_with_shrink by running the recursion entry by entry", {"variance_with_shrink": WITH_LOOP},
               kind="right"),
    Submission("variance_with_shrink from the gap to 1", {"variance_with_shrink": WITH_GAP}, kind="right"),
    Submission("variance_with_shrink with exp and log1p", {"variance_with_shrink": WITH_LOGS}, kind="right"),
    Submission("misconception: the added noise forgotten", _with("(1 - beta) ** t * var0"),
               loses={"test_variance_with_shrink"}, says="the noise's contribution is missing", kind="wrong"),
    Submission("misconception: the noise's std added per step",
               _with("(1 - beta) ** t * var0 + np.sqrt(beta) * (1 - (1 - beta) ** t) / beta"),
               loses={"test_variance_with_shrink"}, says="standard deviation sqrt(beta) was added at each step",
               kind="wrong"),
    Submission("misconception: variance shrunk by sqrt(1 - beta)",
               _with("np.sqrt(1 - beta) ** t * var0 + 1 - np.sqrt(1 - beta) ** t"),
               loses={"test_variance_with_shrink"}, says="multiplied by sqrt(1 - beta) per step", kind="wrong"),
    Submission("misconception: added noise not shrunk later", _with("(1 - beta) ** t * var0 + t * beta"),
               loses={"test_variance_with_shrink"}, says="not shrunk by the later steps", kind="wrong"),
    Submission("misconception: a running sum instead of a product", _with("(1 - t * beta) * var0 + t * beta"),
               loses={"test_variance_with_shrink"}, says="1 - t * beta was used in place of (1 - beta)**t",
               kind="wrong"),
    Submission("misconception: off by one step", _with("(1 - beta) ** (t - 1) * var0 + 1 - (1 - beta) ** (t - 1)"),
               loses={"test_variance_with_shrink"}, says="that is the variance after t - 1 steps", kind="wrong"),
    Submission("misconception: always 1", _with("1.0"),
               loses={"test_variance_with_shrink"}, says="the answer is 1 whatever var0 and t", kind="wrong"),
    Submission("variance_with_shrink loops over range(t)", {"variance_with_shrink": WITH_RANGE_LOOP},
               loses={"test_variance_with_shrink"}, says="t can be an array", kind="scalar-only"),
    Submission("variance_with_shrink with math.pow", {"variance_with_shrink": WITH_MATH_POW},
               loses={"test_variance_with_shrink"}, says="NumPy's versions", kind="scalar-only"),
    Submission("variance_with_shrink updates var0 in place", {"variance_with_shrink": WITH_IN_PLACE},
               loses={"test_variance_with_shrink"}, says="modified its input var0", kind="in-place"),
    Submission("variance_with_shrink delegates to variance_after_steps",
               {"variance_with_shrink": "from course_lib.forward import variance_after_steps\n"
                "def variance_with_shrink(var0, beta, t):\n    return variance_after_steps(var0, beta, t)\n"},
               loses={"test_variance_with_shrink"}, says="ran course_lib's own implementation",
               flags={"reference-implementation-used"}, kind="reference-only"),
    # section 4: the KS distance
    Submission("ks distance with a loop and math.erf", {"ks_distance_from_normal": KS_LOOP}, kind="right"),
    Submission("ks distance with a helper function", {"ks_distance_from_normal": KS_HELPER}, kind="right"),
    Submission("ks distance in float32", {"ks_distance_from_normal": KS_FLOAT32}, kind="right"),
    Submission("misconception: sample not sorted", _ks(
        "    cdf = standard_normal_cdf(np.asarray(x))\n    return max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n))\n"),
               loses={"test_ks_distance_from_normal"}, says="the sample was not sorted", kind="wrong"),
    Submission("misconception: top of each step only", _ks(SORTED + "    return np.max(i / n - cdf)\n"),
               loses={"test_ks_distance_from_normal"}, says="compared with i / n only, the top of each step",
               kind="wrong"),
    Submission("misconception: bottom of each step only", _ks(SORTED + "    return np.max(cdf - (i - 1) / n)\n"),
               loses={"test_ks_distance_from_normal"}, says="only the bottom of each step was compared", kind="wrong"),
    Submission("misconception: sample standardised first", _ks(
        "    z = (x - np.mean(x)) / (np.std(x) if n > 1 else 1.0)\n"
        "    cdf = standard_normal_cdf(np.sort(z))\n    return max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n))\n"),
               loses={"test_ks_distance_from_normal"}, says="the sample was standardised first", kind="wrong"),
    Submission("misconception: density instead of CDF", _ks(
        "    pdf = np.exp(-np.sort(x) ** 2 / 2) / np.sqrt(2 * np.pi)\n"
        "    return max(np.max(i / n - pdf), np.max(pdf - (i - 1) / n))\n"),
               loses={"test_ks_distance_from_normal"}, says="was used where the CDF belongs", kind="wrong"),
    Submission("ks distance sorts x in place", {"ks_distance_from_normal": KS_SORT_IN_PLACE},
               loses={"test_ks_distance_from_normal"}, says="modified its input x", kind="in-place"),
    Submission("ks distance with math.erf on the array", {"ks_distance_from_normal": KS_MATH_ERF},
               loses={"test_ks_distance_from_normal"}, says="NumPy's versions", kind="scalar-only"),
    Submission("ks distance calls the check's known answer",
               {"ks_distance_from_normal": "def ks_distance_from_normal(x):\n    return checks.good_ks(x)\n"},
               loses={"test_ks_distance_from_normal"}, says="ran course_lib's own implementation",
               flags={"reference-implementation-used"}, kind="reference-only"),
    # section 5: the exact reverse of one step
    Submission("one_step_reverse in log space", {"one_step_reverse": REVERSE_LOG_SPACE}, kind="right"),
    Submission("one_step_reverse with a Gaussian helper", {"one_step_reverse": REVERSE_HELPERS}, kind="right"),
    Submission("misconception: not normalised", _reverse(f"prior * {STEP}", "product"),
               loses={"test_one_step_reverse"}, says="the product is not normalised", kind="wrong"),
    Submission("misconception: normalised to sum 1", _reverse(f"prior * {STEP}", "product / product.sum()"),
               loses={"test_one_step_reverse"}, says="normalised to sum(density) = 1", kind="wrong"),
    Submission("misconception: the forward step read backwards, no prior", _reverse(STEP),
               loses={"test_one_step_reverse"}, says="the prior is missing", kind="wrong"),
    Submission("misconception: the prior alone", _reverse("prior + 0 * x_t"),
               loses={"test_one_step_reverse"}, says="x_t was not used", kind="wrong"),
    Submission("misconception: no shrink in the likelihood",
               _reverse("prior * np.exp(-(x_t - grid) ** 2 / (2 * beta))"),
               loses={"test_one_step_reverse"}, says="shrink factor is missing in the likelihood", kind="wrong"),
    Submission("misconception: std where the variance belongs",
               _reverse("prior * np.exp(-(x_t - np.sqrt(1 - beta) * grid) ** 2 / (2 * np.sqrt(beta)))"),
               loses={"test_one_step_reverse"}, says="standard deviation sqrt(beta) was used", kind="wrong"),
    Submission("misconception: the forward step taken from x_t",
               _reverse("prior * np.exp(-(grid - np.sqrt(1 - beta) * x_t) ** 2 / (2 * beta))"),
               loses={"test_one_step_reverse"}, says="taken from x_t", kind="wrong"),
    Submission("one_step_reverse multiplies into prior", {"one_step_reverse": REVERSE_IN_PLACE},
               loses={"test_one_step_reverse"}, says="modified its input prior", kind="in-place"),
    Submission("one_step_reverse with math.exp", {"one_step_reverse": REVERSE_MATH},
               loses={"test_one_step_reverse"}, says="NumPy's versions", kind="scalar-only"),
    Submission("one_step_reverse delegates to exact_reverse.reverse_density",
               {"one_step_reverse": "def one_step_reverse(grid, prior, x_t, beta):\n"
                "    return exact_reverse.reverse_density(grid, prior, x_t, beta)\n"},
               loses={"test_one_step_reverse"}, says="ran course_lib's own implementation",
               flags={"reference-implementation-used"}, kind="reference-only"),
    # section 7: the concept checks
    Submission("concept answers in lower case with spaces", {"gradual_concept": "gradual_answer = ' b '",
                                                             "fixed_concept": "fixed_answer = 'c'",
                                                             "endpoint_concept": "endpoint_answer = 'd\\n'"},
               kind="right"),
    Submission("misconception: one jump and small steps are the same task", {"gradual_concept": "gradual_answer = 'D'"},
               loses={"test_gradual_concept"}, says="1.1 nats", kind="wrong"),
    Submission("misconception: small steps add more noise", {"gradual_concept": "gradual_answer = 'A'"},
               loses={"test_gradual_concept"}, says="one big step with beta = 1 also ends", kind="wrong"),
    Submission("misconception: the network learns beta", {"fixed_concept": "fixed_answer = 'B'"},
               loses={"test_fixed_concept"}, says="Nothing in DDPM's forward process is trained", kind="wrong"),
    Submission("misconception: the forward process is data augmentation",
               {"endpoint_concept": "endpoint_answer = 'C'"},
               loses={"test_endpoint_concept"}, says="augmentation", kind="wrong"),
    Submission("misconception: signal left at T helps", {"endpoint_concept": "endpoint_answer = 'B'"},
               loses={"test_endpoint_concept"}, says="More signal at T is worse", kind="wrong"),
]
