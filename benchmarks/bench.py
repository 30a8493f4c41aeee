"""``make bench``: measure the course and print one table (medians, ratios to same-run baselines, goals).

Sections (``--only`` picks some): ``notebooks`` (1), ``qsample`` and ``rng`` (2), ``chain`` (3),
``scrubber`` (4), ``grading`` and ``class`` (5). Below the table: the slowest cells of each notebook over its
goal (computing against drawing figures), the fastest way to draw the noise, and whether the class graded
in parallel got exactly the grades of the serial run. Benchmarks never fail: a missed goal is printed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from ._timing import Row, format_seconds, table

BATCH = "[64, 3, 256, 256]"
SECTIONS = ("notebooks", "qsample", "rng", "chain", "scrubber", "grading", "class")
ROOT = Path(__file__).resolve().parent.parent


def _machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{platform.node()}: {os.cpu_count()} CPUs, load average {load}; Python {platform.python_version()}, "
            f"NumPy {np.__version__}")


def _notes_rng(rows: list[Row]) -> list[str]:
    """Which call draws the noise fastest, per dtype: among default_rng's calls that return a new array."""
    notes = []
    for dtype in ("float64", "float32"):
        mine = [r for r in rows if r.what.startswith(f"draw {dtype} noise: ")]
        if not mine:
            continue
        times = {mine[0].baseline_name: mine[0].baseline} | {r.what.split(": ", 1)[1]: r.measured for r in mine}
        fresh = {call: t for call, t in times.items() if call.startswith("rng.") and "out=" not in call}
        best = min(fresh, key=fresh.get)
        notes.append(f"fastest {dtype} draw of a new {BATCH} array from default_rng: {best} "
                     f"({format_seconds(fresh[best])}); fastest overall: {min(times, key=times.get)} "
                     f"({format_seconds(min(times.values()))})")
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {SECTIONS}")
    parser.add_argument("--repeats", type=int, default=3, help="runs per notebook and per graded submission")
    parser.add_argument("--fast-repeats", type=int, default=15, help="runs per array operation")
    parser.add_argument("--class-size", type=int, default=50, help="students in the generated class")
    parser.add_argument("--class-assignment", default="02-one-step-rule")
    parser.add_argument("--workers", type=int, default=2, help="processes for the parallel class run")
    parser.add_argument("--quick", action="store_true", help="one run each and a class of 6: a smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.fast_repeats, args.class_size = 1, 3, 6
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(only) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown sections {unknown}; choose from {SECTIONS}")

    from . import grading, notebooks, numerics

    # nbformat's note about scratch copies whose cells lack ids (the grading corpus builds such copies)
    warnings.filterwarnings("ignore", message="Cell is missing an id field")

    solution_paths = sorted((ROOT / "solutions").glob("*/*.ipynb"))
    assignments = [p.parent.name for p in solution_paths]
    print(_machine(), flush=True)
    started, rows, notes = time.perf_counter(), [], []
    steps = {
        "notebooks": lambda: notebooks.notebook_rows(solution_paths, args.repeats),
        "qsample": lambda: numerics.q_sample_rows(args.fast_repeats),
        "rng": lambda: numerics.rng_rows(args.fast_repeats),
        "chain": lambda: numerics.chain_rows(args.fast_repeats),
        "scrubber": lambda: numerics.scrubber_rows(max(args.fast_repeats, 20)),
        "grading": lambda: grading.one_submission_rows(assignments, args.repeats),
        "class": lambda: grading.class_rows(args.class_assignment, args.class_size, args.repeats, args.workers),
    }
    for name in SECTIONS:
        if name in only:
            print(f"measuring {name} ...", file=sys.stderr, flush=True)
            try:
                found = steps[name]()
                new_rows, new_notes = found if isinstance(found, tuple) else (found, [])
                rows += new_rows
                notes += new_notes
            except Exception as exc:  # one broken section must not hide the others' figures
                notes.append(f"section {name} could not be measured: {type(exc).__name__}: "
                             f"{str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}")
    if "notebooks" in only:
        for row, path in zip(rows, solution_paths):
            if row.met is False:
                notes += notebooks.slow_cells(path)
        notes.append(notebooks.simplest_figure_note(args.fast_repeats))
    notes += _notes_rng(rows)
    print()
    print(table(rows))
    print()
    for line in notes:
        print(line)
    missed = [r.what for r in rows if r.met is False]
    print(f"\n{len(rows)} figures in {time.perf_counter() - started:.0f} s; "
          + (f"goals missed: {'; '.join(missed)}" if missed else "every goal met"))
    print(_machine())
    return 0
