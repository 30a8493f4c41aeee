"""Alt text for every course figure, written from the figure itself when a notebook displays it.

A figure's titles and labels are what it shows: the (sub)figure titles, each panel's title, its axis labels
and legend entries, and the title or label of each picture. :func:`describe_figure` turns them into one sentence per
panel (mathtext spelled out as words a screen reader can say). :func:`install_alt_text` makes the notebook's
inline backend attach that text to each figure's PNG output as the output's ``alt`` metadata, where the
course's web edition (``course_lib/book``) turns it into the image's ``alt`` attribute. So the alt text
comes from one place and says no more than the figure's own titles do: a figure whose titles do not say
what it shows gets poor alt text, and the fix is a better title.
"""

from __future__ import annotations

import re

__all__ = ["describe_figure", "install_alt_text", "plain_text"]

_WORDS = {
    r"\bar\alpha": "alpha-bar", r"\alpha": "alpha", r"\beta": "beta", r"\epsilon": "epsilon",
    r"\varepsilon": "epsilon", r"\sigma": "sigma", r"\mu": "mu", r"\lambda": "lambda", r"\gamma": "gamma",
    r"\tilde\beta": "beta-tilde", r"\nabla": "gradient", r"\log": "log", r"\approx": "approximately",
    r"\times": "times", r"\cdot": "times", r"\mid": "given", r"\to": "to", r"\infty": "infinity",
    r"\leq": "at most", r"\geq": "at least", r"\le": "at most", r"\ge": "at least", r"\pm": "plus or minus",
    r"\mathcal": "", r"\mathrm": "", r"\mathbf": "", r"\,": " ", r"\;": " ", r"\ ": " ", r"\!": "",
    r"\%": " percent",
}


def plain_text(text: str) -> str:
    r"""Matplotlib text with mathtext as plain words: ``$\bar\alpha_t$`` -> ``alpha-bar_t``, ``\sqrt{x}`` -> ``sqrt(x)``."""
    def words(match: re.Match) -> str:
        tex = match.group(1)
        tex = re.sub(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", tex)
        tex = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", tex)
        for command in sorted(_WORDS, key=len, reverse=True):
            tex = tex.replace(command, f" {_WORDS[command]} " if _WORDS[command].isalpha() else _WORDS[command])
        tex = re.sub(r"\\([A-Za-z]+)", r"\1", tex).replace("{", "").replace("}", "").replace("_", " ")
        return re.sub(r"\s+", " ", tex).strip()

    text = re.sub(r"\$([^$]*)\$", words, text)
    return re.sub(r"\s+", " ", re.sub(r"\s*\n\s*", ", ", text.strip())).strip()


def _panel(ax) -> str:
    """A plot in words: its title, what it plots against what, its legend."""
    title = "; ".join(plain_text(t) for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right")) if t)
    xlabel, ylabel = plain_text(ax.get_xlabel()), plain_text(ax.get_ylabel())
    what = (f"{ylabel or 'values'} against {xlabel}" if xlabel else ylabel) if (xlabel or ylabel) else ""
    parts = [part for part in (title, what) if part]
    for axis in (ax.yaxis, ax.xaxis):  # a bar chart's categories are its tick labels
        names = [plain_text(tick.get_text()) for tick in axis.get_ticklabels()]
        if names and all(names) and not any(re.fullmatch(r"[\d.,+\-−eE ]+", name) for name in names):
            parts.append("categories: " + ", ".join(names))
    labels = [plain_text(label) for label in ax.get_legend_handles_labels()[1] if not label.startswith("_")]
    if labels:
        parts.append("legend: " + ", ".join(labels))
    return "; ".join(parts)


def describe_figure(fig) -> str:
    """Alt text for a matplotlib figure, from its (sub)figure titles and its panels (see the module docstring)."""
    titles = []
    for part in [fig, *getattr(fig, "subfigs", [])]:
        if part.get_suptitle():
            titles.append(plain_text(part.get_suptitle()))
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    pictures = [ax for ax in axes if ax.images and not ax.lines and not ax.collections]
    plots = [ax for ax in axes if ax not in pictures]
    sentences = [". ".join(titles)] if titles else []
    panels = [text for text in map(_panel, plots) if text]  # a panel of a grid may have no words of its own
    for i, text in enumerate(panels):  # a run of identical panels is said once, with its count
        if i and text == panels[i - 1]:
            continue
        run = next((j for j in range(i, len(panels)) if panels[j] != text), len(panels)) - i
        sentences.append(text if run == 1 else f"{text} ({run} panels)")
    if pictures:
        names = [plain_text(ax.get_title() or ax.get_xlabel()) for ax in pictures]
        named = ", ".join(name.replace("\n", " ") for name in names if name)
        count = f"{len(pictures)} picture" + ("s" if len(pictures) > 1 else "")
        sentences.append(f"{count}: {named}" if named else count)
    text = ". ".join(s.rstrip(".") for s in sentences if s)
    return f"Figure: {text}." if text else "Figure without titles or labels."


def install_alt_text() -> bool:
    """Attach :func:`describe_figure` to every figure the notebook displays, as its PNG output's ``alt`` metadata.

    Wraps the PNG formatter IPython's inline backend registered for matplotlib figures (call it after
    that backend is set up). Outside IPython, or without such a formatter, it does nothing; returns
    whether it applied.
    """
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        png = formatter.lookup_by_type(Figure)
    except KeyError:
        return False
    if getattr(png, "adds_alt_text", False):
        return True

    def png_with_alt(fig):
        data = png(fig)
        if data is None or isinstance(data, tuple):
            return data
        return data, {"alt": describe_figure(fig)}

    png_with_alt.adds_alt_text = True
    formatter.for_type(Figure, png_with_alt)
    return True
