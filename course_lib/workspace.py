"""A learner's working copy of the course (``my-work/``): seeded from the release, updated without losing work.

``python -m course_lib lab`` (``make lab``) seeds the working copy: notebooks missing from it are copied in from
``notebooks/``, and a small manifest, ``my-work/.course-manifest.json``, records the SHA-256 of every file as
it was copied. The manifest is what tells a course update apart from the learner's own edits:

- the learner's file differs from the course's, but the course's copy is still the one that was copied:
  the learner's own work, nothing to say;
- the course's copy changed since it was copied and the learner never touched theirs: replaced by the new
  version (nothing of theirs to lose);
- the course's copy changed and the learner's changed too: a course update, reported with the command
  that gets it, ``python -m course_lib update`` (``make update``). That keeps a backup of the learner's
  notebook in ``my-work/backups/`` and carries their answers (nbgrader's solution cells, matched by
  ``grade_id``, and the cells they added) into the course's new version.

A learner's file is never overwritten by anything but ``update``, and ``update`` writes the backup first.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "MANIFEST", "BACKUPS", "CODE_STUB", "TEXT_STUB", "NotebookError", "FileState", "course_root", "seed_workspace",
    "survey", "update", "read_notebook", "merge_answers", "answer_cells", "is_unanswered", "sha256",
]

MANIFEST = ".course-manifest.json"
BACKUPS = "backups"
#: What nbgrader's release puts in place of a solution (``ClearSolutions``' default stubs).
CODE_STUB = "raise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
_IGNORED = (".ipynb_checkpoints", "__pycache__")


class NotebookError(ValueError):
    """A file in the working copy that is not a readable notebook; the message says which and why."""


def course_root(start: Path | None = None) -> Path | None:
    """The course's folder (``notebooks/`` and ``nbgrader_config.py``): the one this course_lib comes from, else
    the current folder or one above it (a non-editable install run from the course's folder)."""
    start = Path.cwd() if start is None else Path(start)
    for folder in [Path(__file__).resolve().parent.parent, start, *start.parents]:
        if (folder / "notebooks").is_dir() and (folder / "nbgrader_config.py").is_file():
            return folder
    return None


# --- notebooks as plain JSON (no nbformat needed: the base install has none) ------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_notebook(path: Path | str) -> dict:
    """The notebook at ``path`` as a dict, or :class:`NotebookError` saying why it cannot be read."""
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotebookError(f"{path} does not exist") from None
    except UnicodeDecodeError as err:
        raise NotebookError(f"{path} is not a notebook (not UTF-8 text: {err.reason})") from None
    except json.JSONDecodeError as err:
        raise NotebookError(f"{path} is not a readable notebook (broken JSON at line {err.lineno}, column "
                            f"{err.colno}: {err.msg})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list) or nb.get("nbformat") != 4:
        raise NotebookError(f"{path} is not a Jupyter notebook in format 4 (no list of cells)")
    return nb


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _nbgrader(cell: dict) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell: dict) -> str | None:
    return _nbgrader(cell).get("grade_id")


def is_answer(cell: dict) -> bool:
    """An nbgrader solution cell: code the learner writes, or a written answer."""
    return bool(_nbgrader(cell).get("solution"))


def is_unanswered(cell: dict) -> bool:
    """Does this answer cell still hold the release's stub (``raise NotImplementedError()`` / YOUR ANSWER HERE)?"""
    text = source(cell)
    if cell.get("cell_type") == "markdown":
        return text.strip() in ("", TEXT_STUB)
    return any(line.strip() == CODE_STUB for line in text.splitlines()) or not text.strip()


def answer_cells(nb: dict) -> dict[str, dict]:
    """The notebook's answer cells by grade_id."""
    return {grade_id(c): c for c in nb["cells"] if is_answer(c) and grade_id(c)}


def _key(cell: dict) -> tuple[str, str] | None:
    """How a cell is matched across versions: its nbgrader grade_id, else its cell id."""
    if grade_id(cell):
        return ("grade_id", grade_id(cell))
    return ("id", cell["id"]) if cell.get("id") else None


def merge_answers(mine: dict, course: dict) -> tuple[dict, list[str]]:
    """The course's notebook ``course`` with the learner's work from ``mine`` carried in.

    - each answer cell the learner answered (matched by grade_id) keeps the learner's source; an unanswered one
      takes the course's stub, which may have changed;
    - every other course cell is the course's (the locked text, the checks), except an unlocked course cell
      without nbgrader metadata (a scratch cell), which keeps the learner's version if they have it;
    - cells the learner added stay after the same cell as before (or at the top if that cell is gone);
    - an answered cell whose exercise the course no longer has is kept at the end, under a note.

    Returns the new notebook and the grade_ids of the answers carried over. Outputs of carried cells are
    dropped (they belong to the old version); nothing the learner wrote is dropped.
    """
    course_keys = {_key(c) for c in course["cells"]} - {None}
    carried, extra_after, orphans = [], {}, []
    anchor = None
    for cell in mine["cells"]:
        key = _key(cell)
        if key in course_keys:
            anchor = key
        elif is_answer(cell):
            if not is_unanswered(cell):
                orphans.append(cell)
        elif not grade_id(cell):  # a cell the learner added
            extra_after.setdefault(anchor, []).append(cell)
    mine_by_key = {_key(c): c for c in mine["cells"] if _key(c)}

    def fresh(cell: dict) -> dict:
        cell = copy.deepcopy(cell)
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        return cell

    cells = [fresh(c) for c in extra_after.get(None, [])]
    for cell in course["cells"]:
        key, new = _key(cell), copy.deepcopy(cell)
        theirs = mine_by_key.get(key)
        if theirs is not None and is_answer(cell) and is_answer(theirs) and not is_unanswered(theirs):
            new["source"] = theirs.get("source", "")
            carried.append(grade_id(cell))
        elif theirs is not None and not _nbgrader(cell) and not _nbgrader(theirs):
            new = fresh(theirs)
        cells.append(new)
        cells += [fresh(c) for c in extra_after.get(key, [])]
    if orphans:
        cells.append({"cell_type": "markdown", "id": "previous-answers", "metadata": {}, "source": (
            "## Your answers from the previous version\n\nThe course no longer has these exercises; your answers "
            "are kept here, as you wrote them.")})
        for cell in orphans:
            orphan = fresh(cell)
            orphan["metadata"] = {k: v for k, v in orphan.get("metadata", {}).items() if k != "nbgrader"}
            cells.append(orphan)
    ids, merged = set(), dict(course, cells=cells)
    for i, cell in enumerate(cells):  # cell ids must stay unique (nbformat 4.5)
        if cell.get("id") in ids:
            cell["id"] = f"{cell['id']}-{i}"
        ids.add(cell.get("id"))
    return merged, carried


def _same_course_cells(mine: dict, course: dict) -> bool:
    """Do the learner's course cells (everything but answers and added cells) match ``course``'s?"""
    def locked(nb: dict) -> list[tuple[str, str]]:
        return [(grade_id(c), source(c)) for c in nb["cells"] if grade_id(c) and not is_answer(c)]

    return locked(mine) == locked(course)


# --- the manifest -----------------------------------------------------------------------------------------

def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Manifest:
    """What was copied into a working copy: ``{relative path: sha256 of the course's file when copied}``."""

    path: Path
    files: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @classmethod
    def load(cls, workspace: Path, repair: bool = True) -> "Manifest":
        """The working copy's manifest; an unreadable one is moved aside (``repair``) or ignored, and said so."""
        path = workspace / MANIFEST
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = data["files"]
            if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
                raise ValueError("files is not a mapping of paths to hashes")
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as err:
            if not repair:
                return cls(path, note=f"{path} is unreadable ({err}); `python -m course_lib lab` rebuilds it")
            kept = path.with_name(f"{MANIFEST}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
            os.replace(path, kept)
            return cls(path, note=f"{path} was unreadable ({err}); kept as {kept.name}, rebuilt from your files")
        return cls(path, dict(files))

    def save(self) -> None:
        text = json.dumps({"format": 1, "about": "what python -m course_lib copied into this folder (SHA-256 of "
                                                 "the course's file when copied); do not edit",
                           "files": dict(sorted(self.files.items()))}, indent=1)
        _write_atomically(self.path, text + "\n")


# --- seeding and surveying ----------------------------------------------------------------------------------

@dataclass
class FileState:
    """One course file as seen from the working copy.

    ``state``: ``"new"`` (copied now), ``"same"`` (identical to the course's), ``"yours"`` (your edits, the
    course's copy unchanged), ``"refreshed"`` (the course's copy changed and yours was untouched: replaced now),
    ``"update"`` (the course's copy changed since yours was made, and you changed yours: ``update`` merges),
    ``"unreadable"`` (your file is not a readable notebook; left as it is).
    """

    relative: str
    state: str
    detail: str = ""


def _release_files(release: Path) -> list[Path]:
    if not release.is_dir():
        raise ValueError(f"release must be a folder of notebooks; {release} is not one")
    return sorted(p for p in release.rglob("*") if p.is_file() and not set(_IGNORED) & set(p.parts)
                  and not p.name.startswith("."))


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp-{os.getpid()}")
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)


def survey(release: Path | str, workspace: Path | str, seed: bool = False) -> list[FileState]:
    """Compare the working copy with the release, file by file; with ``seed``, also copy what is missing,
    replace untouched outdated copies and record them in the manifest. Never touches a file the learner changed.
    """
    release, workspace = Path(release), Path(workspace)
    files = _release_files(release)
    if seed:
        workspace.mkdir(parents=True, exist_ok=True)
    elif not workspace.is_dir():
        raise ValueError(f"there is no working copy at {workspace} (python -m course_lib lab creates it)")
    manifest = Manifest.load(workspace, repair=seed) if workspace.is_dir() else Manifest(workspace / MANIFEST)
    states = [FileState("", "note", manifest.note)] if manifest.note else []
    for src in files:
        rel = src.relative_to(release).as_posix()
        dst, course_hash, base = workspace / rel, sha256(src), manifest.files.get(rel)
        if not dst.exists():
            if seed:
                _copy(src, dst)
                manifest.files[rel] = course_hash
            states.append(FileState(rel, "new"))
            continue
        mine_hash = sha256(dst)
        if mine_hash == course_hash:
            manifest.files[rel] = course_hash
            states.append(FileState(rel, "same"))
        elif base == course_hash:
            states.append(FileState(rel, "yours"))
        elif base is not None and mine_hash == base:
            if seed:
                _copy(src, dst)
                manifest.files[rel] = course_hash
            states.append(FileState(rel, "refreshed"))
        elif base is not None or src.suffix != ".ipynb":
            states.append(FileState(rel, "update"))
        else:  # no record (a working copy from before the manifest): compare the course's cells
            try:
                same = _same_course_cells(read_notebook(dst), read_notebook(src))
            except NotebookError as err:
                states.append(FileState(rel, "unreadable", str(err)))
                continue
            if same:
                manifest.files[rel] = course_hash
            states.append(FileState(rel, "yours" if same else "update"))
    if seed:
        manifest.save()
    return states


def seed_workspace(release: Path | str, workspace: Path | str) -> tuple[list[Path], list[Path]]:
    """Seed ``workspace`` from ``release`` (see :func:`survey`). Returns ``(copied, updates)``: the files copied
    now, and the learner's files for which the course has a newer version (get it with :func:`update`)."""
    workspace = Path(workspace)
    states = survey(release, workspace, seed=True)
    return ([workspace / s.relative for s in states if s.state in ("new", "refreshed")],
            [workspace / s.relative for s in states if s.state == "update"])


# --- update ---------------------------------------------------------------------------------------------------

@dataclass
class Updated:
    relative: str
    backup: Path
    carried: list[str]


def _matches(rel: str, names: list[str] | None) -> bool:
    if not names:
        return True
    parts = Path(rel)
    return any(n in (rel, parts.name, parts.stem, parts.parts[0]) for n in names)


def update(release: Path | str, workspace: Path | str, names: list[str] | None = None) -> list[Updated]:
    """Bring the course's new versions into the working copy without losing anything.

    For each file with a course update (all, or those ``names`` selects: a notebook's name or folder), the
    learner's file is first copied to ``backups/<time>/``, then replaced by the course's new version with the
    learner's answers carried in (:func:`merge_answers`; other files are replaced as they are). A notebook that
    cannot be read is left alone (:class:`NotebookError`, nothing written).
    """
    release, workspace = Path(release), Path(workspace)
    states = survey(release, workspace, seed=False)
    unknown = [n for n in names or [] if not any(_matches(s.relative, [n]) for s in states if s.relative)]
    if unknown:
        known = sorted({Path(s.relative).parts[0] for s in states if s.relative})
        raise ValueError(f"no course notebook called {', '.join(unknown)}; the course has: {', '.join(known)}")
    todo = [s for s in states if s.state == "update" and _matches(s.relative, names)]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    manifest, done = Manifest.load(workspace), []
    for state in todo:
        src, dst = release / state.relative, workspace / state.relative
        merged_text, carried = None, []
        if src.suffix == ".ipynb":
            merged, carried = merge_answers(read_notebook(dst), read_notebook(src))
            merged_text = json.dumps(merged, indent=1, ensure_ascii=False) + "\n"
        backup = workspace / BACKUPS / stamp / state.relative
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dst, backup)
        if sha256(backup) != sha256(dst):
            raise OSError(f"the backup {backup} does not match {dst}; nothing was changed")
        if merged_text is None:
            _copy(src, dst)
        else:
            _write_atomically(dst, merged_text)
        manifest.files[state.relative] = sha256(src)
        manifest.save()
        done.append(Updated(state.relative, backup, carried))
    return done


# --- command lines (python -m course_lib lab / update call these) ------------------------------------------

def report_seed(release: Path, workspace: Path, out=print) -> list[FileState]:
    """Seed the working copy and say, in a few lines, what changed and whether the course has updates."""
    states = survey(release, workspace, seed=True)
    for s in states:
        if s.state == "note":
            out(s.detail)
    new = [s.relative for s in states if s.state == "new"]
    if new:
        out(f"copied {len(new)} new file{'s' * (len(new) > 1)} of the course into {workspace}/: "
            + ", ".join(Path(r).stem for r in new))
    for s in states:
        if s.state == "refreshed":
            out(f"updated {workspace / s.relative} to the course's new version (you had not changed it)")
        elif s.state == "unreadable":
            out(f"warning: {s.detail}; it is left as it is (the course's copy is {release / s.relative})")
    updates = [s for s in states if s.state == "update"]
    if updates:
        names = ", ".join(Path(s.relative).stem for s in updates)
        out(f"course update: {names} changed since your copy was made. To get it and keep your answers: "
            f"`python -m course_lib update` (or `make update`); it keeps a backup of your notebook first.")
    return states


def main(argv: list[str] | None = None) -> int:
    """``python -m course_lib.workspace RELEASE WORKSPACE``: seed the working copy, report course updates."""
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: python -m course_lib.workspace RELEASE_DIR WORKSPACE_DIR", file=sys.stderr)
        return 2
    try:
        report_seed(Path(argv[0]), Path(argv[1]))
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
