"""How big and how slow each install set is: ``python benchmarks/install_sizes.py [--repeat 3]``.

For each set (the base, ``lab``, ``test``), a fresh venv gets ``pip install -c constraints.txt ".[set]"`` (what
Colab, a learner and CI install, at the pinned versions), round-robin over the sets so a change in machine load
hits all of them; prints each set's size on disk (the venv minus an empty venv) and the median install time.
pip's cache is warm after the first round, so the times are the install's own work, not the download; the
download size of each set (its wheels) is printed too. Not a test: it measures, it never fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = {"base": ".", "lab": ".[lab]", "test": ".[test]"}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _venv(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _install(python: Path, target: str) -> float:
    start = time.perf_counter()
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c",
                    str(ROOT / "constraints.txt"), target], cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in SETS}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="install-sizes-") as tmp:
        empty = _size(_venv(Path(tmp) / "empty").parent.parent)
        for round_ in range(args.repeat + 1):  # round 0 fills pip's cache and is not timed
            for name, target in SETS.items():
                folder = Path(tmp) / f"{name}-{round_}"
                seconds = _install(_venv(folder), target)
                if round_:
                    times[name].append(seconds)
                sizes[name] = _size(folder) - empty
                subprocess.run(["rm", "-rf", str(folder)], check=False)
                print(f"round {round_}: {name} {seconds:.1f} s, {sizes[name] / 1e6:.0f} MB", flush=True)
        downloads = {}
        for name, target in SETS.items():
            folder = Path(tmp) / f"wheels-{name}"
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                            "-c", str(ROOT / "constraints.txt"), "-d", str(folder), target], cwd=ROOT, check=True,
                           stderr=subprocess.DEVNULL)
            downloads[name] = _size(folder)
    print(f"\n| set | size in the venv | download (wheels) | install time, median of {args.repeat} (warm cache) |")
    print("|---|---|---|---|")
    for name in SETS:
        runs = ", ".join(f"{t:.0f}" for t in times[name])
        print(f"| {name} | {sizes[name] / 1e6:.0f} MB | {downloads[name] / 1e6:.0f} MB | "
              f"{statistics.median(times[name]):.0f} s ({runs}) |")


if __name__ == "__main__":
    main()
