"""Corpus entries for notebook 02, the one-step rule: correct-but-different answers and misconceptions."""

from corpus import Submission

ASSIGNMENT = "02-one-step-rule"

STEP_LOOP = '''
def forward_step(x_prev, beta, eps):
    x_prev, beta, eps = np.asarray(x_prev, float), np.broadcast_to(beta, np.shape(x_prev)), np.asarray(eps, float)
    out = np.empty(np.shape(x_prev))
    for idx in np.ndindex(out.shape):
        out[idx] = (1 - beta[idx]) ** 0.5 * x_prev[idx] + beta[idx] ** 0.5 * eps[idx]
    return out
'''
STEP_POWER = '''
def forward_step(x_prev, beta, eps):
    return np.power(1 - beta, 0.5) * x_prev + np.power(beta, 0.5) * eps
'''
STEP_FLOAT32 = '''
def forward_step(x_prev, beta, eps):
    x_prev, beta, eps = (np.asarray(v, dtype=np.float32) for v in (x_prev, beta, eps))
    return np.sqrt(np.float32(1) - beta) * x_prev + np.sqrt(beta) * eps
'''
STEP_PYTHON_FLOATS = '''
import math
def forward_step(x_prev, beta, eps):
    if np.ndim(x_prev) == 0 and np.ndim(beta) == 0:
        return math.sqrt(1 - beta) * float(x_prev) + math.sqrt(beta) * float(eps)
    return np.sqrt(1 - beta) * x_prev + np.sqrt(beta) * eps
'''
CHAIN_PREALLOCATED = '''
def _coefficients(betas):
    return np.sqrt(1 - betas), np.sqrt(betas)

def forward_chain(x0, betas, eps):
    x0, betas, eps = np.asarray(x0, float), np.asarray(betas, float), np.asarray(eps, float)
    shrink, scale = _coefficients(betas)
    out = np.empty((len(betas) + 1,) + x0.shape)
    out[0] = x0
    for t in range(1, len(betas) + 1):
        out[t] = shrink[t - 1] * out[t - 1] + scale[t - 1] * eps[t - 1]
    return out
'''
CHAIN_LIST = '''
def forward_chain(x0, betas, eps):
    trajectory = [x0]
    for t in range(len(betas)):
        trajectory.append(forward_step(trajectory[t], betas[t], eps[t]))
    return np.array(trajectory, dtype=float)
'''


def _step(noise: str, signal: str = "np.sqrt(1 - beta)") -> str:
    return f"def forward_step(x_prev, beta, eps):\n    return {signal} * x_prev + {noise} * eps\n"


def _chain(body: str) -> str:
    return f"def forward_chain(x0, betas, eps):\n    states = [np.asarray(x0, dtype=float)]\n{body}    return np.stack(states)\n"


STEP_IN_PLACE = '''
def forward_step(x_prev, beta, eps):
    x_prev *= np.sqrt(1 - beta)
    x_prev += np.sqrt(beta) * eps
    return x_prev
'''
STEP_MATH = '''
import math
def forward_step(x_prev, beta, eps):
    return math.sqrt(1 - beta) * x_prev + math.sqrt(beta) * eps
'''
CHAIN_IN_PLACE = '''
def forward_chain(x0, betas, eps):
    x = np.asarray(x0, dtype=float)
    states = [x.copy()]
    for beta_t, eps_t in zip(betas, eps):
        x *= np.sqrt(1 - beta_t)
        x += np.sqrt(beta_t) * eps_t
        states.append(x.copy())
    return np.stack(states)
'''
CHAIN_FLOATS = '''
def forward_chain(x0, betas, eps):
    states = [float(x0)]
    for beta_t, eps_t in zip(betas, eps):
        states.append(forward_step(states[-1], beta_t, eps_t))
    return np.array(states)
'''

#: Kinds of plausible answer an exercise cannot have (see corpus.KINDS).
NOT_APPLICABLE = {
    "slip": {"in-place", "scalar-only", "reference-only"},
    "beta_size_concept": {"in-place", "scalar-only", "reference-only"},
}

SUBMISSIONS = [
    Submission("forward_step with a loop over entries", {"forward_step": STEP_LOOP}, kind="right"),
    Submission("forward_step with np.power", {"forward_step": STEP_POWER}, kind="right"),
    Submission("forward_step in float32", {"forward_step": STEP_FLOAT32}, kind="right"),
    Submission("forward_step returning Python floats", {"forward_step": STEP_PYTHON_FLOATS}, kind="right"),
    Submission("forward_chain preallocated with a helper", {"forward_chain": CHAIN_PREALLOCATED}, kind="right"),
    Submission("forward_chain from a list of states", {"forward_chain": CHAIN_LIST}, kind="right"),
    Submission("slip worked with forward_step", {"slip": "x1_toy = forward_step(0.80, 0.20, -0.20)\n"
               "x2_slip = forward_step(x1_toy, 0.20, -0.4130)\n"
               "eps2_needed = float((0.3730 - np.sqrt(0.8) * x1_toy) / np.sqrt(0.2))"}, kind="right"),
    Submission("concept answer in lower case", {"beta_size_concept": "beta_size_answer = ' c '"}, kind="right"),
    Submission("misconception: beta instead of sqrt(beta)", {"forward_step": _step("beta")},
               loses={"test_forward_step"}, says="scaled by beta instead of sqrt(beta)", kind="wrong"),
    Submission("misconception: no shrink factor", {"forward_step": _step("np.sqrt(beta)", "1.0")},
               loses={"test_forward_step"}, says="shrink factor is missing", kind="wrong"),
    Submission("misconception: (1 - beta) unsquared", {"forward_step": _step("np.sqrt(beta)", "(1 - beta)")},
               loses={"test_forward_step"}, says="(1 - beta) instead of sqrt(1 - beta)", kind="wrong"),
    Submission("forward_step modifies x_prev in place", {"forward_step": STEP_IN_PLACE},
               loses={"test_forward_step"}, says="modified its input x_prev", kind="in-place"),
    Submission("forward_step with math.sqrt", {"forward_step": STEP_MATH},
               loses={"test_forward_step"}, says="NumPy's versions", kind="scalar-only"),
    Submission("misconception: the same eps reused", {"forward_chain": _chain(
        "    for beta_t in betas:\n        states.append(forward_step(states[-1], beta_t, eps[0]))\n")},
               loses={"test_forward_chain"}, says="same eps is reused", kind="wrong"),
    Submission("misconception: x0 left out", {"forward_chain": _chain(
        "    for beta_t, eps_t in zip(betas, eps):\n        states.append(forward_step(states[-1], beta_t, eps_t))\n"
        "    states = states[1:]\n")},
               loses={"test_forward_chain"}, says="leaves out x0", kind="wrong"),
    Submission("misconception: every step restarts from x0", {"forward_chain": _chain(
        "    for beta_t, eps_t in zip(betas, eps):\n        states.append(forward_step(states[0], beta_t, eps_t))\n")},
               loses={"test_forward_chain"}, says="starts again from x0", kind="wrong"),
    Submission("forward_chain updates x0 in place", {"forward_chain": CHAIN_IN_PLACE},
               loses={"test_forward_chain"}, says="modified its input x0", kind="in-place"),
    Submission("forward_chain for a number x0 only", {"forward_chain": CHAIN_FLOATS},
               loses={"test_forward_chain"}, says="single numbers", kind="scalar-only"),
    Submission("misconception: the copied 0.3730", {"slip": "x2_slip = 0.3730\neps2_needed = -0.4181"},
               loses={"test_slip"}, says="what the copied example *claims*", kind="wrong"),
    Submission("misconception: the single-jump eps of notebook 03",
               {"slip": "x1_toy = np.sqrt(0.8) * 0.8 + np.sqrt(0.2) * -0.2\n"
                        "x2_slip = np.sqrt(0.8) * x1_toy + np.sqrt(0.2) * -0.4130\n"
                        "eps2_needed = (0.3730 - 0.8 * 0.8) / 0.6"},
               loses={"test_slip"}, says="single-jump eps of notebook 03", kind="wrong"),
    Submission("misconception: one big step is equivalent", {"beta_size_concept": "beta_size_answer = 'D'"},
               loses={"test_beta_size_concept"}, says="learns to undo the steps", kind="wrong"),
]
