"""The learner's working copy: seeded without overwriting, course updates told apart from the learner's own
edits (a manifest of what was copied), and `update` that keeps a backup and carries the answers over."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from course_lib.workspace import (BACKUPS, MANIFEST, CODE_STUB, NotebookError, merge_answers, read_notebook,
                                  seed_workspace, survey, update)

NB = "02-one-step-rule"
REL = f"{NB}/{NB}.ipynb"


def _cells(nb):
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") or c.get("id"): c for c in nb["cells"]}


def _write(path: Path, nb: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1))


def _answer(nb: dict, grade_id: str, text: str) -> dict:
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            cell["source"] = text
    return nb


def _course(tmp_path, name="notebooks") -> Path:
    """A release folder with the real notebook 02 (and a data file), as `make release` writes it."""
    release = tmp_path / name
    (release / NB).mkdir(parents=True)
    (release / REL).write_bytes((ROOT / "notebooks" / REL).read_bytes())
    return release


def _new_version(release: Path) -> dict:
    """The course changes notebook 02: new text in a locked cell and a new stub for forward_chain."""
    nb = read_notebook(release / REL)
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade_id") == "md-03":
            cell["source"] = "## 1. A picture first (revised)\n"
        if meta.get("grade_id") == "forward_chain":
            cell["source"] = "def forward_chain(x0, betas, eps):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    _write(release / REL, nb)
    return nb


def _digest(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_seed_copies_missing_files_records_them_and_keeps_the_learners(tmp_path):
    release, work = _course(tmp_path), tmp_path / "my-work"
    copied, updates = seed_workspace(release, work)
    assert copied == [work / REL] and updates == []
    manifest = json.loads((work / MANIFEST).read_text())["files"]
    assert manifest == {REL: hashlib.sha256((release / REL).read_bytes()).hexdigest()}

    mine = _answer(read_notebook(work / REL), "forward_step", "def forward_step(x, b, e):\n    return x")
    _write(work / REL, mine)
    before = (work / REL).read_bytes()
    (release / "03-closed-form").mkdir()
    (release / "03-closed-form" / "03-closed-form.ipynb").write_text((ROOT / "notebooks" / REL).read_text())
    copied, updates = seed_workspace(release, work)
    assert [p.name for p in copied] == ["03-closed-form.ipynb"]
    assert updates == [], "the learner's own edits are not a course update"
    assert (work / REL).read_bytes() == before
    assert [s.state for s in survey(release, work)] == ["yours", "same"]


def test_a_real_course_update_is_reported_only_when_the_course_changed(tmp_path):
    release, work = _course(tmp_path), tmp_path / "my-work"
    seed_workspace(release, work)
    _write(work / REL, _answer(read_notebook(work / REL), "forward_step", "def forward_step(x, b, e):\n    return x"))
    mine = (work / REL).read_bytes()
    _new_version(release)
    copied, updates = seed_workspace(release, work)
    assert copied == [] and updates == [work / REL]
    assert (work / REL).read_bytes() == mine, "seeding never overwrites the learner's file"


def test_an_untouched_copy_is_refreshed_to_the_new_version(tmp_path):
    release, work = _course(tmp_path), tmp_path / "my-work"
    seed_workspace(release, work)
    _new_version(release)
    copied, updates = seed_workspace(release, work)
    assert copied == [work / REL] and updates == []
    assert (work / REL).read_bytes() == (release / REL).read_bytes()


def test_a_working_copy_without_manifest_is_judged_by_the_course_cells(tmp_path):
    """Copies made before the manifest existed: the learner's answers alone are not a course update."""
    release, work = _course(tmp_path), tmp_path / "my-work"
    _write(work / REL, _answer(read_notebook(release / REL), "slip", "x2_slip = 0.3753\neps2_needed = -0.4181"))
    assert [s.state for s in survey(release, work)] == ["yours"]
    _new_version(release)
    assert not (work / MANIFEST).exists(), "a survey alone writes no manifest"
    assert [s.state for s in survey(release, work)] == ["update"]


def test_update_keeps_a_backup_and_carries_every_answer_and_added_cell(tmp_path):
    release, work = _course(tmp_path), tmp_path / "my-work"
    seed_workspace(release, work)
    mine = read_notebook(work / REL)
    _answer(mine, "forward_step", "def forward_step(x_prev, beta, eps):\n    return x_prev  # mine")
    _answer(mine, "written_apply_now", "My two steps: 0.5 -> 0.47 -> 0.41.")
    scratch = next(c for c in mine["cells"] if c.get("id") == "apply-now-scratch")
    scratch["source"] = "print(forward_step(0.5, 0.1, 0.2))  # my scratch work"
    at = next(i for i, c in enumerate(mine["cells"]) if c["metadata"].get("nbgrader", {}).get("grade_id") == "md-09")
    mine["cells"].insert(at + 1, {"cell_type": "code", "id": "my-own", "metadata": {}, "execution_count": 3,
                                  "outputs": [], "source": "# my own experiment\nx = 1"})
    _write(work / REL, mine)
    original = (work / REL).read_bytes()
    new = _new_version(release)

    done = update(release, work)
    assert [d.relative for d in done] == [REL]
    assert done[0].backup.read_bytes() == original, "the backup is the learner's file, byte for byte"
    assert done[0].backup.parent.parent.parent.name == BACKUPS
    merged = read_notebook(work / REL)
    cells = _cells(merged)
    assert cells["forward_step"]["source"].endswith("# mine"), "the answer is carried over"
    assert cells["written_apply_now"]["source"] == "My two steps: 0.5 -> 0.47 -> 0.41."
    assert cells["apply-now-scratch"]["source"].endswith("# my scratch work")
    assert cells["md-03"]["source"] == "## 1. A picture first (revised)\n", "the course's new text is in"
    assert CODE_STUB in cells["forward_chain"]["source"] and "# YOUR CODE HERE" in cells["forward_chain"]["source"]
    order = [c.get("id") for c in merged["cells"]]
    assert order.index("my-own") == order.index("md-09") + 1, "an added cell stays where the learner put it"
    assert len(merged["cells"]) == len(new["cells"]) + 1
    assert done[0].carried == ["forward_step", "written_apply_now"]
    assert [s.state for s in survey(release, work)] == ["yours"], "after the update, no update is pending"
    assert update(release, work) == []


def test_nothing_the_learner_wrote_is_ever_lost(tmp_path):
    """Whatever the course changes (even an exercise removed), every source the learner wrote is in the new
    notebook, and the backup is their file as it was."""
    release, work = _course(tmp_path), tmp_path / "my-work"
    seed_workspace(release, work)
    mine = read_notebook(work / REL)
    written = {}
    for cell in mine["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            cell["source"] = written[meta["grade_id"]] = f"# answer to {meta['grade_id']}\nvalue = 1"
    _write(work / REL, mine)
    original = (work / REL).read_bytes()
    course = read_notebook(release / REL)
    course["cells"] = [c for c in course["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id")
                       not in ("slip", "test_slip")]
    _write(release / REL, course)
    done = update(release, work)
    merged_sources = [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                      for c in read_notebook(work / REL)["cells"]]
    for grade_id, text in written.items():
        assert text in merged_sources, f"the answer to {grade_id} was lost"
    assert "Your answers from the previous version" in "".join(merged_sources)
    assert done[0].backup.read_bytes() == original


def test_merge_takes_the_new_stub_for_an_unanswered_exercise():
    course = read_notebook(ROOT / "notebooks" / REL)
    merged, carried = merge_answers(course, course)
    assert carried == [] and [c["source"] for c in merged["cells"]] == [c["source"] for c in course["cells"]]


def test_a_corrupt_notebook_is_left_alone_with_a_clear_message(tmp_path):
    release, work = _course(tmp_path), tmp_path / "my-work"
    seed_workspace(release, work)
    (work / REL).write_text('{"cells": [ {"oops"')
    _new_version(release)
    before = _digest(work)
    with pytest.raises(NotebookError, match=r"02-one-step-rule.ipynb is not a readable notebook \(broken JSON"):
        update(release, work)
    assert _digest(work) == before, "a failed update changes nothing"


def test_a_corrupt_manifest_is_kept_aside_and_rebuilt(tmp_path):
    release, work = _course(tmp_path), tmp_path / "my-work"
    seed_workspace(release, work)
    (work / MANIFEST).write_text("not json")
    states = survey(release, work, seed=True)
    assert states[0].state == "note" and "unreadable" in states[0].detail
    assert len(list(work.glob(f"{MANIFEST}.unreadable-*"))) == 1
    assert json.loads((work / MANIFEST).read_text())["files"] == {REL: hashlib.sha256(
        (release / REL).read_bytes()).hexdigest()}


def test_missing_folders_and_unknown_names_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="release must be a folder"):
        seed_workspace(tmp_path / "nope", tmp_path / "w")
    release = _course(tmp_path)
    with pytest.raises(ValueError, match="there is no working copy at"):
        update(release, tmp_path / "missing")
    seed_workspace(release, tmp_path / "w")
    with pytest.raises(ValueError, match="no course notebook called 07-nope; the course has: 02-one-step-rule"):
        update(release, tmp_path / "w", ["07-nope"])


def test_the_update_command_says_what_it_did(tmp_path):
    """`python -m course_lib update` on a copy of the course (the make target calls the same command)."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text("")
    release, work = _course(course), course / "my-work"
    seed_workspace(release, work)
    _write(work / REL, _answer(read_notebook(work / REL), "forward_step", "def forward_step(x, b, e):\n    return x"))
    _new_version(release)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "course_lib", "update", "--course", str(course), *args],
                              capture_output=True, text=True)

    first = run()
    assert first.returncode == 0, first.stderr
    assert f"updated {REL}: your answers carried over (forward_step); your previous version is" in first.stdout
    assert "Everything is up to date" in run().stdout
    bad = run("07-nope")
    assert bad.returncode == 1 and "no course notebook called 07-nope" in bad.stderr
