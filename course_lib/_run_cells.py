"""Run a notebook's code cells in this fresh interpreter and report, cell by cell, whether each one raised.

``python -m course_lib._run_cells`` reads a JSON plan on stdin -- ``{"nonce": str, "cells": [source, ...]}`` --
runs the cells in order in one IPython shell (magics work; figures are drawn with Agg and closed, never shown),
and writes one line per cell to stdout: the nonce, a space, then JSON ``{"i": index, "ok": bool, ...}`` with
``ename``, ``message`` (the first line a learner would read) and ``waiting`` for a cell that raised. Everything
the cells print is discarded; lines without the nonce are not part of the report. It needs nothing but this
interpreter, course_lib and the packages the notebooks import, and reads and writes no file, so it can run in
a sandbox (:func:`course_lib.progress.run_cells` starts it).
"""

from __future__ import annotations

import json
import os
import sys
import time

MAGICS_SKIPPED = ("%matplotlib",)  # the inline backend would draw every figure; Agg draws none


def _first_line(text: str, limit: int = 160) -> str:
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _check_message(text: str, limit: int = 220) -> str:
    """A failed check in one line: what came back, and the likely mistake's first sentence when it names one."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    message = lines[0] if lines else ""
    mistake = next((line for line in lines[1:] if line.startswith("Likely mistake:")), None)
    if mistake:
        message += " " + mistake.split(". ")[0].rstrip(".") + "."
    return message if len(message) <= limit else message[: limit - 1] + "…"


def describe_error(exc: BaseException, shell=None) -> dict:
    """What a learner would read first: a check's own message, or the exception's name and message."""
    from course_lib.checks._core import CheckFailed, Waiting

    name = type(exc).__name__
    waiting = isinstance(exc, (Waiting, NotImplementedError))
    if isinstance(exc, CheckFailed):
        message = _check_message(str(exc))
    elif isinstance(exc, SyntaxError):
        message = f"{name}: {exc.msg} (line {exc.lineno})"
    else:
        where = ""
        tb = exc.__traceback__
        cells = getattr(getattr(shell, "compile", None), "_filename_map", {})
        while tb is not None:  # the innermost line that is in a cell (the learner's code, not a library's)
            if tb.tb_frame.f_code.co_filename in cells:
                where = f" (line {tb.tb_lineno})"
            tb = tb.tb_next
        message = _first_line(f"{name}: {exc}" if str(exc) else name) + where
    return {"ename": name, "message": message, "waiting": waiting,
            "name": getattr(exc, "name", None) if isinstance(exc, NameError) else None}


def main() -> int:
    plan = json.loads(sys.stdin.read())
    nonce, report = plan["nonce"], os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="nocolor")
    sink = open(os.devnull, "w", encoding="utf-8")
    for i, cell in enumerate(plan["cells"]):
        code = "\n".join(line for line in cell.splitlines() if not line.lstrip().startswith(MAGICS_SKIPPED))
        start = time.perf_counter()
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = sink
        try:
            result = shell.run_cell(code, store_history=False, silent=False)
        finally:
            sys.stdout, sys.stderr = saved
            plt.close("all")
        error = result.error_before_exec or result.error_in_exec
        line = {"i": i, "ok": error is None, "seconds": round(time.perf_counter() - start, 3)}
        if error is not None:
            line.update(describe_error(error, shell))
        report.write(f"{nonce} {json.dumps(line)}\n")
    report.write(f"{nonce} {json.dumps({'done': True})}\n")
    report.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
