"""Section 1 of ``make bench``: executing every solution notebook, against the kernel-start floor.

The floor is a notebook that only starts a kernel and imports numpy, matplotlib and course_lib, what every
notebook pays before its first idea. Notebooks run as ``nbconvert --execute`` runs them (nbclient, the
notebook's folder as working directory). For a notebook over its goal, :func:`slow_cells` runs it once more
with figures off, so each slow cell's time splits into computing and drawing.
"""

from __future__ import annotations

import statistics
from datetime import datetime
from io import BytesIO
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from course_lib.grading.execute import NO_FIGURES

from ._timing import Row, format_seconds, median_seconds, timed

__all__ = ["FLOOR_SOURCE", "floor_notebook", "execute", "notebook_rows", "slow_cells", "simplest_figure_note"]

FLOOR_SOURCE = "import numpy as np\nimport matplotlib.pyplot as plt\nimport course_lib\n%matplotlib inline"
KERNEL_QUIET = "--IPKernelApp.log_level=ERROR"  # not the "running over TCP" warning per kernel


def floor_notebook():
    """A notebook that starts a kernel and imports numpy, matplotlib and course_lib, nothing else."""
    nb = new_notebook(cells=[new_code_cell(FLOOR_SOURCE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(nb, folder: Path, figures: bool = True):
    """Run every cell of ``nb`` (a copy is returned, with per-cell timing metadata) in ``folder``."""
    nb = nbformat.from_dict(nb)
    extra = [KERNEL_QUIET] + ([] if figures else [NO_FIGURES])
    NotebookClient(nb, timeout=120, kernel_name="python3", extra_arguments=extra,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def notebook_rows(paths: list[Path], repeats: int, max_ratio: float = 1.5) -> list[Row]:
    """One row per notebook and one for them all, each against the floor; floor and notebooks alternate."""
    floor = floor_notebook()
    sources = {p: nbformat.read(p, as_version=4) for p in paths}
    floors: list[list[float]] = []
    runs: dict[Path, list[float]] = {p: [] for p in paths}
    execute(floor, paths[0].parent)  # warm the disk cache and the font cache once
    for _ in range(repeats):
        floors.append([])
        for p in paths:
            floors[-1].append(timed(lambda: execute(floor, p.parent)))
            runs[p].append(timed(lambda: execute(sources[p], p.parent)))
    floor_median = statistics.median(t for round_ in floors for t in round_)
    rows = [Row("1", f"execute {p.stem}", statistics.median(runs[p]), "kernel-start floor", floor_median,
                max_ratio=max_ratio) for p in paths]
    totals = [sum(runs[p][r] for p in paths) for r in range(repeats)]
    rows.append(Row("1", f"execute all {len(paths)} solution notebooks", statistics.median(totals),
                    f"{len(paths)} x floor", statistics.median(sum(round_) for round_ in floors),
                    max_ratio=max_ratio))
    return rows


def _cell_seconds(cell) -> float | None:
    timing = cell.metadata.get("execution", {})
    if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
        return None
    start, end = (datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                  for k in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


def slow_cells(path: Path, top: int = 5) -> list[str]:
    """The ``top`` slowest code cells of one notebook: seconds with figures, without, and the first line."""
    source = nbformat.read(path, as_version=4)
    with_figures, without = execute(source, path.parent), execute(source, path.parent, figures=False)
    found = []
    for index, (cell, bare) in enumerate(zip(with_figures.cells, without.cells)):
        seconds = _cell_seconds(cell) if cell.cell_type == "code" else None
        if seconds is not None:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            first = next((line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")), "")
            figures = sum("image/png" in out.get("data", {}) for out in cell.outputs)
            drawing = max(0.0, seconds - (_cell_seconds(bare) or 0.0)) if figures else 0.0
            found.append((seconds, drawing, figures, index, grade_id, first))
    total, drawing, figures = (sum(f[i] for f in found) for i in range(3))
    lines = [f"{path.stem}: cells {total:.2f} s in all; {figures} figures, drawn in {drawing:.2f} s; slowest cells:"]
    setup = found[0][3] if found else None
    for seconds, draw, n, index, grade_id, first in sorted(found, reverse=True)[:top]:
        what = (f"drawing {n} figure(s) {draw:.2f} s" if n else "no figure") + (
            "; the imports, which the floor pays too" if index == setup else "")
        lines.append(f"    cell {index:>2} {grade_id:<18} {seconds:5.2f} s ({what})  {first.strip()[:60]}")
    return lines


def _simplest_figure(panels: int) -> None:
    """Draw and encode what a notebook shows at the least: ``panels`` axes, one line, a title and labels each."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, panels, figsize=(3.2 * panels, 3.2), layout="constrained", squeeze=False)
    for ax in axes[0]:
        ax.plot(range(100))
        ax.set(title="title", xlabel="x", ylabel="y")
    fig.savefig(BytesIO(), format="png", dpi=80)  # as the inline backend does it for the course's figures
    plt.close(fig)


def simplest_figure_note(repeats: int = 15) -> str:
    """What the cheapest figures cost to draw here: the lower bound under every notebook's drawing time."""
    import matplotlib

    matplotlib.use("agg")
    one, four = (median_seconds(lambda: _simplest_figure(n), repeats) for n in (1, 4))
    return (f"the simplest figure (one line, a title and labels per panel, constrained layout, PNG at 80 dpi) "
            f"takes {format_seconds(one)} to draw with 1 panel and {format_seconds(four)} with 4: "
            f"matplotlib's floor under each figure a notebook shows")
