"""The grading runtime: the student's answers run again, alone, where course_lib's answers do not exist,
and the hidden tests are decided there -- never in the student's kernel.

:mod:`course_lib.grading.scoring` starts ``python -I -B runtime.py`` in a sandbox of its own (profile
``"runtime"`` of :class:`~course_lib.grading.sandbox.Sandbox`: of course_lib only the modules that hold no
answer exist in it) and drives it step by step over stdin/stdout, each message a 4-byte big-endian length
then UTF-8 JSON:

- ``{"op": "run", "source": ...}`` runs one of the student's cells (the first code cell, an answer cell,
  a cell the student added) in the notebook's namespace, in notebook order; replies ``{"error": null}`` or
  the error's first line. A cell that runs longer than ``timeout`` seconds is stopped (``CellTimeout``).
- ``{"op": "test", "source": <hidden part>, "substitutes": {...}}`` runs one test cell's hidden part, taken
  from the *solution* notebook, in a forked child (so one test cell cannot change another's namespace),
  with ``hidden`` bound to :class:`Reporter`; replies ``{"reports": [...], "error": ...}``.
  ``substitutes`` maps a name to the solution's cells that define it (``{"setup": ..., "cells": [...]}``):
  ``hidden.call(..., substitute=("name",))`` puts the solution's own function in place during the call.
- ``{"op": "exit"}``.

Importing ``course_lib`` here gives stand-ins for everything except :data:`AVAILABLE`: calling any of
them (``forward.forward_step``, ``checks.check_slip``, ``schedules.linear_schedule``...) raises
:class:`ReferenceUnavailable` naming it. Everything this process sends back is untrusted (student code ran
in it): the grader validates it and commits each test cell's result before it sends the next step, so no
later step's material can change an earlier result.
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import json
import os
import re
import select
import signal
import struct
import sys
import time
import types

#: course_lib modules that exist in the runtime: no answer lives in them.
AVAILABLE = ("course_lib.stats", "course_lib.data", "course_lib._validate", "course_lib.checks._core")
#: Imported only when first used (a notebook's setup cell imports matplotlib; answers almost never use it).
DEFERRED = ("matplotlib", "IPython", "ipywidgets")
#: A reply larger than this is not read (the grader's side of the same limit is in scoring.py).
MAX_MESSAGE = 16 * 2**20
#: An array result with more elements than this is reported by its shape only.
MAX_ELEMENTS = 2**20
LIB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_HEADER = struct.Struct(">I")


class ReferenceUnavailable(RuntimeError):
    """Graded code used a part of course_lib that does not exist while grading."""


class CellTimeout(BaseException):
    """A cell of the student's ran longer than the per-cell limit."""


# --- messages (also used by the grader) ------------------------------------------------------------------

def send(fd: int, message: dict) -> None:
    """Write one message to ``fd``."""
    data = json.dumps(message).encode("utf-8", "surrogatepass")
    data = _HEADER.pack(len(data)) + data
    while data:
        data = data[os.write(fd, data):]


def _read_exactly(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, left = [], n
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError("no reply in time")
        chunk = os.read(fd, min(left, 2**20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def receive(fd: int, limit: int = MAX_MESSAGE, deadline: float | None = None) -> dict:
    """Read one message from ``fd``: EOFError if the channel closed, TimeoutError once ``deadline``
    (``time.monotonic()``) has passed, ValueError if it is larger than ``limit`` or not a JSON object."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    if size > limit:
        raise ValueError(f"a message of {size} bytes, more than the {limit} allowed")
    message = json.loads(_read_exactly(fd, size, deadline).decode("utf-8", "replace"))
    if not isinstance(message, dict):
        raise ValueError("a message that is not a JSON object")
    return message


# --- course_lib without its answers ---------------------------------------------------------------------

class Unavailable:
    """Stands for a part of course_lib that graded code may not use; calling it raises ReferenceUnavailable."""

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Unavailable(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs):
        raise ReferenceUnavailable(
            f"{self._name} is not available while grading: graded code runs where course_lib's reference "
            "implementations and checks do not exist. Write the computation yourself, with NumPy.")

    def __repr__(self) -> str:
        return f"<{self._name}: not available while grading>"


class _UnavailableModule(types.ModuleType):
    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        name = f"{self.__name__}.{attr}"
        if name in AVAILABLE or any(a.startswith(name + ".") for a in AVAILABLE):
            # ``from course_lib import data`` asks the package for the attribute before it imports the
            # submodule: import it here, so an available module is the real one however it is imported
            return importlib.import_module(name)
        return Unavailable(name)


class _Deferred(types.ModuleType):
    """A module of :data:`DEFERRED`, imported for real on first use of any of its attributes."""

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        _Finder.deferring = False
        for name in [n for n, m in sys.modules.items() if isinstance(m, _Deferred)]:
            del sys.modules[name]
        return getattr(importlib.import_module(self.__name__), attr)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``course_lib`` and everything under it, except :data:`AVAILABLE`, imports as stand-ins; the modules
    of :data:`DEFERRED` import as :class:`_Deferred` until one is used."""

    deferring = True

    def find_spec(self, name, path=None, target=None):
        if self.deferring and name.split(".")[0] in DEFERRED:
            spec = importlib.machinery.ModuleSpec(name, self, is_package=True)
            spec.submodule_search_locations = []
            return spec
        if name != "course_lib" and not name.startswith("course_lib."):
            return None
        if name in AVAILABLE:
            return None  # the real file, found through the stand-in package's __path__
        # every stand-in is a package, so that ``import course_lib.widgets.scrubber`` works too; only the
        # packages of AVAILABLE modules have a real folder to find them in
        spec = importlib.machinery.ModuleSpec(name, self, is_package=True)
        real = name == "course_lib" or any(a.startswith(name + ".") for a in AVAILABLE)
        spec.submodule_search_locations = [os.path.join(LIB, *name.split(".")[1:])] if real else []
        return spec

    def create_module(self, spec):
        module = (_Deferred if spec.name.split(".")[0] in DEFERRED else _UnavailableModule)(spec.name)
        module.__file__ = None
        return module

    def exec_module(self, module) -> None:
        pass


# --- the student's cells ---------------------------------------------------------------------------------

_MAGIC = re.compile(r"^([ \t]*)[%!].*$", re.M)


def _python(source: str) -> str:
    """A cell's code as plain Python: IPython magics and shell lines do nothing here."""
    if source.lstrip().startswith("%%"):
        source = source.split("\n", 1)[1] if "\n" in source else ""
    return _MAGIC.sub(lambda m: m.group(1) + "pass", source)


class _NoIPython:
    def __getattr__(self, attr: str):
        return lambda *args, **kwargs: None


def _on_alarm(signum, frame):
    raise CellTimeout()


def _first_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".splitlines()[0] if str(exc) else type(exc).__name__
    return text[:500]


def run_cell(namespace: dict, source: str, name: str, timeout: float) -> str | None:
    """Run one cell in ``namespace``; None, or the first line of the error that stopped it."""
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        exec(compile(_python(source), name, "exec"), namespace)
    except CellTimeout:
        return f"CellTimeout: the cell ran longer than {timeout:g} s"
    except BaseException as exc:  # SystemExit too: the student's cell ends, grading goes on
        return _first_line(exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return None


# --- hidden tests ----------------------------------------------------------------------------------------

def encode(value) -> dict:
    """A JSON-able record of a result: strings as text, numbers as float64 arrays, tuples item by item."""
    import numpy as np

    if value is None:
        return {"type": "none"}
    if isinstance(value, str):
        return {"type": "str", "value": str.__str__(value)[:1000]}
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        if isinstance(value, (tuple, list)) and len(value) <= 16:
            return {"type": "tuple", "items": [encode(v) for v in value]}
        return {"type": "unsupported", "value": type(value).__name__[:100]}
    if arr.size > MAX_ELEMENTS or arr.ndim > 8:
        return {"type": "too-large", "shape": list(arr.shape)[:8]}
    return {"type": "array", "shape": list(arr.shape), "data": arr.ravel().tolist()}


class _Stop(Exception):
    """A hidden call failed: the rest of the hidden part does not run (as in the kernel, where it raises)."""


class Reporter:
    """``hidden`` while the runtime runs a hidden part: the same calls as :mod:`course_lib.hidden`, recorded."""

    def __init__(self, substitutes: dict) -> None:
        self.reports: list[dict] = []
        self._substitutes = substitutes

    def call(self, fn, *args, rtol: float = 1e-5, atol: float = 1e-8, substitute=(), **kwargs) -> None:
        from course_lib.checks._core import describe, run_call

        record = {"kind": "call", "what": describe(fn, args, kwargs)[:300], "rtol": rtol, "atol": atol}
        unknown = [name for name in substitute if name not in self._substitutes]
        if unknown:
            raise ValueError(f"no solution version of {', '.join(unknown)} to substitute")
        outcome = run_call(fn, args, kwargs, {name: self._substitutes[name] for name in substitute}, side="hidden")
        if outcome.error is not None:
            record["result"] = {"type": "error", "value": _first_line(outcome.error)}
            self.reports.append(record)
            raise _Stop()
        record["result"] = encode(outcome.result)
        record["changed"] = [str(name)[:100] for name in outcome.changed[:16]]
        self.reports.append(record)

    def value(self, x, rtol: float = 1e-5, atol: float = 1e-8, name: str = "value") -> None:
        self.reports.append({"kind": "value", "what": str(name)[:300], "rtol": rtol, "atol": atol,
                             "result": encode(x)})

    def choice(self, answer, name: str = "answer") -> None:
        letter = str.__str__(answer).strip().upper()[:10] if isinstance(answer, str) else None
        self.reports.append({"kind": "choice", "what": str(name)[:300],
                             "result": {"type": "str", "value": letter}})


def _solution_functions(substitutes: dict, timeout: float) -> dict:
    """``{name: the solution's own function}``, each defined by running the solution's setup cell and
    answer cells (up to the one that defines it) in a namespace of its own."""
    found = {}
    for name, spec in substitutes.items():
        namespace = _namespace()
        for i, source in enumerate([spec["setup"], *spec["cells"]]):
            error = run_cell(namespace, source, f"<solution cell {i}>", timeout)
            if error:
                raise RuntimeError(f"the solution's cell defining {name} failed: {error}")
        found[name] = namespace[name]
    return found


def run_test(namespace: dict, source: str, substitutes: dict, timeout: float) -> dict:
    """Run a hidden part in ``namespace`` (in this process: call it in a child); the reply to send."""
    signal.setitimer(signal.ITIMER_REAL, timeout)
    error = None
    reporter = Reporter({})
    try:
        reporter = Reporter(_solution_functions(substitutes, timeout))
        namespace["hidden"] = reporter
        exec(compile(source, "<hidden tests>", "exec"), namespace)
    except _Stop:
        pass
    except CellTimeout:
        error = f"CellTimeout: the hidden tests ran longer than {timeout:g} s"
    except BaseException as exc:
        error = _first_line(exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {"reports": reporter.reports, "error": error}


def _in_child(namespace: dict, request: dict, timeout: float) -> dict:
    """:func:`run_test` in a forked child; the parent relays its reply (or says how it ended)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            reply = run_test(namespace, request["source"], request.get("substitutes", {}), timeout)
            send(write_end, reply)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        reply = receive(read_end, deadline=time.monotonic() + timeout + 2)
    except (EOFError, ValueError, TimeoutError) as exc:
        reply = {"reports": [], "error": f"the test process ended without a valid reply ({exc})"}
    finally:
        os.close(read_end)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    return reply


def _namespace() -> dict:
    return {"__name__": "__main__", "__builtins__": builtins, "get_ipython": _NoIPython,
            "display": lambda *args, **kwargs: None}


def serve(inbox: int, outbox: int) -> None:
    """Answer the grader's requests (see the module docstring) until ``exit`` or the end of ``inbox``."""
    namespace = _namespace()
    signal.signal(signal.SIGALRM, _on_alarm)
    send(outbox, {"ready": True})
    while True:
        try:
            request = receive(inbox)
        except EOFError:
            return
        op, timeout = request.get("op"), float(request.get("timeout", 30))
        if op == "run":
            send(outbox, {"error": run_cell(namespace, request["source"], request.get("name", "<cell>"), timeout)})
        elif op == "test":
            send(outbox, _in_child(namespace, request, timeout))
        else:
            return


def main() -> None:
    """Keep the channel to the grader on private descriptors; the student's prints go nowhere."""
    inbox, outbox = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    sys.stdin, sys.stdout, sys.stderr = (open(fd, mode, closefd=False) for fd, mode in ((0, "r"), (1, "w"), (2, "w")))
    sys.meta_path.insert(0, _Finder())
    for name in [m for m in sys.modules if m == "course_lib" or m.startswith("course_lib.")]:
        del sys.modules[name]
    serve(inbox, outbox)


if __name__ == "__main__":
    main()
