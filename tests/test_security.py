"""Nothing one student does changes another's grade or the class's run (issue 12).

Every attack of ``tests/corpus/attacks.py`` is submitted to notebook 02 in one course, with honest students
after them, and the class is graded with ``make grade``'s code, serially and in two processes. The honest
students get their exact grades, each attacker the grade the attack deserves (nothing from the attack
itself), nothing the submissions started is left running, nothing they wrote is left on the machine, and no
submission takes more than its time limits.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT
from corpus.attacks import ASSIGNMENT, HONEST, INJECTED_FLAGS, MARK, attacks
from grading_corpus import make_course
from course_lib.grading.sandbox import isolation, left_behind, leftover_processes
from course_lib.grading.workflow import grade

pytestmark = pytest.mark.slow

#: The scratch course's limits: short, so that the attacks on time cost little.
CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 10, 40
ATTACKS = attacks(CELL_TIMEOUT)
#: Left on the host by the attacks if they could (see corpus/attacks.py).
TRACES = [Path("/dev/shm") / f"{MARK}-shm", Path("/etc") / f"{MARK}-root", Path("/usr/local/bin") / f"{MARK}-root"]


def _sid(i: int, name: str) -> str:
    return f"attack-{i:02d}-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]


def _left_behind(tmp: Path) -> dict:
    """What this test's sandboxes would leave on the machine if they were not cleaned up: scratch folders and
    mounts in its own temporary folder, sandbox slots that hold a cgroup, a mount or a process while no grader
    holds them (another grader's are in use; grading cleared what earlier ones left before it started)."""
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()
              if line.split()[4].startswith(str(tmp))]
    return {"scratch": sorted(p.name for p in tmp.iterdir()), "mounts": mounts, "slots left behind": left_behind()}


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """A course with every attack and the honest students, and a second checkout of the course in /srv."""
    if isolation() != "bwrap":
        pytest.skip(f"the attacks run only where the grader contains them (mode {isolation()!r}, not 'bwrap')")
    course = tmp_path_factory.mktemp("attacked")
    plan = [(sid, sub) for sid, (sub, _) in HONEST.items()]
    plan += [(_sid(i, a.name), a.submission) for i, a in enumerate(ATTACKS)]
    make_course(course, {ASSIGNMENT: plan},
                f"c.Execute.timeout = {CELL_TIMEOUT}\nc.SandboxedExecute.submission_timeout = {NOTEBOOK_TIMEOUT}\n")
    for i, attack in enumerate(ATTACKS):
        if attack.prepare:
            attack.prepare(course / "submitted" / _sid(i, attack.name) / ASSIGNMENT, course)
    second = Path(tempfile.mkdtemp(prefix=f"{MARK}-checkout-", dir="/srv" if os.path.isdir("/srv") else None))
    shutil.copytree(ROOT / "solutions", second / "solutions")
    for path in [second, *second.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    tmp = tmp_path_factory.mktemp("sandboxes")  # this test's sandboxes make their scratch folders here
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"], tempfile.tempdir = str(tmp), None
    yield course, tmp
    if saved is None:
        del os.environ["TMPDIR"]
    else:
        os.environ["TMPDIR"] = saved
    tempfile.tempdir = None
    shutil.rmtree(second, ignore_errors=True)
    for trace in TRACES:
        trace.unlink(missing_ok=True)


def _graded(course: Path, jobs: int, feedback: bool):
    stamps, lines = [time.monotonic()], []

    def out(line: str) -> None:
        stamps.append(time.monotonic())
        lines.append(line)

    result = grade(course, force=True, jobs=jobs, out=out, feedback=feedback)
    return result, lines, [b - a for a, b in zip(stamps, stamps[1:])], stamps[-1] - stamps[0]


@pytest.mark.parametrize("jobs", [1, 2])
def test_attacks_change_nothing_for_honest_students(attacked, jobs):
    course, tmp = attacked
    result, lines, per_line, wall = _graded(course, jobs, feedback=jobs == 1)
    text = "\n".join(lines)
    by_student = {line.split()[1]: line.split(": ", 1)[1] for line in lines if line.startswith("[")}
    wrong = [f"{sid}: {by_student[sid]}" for sid, (_, expected) in HONEST.items()
             if not by_student[sid].startswith(expected) or "flags" in by_student[sid]]
    assert not wrong, "honest students were affected:\n" + "\n".join(wrong) + "\n" + text
    for i, attack in enumerate(ATTACKS):
        got = by_student[_sid(i, attack.name)]
        expected = attack.expected if isinstance(attack.expected, tuple) else (attack.expected,)
        if not got.startswith(expected) or (attack.flag and attack.flag not in got):
            wrong.append(f"{attack.name}: expected {attack.expected} {attack.flag or ''}, got {got}")
    assert not wrong, "\n".join(wrong)

    rows = {r["student_id"]: r for r in csv.DictReader(open(course / "grades.csv"))}
    assert len(rows) == len(HONEST) + len(ATTACKS)
    injected = [r["flags"] for r in rows.values() if any(f in r["flags"] for f in INJECTED_FLAGS)]
    assert not injected, "flags must come from the grader only"

    assert leftover_processes() == [], "a process of a sandbox outlived grading"
    assert [str(t) for t in TRACES if t.exists()] == [], "a submission wrote outside its sandbox"
    assert _left_behind(tmp) == {"scratch": [], "mounts": [], "slots left behind": []}, "a sandbox left something"
    # every submission within its limits: the notebook's wall time, then as much again for the hidden tests
    if jobs == 1:
        slowest = max(per_line[:len(HONEST) + len(ATTACKS)])
        assert slowest < 2 * NOTEBOOK_TIMEOUT + 20, f"one submission took {slowest:.0f} s\n{text}"
        feedback = course / "feedback"
        biggest = max(p.stat().st_size for p in feedback.rglob("*.html"))
        assert biggest < 20 * 2**20, f"a feedback file of {biggest / 2**20:.0f} MiB"
    autograded = max(p.stat().st_size for p in (course / "autograded").rglob("*.ipynb"))
    assert autograded < 20 * 2**20, f"an autograded notebook of {autograded / 2**20:.0f} MiB"
    assert wall < (600 if jobs == 1 else 420), f"the class took {wall:.0f} s\n{text}"


def test_the_answer_key_is_computed_before_any_submission_runs_and_out_of_sight(attacked):
    course, _ = attacked
    keys = sorted((course / ".answer-keys").glob("*.json"))
    assert keys and (course / ".answer-keys").stat().st_mode & 0o077 == 0
    key_time = min(k.stat().st_mtime for k in keys)
    graded = [p.stat().st_mtime for p in (course / "autograded").glob("*/*/*.ipynb")]
    assert graded and key_time <= min(graded)
    cells = json.loads(keys[0].read_text())["cells"]
    assert sorted(cells) == ["test_beta_size_concept", "test_forward_chain", "test_forward_step", "test_slip"]
