"""Build the web edition: the five student notebooks, executed, as a static site (Sphinx + MyST-NB).

Steps (``python -m course_lib.book`` or ``make book``):

1. Execute each student notebook of ``notebooks/`` (the release: exercises as stubs, no solutions) with
   nbclient, as Run All does: cells tagged ``raises-exception`` may fail, any other error stops the build.
   The kernel's saved widget state (the interactive figures' data) goes into the executed copy.
2. Prepare each executed copy for the web (:func:`prepare_for_web`): an exercise's "waiting" error becomes
   a short note, every figure keeps the alt text its output carries, and a banner after the title links
   to the notebook's download and says how to run it.
3. Run Sphinx with MyST-NB on those copies (configuration: ``course_lib/book/conf.py``), into
   ``_build/book/html`` by default. MathJax comes from the ``sphinx-mathjax-offline`` package, copied into
   the site (only the files the pages load), so maths typesets with no network.

Nothing is written outside the build folder; ``notebooks/`` is only read.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

__all__ = ["ROOT", "DEFAULT_OUT", "assignments", "execute", "prepare_for_web", "build", "main"]

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DEFAULT_OUT = ROOT / "_build" / "book"
RAISES_TAG = "raises-exception"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: The MathJax 3 files a page loads: the component (with its menu and assistive MathML built in) and the
#: fonts (1.6 MB); the rest of the package (24 MB) is not copied.
MATHJAX_FILES = ("tex-chtml.js", "output/chtml/fonts/woff-v2")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def assignments(root: Path = ROOT) -> list[str]:
    """The course's assignments, in order: the folders of ``notebooks/`` holding a notebook of their name."""
    return sorted(p.parent.name for p in (root / "notebooks").glob("*/*.ipynb") if p.stem == p.parent.name)


def execute(path: Path, timeout: int = 180) -> nbformat.NotebookNode:
    """The notebook at ``path``, executed top to bottom in its folder as Run All does, with its widget state."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _is_waiting(output) -> bool:
    """An error output that is an unanswered exercise's one-line "waiting" message (course_lib.checks)."""
    lines = [_ANSI.sub("", line) for line in output.get("traceback", [])]
    return output.get("output_type") == "error" and len(lines) == 1 and lines[0].startswith("⏳")


def _note(message: str) -> nbformat.NotebookNode:
    from html import escape

    text = ('<div class="course-waiting" role="note"><strong>Exercise.</strong> Run without an answer, this cell '
            f"says: <q>{escape(message.lstrip('⏳ ').strip())}</q></div>")
    return nbformat.v4.new_output("display_data", data={"text/html": text, "text/plain": message})


def _banner(assignment: str, download: str) -> nbformat.NotebookNode:
    text = (
        f":::{{admonition}} Run this notebook yourself\n:class: tip course-run\n\n"
        f"{{download}}`Download {assignment}.ipynb <{download}>` (the student notebook, exercises unanswered). "
        "To run it: clone the course repository, run `make lab` in it (the first run installs everything into "
        "`.venv/`, about a minute) and open this notebook from `my-work/` in JupyterLab. The page below shows "
        "the notebook as *Run All* leaves it before any exercise is answered; the sliders work here too.\n:::"
    )
    return nbformat.v4.new_markdown_cell(text)


def prepare_for_web(nb: nbformat.NotebookNode, assignment: str, download: str) -> list[str]:
    """Make an executed student notebook ready for the page, in place; returns what it found wrong.

    - An exercise cell's "waiting" error becomes a short note (not an error box): the page shows the
      exercise as an exercise. Any other error in a cell tagged ``raises-exception`` is reported.
    - Every PNG output must carry ``alt`` metadata (:func:`course_lib.plots.install_alt_text` writes it
      when the kernel displays a figure); one without is reported.
    - A banner after the title links to ``download`` (the student notebook) and says how to run it.
    """
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.outputs:
            if out.output_type == "error":
                if _is_waiting(out) and RAISES_TAG in cell.metadata.get("tags", []):
                    out = _note(_ANSI.sub("", out.traceback[0]))
                else:
                    problems.append(f"{assignment} cell {index}: {out.ename}: {out.evalue}")
            elif "image/png" in out.get("data", {}) and not out.get("metadata", {}).get("image/png", {}).get("alt"):
                problems.append(f"{assignment} cell {index}: a figure without alt text")
            outputs.append(out)
        cell.outputs = outputs
    title = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("# ")), 0)
    nb.cells.insert(title + 1, _banner(assignment, download))
    return problems


def _copy_mathjax(static: Path) -> None:
    """Copy MathJax's files the pages need from the sphinx-mathjax-offline package into ``static/mathjax``."""
    from importlib.util import find_spec

    spec = find_spec("sphinx-mathjax-offline") or find_spec("sphinx_mathjax_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("MathJax is missing: install the course's book dependencies (make venv)")
    source = Path(next(iter(spec.submodule_search_locations))) / "static" / "mathjax"
    for name in MATHJAX_FILES:
        src, dst = source / name, static / "mathjax" / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)


def _execute_one(assignment: str, root: Path, source: Path) -> list[str]:
    release = root / "notebooks" / assignment / f"{assignment}.ipynb"
    nb = execute(release)
    downloads = source / "downloads"
    downloads.mkdir(exist_ok=True)
    shutil.copy2(release, downloads / release.name)
    problems = prepare_for_web(nb, assignment, f"downloads/{release.name}")
    nbformat.write(nb, source / release.name)
    return problems


def build(out: Path = DEFAULT_OUT, root: Path = ROOT, jobs: int = 2, quiet: bool = True) -> Path:
    """Execute, prepare and render every student notebook into ``out/html``; returns that folder.

    ``jobs``: notebooks executed at once. Raises ``RuntimeError`` listing what is wrong (an unexpected
    error in a notebook, a figure without alt text, a Sphinx warning).
    """
    from sphinx.cmd.build import build_main

    out = Path(out)
    source, html = out / "source", out / "html"
    shutil.rmtree(out, ignore_errors=True)
    source.mkdir(parents=True)
    names = assignments(root)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        problems = [p for found in pool.map(lambda a: _execute_one(a, root, source), names) for p in found]
    if problems:
        raise RuntimeError("the notebooks are not ready for the web:\n" + "\n".join(problems))
    executed = time.perf_counter() - started
    (source / "index.md").write_text(_index(names))
    static = out / "static"
    _copy_mathjax(static)
    args = ["-b", "html", "-c", str(HERE), "-W", "--keep-going", "-j", "1", "-d", str(out / "doctrees"),
            "-D", f"html_static_path={HERE / 'static'},{static}", str(source), str(html)]
    if quiet:
        args.insert(0, "-q")
    status = build_main(args)
    if status:
        raise RuntimeError(f"sphinx-build failed ({status}); see the messages above")
    for source_map in (html / "_static").rglob("*.map"):  # the theme's source maps: 3.5 MB, for its developers
        source_map.unlink()
    (out / "build-info.json").write_text(json.dumps(
        {"execute_s": round(executed, 1), "total_s": round(time.perf_counter() - started, 1),
         "pages": [f"{a}.html" for a in names]}, indent=1))
    return html


def _index(names: list[str]) -> str:
    """The landing page: the course's title and the notebooks in order (their own titles)."""
    lines = ["# Diffusion models, part 1: the forward process", "",
             "How diffusion destroys data, step by step, and why that makes generation learnable: five "
             "Jupyter notebooks with auto-graded exercises. Each page is a student notebook as *Run All* "
             "leaves it: read it here, then download it and answer its exercises in JupyterLab.", "",
             "```{toctree}", ":maxdepth: 1", ""]
    lines += names
    lines += ["```", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_lib.book", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="build folder (default: _build/book)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="notebooks executed at once")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        html = build(args.out, jobs=args.jobs)
    except RuntimeError as exc:
        print(f"book: {exc}", file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
    print(f"book: {html}/index.html ({size / 1e6:.1f} MB) built in {time.perf_counter() - start:.0f} s")
    return 0
