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


def _without(expr: str) -> dict[str, str]:
    return {"variance_without_shrink": f"def variance_without_shrink(var0, beta, t):\n    return {expr}\n"}


def _with(expr: str) -> dict[str, str]:
    return {"variance_with_shrink": f"def variance_with_shrink(var0, beta, t):\n    return {expr}\n"}


def _ks(body: str) -> dict[str, str]:
    return {"ks_distance_from_normal": "def ks_distance_from_normal(x):\n"
            "    n = len(x)\n    i = np.arange(1, n + 1)\n" + body}


SORTED = "    cdf = standard_normal_cdf(np.sort(x))\n"

SUBMISSIONS = [
    Submission("variance_without_shrink with np.add", {"variance_without_shrink": WITHOUT_NP_ADD}),
    Submission("variance_without_shrink in float32", {"variance_without_shrink": WITHOUT_FLOAT32}),
    Submission("variance_with_shrink by running the recursion", {"variance_with_shrink": WITH_LOOP}),
    Submission("variance_with_shrink from the gap to 1", {"variance_with_shrink": WITH_GAP}),
    Submission("variance_with_shrink with exp and log1p", {"variance_with_shrink": WITH_LOGS}),
    Submission("ks distance with a loop and math.erf", {"ks_distance_from_normal": KS_LOOP}),
    Submission("ks distance with a helper function", {"ks_distance_from_normal": KS_HELPER}),
    Submission("ks distance in float32", {"ks_distance_from_normal": KS_FLOAT32}),
    Submission("concept answers in lower case with spaces", {"gradual_concept": "gradual_answer = ' b '",
                                                             "fixed_concept": "fixed_answer = 'c'",
                                                             "endpoint_concept": "endpoint_answer = 'd\\n'"}),
    # misconceptions named by check_variance_without_shrink
    Submission("misconception: var0 forgotten", _without("t * beta + 0 * np.asarray(var0)"),
               loses={"test_variance_without_shrink"}, says="the starting variance var0 is missing"),
    Submission("misconception: one step only", _without("var0 + beta + 0 * np.asarray(t)"),
               loses={"test_variance_without_shrink"}, says="only one step was counted"),
    Submission("misconception: sqrt(beta) added per step", _without("var0 + t * np.sqrt(beta)"),
               loses={"test_variance_without_shrink"}, says="sqrt(beta) was added per step"),
    Submission("misconception: beta squared per step", _without("var0 + t * beta ** 2"),
               loses={"test_variance_without_shrink"}, says="beta**2 was added per step"),
    Submission("misconception: standard deviations added", _without("(np.sqrt(var0) + t * np.sqrt(beta)) ** 2"),
               loses={"test_variance_without_shrink"}, says="standard deviations were added"),
    # misconceptions named by check_variance_with_shrink
    Submission("misconception: the added noise forgotten", _with("(1 - beta) ** t * var0"),
               loses={"test_variance_with_shrink"}, says="the noise's contribution is missing"),
    Submission("misconception: variance shrunk by sqrt(1 - beta)",
               _with("np.sqrt(1 - beta) ** t * var0 + 1 - np.sqrt(1 - beta) ** t"),
               loses={"test_variance_with_shrink"}, says="multiplied by sqrt(1 - beta) per step"),
    Submission("misconception: added noise not shrunk later", _with("(1 - beta) ** t * var0 + t * beta"),
               loses={"test_variance_with_shrink"}, says="not shrunk by the later steps"),
    Submission("misconception: a running sum instead of a product", _with("(1 - t * beta) * var0 + t * beta"),
               loses={"test_variance_with_shrink"}, says="1 - t * beta was used in place of (1 - beta)**t"),
    Submission("misconception: off by one step", _with("(1 - beta) ** (t - 1) * var0 + 1 - (1 - beta) ** (t - 1)"),
               loses={"test_variance_with_shrink"}, says="that is the variance after t - 1 steps"),
    Submission("misconception: always 1", _with("1.0"),
               loses={"test_variance_with_shrink"}, says="the answer is 1 whatever var0 and t"),
    Submission("delegates to course_lib.forward.variance_after_steps",
               {"variance_with_shrink": "from course_lib.forward import variance_after_steps\n"
                "def variance_with_shrink(var0, beta, t):\n    return variance_after_steps(var0, beta, t)\n"},
               loses={"test_variance_with_shrink"}, flags={"reference-implementation-used"}),
    # misconceptions named by check_ks_distance_from_normal
    Submission("misconception: sample not sorted", _ks(
        "    cdf = standard_normal_cdf(np.asarray(x))\n    return max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n))\n"),
               loses={"test_ks_distance_from_normal"}, says="the sample was not sorted"),
    Submission("misconception: top of each step only", _ks(SORTED + "    return np.max(i / n - cdf)\n"),
               loses={"test_ks_distance_from_normal"}, says="compared with i / n only, the top of each step"),
    Submission("misconception: bottom of each step only", _ks(SORTED + "    return np.max(cdf - (i - 1) / n)\n"),
               loses={"test_ks_distance_from_normal"}, says="only the bottom of each step was compared"),
    Submission("misconception: sample standardised first", _ks(
        "    z = (x - np.mean(x)) / (np.std(x) if n > 1 else 1.0)\n"
        "    cdf = standard_normal_cdf(np.sort(z))\n    return max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n))\n"),
               loses={"test_ks_distance_from_normal"}, says="the sample was standardised first"),
    Submission("misconception: density instead of CDF", _ks(
        "    pdf = np.exp(-np.sort(x) ** 2 / 2) / np.sqrt(2 * np.pi)\n"
        "    return max(np.max(i / n - pdf), np.max(pdf - (i - 1) / n))\n"),
               loses={"test_ks_distance_from_normal"}, says="was used where the CDF belongs"),
    # the common wrong answer of each concept check
    Submission("misconception: small steps add more noise", {"gradual_concept": "gradual_answer = 'A'"},
               loses={"test_gradual_concept"}, says="one big step with beta = 1 also ends at pure N(0, 1)"),
    Submission("misconception: the network learns beta", {"fixed_concept": "fixed_answer = 'B'"},
               loses={"test_fixed_concept"}, says="Nothing in DDPM's forward process is trained"),
    Submission("misconception: signal left at T helps", {"endpoint_concept": "endpoint_answer = 'B'"},
               loses={"test_endpoint_concept"}, says="More signal at T is worse"),
]
