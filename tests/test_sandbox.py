"""The grading sandbox: what a submission's kernel can see, do and use, in each isolation mode."""

import functools
import json
import os

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import ROOT
from course_lib.grading.execute import SandboxedExecute
from course_lib.grading.sandbox import isolation

pytestmark = pytest.mark.slow

PROBE = r"""
import json, os, subprocess
from pathlib import Path
def attempt(action):
    try:
        action()
        return True
    except Exception:
        return False
print(json.dumps({
    "uid": os.getuid(),
    "cwd": os.getcwd(),
    "nonce": bool(os.environ.get("COURSE_LIB_GRADING_NONCE")),
    "secret_env": "GRADER_SECRET" in os.environ,
    "sees_solutions": (Path(REPO) / "solutions").exists(),
    "sees_course_lib": (Path(REPO) / "course_lib" / "hidden.py").exists(),
    "writes_course_lib": attempt(lambda: open(Path(REPO) / "course_lib" / "x.txt", "w").close()),
    "unmounts": subprocess.run(["umount", REPO], capture_output=True).returncode == 0,
    "tmp": sorted(os.listdir("/tmp")),
}))
"""


@functools.cache  # both tests of a namespace mode read one kernel's report
def _run(mode: str) -> dict:
    os.environ["GRADER_SECRET"] = "do not leak"
    try:
        nb = new_notebook(cells=[new_code_cell(f"REPO = {str(ROOT)!r}\n" + PROBE),
                                 new_code_cell("import numpy as np\nx = np.ones(10**10)")],
                          metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
        out, resources = SandboxedExecute(sandbox_mode=mode).preprocess(nb, {"metadata": {"path": str(ROOT)}})
    finally:
        del os.environ["GRADER_SECRET"]
        (ROOT / "course_lib" / "x.txt").unlink(missing_ok=True)  # written in mode "none", which cannot stop it
    assert resources["course_lib_grading"]["isolation"] == mode
    report = json.loads(out.cells[0].outputs[0].text)
    report["memory_error"] = out.cells[1].outputs[-1].ename
    return report


MODES = ["none"] + (["namespace+nobody", "namespace+nocaps"] if isolation() != "none" else [])


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_limits_memory_filters_the_environment_and_uses_a_scratch_folder(mode):
    report = _run(mode)
    assert report["memory_error"] == "MemoryError"
    assert report["nonce"] and not report["secret_env"]
    assert os.path.basename(report["cwd"]).startswith("course-grade-")


@pytest.mark.parametrize("mode", [m for m in MODES if m != "none"])
def test_namespace_modes_hide_the_course_and_cannot_undo_it(mode):
    report = _run(mode)
    assert report["uid"] == (65534 if mode == "namespace+nobody" else 0)
    assert not report["sees_solutions"] and report["sees_course_lib"]
    assert not report["writes_course_lib"] and not report["unmounts"]
    scratch_folders = [name for name in report["tmp"] if name.startswith("course-grade-")]
    assert scratch_folders == [os.path.basename(report["cwd"])], "other kernels' scratch folders stay hidden"


def test_isolation_is_the_strongest_available_as_root():
    if os.geteuid() != 0:
        assert isolation() == "none"
    else:
        assert isolation() in ("namespace+nobody", "namespace+nocaps")
