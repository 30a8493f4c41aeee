"""Short messages, in the notebook, for the two errors an unanswered exercise causes.

An untouched student notebook runs top to bottom (its exercise and check cells are tagged
``raises-exception``, so Run All does not stop at them). Each unanswered exercise then raises
``NotImplementedError`` (nbgrader's stub), and a later cell that uses its answer raises
``NotImplementedError`` or ``NameError``. IPython would show each as a traceback; :func:`install` registers
a handler that shows one line saying the exercise is waiting instead. The cell still ends in an error, so
nbgrader's validate still fails and an unanswered exercise still scores zero. Any other error, and these
two when they come from somewhere else, keep IPython's usual traceback.
"""

from __future__ import annotations

import traceback

__all__ = ["install", "waiting_message"]


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


def install() -> None:
    """Register the handler in the running IPython (a no-op outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((NotImplementedError, NameError), _handler)
