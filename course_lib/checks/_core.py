"""The machinery every visible check and every hidden test shares.

One call of a learner's function goes through :func:`run_call`, whichever side makes it: a visible check
(``course_lib.checks.<notebook>``) compares the :class:`Outcome` with a known answer and names the mistake;
a hidden test (:mod:`course_lib.hidden`) hands the same kind of outcome to the grader. Both therefore
enforce the same rules on every call, and every exercise states them:

1. the function returns instead of raising (``NotImplementedError`` means the exercise is still waiting);
2. it leaves its inputs unchanged (it gets copies; the copies are compared with the originals afterwards);
3. it runs the learner's own code: course_lib's reference implementations and the checks' known-good
   helpers are not available to graded code (the grader runs answers where they do not exist), and neither
   are course_lib's other functions and objects (a notebook's ``Schedule``): a function that reads one from
   the notebook, or a value computed with one (:data:`VALUE_SOURCES`), fails here as it would when graded;
4. it returns a number, an array or the promised tuple, of the expected shape, with the expected values.

A failing visible check raises :class:`CheckFailed`, which IPython shows as one short message (what was
called, what came back, the likely mistake, where hints are) instead of a traceback through this module;
nbgrader still records an error, so the cell scores zero.
"""

from __future__ import annotations

import copy
import dis
import linecache
import sys
import traceback
import types
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

__all__ = [
    "CheckFailed", "Waiting", "UsesReference", "Outcome", "run_call", "check_call", "compare", "fmt", "as_array",
    "close", "substituted", "describe", "REFERENCE_MODULES", "ReferenceUsed", "Recorder", "kind_of",
    "GRADED_AVAILABLE", "unavailable_when_graded", "VALUE_SOURCES", "check_cases",
]

#: Modules whose functions are the answers to exercises; graded code may not run them.
REFERENCE_MODULES = ("course_lib.forward", "course_lib.schedules", "course_lib.score")
#: The only course_lib modules that exist where answers are graded (``course_lib.grading.runtime.AVAILABLE``;
#: a test keeps the two equal): every other part of course_lib is a stand-in there.
GRADED_AVAILABLE = ("course_lib.stats", "course_lib.data", "course_lib._validate", "course_lib.checks._core")
#: For each variable a notebook cell assigned: what it read that does not exist where answers are graded
#: (filled by :mod:`course_lib.checks._notebook` as cells run; read by :func:`compare`).
VALUE_SOURCES: dict[str, list[str]] = {}
_CHECKS_DIR = Path(__file__).resolve().parent
_LIB_DIR = _CHECKS_DIR.parent


class CheckFailed(AssertionError):
    """A visible check found a wrong answer; the message says which call, what came back and, where it
    can, the likely mistake. IPython shows it through :meth:`_render_traceback_`: the message alone."""

    #: exercise name, set by the check, so the message can say where hints are
    exercise: str | None = None

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the message, and where to find a hint."""
        lines = [f"✘ {line}" if i == 0 else f"  {line}" for i, line in enumerate(str(self).splitlines())]
        from ._hints import hint_line

        tip = hint_line(self.exercise)
        return lines + ([f"  {tip}"] if tip else [])


class Waiting(CheckFailed):
    """The exercise is not answered yet (its code still raises ``NotImplementedError``)."""

    def _render_traceback_(self) -> list[str]:
        return [f"⏳ {line}" if i == 0 else f"  {line}" for i, line in enumerate(str(self).splitlines())]


class ReferenceUsed(RuntimeError):
    """Graded code ran course_lib's reference implementation (or a check's known-good helper)."""


class UsesReference(CheckFailed):
    """A visible check saw the learner's code run course_lib's reference implementation, or read a part of
    course_lib that does not exist where answers are graded."""


# --- formatting ---------------------------------------------------------------------------------------------

def fmt(value) -> str:
    """A short, readable rendering of a number or an array (4 decimals, or 4 significant digits for a number
    too small or too large for them; long arrays elided)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return type(value).__name__
    if arr.ndim == 0:
        number = float(arr)
        return f"{number:.4f}" if number == 0 or 1e-3 <= abs(number) < 1e6 or not np.isfinite(number) \
            else f"{number:.4g}"
    if arr.size > 8:
        return f"array of shape {arr.shape}"
    return np.array2string(arr, precision=4, separator=", ", threshold=8)


def _short(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array{tuple(value.shape)}" if value.size > 4 or value.ndim > 1 else fmt(value)
    if callable(value):
        return getattr(value, "__name__", "function")
    text = repr(value)
    return text if len(text) <= 24 else type(value).__name__


def describe(fn: Callable, args: Sequence = (), kwargs: dict | None = None) -> str:
    """``name(arg, arg, key=arg)`` with arrays shortened to their shapes."""
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in (kwargs or {}).items()]
    return f"{getattr(fn, '__name__', 'function')}({', '.join(parts)})"


def as_array(value, what: str) -> np.ndarray:
    """``value`` as a float array, or :class:`CheckFailed` saying why it is not a number or an array."""
    __tracebackhide__ = True
    if value is None:
        raise CheckFailed(f"{what} returned None: the function has no `return` statement (or returns nothing).")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} returned a {type(value).__name__}, not a number or an array of numbers.") from None


def close(got: np.ndarray, expected: np.ndarray, tol: float) -> bool:
    """Same shape and every entry within ``tol`` (absolute), NaN never close."""
    return got.shape == expected.shape and bool(np.all(np.abs(got - expected) <= tol))


def compare(got, expected, what: str, mistakes: Iterable[tuple[str, object]] = (), tol: float = 1e-6,
            reveal: bool = True) -> None:
    """Raise :class:`CheckFailed` unless ``got`` matches ``expected``; name the first mistake ``got`` matches.

    ``what`` is a call (``f(0.8, 0.2)``: "f(0.8, 0.2) gave ...") or a variable's name ("x2 is ...").
    ``reveal=False`` never prints the expected value (for an answer that *is* a value).
    """
    __tracebackhide__ = True
    if VALUE_SOURCES.get(what):
        raise CheckFailed(f"{what} was computed with {', '.join(VALUE_SOURCES[what])}, which the grader does not "
                          f"have: it runs answer cells again on their own, without course_lib's functions and "
                          "objects or the notebook's other variables. Compute it from numbers, NumPy and your "
                          "own answers.")
    got = as_array(got, what)
    expected = np.asarray(expected, dtype=float)
    if close(got, expected, tol):
        return
    verb = "gave" if what.endswith(")") or what.endswith("]") else "is"
    seen = f"{what} {verb} {fmt(got)}" + (f", expected {fmt(expected)}" if reveal else ", which is not right")
    for message, wrong in mistakes:
        try:
            wrong = np.asarray(wrong, dtype=float)
        except (TypeError, ValueError):
            continue
        if close(got, wrong, tol):
            raise CheckFailed(f"{seen}.\nLikely mistake: {message}")
    if got.shape != expected.shape:
        raise CheckFailed(f"{what} returned shape {got.shape}, expected shape {expected.shape}.")
    raise CheckFailed(f"{seen}.")


# --- one call of the learner's code ---------------------------------------------------------------------------

@dataclass
class Outcome:
    """What one call of a learner's function did."""

    result: Any = None
    error: BaseException | None = None
    #: where in the learner's own code the error happened ("line 3: return math.sqrt(beta) * x")
    where: str = ""
    #: names of the arguments the function modified
    changed: list[str] = field(default_factory=list)
    #: names of reference functions it ran
    reference: list[str] = field(default_factory=list)
    #: what it reads from the notebook that does not exist where answers are graded (``"`linear` (a course_lib
    #: Schedule)"``)
    unavailable: list[str] = field(default_factory=list)


def _reference_files() -> set[str]:
    """Files graded code may not run: the reference modules and the checks' known-good helpers."""
    files = {sys.modules[name].__file__ for name in REFERENCE_MODULES if name in sys.modules}
    files |= {str(p) for p in _CHECKS_DIR.glob("*.py") if not p.name.startswith("_")}
    return {str(Path(f).resolve()) for f in files if f}


@contextmanager
def _reference_watched(exempt: set) -> Iterator[list]:
    """Record every call into reference code made while the block runs.

    Yields a list that receives the names of reference functions that ran, however they were reached: a
    wrapper, an alias, a copied ``__code__``, a reloaded module. Calls made *inside* an exempt callable (one
    the caller passed in, such as a test's score function or a substituted known-good helper) do not count.
    """
    files = _reference_files()
    resolved: dict[str, bool] = {}
    exempt_codes = {getattr(f, "__code__", None) for f in exempt} - {None}
    used: list[str] = []
    depth = [0]

    def is_reference(filename: str) -> bool:
        if filename not in resolved:
            try:
                resolved[filename] = str(Path(filename).resolve()) in files
            except (OSError, ValueError):
                resolved[filename] = False
        return resolved[filename]

    def watch(frame, event, arg):
        code = frame.f_code
        if code in exempt_codes:
            depth[0] += 1 if event == "call" else -1 if event == "return" else 0
        elif event == "call" and depth[0] == 0 and is_reference(code.co_filename):
            used.append(code.co_name)

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        yield used
    finally:
        if sys.getprofile() is not watch:
            used.append("(the watch on reference code was removed)")
        sys.setprofile(previous)


@contextmanager
def substituted(fn: Callable, replacements: dict[str, Callable] | None) -> Iterator[None]:
    """Temporarily rebind names in ``fn``'s globals (the notebook's namespace), restoring them after.

    Checking ``forward_chain`` with a known-good ``forward_step`` in place of the learner's keeps the
    exercises independent: a mistake in one exercise costs that exercise's points and no others.
    """
    namespace = getattr(fn, "__globals__", None)
    if namespace is None or not replacements:
        yield
        return
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    namespace.update(replacements)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def _same(a, b) -> bool:
    """Is ``a`` (an argument after the call) still equal to ``b`` (its copy from before)?"""
    if isinstance(b, np.ndarray):
        if not isinstance(a, np.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        try:
            return bool(np.array_equal(a, b, equal_nan=b.dtype.kind in "fc"))
        except TypeError:
            return bool(np.array_equal(a, b))
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in b)
    if callable(b):
        return True
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:  # an object with a strange __eq__: compare what can be compared
        return True


def _argument_names(fn: Callable, n: int) -> list[str]:
    code = getattr(fn, "__code__", None)
    names = list(code.co_varnames[:code.co_argcount]) if code is not None else []
    return [names[i] if i < len(names) else f"argument {i + 1}" for i in range(n)]


def _learner_frame(tb) -> str:
    """``line N: <source>`` of the innermost frame of the traceback that is the learner's own code."""
    found = ""
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename.startswith((sys.prefix, sys.base_prefix, str(_LIB_DIR))) or filename.startswith("<frozen"):
            continue
        text = linecache.getline(filename, lineno, frame.f_globals).strip()
        found = f"line {lineno} of {frame.f_code.co_name}" + (f": {text}" if text else "")
    return found


class Recorder:
    """Collects the kind of every call made through :func:`run_call` (see ``tests/test_check_coverage.py``)."""

    active: "Recorder | None" = None

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, tuple]] = []  # (side, function name, kinds of its arguments)

    def __enter__(self) -> "Recorder":
        Recorder.active = self
        return self

    def __exit__(self, *exc) -> None:
        Recorder.active = None


def kind_of(value) -> str:
    """The kind of an argument, as the coverage test compares them: number, int, arrayNd[float32], ..."""
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "number"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return kind_of(value.item()) if value.dtype == np.float64 or value.dtype.kind in "iu" \
                else f"number[{value.dtype}]"
        dtype = "" if value.dtype == np.float64 else "[int]" if value.dtype.kind in "iu" else f"[{value.dtype}]"
        return f"array{value.ndim}d{dtype}"
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, np.integer)) for v in value):
        return "shape"
    if isinstance(value, (tuple, list)):
        return "list"
    if callable(value):
        return "function"
    return type(value).__name__


def unavailable_when_graded(value) -> str | None:
    """What ``value`` is, if graded code cannot use it: a module, function, class or object of course_lib
    that does not exist where answers are graded (not in :data:`GRADED_AVAILABLE`); None otherwise."""
    if isinstance(value, types.ModuleType):
        module, what = value.__name__, f"course_lib's module {value.__name__}"
    elif isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
        module, what = getattr(value, "__module__", None) or "", f"course_lib's {getattr(value, '__name__', '?')}"
    else:
        module, what = type(value).__module__, f"a course_lib {type(value).__name__}"
    if (module == "course_lib" or module.startswith("course_lib.")) and module not in GRADED_AVAILABLE:
        return what
    return None


def _globals_read(fn: Callable, namespace: dict, skip: set[str]) -> set[str]:
    """Names of ``namespace`` that ``fn`` reads as globals, also through the notebook's own functions it calls;
    the names in ``skip`` (those a check substitutes) are neither counted nor followed."""
    names: set[str] = set()
    todo, seen = [getattr(fn, "__code__", None)], set()
    while todo:
        code = todo.pop()
        if code is None or code in seen:
            continue
        seen.add(code)
        todo += [const for const in code.co_consts if isinstance(const, types.CodeType)]
        for instruction in dis.get_instructions(code):
            if (instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME") and instruction.argval in namespace
                    and instruction.argval not in skip):
                names.add(instruction.argval)
                value = namespace[instruction.argval]
                if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
                    todo.append(value.__code__)
    return names


def _unavailable_globals(fn: Callable, skip: Iterable[str]) -> list[str]:
    namespace = getattr(fn, "__globals__", None)
    if namespace is None:
        return []
    found = ((name, unavailable_when_graded(namespace[name]))
             for name in sorted(_globals_read(fn, namespace, set(skip))))
    return [f"`{name}` ({what})" for name, what in found if what]


def run_call(fn: Callable, args: Sequence = (), kwargs: dict | None = None,
             substitute: dict[str, Callable] | None = None, side: str = "visible") -> Outcome:
    """Call ``fn(*args, **kwargs)`` on copies of the arguments, under the rules of the module docstring.

    Nothing the function does escapes as an exception (``KeyboardInterrupt`` aside): the returned
    :class:`Outcome` says what it returned or raised, which arguments it changed and which reference code it ran.
    ``side`` ("visible" or "hidden") only labels the call for :class:`Recorder`.
    """
    kwargs = dict(kwargs or {})
    if Recorder.active is not None:
        Recorder.active.calls.append((side, getattr(fn, "__name__", "?"),
                                      tuple(kind_of(a) for a in args) + tuple(f"{k}={kind_of(v)}"
                                                                              for k, v in sorted(kwargs.items()))))
    before = copy.deepcopy((list(args), kwargs))
    call_args, call_kwargs = copy.deepcopy((list(args), kwargs))
    exempt = {getattr(a, "__func__", a) for a in (*args, *kwargs.values(), *(substitute or {}).values())
              if callable(a)}
    outcome = Outcome(unavailable=_unavailable_globals(fn, substitute or {}))
    with substituted(fn, substitute), _reference_watched(exempt) as used:
        try:
            outcome.result = fn(*call_args, **call_kwargs)
        except Exception as exc:  # the learner's code may raise anything; the outcome says what
            outcome.error = exc
            outcome.where = _learner_frame(exc.__traceback__)
    outcome.reference = sorted(set(used))
    names = _argument_names(fn, len(args)) + list(kwargs)
    outcome.changed = [name for name, after, orig in zip(names, [*call_args, *call_kwargs.values()],
                                                          [*before[0], *before[1].values()])
                       if not _same(after, orig)]
    return outcome


# --- the visible side: one call, checked --------------------------------------------------------------------------

_SCALAR_ONLY = ("a function for single numbers (math.sqrt, math.exp, float(...), int(...)) got an array. Use "
                "NumPy's versions (np.sqrt, np.exp, np.asarray) so that arrays work too.")
_LOOP_COUNT = ("an array was used where Python needs one whole number (range(t), a loop count, a list "
               "repeat). Arguments can be arrays here: use a closed formula that works on whole arrays instead "
               "of a loop.")

#: Errors learners meet, recognised from the exception: (type, text in its message, what it means).
COMMON_ERRORS: list[tuple[type, str, str]] = [
    (TypeError, "only length-1 arrays", _SCALAR_ONLY),
    (TypeError, "only size-1 arrays", _SCALAR_ONLY),
    (TypeError, "only 0-dimensional arrays", _SCALAR_ONLY),
    (TypeError, "must be real number, not", _SCALAR_ONLY),
    (ValueError, "truth value of an array", "an `if`, `and`, `or` or `while` was used on an array. Arguments can "
     "be arrays here: use array operations (np.where, comparisons on whole arrays) instead of branching."),
    (TypeError, "cannot be interpreted as an integer", _LOOP_COUNT),
    (TypeError, "only integer scalar arrays", _LOOP_COUNT),
]


def _explain_error(exc: BaseException, errors: Iterable[tuple[type, str, str]]) -> str | None:
    for etype, text, message in (*errors, *COMMON_ERRORS):
        if isinstance(exc, etype) and text in str(exc):
            return message
    return None


def check_call(fn: Callable, args: Sequence, expected, *, what: str | None = None,
               mistakes: Iterable[tuple[str, object]] = (), tol: float = 1e-6, kwargs: dict | None = None,
               substitute: dict[str, Callable] | None = None, errors: Iterable[tuple[type, str, str]] = (),
               exercise: str | None = None, reveal: bool = True):
    """Run one visible case through :func:`run_call` and raise :class:`CheckFailed` on any broken rule.

    ``expected`` is a number or an array, or a tuple of them for a function that returns a tuple (each item
    is then compared, and ``mistakes`` apply to the first item). ``errors`` adds exercise-specific readings
    of exceptions to :data:`COMMON_ERRORS`. Returns the result.
    """
    __tracebackhide__ = True
    what = what or describe(fn, args, kwargs)
    name = getattr(fn, "__name__", "the function")
    try:
        outcome = run_call(fn, args, kwargs, substitute)
        if isinstance(outcome.error, NotImplementedError):
            raise Waiting(f"{name} is waiting for your answer: replace `raise NotImplementedError()` in its cell "
                          "with your code, run that cell, then run this check again.")
        if outcome.reference:
            raise UsesReference(
                f"{what} ran course_lib's own implementation ({', '.join(outcome.reference)}).\nThe grader runs "
                "your function where course_lib's answers do not exist, so this would earn no points: write "
                "the computation yourself, with NumPy.")
        if outcome.unavailable:
            raise UsesReference(
                f"{name} uses {', '.join(outcome.unavailable)} from the notebook.\nThe grader runs your function "
                "where course_lib's functions and objects and the notebook's other variables do not exist, so "
                "this would earn no points: pass what it needs as arguments, or compute it with NumPy.")
        if outcome.error is not None:
            exc = outcome.error
            reading = _explain_error(exc, errors)
            where = f"\nIn your code, {outcome.where}" if outcome.where else ""
            raise CheckFailed(f"{what} raised {type(exc).__name__}: {exc}{where}"
                              + (f"\nLikely mistake: {reading}" if reading else ""))
        if outcome.changed:
            raise CheckFailed(
                f"{what} modified its input{'s' if len(outcome.changed) > 1 else ''} "
                f"{', '.join(outcome.changed)}.\nCompute a new array instead of writing into the one you "
                "were given (no `x += ...`, `x.sort()` or `x[...] = ...` on an argument): the caller still "
                "needs it unchanged.")
        result = outcome.result
        if isinstance(expected, tuple):
            if not isinstance(result, (tuple, list)) or len(result) != len(expected):
                got = (f"a {type(result).__name__}" if not isinstance(result, (tuple, list))
                       else f"{len(result)} values")
                raise CheckFailed(f"{what} returned {got}; it must return a tuple of {len(expected)} values.")
            for i, (item, want) in enumerate(zip(result, expected)):
                compare(item, want, f"{what}[{i}]", mistakes if i == 0 else (), tol, reveal)
        else:
            compare(result, expected, what, mistakes, tol, reveal)
        return result
    except CheckFailed as failure:
        failure.exercise = failure.exercise or exercise or name
        raise


def check_cases(fn: Callable, cases: Iterable[tuple], good: Callable, mistakes: Callable | None = None, *,
                done: str, **kwargs) -> None:
    """:func:`check_call` on each case (a tuple of arguments), expecting ``good(*case)`` and naming
    ``mistakes(*case)``; then print ``done`` with a tick. ``kwargs`` go to every :func:`check_call`."""
    __tracebackhide__ = True
    for case in cases:
        check_call(fn, case, good(*case), mistakes=mistakes(*case) if mistakes else (), **kwargs)
    print(f"{done} ✔")
