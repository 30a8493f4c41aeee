"""Correct-but-different answers to an exercise that two notebooks ask: alphas_cumprod_from_betas (03 and 04)."""

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
