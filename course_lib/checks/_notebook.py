"""What the notebook's kernel does for the checks: short messages for the two errors an unanswered exercise
causes, and a note of what each cell's variables were computed from.

An untouched student notebook runs top to bottom (its exercise and check cells are tagged
``raises-exception``, so Run All does not stop at them). Each unanswered exercise then raises
``NotImplementedError`` (nbgrader's stub), and a later cell that uses its answer raises
``NotImplementedError`` or ``NameError``. IPython would show each as a traceback; :func:`install` registers
a handler that shows one line saying the exercise is waiting instead. The cell still ends in an error, so
nbgrader's validate still fails and an unanswered exercise still scores zero. Any other error, and these
two when they come from somewhere else, keep IPython's usual traceback.

Before each cell runs, :func:`note_sources` records, for every variable the cell assigns at its top level,
the names it reads that do not exist where answers are graded (a course_lib function, module or object such
as a notebook's ``Schedule``): a value check then says so (``_core.VALUE_SOURCES``, read by
:func:`~course_lib.checks._core.compare`), as the grader, which runs answer cells without them, would.
"""

from __future__ import annotations

import ast
import traceback

from ._core import VALUE_SOURCES, unavailable_when_graded

__all__ = ["install", "waiting_message", "note_sources"]


def _is_cell_file(shell, filename: str) -> bool:
    """Is ``filename`` the code of a notebook cell? IPython remembers the names it gave its cells."""
    names = getattr(getattr(shell, "compile", None), "_filename_map", None)
    if names is not None:
        return filename in names
    return filename.startswith("<ipython-input-") or "/ipykernel_" in filename


def waiting_message(exc: BaseException, tb, shell=None) -> str | None:
    """The one-line message for ``exc`` if it is an unanswered exercise showing, else None."""
    frames = [frame for frame, _ in traceback.walk_tb(tb) if _is_cell_file(shell, frame.f_code.co_filename)]
    if not frames:
        return None
    inner = frames[-1]
    if isinstance(exc, NotImplementedError):
        if inner.f_code.co_name == "<module>":
            return ("This exercise is waiting for your answer: replace `raise NotImplementedError()` with your "
                    "code and run the cell again.")
        return (f"This cell uses {inner.f_code.co_name}, which is still waiting for your answer in its exercise "
                "above. It runs once that exercise is done.")
    if isinstance(exc, NameError) and inner.f_code.co_name == "<module>" and len(frames) == 1:
        name = getattr(exc, "name", None) or str(exc)
        return (f"`{name}` is not defined yet. If an exercise above sets it, answer that exercise and run its "
                "cell first (it may still be waiting for your answer); otherwise check the spelling.")
    return None


def _handler(shell, etype, value, tb, tb_offset=None):
    message = waiting_message(value, tb, shell)
    if message is None:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    else:
        stb = [f"⏳ {message}"]
    shell._showtraceback(etype, value, stb)
    return stb


def note_sources(shell, source: str) -> None:
    """Record in ``VALUE_SOURCES`` what the variables ``source`` assigns read that graded code cannot use."""
    try:
        tree = ast.parse(shell.transform_cell(source))
    except (SyntaxError, ValueError):
        return
    assigned = {target.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
                for target in ast.walk(node) if isinstance(target, ast.Name) and isinstance(target.ctx, ast.Store)}
    if not assigned:
        return
    read = sorted({node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)})
    found = ((name, unavailable_when_graded(shell.user_ns[name])) for name in read if name in shell.user_ns)
    uses = [f"`{name}` ({what})" for name, what in found if what]
    for name in assigned:
        if uses:
            VALUE_SOURCES[name] = uses
        else:
            VALUE_SOURCES.pop(name, None)


def install(shell=None) -> None:
    """Register the handler and :func:`note_sources` in ``shell`` (the running IPython; a no-op outside it)."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
    if shell is None:
        return
    shell.set_custom_exc((NotImplementedError, NameError), _handler)
    if not getattr(shell, "_course_lib_sources", False):
        shell.events.register("pre_run_cell", lambda info: note_sources(shell, info.raw_cell))
        shell._course_lib_sources = True
