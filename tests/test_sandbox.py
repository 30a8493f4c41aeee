"""The grading sandbox: what a kernel can see, do and use, in each isolation mode, and what it leaves behind.

As root (CI) the strongest mode is ``bwrap``; the unprivileged mode ``bwrap-userns`` (an instructor's laptop)
is tested by running the grader itself as an unprivileged user inside a root sandbox, where user namespaces
are allowed.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import ROOT
from grading_corpus import ensure_bubblewrap
from course_lib.grading.execute import SandboxedExecute
from course_lib.grading.sandbox import (UID_BASE, Limits, Sandbox, SandboxUnavailable, _processes_of, isolation,
                                       leftover_processes)

pytestmark = pytest.mark.slow
ensure_bubblewrap()
KERNELSPEC = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}

PROBE = r"""
import json, os, socket
def attempt(action):
    try:
        action()
        return True
    except Exception as exc:
        return type(exc).__name__
status = open("/proc/self/status").read()
print(json.dumps({
    "uid": os.getuid(),
    "caps": status.split("CapEff:")[1].split()[0],
    "cwd": os.getcwd(),
    "root": sorted(os.listdir("/")),
    "tmp": sorted(os.listdir("/tmp")),
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "env": sorted(os.environ),
    "sees_solutions": os.path.exists(os.path.join(REPO, "solutions")),
    "sees_second_checkout": os.path.exists(SECOND),
    "sees_etc": os.path.exists("/etc/passwd"),
    "reads_course_lib": attempt(lambda: open(os.path.join(REPO, "course_lib", "hidden.py")).read(1)),
    "writes_course_lib": attempt(lambda: open(os.path.join(REPO, "course_lib", "x.txt"), "w").close()),
    "network": attempt(lambda: socket.create_connection(("10.255.255.1", 80), timeout=1)),
    "shm_mb": os.statvfs("/dev/shm").f_blocks * os.statvfs("/dev/shm").f_frsize // 2**20,
}))
"""

DAEMON = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(300)
        os._exit(0)
    os._exit(0)
os.wait()
print("daemon started")
"""


def _tmp_seen(cwd: str) -> list[str]:
    """What a kernel may see in its /tmp: its own scratch folder, and the course's folder on the path to the
    read-only course_lib and venv when the course itself lives under /tmp (a fresh clone in CI)."""
    seen = {os.path.basename(cwd)}
    if Path(ROOT).is_relative_to("/tmp"):
        seen.add(Path(ROOT).relative_to("/tmp").parts[0])
    return sorted(seen)


def _notebook(*sources: str):
    return new_notebook(cells=[new_code_cell(s) for s in sources], metadata=KERNELSPEC)


def _execute(nb, **config):
    return SandboxedExecute(**config).preprocess(nb, {"metadata": {"path": str(ROOT)}})


@functools.cache  # every test of a mode reads one kernel's report
def _probe(mode: str) -> tuple[dict, dict]:
    second = tempfile.mkdtemp(prefix="course-second-checkout-", dir="/srv" if os.path.isdir("/srv") else None)
    os.chmod(second, 0o755)
    os.environ["GRADER_SECRET"] = "do not leak"
    try:
        nb = _notebook(f"REPO, SECOND = {str(ROOT)!r}, {second!r}\n" + PROBE, "import numpy as np\nx = np.ones(10**10)",
                       DAEMON)
        out, resources = _execute(nb, sandbox_mode=mode)
    finally:
        del os.environ["GRADER_SECRET"]
        os.rmdir(second)
        (ROOT / "course_lib" / "x.txt").unlink(missing_ok=True)
    report = json.loads(out.cells[0].outputs[0].text)
    report["memory_error"] = out.cells[1].outputs[-1].ename
    # the processes left running as the uid this kernel had (another grader on the machine has other slots)
    report["leftover"] = _processes_of(range(report["uid"], report["uid"] + 1)) if report["uid"] >= UID_BASE else []
    return report, resources["course_lib_grading"]


def test_isolation_is_the_strongest_available():
    if os.geteuid() == 0:
        assert isolation() == "bwrap", "as root with bubblewrap installed, kernels run in bubblewrap"
    else:
        assert isolation() in ("bwrap-userns", "none")


@pytest.mark.skipif(os.geteuid() != 0, reason="the root mode")
def test_a_kernel_sees_only_its_whitelist_runs_as_its_own_uid_and_leaves_nothing():
    report, run = _probe("bwrap")
    assert run["isolation"] == "bwrap" and run["flags"] == []
    assert UID_BASE <= report["uid"] < UID_BASE + 1024 and report["caps"] == "0" * 16, "never uid 0, no capability"
    assert set(report["root"]) <= {"dev", "etc", "lib", "lib64", "proc", "tmp", "usr", "root", *Path(ROOT).parts[1:2]}
    assert not report["sees_solutions"] and not report["sees_second_checkout"] and not report["sees_etc"]
    assert report["reads_course_lib"] is True and report["writes_course_lib"] == "OSError"
    assert report["network"] == "OSError"
    assert report["tmp"] == _tmp_seen(report["cwd"]), "no other kernel's scratch folder, nothing else"
    assert report["processes"] == [1, 2], "its own PID namespace: the sandbox's init and the kernel"
    assert report["shm_mb"] <= 64 and report["memory_error"] == "MemoryError"
    assert "GRADER_SECRET" not in report["env"]
    assert report["leftover"] == [], "the double-forked daemon died with its kernel"


def test_root_never_runs_student_code_as_root_even_without_bubblewrap():
    if os.geteuid() != 0:
        with pytest.raises(SandboxUnavailable):
            Sandbox("uid-only", Limits()).__enter__()
        return
    try:
        report, run = _probe("uid-only")
    except RuntimeError as exc:  # the venv is not readable by other users here (e.g. under /root)
        assert "grading kernel failed" in str(exc)
        return
    assert report["uid"] >= UID_BASE and report["caps"] == "0" * 16
    assert "isolation:uid-only" in run["flags"] or run["isolation"] == "uid-only"


@pytest.mark.skipif(os.geteuid() != 0, reason="cgroups need root")
def test_limits_hold_for_the_whole_sandbox():
    nb = _notebook(textwrap.dedent("""
        import os, time
        children = 0
        for i in range(100):
            try:
                if os.fork() == 0:
                    hold = bytearray(48 * 2**20)
                    for j in range(0, len(hold), 4096):
                        hold[j] = 1
                    time.sleep(60)
                    os._exit(0)
                children += 1
            except OSError:
                break
        time.sleep(5)  # the children fill their memory meanwhile
        print(children)
    """))
    out, resources = _execute(nb, sandbox_mode="bwrap", memory_limit_mb=1024, process_limit=40)
    run = resources["course_lib_grading"]
    started = int(out.cells[0].outputs[0].text) if out.cells[0].outputs[0].get("text") else 0
    assert started < 40, "the process limit holds for the sandbox, not per process"
    assert "memory-limit:sandbox" in run["flags"], "40 processes of 48 MiB are more than the sandbox's 1 GiB"
    assert leftover_processes() == []


def test_output_is_cut_as_it_arrives_and_an_enormous_message_is_never_read():
    flood = ("from IPython.display import display\n"
             "for i in range(3000):\n    display({'text/plain': 'z' * 10_000}, raw=True)")
    nb = _notebook("print('x' * 100_000_000)\nprint('still here')", "print('y' * 3_000_000)", flood, "print('last')")
    out, resources = _execute(nb, output_limit_cell_kb=1024, output_limit_kb=2048, message_limit_mb=32)
    kept = [sum(len(o.get("text", "")) + len(str(o.get("data", ""))) for o in c.outputs) for c in out.cells]
    assert kept[0] < 1000 and kept[1] <= 1024 * 1024 + 200 and kept[2] <= 1024 * 1024 + 200
    assert "output-truncated" in resources["course_lib_grading"]["flags"]
    assert out.cells[3].outputs[0].text == "last\n" or "cut by the grader" in out.cells[3].outputs[0].text


def test_a_widgets_state_counts_towards_the_notebook_not_the_cell():
    """The scrubber sends about 1.1 MB of widget state from one cell: not output shown in the cell, so not cut
    there; widget state beyond the notebook's allowance is cut like any output."""
    widget = "import ipywidgets\nw = ipywidgets.Text(value='a' * 1_500_000)\nw"
    out, resources = _execute(_notebook(widget, "print('after')"), output_limit_cell_kb=1024, output_limit_kb=2048)
    assert "output-truncated" not in resources["course_lib_grading"]["flags"]
    assert out.cells[1].outputs[0].text == "after\n"
    _, resources = _execute(_notebook(widget, widget), output_limit_cell_kb=1024, output_limit_kb=2048)
    assert "output-truncated" in resources["course_lib_grading"]["flags"]


def test_time_limits_hold_per_cell_and_per_notebook_and_an_uninterruptible_cell_is_stopped():
    import time

    nb = _notebook(*["import time\ntime.sleep(1.8)"] * 6, "print('never')")
    start = time.monotonic()
    out, resources = _execute(nb, timeout=2, submission_timeout=5)
    assert time.monotonic() - start < 30
    assert "timeout:notebook" in resources["course_lib_grading"]["flags"]
    assert out.cells[-1].outputs[0].ename == "NotRun"

    nb = _notebook("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
                   *["print('after')"] * 5)
    start = time.monotonic()
    out, resources = _execute(nb, timeout=2, submission_timeout=60)
    assert time.monotonic() - start < 40, "the kernel is killed, not waited for cell after cell"
    assert any(f.startswith("timeout:cell-0") for f in resources["course_lib_grading"]["flags"])
    assert all(c.outputs[0].ename == "NotRun" for c in out.cells[1:])
    assert leftover_processes() == []


UNPRIVILEGED = r"""
import json, os, sys
sys.path.insert(0, os.path.join(sys.argv[1], "tests"))
os.chdir(sys.argv[2])
from nbformat.v4 import new_code_cell, new_notebook
from course_lib.grading.execute import SandboxedExecute
from course_lib.grading.sandbox import isolation
probe = sys.argv[3]
nb = new_notebook(cells=[new_code_cell(probe)], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                           "language": "python"}})
out, res = SandboxedExecute().preprocess(nb, {"metadata": {"path": sys.argv[2]}})
print(json.dumps({"mode": isolation(), "uid": os.getuid(), "report": out.cells[0].outputs[0].get("text", ""),
                  "flags": res["course_lib_grading"]["flags"]}))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="runs the grader as an unprivileged user inside a root sandbox")
def test_an_unprivileged_grader_gets_the_same_isolation_where_user_namespaces_are_allowed():
    """The grader as an ordinary user (an instructor's laptop): bubblewrap through a user namespace."""
    with Sandbox("bwrap", Limits(), "kernel") as outer:
        args = outer.command([sys.executable, "-I", "-c", UNPRIVILEGED, str(ROOT), "/tmp",
                              f"REPO, SECOND = {str(ROOT)!r}, '/nonexistent'\n" + PROBE])
        config = json.loads(args[-1])
        argv = config["argv"]
        # a laptop's /proc is fully visible, which bubblewrap needs to mount a new one: give the "laptop" the
        # machine's own /proc, and so its PID namespace
        proc_at = argv.index("--proc")
        argv[proc_at:proc_at + 2] = ["--bind", "/proc", "/proc"]
        argv.remove("--unshare-pid")
        cut = argv.index("--")
        argv[cut:cut] = ["--perms", "0755", "--dir", "/usr/bin", "--ro-bind", "/usr/bin/bwrap", "/usr/bin/bwrap",
                         "--ro-bind", str(ROOT / "tests"),
                         str(ROOT / "tests"), "--ro-bind", str(ROOT / "solutions"), str(ROOT / "solutions")]
        config["env"]["PATH"] = "/usr/bin:" + config["env"].get("PATH", "")
        args[-1] = json.dumps(config)
        proc = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "Operation not permitted" in proc.stderr + proc.stdout:
        pytest.skip("user namespaces are not allowed for ordinary users here")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["uid"] >= UID_BASE and result["mode"] == "bwrap-userns"
    report = json.loads(result["report"])
    assert not report["sees_solutions"] and not report["sees_etc"] and report["network"] == "OSError"
    assert report["processes"] == [1, 2] and report["tmp"] == _tmp_seen(report["cwd"])
    assert report["writes_course_lib"] == "OSError"
    assert result["flags"] == []


HOLDER = """
import subprocess, sys, time
from course_lib.grading.sandbox import Limits, Sandbox
with Sandbox("bwrap", Limits(), profile="kernel") as box:
    # a process of the sandbox's uid, in its cgroups, like a kernel
    subprocess.Popen(box.command([sys.executable, "-c", "import time; time.sleep(600)"]))
    time.sleep(1)
    print(box._slot[0], box.scratch, *box._cgroups, flush=True)
    time.sleep(600)
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="slots, mounts and cgroups need root")
def test_what_a_killed_grader_left_is_reclaimed_and_a_sandbox_in_use_is_not():
    """A grader killed with SIGKILL (or a worker terminated on Ctrl-C) cannot remove its sandbox: its kernel dies
    with it (bubblewrap's --die-with-parent), but its scratch tmpfs and its cgroups stay until `reclaim` (which
    `grade` runs first, and after ending its workers) clears them; a sandbox whose grader is alive is left alone."""
    import signal
    import time

    from course_lib.grading.sandbox import _stale_mounts, left_behind, reclaim

    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def start():
        proc = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True, env=env)
        slot, scratch, *cgroups = proc.stdout.readline().split()
        return proc, int(slot), scratch, [Path(c) for c in cgroups]

    killed, slot, scratch, cgroups = start()
    alive, alive_slot, alive_scratch, alive_cgroups = start()
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        uid = UID_BASE + slot
        assert scratch in _stale_mounts(slot)
        assert cgroups and all(c.exists() for c in cgroups), "the killed grader's sandbox is still there"
        assert slot in left_behind() and alive_slot not in left_behind()
        cleared = reclaim()
        assert slot in cleared and alive_slot not in cleared
        assert _processes_of(range(uid, uid + 1)) == [] and _stale_mounts(slot) == []
        assert not any(c.exists() for c in cgroups)
        assert alive_scratch in _stale_mounts(alive_slot) and all(c.exists() for c in alive_cgroups)
        alive_uid = UID_BASE + alive_slot
        assert _processes_of(range(alive_uid, alive_uid + 1)), "the live sandbox's process runs on"
    finally:
        for proc in (killed, alive):
            proc.kill()
            proc.wait(timeout=30)
        time.sleep(0.1)
        reclaim()
