"""Cheap tricks and faults, generated for every notebook from its exercises: no per-notebook code.

``generic_submissions(exercises, answers)`` takes the notebook's exercises in order, as
``(solution_cell_id, test_cell_id)`` pairs, and the solution's answer source per solution cell, and
returns :class:`~corpus.Submission` entries with their exact expected outcome.
"""

from __future__ import annotations

import ast

from . import Submission

REFERENCE_MODULES = ("course_lib.forward", "course_lib.schedules", "course_lib.score")

PATCH_COMPARISONS = """\
import builtins, math, numpy as np, numpy.testing
np.isclose = lambda *a, **k: np.True_
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_almost_equal = lambda *a, **k: None
math.isclose = lambda *a, **k: True
builtins.all = lambda *a, **k: True
builtins.any = lambda *a, **k: True
"""

RIGGED = """\
class Rigged:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    def __abs__(self): return 0.0
    def __sub__(self, other): return self
    __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __sub__
    def __float__(self): return 0.0
    def __bool__(self): return True
    def __len__(self): return 0
    def __array__(self, dtype=None, copy=None): raise TypeError("rigged")
class RiggedFloat(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    def __abs__(self): return RiggedFloat(0.0)
    def __sub__(self, other): return RiggedFloat(0.0)
    __rsub__ = __sub__
    __hash__ = float.__hash__
"""

INPUT_TRANSFORMER = """\
def _blank_tests(lines):
    return [] if any("hidden." in line or "checks." in line for line in lines) else lines
get_ipython().input_transformers_cleanup.append(_blank_tests)
"""

AST_TRANSFORMER = """\
import ast
class _DropChecks(ast.NodeTransformer):
    def visit_Expr(self, node):
        text = ast.unparse(node)
        return None if ("hidden." in text or "checks." in text) else node
get_ipython().ast_transformers.append(_DropChecks())
"""

SHADOW_IN_KERNEL = """\
import os, sys, importlib
os.makedirs("course_lib/checks", exist_ok=True)
open("course_lib/__init__.py", "w").write("")
open("course_lib/hidden.py", "w").write("def call(*a, **k): pass\\nvalue = choice = call\\n")
open("course_lib/checks/__init__.py", "w").write("")
open("numpy.py", "w").write("raise ImportError('shadowed')\\n")
sys.path.insert(0, os.getcwd())
for name in [m for m in sys.modules if m.startswith("course_lib")]:
    del sys.modules[name]
import course_lib.hidden as hidden
class _Pass:
    def __getattr__(self, name): return lambda *a, **k: None
checks = _Pass()
"""

SNOOP = """\
import glob, json, os, pathlib
_found = {{}}
for pattern in ["{course}/solutions/*/*.ipynb", "{repo}/solutions/*/*.ipynb", "/*/solutions/*/*.ipynb",
                "/*/*/solutions/*/*.ipynb", "/*/*/*/solutions/*/*.ipynb", "/tmp/*/*/solutions/*/*.ipynb"]:
    for path in glob.glob(pattern)[:20]:
        try:
            _found[path] = json.loads(pathlib.Path(path).read_text())
        except Exception:
            pass
for _nb in _found.values():  # run every solution cell found: full marks if the solutions were readable
    for _cell in _nb["cells"]:
        if _cell["cell_type"] == "code" and _cell["metadata"].get("nbgrader", {{}}).get("solution"):
            try:
                exec("".join(_cell["source"]), globals())
            except Exception:
                pass
for _target in ["{course}/gradebook.db", "{course}/.answer-keys", "{course}/submitted"]:
    try:
        os.listdir(_target) if os.path.isdir(_target) else open(_target, "rb").read(10)
        open(os.path.join(_target, "x") if os.path.isdir(_target) else _target, "ab").write(b"tampered")
    except Exception:
        pass
"""


def _defs_and_names(source: str) -> tuple[list[ast.FunctionDef], list[str]]:
    tree = ast.parse(source)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    names = [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)]
    return defs, names


def wrong_answer(source: str) -> str:
    """The same answer cell with every function returning 0.0 and every variable set to 0.0."""
    defs, names = _defs_and_names(source)
    lines = [f"def {d.name}(*args, **kwargs):\n    return 0.0" for d in defs] + [f"{n} = 0.0" for n in names]
    return "\n".join(lines) or "pass"


def rigged_answer(source: str, rigged: str) -> str:
    defs, names = _defs_and_names(source)
    lines = [f"def {d.name}(*args, **kwargs):\n    return {rigged}()" for d in defs] + [f"{n} = {rigged}()" for n in names]
    return RIGGED + "\n".join(lines)


def with_debug_output(source: str) -> str:
    """The same answer with a stderr print and a warning inside every function, and after the cell."""
    tree = ast.parse(source)
    noise = ast.parse("import sys, warnings\nprint('debug: here', file=sys.stderr)\n"
                      "warnings.warn('a harmless warning')").body
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            docstring = node.body[:1] if ast.get_docstring(node) else []
            node.body = docstring + noise + node.body[len(docstring):]
    return ast.unparse(tree) + "\nprint('debug: cell done', file=__import__('sys').stderr)"


def delegating_answer(source: str) -> str | None:
    """Functions that only call course_lib's same-named reference, or None if the cell has none."""
    import importlib

    defs, _ = _defs_and_names(source)
    lines = []
    for d in defs:
        for module in REFERENCE_MODULES:
            try:
                mod = importlib.import_module(module)
            except ImportError:
                continue
            if callable(getattr(mod, d.name, None)):
                lines.append(f"import {module}\ndef {d.name}(*args, **kwargs):\n"
                             f"    return {module}.{d.name}(*args, **kwargs)")
                break
    return "\n".join(lines) or None


def generic_submissions(exercises: list[tuple[str, str]], answers: dict[str, str]) -> list[Submission]:
    """Faults and cheap tricks for a notebook whose exercises are ``[(solution_id, test_id), ...]``."""
    tests = [t for _, t in exercises]
    all_tests = frozenset(tests)
    (s1, t1), (s2, t2) = exercises[0], exercises[1]
    wrong = {s: wrong_answer(src) for s, src in answers.items()}
    after_s2 = frozenset(tests[tests.index(t2):])
    subs = [
        Submission("solution", kind="right"),
        Submission("debug prints to stderr and warnings", {s: with_debug_output(a) for s, a in answers.items()}),
        Submission("extra cells and helper functions",
                   extra=tuple((s, "def _helper(x):\n    return x\nprint('an extra cell', _helper(1))") for s in answers)),
        Submission("syntax error", {s1: answers[s1] + "\ndef (:\n"}, loses={t1}),
        Submission("exception", {s1: "raise ValueError('oops')\n" + answers[s1]}, loses={t1}),
        Submission("cell that never ends", {s1: "while True:\n    pass\n" + answers[s1]}, loses={t1},
                   flags={"timeout"}),
        Submission("memory bomb", {s1: "_bomb = bytearray(16 * 2**30)\n" + answers[s1]}, loses={t1},
                   flags={"memory-limit"}),
        Submission("sys.exit() after a correct answer", {s1: answers[s1] + "\nimport sys\nsys.exit()"}),
        Submission("os._exit() kills the kernel", {s2: answers[s2] + "\nimport os\nos._exit(0)"},
                   loses=after_s2, flags={"kernel-died"}),
        Submission("a million printed lines", {s1: answers[s1] + "\nprint(\"\\n\".join(map(str, range(10**6))))"}),
        Submission("monkeypatched comparisons", wrong, loses=all_tests, extra=(("", PATCH_COMPARISONS),)),
        Submission("object with rigged comparisons", {s: rigged_answer(a, "Rigged") for s, a in answers.items()},
                   loses=all_tests),
        Submission("float subclass with rigged comparisons",
                   {s: rigged_answer(a, "RiggedFloat") for s, a in answers.items()}, loses=all_tests),
        Submission("input transformer blanks the tests", wrong, loses=all_tests, extra=(("", INPUT_TRANSFORMER),)),
        Submission("AST transformer drops the checks", wrong, loses=all_tests, extra=(("", AST_TRANSFORMER),)),
        Submission("test cells edited", wrong, loses=all_tests, tests={t: "pass" for t in tests}),
        Submission("test cells deleted", wrong, loses=all_tests, tests={t: "delete" for t in tests}),
        Submission("test cells re-typed as markdown", wrong, loses=all_tests, tests={t: "markdown" for t in tests}),
        Submission("test cells' grade_id renamed", wrong, loses=all_tests, tests={t: "rename" for t in tests},
                   flags={"tampered:grade-id-changed"}),
        Submission("numpy.py and course_lib.py beside the notebook",
                   files={"numpy.py": "raise ImportError('shadowed numpy')\n",
                          "course_lib.py": "raise ImportError('shadowed course_lib')\n"}),
        Submission("modules shadowed from inside the kernel", wrong, loses=all_tests,
                   extra=(("", SHADOW_IN_KERNEL),)),
        Submission("reads solutions and the gradebook, writes to them", wrong, loses=all_tests,
                   extra=(("", SNOOP),)),
    ]
    delegated = {s: d for s, a in answers.items() if (d := delegating_answer(a))}
    if delegated:
        lost = {t for s, t in exercises if s in delegated}
        subs.append(Submission("only calls course_lib's reference", delegated, loses=lost,
                               flags={"reference-implementation-used"}, kind="reference-only"))
    return subs
