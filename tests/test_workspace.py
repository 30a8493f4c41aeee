"""`make lab`'s working copy: new notebooks are copied in, a learner's files are never overwritten."""

import subprocess
import sys

import pytest

from course_lib.workspace import seed_workspace


def test_seed_copies_missing_files_and_keeps_the_learners(tmp_path):
    release, work = tmp_path / "notebooks", tmp_path / "my-work"
    (release / "02-one-step-rule").mkdir(parents=True)
    (release / "02-one-step-rule" / "02-one-step-rule.ipynb").write_text("course v1")
    (release / "03-closed-form").mkdir()
    (release / "03-closed-form" / "03-closed-form.ipynb").write_text("course v1")

    copied, differing = seed_workspace(release, work)
    assert len(copied) == 2 and differing == []

    mine = work / "02-one-step-rule" / "02-one-step-rule.ipynb"
    mine.write_text("my answers")
    (release / "02-one-step-rule" / "02-one-step-rule.ipynb").write_text("course v2")
    (release / "04-schedules-and-snr").mkdir()
    (release / "04-schedules-and-snr" / "04-schedules-and-snr.ipynb").write_text("new")

    copied, differing = seed_workspace(release, work)
    assert [p.name for p in copied] == ["04-schedules-and-snr.ipynb"]
    assert differing == [mine]
    assert mine.read_text() == "my answers"


def test_command_line_reports_what_it_did(tmp_path):
    release = tmp_path / "notebooks"
    release.mkdir()
    (release / "a.ipynb").write_text("x")
    out = subprocess.run([sys.executable, "-m", "course_lib.workspace", str(release), str(tmp_path / "w")],
                         capture_output=True, text=True, check=True).stdout
    assert "new notebook:" in out and (tmp_path / "w" / "a.ipynb").read_text() == "x"


def test_missing_release_folder_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="release must be a folder"):
        seed_workspace(tmp_path / "nope", tmp_path / "w")
