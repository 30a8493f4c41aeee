"""Seed a learner's personal working copy from the released notebooks, never overwriting their work.

``make lab`` runs ``python -m course_lib.workspace notebooks my-work``: files missing from ``my-work/``
are copied in; files already there are left exactly as they are (the learner's answers), and the
learner is told when the course has a newer version of one of them.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

__all__ = ["seed_workspace"]


def seed_workspace(release: Path | str, workspace: Path | str) -> tuple[list[Path], list[Path]]:
    """Copy every file under ``release`` that is missing from ``workspace``; never overwrite.

    Returns ``(copied, differing)``: the files copied now, and the workspace files left untouched
    although the release's version differs (the learner's edits, or a course update they may want).
    """
    release, workspace = Path(release), Path(workspace)
    if not release.is_dir():
        raise ValueError(f"release must be a folder of notebooks; {release} is not one")
    copied, differing = [], []
    for src in sorted(p for p in release.rglob("*") if p.is_file()):
        if ".ipynb_checkpoints" in src.parts:
            continue
        dst = workspace / src.relative_to(release)
        if dst.exists():
            if not filecmp.cmp(src, dst, shallow=False):
                differing.append(dst)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        copied.append(dst)
    return copied, differing


def main(argv: list[str]) -> int:
    """Command line: ``python -m course_lib.workspace RELEASE WORKSPACE``."""
    if len(argv) != 2:
        print("usage: python -m course_lib.workspace RELEASE_DIR WORKSPACE_DIR", file=sys.stderr)
        return 2
    copied, differing = seed_workspace(*argv)
    for path in copied:
        print(f"new notebook: {path}")
    for path in differing:
        print(f"kept your version of {path} (the course's copy is in {argv[0]}/)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
