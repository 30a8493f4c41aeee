"""Text that a submission can influence, made safe where the instructor reads it: a terminal, a spreadsheet.

Student ids are folder names, flags and error messages come from grading someone's notebook: any of them
may hold terminal escape codes (which move the cursor and rewrite an earlier progress line), Unicode format
characters (a right-to-left override reorders what a line shows), lone surrogates (which no UTF-8 terminal
or file can hold: printing them raises), or, in a spreadsheet, a leading ``=`` that makes the cell a
formula. :func:`terminal` shows every such character as a visible escape (``\\x1b``, ``\\u202e``,
``\\udcff``); :func:`spreadsheet` does the same and then keeps a cell from being read as a formula.

:class:`WritableText`, the last of ``c.Autograde.autograde_preprocessors``, replaces lone surrogates anywhere in
a graded notebook (its cells, outputs and metadata) by U+FFFD: JSON can hold them (``"\\ud800"``) but UTF-8
cannot, so nbgrader could not write the graded notebook and the whole submission went ungraded.
"""

from __future__ import annotations

import re
import unicodedata

from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["terminal", "spreadsheet", "writable", "WritableText"]

#: Unicode categories shown as escapes: controls, format characters, surrogates, line and paragraph separators.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: A spreadsheet reads a cell starting with one of these as a formula (OWASP's list, and the full-width forms;
#: OWASP's tab and carriage return are already escapes here).
FORMULA_START = tuple("=+-@＝＋－＠")


def _visible(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def terminal(text: object) -> str:
    """``text`` with every control, format or surrogate character written as a visible escape."""
    return "".join(_visible(ch) if unicodedata.category(ch) in UNSAFE_CATEGORIES else ch for ch in str(text))


def spreadsheet(value: object) -> object:
    """A CSV cell: numbers, booleans and None as they are; text through :func:`terminal`, and prefixed
    with ``'`` when a spreadsheet would take it for a formula."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = terminal(value)
    return "'" + text if text.startswith(FORMULA_START) else text


_SURROGATE = re.compile("[\ud800-\udfff]")


def writable(value):
    """``value`` with every lone surrogate in its strings (keys included) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return type(value)((writable(k), writable(v)) for k, v in value.items())
    if isinstance(value, list):
        return [writable(v) for v in value]
    return value


class WritableText(NbGraderPreprocessor):
    """Replace every lone surrogate in the notebook by U+FFFD, so that it can be written as UTF-8."""

    def preprocess(self, nb, resources):
        """The whole notebook, keys and values, metadata and outputs included."""
        return writable(nb), resources
