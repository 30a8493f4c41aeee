"""Medians of repeated runs, and the table every benchmark row goes into."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable

__all__ = ["Row", "median_seconds", "interleaved_medians", "timed", "format_seconds", "table"]


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of one call of ``fn``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_seconds(fn: Callable[[], object], repeats: int, warmup: int = 1) -> float:
    """Median wall-clock seconds of ``fn()`` over ``repeats`` calls, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    return statistics.median(timed(fn) for _ in range(repeats))


def format_seconds(seconds: float) -> str:
    """``0.0123`` -> ``12.3 ms``; ``4.5`` -> ``4.50 s``."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


@dataclass
class Row:
    """One line of the table: ``measured`` against ``baseline`` (both medians, in seconds).

    ``goal`` is the largest acceptable ratio (``max_ratio``) or time (``max_seconds``); rows without a goal
    are information (``met`` is then ``None``).
    """

    section: str
    what: str
    measured: float
    baseline_name: str
    baseline: float
    max_ratio: float | None = None
    max_seconds: float | None = None

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline

    @property
    def goal(self) -> str:
        if self.max_ratio is not None:
            return f"<= {self.max_ratio:g}x"
        if self.max_seconds is not None:
            return f"< {format_seconds(self.max_seconds)}"
        return ""

    @property
    def met(self) -> bool | None:
        if self.max_ratio is not None:
            return self.ratio <= self.max_ratio
        if self.max_seconds is not None:
            return self.measured < self.max_seconds
        return None


def table(rows: list[Row]) -> str:
    """The rows as one Markdown table (it pastes into the README as it is)."""
    head = ["#", "what", "median", "baseline", "baseline median", "ratio", "goal", "met"]
    body = [[r.section, r.what, format_seconds(r.measured), r.baseline_name, format_seconds(r.baseline),
             f"{r.ratio:.2f}x", r.goal, {True: "yes", False: "**no**", None: ""}[r.met]] for r in rows]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths)) + " |" for line in [head, *body]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def interleaved_medians(fns: dict[str, Callable[[], object]], repeats: int, warmup: int = 1) -> dict[str, float]:
    """Median seconds of each function, timed round-robin so a change of machine load hits them all alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            times[name].append(timed(fn))
    return {name: statistics.median(values) for name, values in times.items()}
